/**
 * `npm run demo`: imports the seed article and its 17 reader comments as
 * thread `korea-summit` into the Redis `npm start` would use (one held by the
 * word list and one reported, for the console), then prints tokens and URLs
 * to try.
 */
import { createDeps } from '../app.ts';
import { resolveJwtSecret } from '../auth/dev-secret.ts';
import { signToken } from '../auth/tokens.ts';
import { fail, loadConfigOrExit } from '../bootstrap/process.ts';
import { acquireRedis, RedisBootstrapError } from '../bootstrap/redis.ts';
import { createLogger } from '../logger.ts';
import { connectRedis, describeTarget } from '../store/redis.ts';
import { DEMO_READER, importSeedThread, prepareDemoReader, SEED_SUSPECT_TERM } from './seed.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const { secret } = resolveJwtSecret(config);
  const redisHandle = await acquireRedis(config, log);
  const redis = await connectRedis(redisHandle.target, log);
  let deps: Awaited<ReturnType<typeof createDeps>> | undefined;
  try {
    deps = await createDeps({ config, redis, log, jwtSecret: secret });
    const result = await importSeedThread(deps);
    await prepareDemoReader(deps);
    const { id: sub, ...claims } = DEMO_READER;
    const reader = await signToken(secret, { sub, ...claims }, 86_400, config.auth);
    const moderator = await signToken(
      secret,
      { sub: 'demo-mod', handle: 'demo_mod', name: 'Demo Moderator', role: 'moderator' },
      86_400,
      config.auth,
    );
    const base = `http://localhost:${config.port}`;
    const replies = result.comments.filter((c) => c.parentId).length;
    const mentions = result.comments.flatMap((c) => c.mentions.map((m) => `@${m.handle}`));
    process.stdout.write(
      [
        `Imported "${result.threadId}": ${result.comments.length} comments by ${result.users.length} readers (${replies} replies; mentions: ${mentions.join(', ') || 'none'}).`,
        `Left for the console: ${result.held.length} held by the word list ("${SEED_SUSPECT_TERM}")${result.reported ? ', 1 reported by a reader' : ''}.`,
        `Redis: ${describeTarget(redisHandle.target)}${redisHandle.source === 'private' ? ' (private, stopped again now; npm start will start it)' : ''}`,
        '',
        'Start the server (if it is not running):  npm start',
        '',
        'In a browser (the embeddable widget; the token after # signs you in):',
        `  ${base}/demo/${result.threadId}#token=${reader}`,
        '',
        'Read the thread:',
        `  curl -s ${base}/api/threads/${result.threadId}`,
        `  curl -s '${base}/api/threads/${result.threadId}/comments?order=oldest&limit=20'`,
        '',
        `Post as "Demo Reader" (token valid 24 h; at most ${config.limits.userShort.points} comments per ${config.limits.userShort.seconds} s, RATE_USER_SHORT):`,
        `  export TOKEN=${reader}`,
        `  curl -s -X POST ${base}/api/threads/${result.threadId}/comments -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"body":"Hello @itsonlyrocknroll"}'`,
        '',
        'The moderation console (queues, live feed, keyboard actions), as "Demo Moderator":',
        `  ${base}/moderate#token=${moderator}`,
        'Moderator token for the API (remove comments, edit threads):',
        `  export MOD_TOKEN=${moderator}`,
        '',
        "Tokens for other readers (-s keeps npm's banner out of the captured token):",
        '  TOKEN=$(npm run -s token -- --sub u1 --handle alice --name Alice --role commenter)',
        '',
        `API description: ${base}/api/openapi.json (REST), ${base}/api/asyncapi.json (Socket.IO events)`,
        `Live events: connect Socket.IO to ${base} with auth {token} and emit thread:join {threadId: "${result.threadId}"} (see README).`,
        '',
      ].join('\n'),
    );
  } finally {
    await deps?.queues.close();
    redis.disconnect();
    await redisHandle.stop();
  }
}

main().catch((err: unknown) => {
  if (err instanceof RedisBootstrapError) fail(err.message);
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
