/**
 * `npm start`: API and sockets on PORT (and the queue workers in this process
 * unless WORKERS_IN_PROCESS is off), Redis from REDIS_URL (or found or
 * started locally), graceful shutdown on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { createThreadline } from '../server/app.ts';
import { resolveJwtSecret } from '../server/auth/dev-secret.ts';
import { openRedis, RedisBootstrapError } from '../server/bootstrap/redis.ts';
import { failOn, loadConfigOrExit, stopOnSignals } from '../server/bootstrap/process.ts';
import { ConfigError } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { startWorkers, type RunningWorkers } from '../workers/index.ts';
import { registerQueueMetrics } from '../workers/metrics.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel);

  let jwt;
  try {
    jwt = resolveJwtSecret(config);
  } catch (err) {
    failOn(ConfigError, err);
  }
  const { secret, devSecretFile } = jwt;
  if (devSecretFile) {
    process.stderr.write(
      [
        '',
        `AUTH_JWT_SECRET is not set: using a development secret kept in ${devSecretFile}.`,
        'Mint a token for a test user with:',
        '  TOKEN=$(npm run -s token -- --sub u1 --handle alice --name "Alice" --role commenter)',
        'Set AUTH_JWT_SECRET (the secret your host site signs tokens with) in production.',
        '',
      ].join('\n') + '\n',
    );
  }

  const { handle: redisHandle, redis } = await openRedis(config, log).catch((err: unknown) => failOn(RedisBootstrapError, err));
  const server = await createThreadline({ config, redis, log, jwtSecret: secret, version });
  registerQueueMetrics(server.deps.metrics, server.deps.queues.all);
  let workers: RunningWorkers | undefined;
  if (config.workers.inProcess) workers = await startWorkers(server.deps);
  const address = await server.listen(config.port, config.host);
  log.info({ port: address.port, redis: redisHandle.source }, `Threadline ${version} listening on http://localhost:${address.port}`);

  stopOnSignals(config, log, async () => {
    // Running jobs finish first (they may still enqueue deliveries), then the server stops.
    await workers?.close();
    await server.close();
    await redis.quit().catch(() => redis.disconnect());
    await redisHandle.stop();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Threadline failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
