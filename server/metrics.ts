import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per server instance (tests run several in one process, and the
 * global registry would refuse the second set of names).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    socketsConnected: new Gauge({
      name: 'threadline_sockets_connected',
      help: 'Socket.IO connections open on this instance',
      registers: [registry],
    }),
    commentsPosted: new Counter({
      name: 'threadline_comments_posted_total',
      help: 'Comments stored (idempotent replays not counted)',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: 'threadline_ack_latency_seconds',
      help: 'Time from receiving a socket event or HTTP request to answering it',
      labelNames: ['transport', 'operation'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'threadline_errors_total',
      help: 'Errors answered to clients, by code',
      labelNames: ['transport', 'code'] as const,
      registers: [registry],
    }),
    notificationLatency: new Histogram({
      name: 'threadline_notification_latency_seconds',
      help: 'From a comment being stored to its notification being pushed to the recipient',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'threadline_notification_deliveries_total',
      help: 'Notifications delivered, by channel (inbox, email, webhook) and kind (single, digest)',
      labelNames: ['channel', 'kind'] as const,
      registers: [registry],
    }),
    deliveryFailures: new Counter({
      name: 'threadline_notification_failures_total',
      help: 'Delivery attempts that failed, by channel; final = out of attempts (now in the failed set)',
      labelNames: ['channel', 'final'] as const,
      registers: [registry],
    }),
    outboxReplayed: new Counter({
      name: 'threadline_outbox_replayed_total',
      help: 'Comments whose jobs the outbox sweep added because the write that stored them could not',
      registers: [registry],
    }),
    enqueueFailures: new Counter({
      name: 'threadline_enqueue_failures_total',
      help: 'Jobs that could not be enqueued (the comment was stored; its notifications were not)',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    followUpFailures: new Counter({
      name: 'threadline_follow_up_failures_total',
      help: 'Follow-ups of a stored write that failed (feed, decision, queue, user, jobs...; see usecases/follow-up.ts)',
      labelNames: ['effect'] as const,
      registers: [registry],
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Whether a scrape may read /metrics: always without METRICS_TOKEN, else only
 * with `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time).
 * Metrics name queues, error rates and traffic: not for every visitor.
 */
export function metricsScrapeAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? '';
  const [a, b] = [createHash('sha256').update(sent).digest(), createHash('sha256').update(token).digest()];
  return timingSafeEqual(a, b);
}
