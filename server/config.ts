import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const onOff = (def: 'on' | 'off') =>
  z
    .enum(['on', 'off', 'true', 'false', '1', '0'])
    .default(def)
    .transform((v) => v === 'on' || v === 'true' || v === '1');

/**
 * Every environment variable Threadline reads, with its default and meaning.
 * The README's configuration table mirrors this list (a test keeps them in step).
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('development, test or production'),
  PORT: int(3000).describe('HTTP and Socket.IO port'),
  HOST: z.string().default('0.0.0.0').describe('Interface to listen on'),
  REDIS_URL: z
    .string()
    .url()
    .optional()
    .describe('Redis to use. Unset: use 127.0.0.1:6379 if it answers, else start a private redis-server'),
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(
      /^\s*[^\s,:]+:\d+\s*(,\s*[^\s,:]+:\d+\s*)*$/,
      'REDIS_CLUSTER_NODES is a comma-separated list of host:port, e.g. redis-1:6379,redis-2:6379',
    )
    .optional()
    .describe(
      'Redis Cluster nodes (host:port,host:port,...; one is enough, the rest are discovered). Set: every connection uses the Cluster and REDIS_URL is ignored',
    ),
  REDIS_WAIT_REPLICAS: int(0, 0).describe(
    'A new comment is acknowledged only after this many replicas confirm it (Redis WAIT); else `unavailable` and the client retries. 0: acknowledged once the master has it. Not yet proven to prevent loss (docs/scaling.md, Failover)',
  ),
  REDIS_WAIT_TIMEOUT_MS: int(500, 10).describe('How long a post waits for REDIS_WAIT_REPLICAS confirmations'),
  REDIS_PROBE_URL: z.string().url().default('redis://127.0.0.1:6379').describe('Where to look for a local Redis when REDIS_URL is unset'),
  REDIS_SERVER_BIN: z.string().default('redis-server').describe('redis-server binary for the private Redis'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{0,32}$/)
    .default('tl:')
    .describe('Prefix of every Redis key Threadline writes'),
  DATA_DIR: z.string().default('./data').describe('Private Redis data (AOF) and the development JWT secret'),
  AUTH_JWT_SECRET: z
    .string()
    .min(32, 'AUTH_JWT_SECRET must be at least 32 characters')
    .optional()
    .describe('HS256 secret shared with the host site (required in production)'),
  AUTH_MAX_TOKEN_TTL_SECONDS: int(604_800, 60).describe(
    'A token whose exp lies further ahead than this is refused (a leaked token is good for at most this long)',
  ),
  AUTH_ISSUER: z.string().min(1).optional().describe('When set, tokens must carry this iss'),
  AUTH_AUDIENCE: z.string().min(1).optional().describe('When set, tokens must carry this aud'),
  EDIT_WINDOW_SECONDS: int(900).describe('How long authors may edit a comment'),
  HISTORY_MAX_EVENTS: int(10_000, 100).describe('Events kept per thread for recovery (at least)'),
  HISTORY_TTL_SECONDS: int(86_400, 60).describe('An idle thread keeps its recovery log this long'),
  RECOVERY_MAX_EVENTS: int(500, 1).describe(
    'Most missed events one join with `since` returns; more: `recovered: false` (the client reloads over REST)',
  ),
  RECOVERY_MAX_BYTES: int(1_000_000, 10_000).describe(
    'Most bytes of missed events one join with `since` returns; more: `recovered: false`',
  ),
  RECOVERY_BYTES_PER_MINUTE: int(5_000_000, 10_000).describe(
    'Bytes of recovered events one client IP may be sent per minute, over all its joins and sockets; beyond: `recovered: false`',
  ),
  IDEMPOTENCY_TTL_SECONDS: int(86_400, 60).describe('How long a clientId is remembered'),
  PRESENCE_TTL_SECONDS: int(45, 3).describe('A viewer not refreshed for this long (e.g. its server crashed) stops counting'),
  PRESENCE_INTERVAL_MS: int(2_000, 100).describe('How often viewer counts are recomputed and pushed (only when changed)'),
  RATE_USER_SHORT: int(5, 1).describe('Comments and edits a user may make per RATE_USER_SHORT_SECONDS'),
  RATE_USER_SHORT_SECONDS: int(30, 1).describe('Window of the short per-user limit'),
  RATE_USER_LONG: int(60, 1).describe('Comments and edits a user may make per RATE_USER_LONG_SECONDS'),
  RATE_USER_LONG_SECONDS: int(3_600, 1).describe('Window of the long per-user limit'),
  RATE_NEW_ACCOUNT_HOURS: int(24, 0).describe('Accounts first seen less than this long ago get half the per-user limits'),
  RATE_IP: int(30, 1).describe('Comments and edits per client IP per RATE_IP_SECONDS'),
  RATE_IP_SECONDS: int(60, 1).describe('Window of the per-IP limit'),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .describe('Proxies whose X-Forwarded-For is believed: comma-separated IPs/CIDRs or loopback, linklocal, uniquelocal (empty: none)'),
  ALLOWED_ORIGINS: z.string().default('').describe('Comma-separated browser origins allowed to connect and call the API (empty: any)'),
  SOCKET_EVENTS_PER_SECOND: int(20, 1).describe('Events a socket may send per second, sustained'),
  SOCKET_EVENT_BURST: int(40, 1).describe('Events a socket may send in a burst'),
  SOCKET_FLOOD_SECONDS: int(10, 1).describe('A socket over its event rate this long is disconnected'),
  SOCKET_FLOOD_MAX_REFUSED: int(200, 1).describe('A socket that has this many events refused in one flood is disconnected at once'),
  MAX_CONNECTIONS_PER_USER: int(20, 1).describe('Open sockets per signed-in user, across all servers'),
  MAX_CONNECTIONS_PER_IP: int(100, 1).describe('Open sockets per client IP, across all servers'),
  HANDSHAKES_PER_IP_PER_MINUTE: int(60, 1).describe('New socket connections per client IP per minute'),
  FANOUT_BATCH_MS: int(5, 0).describe(
    "A thread's live events arriving within this many ms of its last frame go out together as one thread:batch frame (0: each alone)",
  ),
  SOCKET_PER_MESSAGE_DEFLATE: onOff('off').describe(
    'Offer WebSocket permessage-deflate: fewer bytes per event, more server CPU and memory per socket (docs/benchmarks.md)',
  ),
  SOCKET_MAX_BUFFERED_BYTES: int(4_000_000, 65_536).describe(
    'A connection with more than this many bytes of events queued for it (it does not read them) is closed; the client reconnects and re-syncs (at least twice RECOVERY_MAX_BYTES)',
  ),
  HTTP_HEADERS_TIMEOUT_MS: int(10_000, 100).describe(
    'A request whose headers are not complete this long after it began is answered 408 and closed (slowloris)',
  ),
  HTTP_REQUEST_TIMEOUT_MS: int(30_000, 100).describe(
    'A request whose body is not complete this long after it began is answered 408 and closed (at least HTTP_HEADERS_TIMEOUT_MS)',
  ),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(5_000, 100).describe('An idle keep-alive HTTP connection is closed after this long'),
  HTTP_COMPRESSION_THRESHOLD_BYTES: int(1024, 0).describe(
    'HTTP responses (JSON, scripts) smaller than this are sent uncompressed; larger ones gzip/brotli when the client accepts it',
  ),
  SCREEN_WINDOW_SECONDS: int(600, 1).describe('Screening looks back this far for repeats'),
  SCREEN_COPIES_PER_USER: int(3, 2).describe('The same text this many times from one user: all copies held'),
  SCREEN_RAID_USERS: int(5, 2).describe('The same text from this many users: all copies held (a copy-paste raid)'),
  SCREEN_MIN_TEXT_LENGTH: int(8, 1).describe('Texts shorter than this (normalised) are not compared ("+1", "thanks")'),
  SCREEN_NEW_ACCOUNT_MAX_LINKS: int(3, 0).describe('More links than this from an account younger than RATE_NEW_ACCOUNT_HOURS: held'),
  SCREEN_MENTION_REPEATS: int(5, 2).describe('One author mentioning the same user this often within the window: held'),
  REPORT_HOLD_THRESHOLD: int(3, 1).describe(
    'Established readers (older than RATE_NEW_ACCOUNT_HOURS) reporting a comment that put it on hold; a newer account counts half',
  ),
  RATE_REPORTS: int(10, 1).describe('Reports a reader may file per RATE_REPORTS_SECONDS (moderators exempt)'),
  RATE_REPORTS_SECONDS: int(600, 1).describe('Window of the per-reader report limit'),
  WORKERS: onOff('on').describe('on: `npm start` also runs the queue workers; off: run them with `npm run workers`'),
  WORKERS_PORT: int(3001).describe('`npm run workers` serves /healthz and /metrics here'),
  WORKER_CONCURRENCY: int(10, 1).describe('Jobs each worker runs at once, per queue'),
  WORKER_LOCK_MS: int(30_000, 500).describe('Job lock; a job whose worker died is picked up again after about this long'),
  SMTP_URL: z.string().url().optional().describe('SMTP server for notification email, e.g. smtp://user:pass@mail:587 (unset: no email)'),
  NOTIFY_EMAIL_FROM: z.string().default('Threadline <notifications@threadline.invalid>').describe('From address of notification email'),
  NOTIFY_EMAIL_PER_SECOND: int(10, 1).describe('Most emails sent per second across all workers (provider throttle)'),
  NOTIFY_WEBHOOK_URL: z.string().url().optional().describe('Where notification webhooks are POSTed (unset: no webhooks)'),
  NOTIFY_WEBHOOK_SECRET: z
    .string()
    .min(24)
    .optional()
    .describe('Webhook signing secret (Standard Webhooks: whsec_<base64>, or any 24+ characters)'),
  NOTIFY_WEBHOOK_TIMEOUT_MS: int(5_000, 100).describe('How long one webhook attempt may take'),
  NOTIFY_ATTEMPTS: int(8, 1).describe('Attempts per webhook or email before it lands in the failed set'),
  NOTIFY_BACKOFF_MS: int(2_000, 10).describe('First retry delay; doubles each attempt, with jitter'),
  NOTIFY_FAILED_KEEP: int(1_000, 1).describe('Failed deliveries kept per queue for admins to inspect'),
  NOTIFY_MAX_PER_WINDOW: int(5, 1).describe('Out-of-band messages per recipient per window; the rest become one digest'),
  NOTIFY_WINDOW_SECONDS: int(600, 1).describe('Length of that window'),
  NOTIFY_INBOX_SIZE: int(500, 10).describe('Notifications kept per user'),
  ADMIN_QUEUE_ACTIONS: onOff('off').describe(
    'on: admins may add, retry, clean and promote jobs at /admin/queues; off: the dashboard is read-only',
  ),
  METRICS_TOKEN: z
    .string()
    .min(16, 'METRICS_TOKEN must be at least 16 characters')
    .optional()
    .describe('When set, /metrics (server and workers) requires Authorization: Bearer <this token>'),
  FRAME_ANCESTORS: z
    .string()
    .regex(/^[^;,\r\n]+$/, "FRAME_ANCESTORS is a space-separated list of CSP sources, e.g. 'self' https://news.example.com")
    .default("'self'")
    .describe('CSP frame-ancestors of the pages the server serves (demo, console, admin): who may frame them'),
  USER_COMMENT_INDEX_MAX: int(20_000, 100).describe(
    'Newest comment ids indexed per user for data export and erasure; older ones drop out of the index',
  ),
  AUDIT_RETENTION_DAYS: int(365, 1).describe('Audit log entries (and their per-thread and per-moderator indexes) are kept this long'),
  AUDIT_MAX_ENTRIES: int(100_000, 100).describe(
    'At most this many audit log entries are kept (also per thread and per moderator), whatever their age',
  ),
  MODERATION_RETENTION_DAYS: int(90, 1).describe(
    "Rejected comments stay in the rejected queue, and readers' reports on a comment are kept, this long",
  ),
  OUTBOX_SWEEP_SECONDS: int(15, 1).describe(
    'How often the workers add jobs that a write stored but could not enqueue (its queue connection failed)',
  ),
  OUTBOX_GRACE_SECONDS: int(10, 1).describe('A write has this long to enqueue its own jobs before the sweep does it'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100).describe('Grace period for in-flight work on SIGTERM'),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  env: RawConfig['NODE_ENV'];
  port: number;
  host: string;
  redis: {
    url: string | undefined;
    probeUrl: string;
    serverBin: string;
    prefix: string;
    /** REDIS_CLUSTER_NODES: run on this Redis Cluster. */
    clusterNodes: ClusterNode[] | undefined;
    /** REDIS_WAIT_REPLICAS / REDIS_WAIT_TIMEOUT_MS: replicas that must confirm a post before it is acknowledged. */
    waitReplicas: { count: number; timeoutMs: number };
  };
  dataDir: string;
  auth: { jwtSecret: string | undefined; maxTokenTtlSeconds: number; issuer: string | undefined; audience: string | undefined };
  comments: { editWindowSeconds: number; idempotencyTtlSeconds: number };
  history: { maxEvents: number; ttlSeconds: number };
  recovery: { maxEvents: number; maxBytes: number; bytesPerMinute: number };
  presence: { ttlMs: number; intervalMs: number };
  workers: { inProcess: boolean; port: number; concurrency: number; lockMs: number };
  limits: {
    userShort: { points: number; seconds: number };
    userLong: { points: number; seconds: number };
    newAccountMs: number;
    ip: { points: number; seconds: number };
    trustedProxies: string[];
    allowedOrigins: string[];
    socketEventsPerSecond: number;
    socketEventBurst: number;
    socketFloodMs: number;
    socketFloodMaxRefused: number;
    connectionsPerUser: number;
    connectionsPerIp: number;
    handshakesPerIpPerMinute: number;
    reports: { points: number; seconds: number };
  };
  reportHoldThreshold: number;
  screening: {
    windowMs: number;
    copiesPerUser: number;
    raidUsers: number;
    minTextLength: number;
    newAccountMaxLinks: number;
    mentionRepeats: number;
  };
  notify: {
    smtpUrl: string | undefined;
    emailFrom: string;
    emailsPerSecond: number;
    webhookUrl: string | undefined;
    webhookSecret: string | undefined;
    webhookTimeoutMs: number;
    attempts: number;
    backoffMs: number;
    failedKeep: number;
    maxPerWindow: number;
    windowMs: number;
    inboxSize: number;
  };
  /** Data requests (export, erasure). */
  dataRequests: { commentIndexMax: number };
  outbox: { sweepMs: number; graceMs: number };
  retention: { auditMs: number; auditMaxEntries: number; moderationMs: number };
  logLevel: RawConfig['LOG_LEVEL'];
  shutdownTimeoutMs: number;
  admin: { queueActions: boolean };
  metrics: { token: string | undefined };
  pages: { frameAncestors: string };
  transfer: { perMessageDeflate: boolean; httpCompressionThresholdBytes: number; fanoutBatchMs: number };
  /** Bounds on what one slow or unfinished peer may hold. */
  timeouts: { httpHeadersMs: number; httpRequestMs: number; httpKeepAliveMs: number; socketMaxBufferedBytes: number };
}

export class ConfigError extends Error {}

export interface ClusterNode {
  host: string;
  port: number;
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

const clusterNodes = (s: string): ClusterNode[] =>
  list(s).map((node) => {
    const at = node.lastIndexOf(':');
    return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
  });

/** Parse the environment once at boot; nothing else reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.NOTIFY_WEBHOOK_URL && !c.NOTIFY_WEBHOOK_SECRET) {
    throw new ConfigError('NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set (receivers verify signatures with it)');
  }
  // AUTH_JWT_SECRET is required in production by what verifies tokens (auth/dev-secret.ts), not here: workers run without it.
  return {
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    redis: {
      url: c.REDIS_URL,
      probeUrl: c.REDIS_PROBE_URL,
      serverBin: c.REDIS_SERVER_BIN,
      prefix: c.REDIS_PREFIX,
      clusterNodes: c.REDIS_CLUSTER_NODES ? clusterNodes(c.REDIS_CLUSTER_NODES) : undefined,
      waitReplicas: { count: c.REDIS_WAIT_REPLICAS, timeoutMs: c.REDIS_WAIT_TIMEOUT_MS },
    },
    dataDir: c.DATA_DIR,
    auth: {
      jwtSecret: c.AUTH_JWT_SECRET,
      maxTokenTtlSeconds: c.AUTH_MAX_TOKEN_TTL_SECONDS,
      issuer: c.AUTH_ISSUER,
      audience: c.AUTH_AUDIENCE,
    },
    comments: { editWindowSeconds: c.EDIT_WINDOW_SECONDS, idempotencyTtlSeconds: c.IDEMPOTENCY_TTL_SECONDS },
    history: { maxEvents: c.HISTORY_MAX_EVENTS, ttlSeconds: c.HISTORY_TTL_SECONDS },
    recovery: { maxEvents: c.RECOVERY_MAX_EVENTS, maxBytes: c.RECOVERY_MAX_BYTES, bytesPerMinute: c.RECOVERY_BYTES_PER_MINUTE },
    presence: { ttlMs: c.PRESENCE_TTL_SECONDS * 1000, intervalMs: c.PRESENCE_INTERVAL_MS },
    limits: {
      userShort: { points: c.RATE_USER_SHORT, seconds: c.RATE_USER_SHORT_SECONDS },
      userLong: { points: c.RATE_USER_LONG, seconds: c.RATE_USER_LONG_SECONDS },
      newAccountMs: c.RATE_NEW_ACCOUNT_HOURS * 3_600_000,
      ip: { points: c.RATE_IP, seconds: c.RATE_IP_SECONDS },
      trustedProxies: list(c.TRUSTED_PROXIES),
      allowedOrigins: list(c.ALLOWED_ORIGINS),
      socketEventsPerSecond: c.SOCKET_EVENTS_PER_SECOND,
      socketEventBurst: Math.max(c.SOCKET_EVENT_BURST, c.SOCKET_EVENTS_PER_SECOND),
      socketFloodMs: c.SOCKET_FLOOD_SECONDS * 1000,
      socketFloodMaxRefused: c.SOCKET_FLOOD_MAX_REFUSED,
      connectionsPerUser: c.MAX_CONNECTIONS_PER_USER,
      connectionsPerIp: c.MAX_CONNECTIONS_PER_IP,
      handshakesPerIpPerMinute: c.HANDSHAKES_PER_IP_PER_MINUTE,
      reports: { points: c.RATE_REPORTS, seconds: c.RATE_REPORTS_SECONDS },
    },
    reportHoldThreshold: c.REPORT_HOLD_THRESHOLD,
    screening: {
      windowMs: c.SCREEN_WINDOW_SECONDS * 1000,
      copiesPerUser: c.SCREEN_COPIES_PER_USER,
      raidUsers: c.SCREEN_RAID_USERS,
      minTextLength: c.SCREEN_MIN_TEXT_LENGTH,
      newAccountMaxLinks: c.SCREEN_NEW_ACCOUNT_MAX_LINKS,
      mentionRepeats: c.SCREEN_MENTION_REPEATS,
    },
    workers: { inProcess: c.WORKERS, port: c.WORKERS_PORT, concurrency: c.WORKER_CONCURRENCY, lockMs: c.WORKER_LOCK_MS },
    notify: {
      smtpUrl: c.SMTP_URL,
      emailFrom: c.NOTIFY_EMAIL_FROM,
      emailsPerSecond: c.NOTIFY_EMAIL_PER_SECOND,
      webhookUrl: c.NOTIFY_WEBHOOK_URL,
      webhookSecret: c.NOTIFY_WEBHOOK_SECRET,
      webhookTimeoutMs: c.NOTIFY_WEBHOOK_TIMEOUT_MS,
      attempts: c.NOTIFY_ATTEMPTS,
      backoffMs: c.NOTIFY_BACKOFF_MS,
      failedKeep: c.NOTIFY_FAILED_KEEP,
      maxPerWindow: c.NOTIFY_MAX_PER_WINDOW,
      windowMs: c.NOTIFY_WINDOW_SECONDS * 1000,
      inboxSize: c.NOTIFY_INBOX_SIZE,
    },
    dataRequests: { commentIndexMax: c.USER_COMMENT_INDEX_MAX },
    outbox: { sweepMs: c.OUTBOX_SWEEP_SECONDS * 1000, graceMs: c.OUTBOX_GRACE_SECONDS * 1000 },
    retention: {
      auditMs: c.AUDIT_RETENTION_DAYS * 86_400_000,
      auditMaxEntries: c.AUDIT_MAX_ENTRIES,
      moderationMs: c.MODERATION_RETENTION_DAYS * 86_400_000,
    },
    logLevel: c.LOG_LEVEL,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    admin: { queueActions: c.ADMIN_QUEUE_ACTIONS },
    metrics: { token: c.METRICS_TOKEN },
    pages: { frameAncestors: c.FRAME_ANCESTORS },
    transfer: {
      perMessageDeflate: c.SOCKET_PER_MESSAGE_DEFLATE,
      httpCompressionThresholdBytes: c.HTTP_COMPRESSION_THRESHOLD_BYTES,
      fanoutBatchMs: c.FANOUT_BATCH_MS,
    },
    timeouts: {
      httpHeadersMs: c.HTTP_HEADERS_TIMEOUT_MS,
      // Node refuses a headers timeout longer than the request timeout.
      httpRequestMs: Math.max(c.HTTP_REQUEST_TIMEOUT_MS, c.HTTP_HEADERS_TIMEOUT_MS),
      httpKeepAliveMs: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      // One join's recovery answer may be RECOVERY_MAX_BYTES on its own: a client that is reading
      // must not be cut while the kernel takes that in.
      socketMaxBufferedBytes: Math.max(c.SOCKET_MAX_BUFFERED_BYTES, 2 * c.RECOVERY_MAX_BYTES),
    },
  };
}
