/**
 * Scenario 6, notification latency: mention -> `notification` on the
 * recipient's socket, at a steady mention rate (see bench/notification-latency.ts).
 */
import { runNotificationLatency } from '../notification-latency.ts';
import type { Scenario } from '../lib/types.ts';

export const notifications: Scenario = async (ctx) => {
  const result = await runNotificationLatency(ctx.quick ? 20 : 50, ctx.quick ? 3 : 20);
  ctx.log(`  ${result.received}/${result.sent} notifications, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`);
  return {
    name: 'notification latency',
    valid: result.received === result.sent,
    notes: [`${result.rate} mentions/s for ${result.seconds} s through npm start with in-process workers`],
    raw: result,
    metrics: [
      {
        name: 'mention → notification p99',
        value: result.latencyMs.p99,
        unit: `ms (p50 ${result.latencyMs.p50} ms, max ${result.latencyMs.max} ms)`,
        target: '≤ 100 ms',
        meetsTarget: result.latencyMs.p99 <= 100,
      },
      { name: 'notifications received', value: result.received, unit: `of ${result.sent}` },
    ],
  };
};
