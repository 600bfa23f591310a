import { Gauge } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Metrics } from '../server/metrics.ts';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Queue depths, read from Redis when /metrics is scraped. */
export function registerQueueMetrics(metrics: Metrics, queues: Queue[]): void {
  new Gauge({
    name: 'threadline_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const queue of queues) {
        try {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        } catch {
          // Redis away: leave the last values rather than fail the whole scrape.
        }
      }
    },
  });
}
