/**
 * Mention -> live `notification` latency: posts mentioning one user at a
 * steady (open-loop) rate through a real `npm start` (workers in-process) and
 * measures, on the recipient's socket, the time from each post's intended
 * send time to its notification.
 *
 *   npx tsx bench/notification-latency.ts [--rate 50] [--seconds 10]
 */
import { parseArgs } from 'node:util';
import { signToken } from '../server/auth/tokens.ts';
import { startRedis } from '../test/support/redis.ts';
import { Cleanup } from './lib/cleanup.ts';
import { sendOpenLoop } from './lib/pacing.ts';
import { latencyHistogram } from './lib/stats.ts';
import { BENCH_RELAXED_LIMITS, BENCH_SECRET, startServerProcess } from './lib/processes.ts';
import { connectSocket } from './lib/sockets.ts';

export interface NotificationLatencyResult {
  rate: number;
  seconds: number;
  sent: number;
  received: number;
  latencyMs: ReturnType<ReturnType<typeof latencyHistogram>['summary']>;
}

export async function runNotificationLatency(rate: number, seconds: number): Promise<NotificationLatencyResult> {
  const cleanup = new Cleanup();
  try {
    const redis = cleanup.add(await startRedis(), (r) => r.stop());
    const server = cleanup.add(await startServerProcess({ REDIS_URL: redis.url, WORKERS: 'on', ...BENCH_RELAXED_LIMITS }), (s) => s.stop());
    const recipientToken = await signToken(BENCH_SECRET, {
      sub: 'bench-recipient',
      handle: 'bench_recipient',
      name: 'Recipient',
      role: 'commenter',
    });
    // Moderators are exempt from per-user posting limits, so the rate is ours to choose.
    const posterToken = await signToken(BENCH_SECRET, { sub: 'bench-poster', handle: 'bench_poster', name: 'Poster', role: 'moderator' });
    // Ready once the server has sent the session (the user is known), not at 'connect'.
    const connect = async (token: string) =>
      cleanup.add(
        await connectSocket(server.url, { transports: ['websocket'], auth: { token }, forceNew: true }, { until: 'session' }),
        (s) => s.disconnect(),
      );
    const recipient = await connect(recipientToken);
    const poster = await connect(posterToken);

    const intended = new Map<string, number>();
    const hist = latencyHistogram();
    recipient.on('notification', (n: { comment: { body: string } }) => {
      const t0 = intended.get(n.comment.body);
      if (t0 !== undefined) hist.record(performance.now() - t0);
    });

    const total = Math.round(rate * seconds);
    await sendOpenLoop(
      total,
      rate,
      (i, at) => {
        const body = `@bench_recipient mention ${i}`;
        intended.set(body, at);
        poster.emit('comment:post', { threadId: `bench-notify-${i % 20}`, body, clientId: `bench-notify-${i}-0000` }, () => {});
      },
      { leadMs: 50 },
    );
    const deadline = performance.now() + 10_000;
    while (hist.count < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return { rate, seconds, sent: total, received: hist.count, latencyMs: hist.summary() };
  } finally {
    await cleanup.run();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { rate: { type: 'string', default: '50' }, seconds: { type: 'string', default: '10' } } });
  const result = await runNotificationLatency(Number(values.rate), Number(values.seconds));
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
