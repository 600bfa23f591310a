/**
 * `npm run workers`: the queue workers alone (what docker-compose runs), with
 * /healthz and /metrics on WORKERS_PORT. SIGTERM stops taking jobs, lets the
 * running ones finish (bounded by SHUTDOWN_TIMEOUT_MS) and closes Redis.
 */
import { createServer } from 'node:http';
import { createCoreDeps } from '../server/core.ts';
import { openRedis, RedisBootstrapError } from '../server/bootstrap/redis.ts';
import { failOn, loadConfigOrExit, stopOnSignals } from '../server/bootstrap/process.ts';
import { createLogger } from '../server/logger.ts';
import { metricsScrapeAllowed } from '../server/metrics.ts';
import { startWorkers } from '../workers/index.ts';
import { registerQueueMetrics } from '../workers/metrics.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'threadline-workers');
  // Workers never start a Redis of their own (nor touch a stopped one's files): they join the one the servers use.
  const { redis } = await openRedis(config, log, { orStart: false }).catch((err: unknown) => failOn(RedisBootstrapError, err));
  // The core only: workers verify no tokens, so they start without AUTH_JWT_SECRET.
  const deps = await createCoreDeps({ config, redis, log });
  registerQueueMetrics(deps.metrics, deps.queues.all);
  const running = await startWorkers(deps);

  const http = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (req.url === '/metrics' && !metricsScrapeAllowed(config.metrics.token, req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end('{"status":"unauthenticated"}');
    } else if (req.url === '/metrics') {
      deps.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': deps.metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => http.listen(config.workers.port, config.host, resolve));
  log.info({ port: config.workers.port }, 'workers running; /healthz and /metrics served');

  // Stop taking jobs, let the running ones finish, then close.
  stopOnSignals(config, log, async () => {
    await running.close();
    await deps.queues.close();
    http.close();
    await redis.quit().catch(() => redis.disconnect());
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Threadline workers failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
