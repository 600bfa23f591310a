import type { RedisClient } from '../store/redis.ts';
import { RateLimiterRes, type RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { errors } from '../errors.ts';
import type { Keys } from '../store/keys.ts';
import type { Scripts } from '../store/scripts.ts';
import { ignore } from '../domain/ignore.ts';
import { redisLimiter } from './limiter.ts';

const TTL_MS = 60_000;

interface Held {
  keys: string[];
}

interface Cap {
  key: string;
  max: number;
  scope: 'connections_per_user' | 'connections_per_ip';
  what: string;
}

/**
 * Connection limits across all servers: new connections per IP per minute
 * (rate-limiter-flexible), and open sockets per user and per IP (a sorted
 * set per user/IP that each server keeps refreshing for its own sockets, so
 * a crashed server's sockets stop counting within a minute).
 */
export class ConnectionLimits {
  private readonly handshakes: RateLimiterRedis;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
    private readonly config: Config,
  ) {
    this.handshakes = redisLimiter(redis, keys, 'handshake', config.limits.handshakesPerIpPerMinute, 60);
  }

  start(): void {
    this.timer = setInterval(() => void this.refresh(), TTL_MS / 3);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Counts a new connection attempt from this IP; throws `rate_limited` past the per-minute budget. */
  async handshake(ip: string): Promise<void> {
    try {
      await this.handshakes.consume(ip);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw errors.unavailable(err);
      throw errors.rateLimited('Too many new connections from your network; wait a moment', { scope: 'handshake' }, err.msBeforeNext);
    }
  }

  /**
   * Takes a slot for this socket under its user's and IP's caps, or throws
   * `rate_limited`. Both caps are tried at once (one round trip, not two);
   * a slot taken under one cap is given back when the other refuses.
   */
  async admit(socketId: string, userId: string | undefined, ip: string): Promise<void> {
    const caps = [this.ipCap(ip)];
    if (userId) caps.unshift(this.userCap(userId));
    await this.take(socketId, caps);
  }

  /**
   * An anonymous socket that signs in later (auth:refresh) takes its user's
   * slot then; otherwise signing in after connecting would skip the per-user cap.
   */
  async signedIn(socketId: string, userId: string): Promise<void> {
    await this.take(socketId, [this.userCap(userId)], true);
  }

  private userCap(userId: string): Cap {
    const max = this.config.limits.connectionsPerUser;
    return { key: this.keys.openSockets.user(userId), max, scope: 'connections_per_user', what: 'open connections for this account' };
  }

  private ipCap(ip: string): Cap {
    const max = this.config.limits.connectionsPerIp;
    return { key: this.keys.openSockets.ip(ip), max, scope: 'connections_per_ip', what: 'connections from your network' };
  }

  private async take(socketId: string, caps: Cap[], toHeld = false): Promise<void> {
    const now = Date.now();
    const replies = await Promise.allSettled(
      caps.map((c) => this.scripts.run(this.redis, 'admit-socket', [c.key], [socketId, now, TTL_MS, c.max])),
    );
    const admitted = replies.map((r) => r.status === 'fulfilled' && Number(r.value) === 1);
    const taken = caps.filter((_, i) => admitted[i]).map((c) => c.key);
    if (taken.length === caps.length) {
      const held = this.held.get(socketId);
      if (held) held.keys.push(...taken.filter((k) => !held.keys.includes(k)));
      else if (!toHeld) this.held.set(socketId, { keys: taken });
      // The socket disconnected while its slot was being added: nobody would give it back.
      // A slot not given back lapses after TTL_MS: nobody re-vouches for it.
      else await this.release(socketId, taken).catch(ignore);
      return;
    }
    // The refusal (or Redis's failure) is what the caller needs; a slot not given back lapses after TTL_MS.
    await this.release(socketId, taken).catch(ignore);
    const failed = replies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const refused = caps[admitted.indexOf(false)]!;
    throw errors.rateLimited(`Too many ${refused.what} (at most ${refused.max}); close one and try again`, {
      scope: refused.scope,
      limit: refused.max,
    });
  }

  async disconnected(socketId: string): Promise<void> {
    const held = this.held.get(socketId);
    this.held.delete(socketId);
    // Redis away: the slots lapse after TTL_MS, as this server no longer re-vouches for them.
    if (held) await this.release(socketId, held.keys).catch(ignore);
  }

  private async release(socketId: string, keys: string[]): Promise<void> {
    // Not a pipeline: a user's and an IP's sets live in different Cluster slots.
    await Promise.all(keys.map((key) => this.redis.zrem(key, socketId)));
  }

  /** Re-vouches for this server's open sockets. */
  private async refresh(): Promise<void> {
    if (this.held.size === 0) return;
    const expires = Date.now() + TTL_MS;
    // Separate commands, not one pipeline (the sets live in many Cluster slots); the connection auto-pipelines them.
    const sent: Promise<unknown>[] = [];
    for (const [socketId, { keys }] of this.held) {
      for (const key of keys) sent.push(this.redis.zadd(key, 'XX', expires, socketId), this.redis.pexpire(key, TTL_MS));
    }
    // The next refresh tries again; a slot that lapses meanwhile only lets one more socket in.
    await Promise.allSettled(sent);
  }
}
