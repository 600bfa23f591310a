import { rooms } from '../../contract/index.ts';
import type { Deps } from '../context.ts';
import type { PresenceUpdate } from '../store/presence.ts';
import { isThreadRoom, threadIdOfRoom } from './subscriptions.ts';
import type { IoServer } from './types.ts';

interface LocalThread {
  /** viewer key -> this server's sockets for that viewer */
  viewers: Map<string, number>;
  fresh: Set<string>;
  gone: Set<string>;
  /** The count this server last pushed to its sockets in the thread. */
  lastPushed: number | undefined;
}

/**
 * Counts distinct viewers per thread across servers. Each server tracks its
 * own sockets, tells Redis about arrivals and departures, re-vouches for its
 * viewers every third of the TTL, and every interval pushes the count to its
 * own sockets in the thread when it changed. A signed-in user counts once
 * however many tabs and devices they have; an anonymous reader once per tab.
 */
export class PresenceTracker {
  private readonly threads = new Map<string, LocalThread>();
  private readonly viewerOfSocket = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private lastRefresh = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly io: IoServer,
    private readonly deps: Deps,
  ) {
    const adapter = io.of('/').adapter;
    adapter.on('join-room', (room: string, socketId: string) => {
      if (isThreadRoom(room)) this.join(threadIdOfRoom(room), socketId);
    });
    adapter.on('leave-room', (room: string, socketId: string) => {
      if (isThreadRoom(room)) this.leave(threadIdOfRoom(room), socketId);
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.config.presence.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** The count this server last saw for the thread, for a socket that just joined. */
  known(threadId: string): number | undefined {
    return this.threads.get(threadId)?.lastPushed;
  }

  private viewerKey(socketId: string): string {
    const actor = this.io.of('/').sockets.get(socketId)?.data.actor;
    return actor ? `u:${actor.id}` : `s:${socketId}`;
  }

  private join(threadId: string, socketId: string): void {
    const key = this.viewerKey(socketId);
    this.viewerOfSocket.set(`${threadId}\n${socketId}`, key);
    let t = this.threads.get(threadId);
    if (!t) {
      t = { viewers: new Map(), fresh: new Set(), gone: new Set(), lastPushed: undefined };
      this.threads.set(threadId, t);
    }
    const n = t.viewers.get(key) ?? 0;
    t.viewers.set(key, n + 1);
    if (n === 0) {
      t.fresh.add(key);
      t.gone.delete(key);
    }
  }

  private leave(threadId: string, socketId: string): void {
    const id = `${threadId}\n${socketId}`;
    const key = this.viewerOfSocket.get(id);
    this.viewerOfSocket.delete(id);
    const t = this.threads.get(threadId);
    if (!key || !t) return;
    const n = (t.viewers.get(key) ?? 1) - 1;
    if (n > 0) return void t.viewers.set(key, n);
    t.viewers.delete(key);
    t.fresh.delete(key);
    t.gone.add(key);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sync().finally(() => (this.running = undefined));
    await this.running;
  }

  private async sync(): Promise<void> {
    const { ttlMs } = this.deps.config.presence;
    const now = Date.now();
    const refreshAll = now - this.lastRefresh >= ttlMs / 3;
    const updates: PresenceUpdate[] = [];
    for (const [threadId, t] of this.threads) {
      updates.push({ threadId, touch: refreshAll ? [...t.viewers.keys()] : [...t.fresh], remove: [...t.gone] });
    }
    if (updates.length === 0) return;
    let counts: Map<string, number>;
    try {
      counts = await this.deps.store.presence.sync(updates, now, ttlMs);
    } catch (err) {
      // Redis away: keep the pending changes and try again next tick.
      this.deps.log.debug({ err }, 'presence sync failed');
      return;
    }
    if (refreshAll) this.lastRefresh = now;
    for (const u of updates) {
      const t = this.threads.get(u.threadId)!;
      for (const v of u.touch) t.fresh.delete(v);
      for (const v of u.remove) if (!t.viewers.has(v)) t.gone.delete(v);
      if (t.viewers.size === 0 && t.gone.size === 0) {
        this.threads.delete(u.threadId);
        continue;
      }
      const viewers = counts.get(u.threadId)!;
      if (viewers !== t.lastPushed) {
        t.lastPushed = viewers;
        this.io.local.to(rooms.thread(u.threadId)).emit('thread:presence', { threadId: u.threadId, viewers });
      }
    }
  }
}
