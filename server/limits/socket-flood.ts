import { BurstyRateLimiter, RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';

export type FloodVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; disconnect: boolean };

/**
 * Per-socket event rate: SOCKET_EVENTS_PER_SECOND sustained with bursts up to
 * SOCKET_EVENT_BURST (rate-limiter-flexible's bursty limiter, in memory: a
 * socket lives on one server). Events over the rate are refused; a socket
 * that keeps going over it for SOCKET_FLOOD_SECONDS, or has
 * SOCKET_FLOOD_MAX_REFUSED events refused in one flood, is disconnected.
 */
export class SocketFloodGuard {
  private readonly limiter: BurstyRateLimiter;
  private readonly floods = new Map<string, { since: number; last: number; refused: number }>();

  constructor(private readonly config: Config) {
    const { socketEventsPerSecond, socketEventBurst } = config.limits;
    this.limiter = new BurstyRateLimiter(
      new RateLimiterMemory({ keyPrefix: 'socket', points: socketEventsPerSecond, duration: 1 }),
      // The burst allowance refills over ten seconds.
      new RateLimiterMemory({ keyPrefix: 'socket-burst', points: Math.max(1, socketEventBurst - socketEventsPerSecond), duration: 10 }),
    );
  }

  async check(socketId: string): Promise<FloodVerdict> {
    try {
      await this.limiter.consume(socketId);
      return { allowed: true };
    } catch (res) {
      const retryAfterMs = (res as { msBeforeNext?: number }).msBeforeNext ?? 1000;
      const now = Date.now();
      let flood = this.floods.get(socketId);
      // A second without a refused event ends a flood.
      if (!flood || now - flood.last > 1_000) {
        flood = { since: now, last: now, refused: 0 };
        this.floods.set(socketId, flood);
      }
      flood.last = now;
      flood.refused++;
      const { socketFloodMs, socketFloodMaxRefused } = this.config.limits;
      const disconnect = now - flood.since >= socketFloodMs || flood.refused >= socketFloodMaxRefused;
      return { allowed: false, retryAfterMs, disconnect };
    }
  }

  forget(socketId: string): void {
    this.floods.delete(socketId);
  }
}
