import type { RedisClient } from './redis.ts';
import type { ScreenJob } from '../jobs/queues.ts';

export interface ScreenEntry extends ScreenJob {
  /** The stream entry id, to acknowledge it. */
  id: string;
}

const GROUP = 'screen';

type RawEntry = [id: string, fields: string[]];

function entryOf([id, fields]: RawEntry): ScreenEntry | null {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return f.threadId && f.commentId ? { id, threadId: f.threadId, commentId: f.commentId } : null;
}

/**
 * The consumer side of the screening stream (keys.screening.stream; the
 * producer is Queues.commentChanged): one consumer group shared by every
 * workers process, so each entry goes to one of them. An entry stays pending
 * until acknowledged; a pending one idle for `minIdleMs` (its screening failed,
 * or its worker died) is claimed again by whoever asks. Needs a connection of
 * its own: `read` blocks.
 */
export class ScreenStream {
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
  ) {}

  /** Creates the group (and the stream) if missing, from the stream's start: entries added before any worker ran are screened too. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.key, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
    }
  }

  /** Up to `count` entries no consumer was given yet, waiting at most `blockMs` for the first. */
  async read(consumer: string, count: number, blockMs: number): Promise<ScreenEntry[]> {
    const reply = (await this.redis.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>')) as
      [string, RawEntry[]][] | null;
    return (reply?.[0]?.[1] ?? []).map(entryOf).filter((e): e is ScreenEntry => e !== null);
  }

  /**
   * Entries pending for at least `minIdleMs`, taken over by `consumer`:
   * `retry` those delivered fewer than `maxDeliveries` times, `expired` the
   * others (and entries whose data is gone), for the caller to give up on.
   */
  async claimStale(
    consumer: string,
    minIdleMs: number,
    maxDeliveries: number,
    count: number,
  ): Promise<{ retry: ScreenEntry[]; expired: string[] }> {
    const pending = (await this.redis.xpending(this.key, GROUP, 'IDLE', minIdleMs, '-', '+', count)) as [string, string, number, number][];
    if (pending.length === 0) return { retry: [], expired: [] };
    const expired = pending.filter(([, , , deliveries]) => deliveries >= maxDeliveries).map(([id]) => id);
    const due = pending.filter(([, , , deliveries]) => deliveries < maxDeliveries).map(([id]) => id);
    const claimed = due.length ? ((await this.redis.xclaim(this.key, GROUP, consumer, minIdleMs, ...due)) as (RawEntry | null)[]) : [];
    const retry: ScreenEntry[] = [];
    for (const raw of claimed) {
      const entry = raw ? entryOf(raw) : null;
      if (entry) retry.push(entry);
    }
    return { retry, expired };
  }

  /**
   * Done with these entries (screened, or given up on): acknowledged and
   * deleted, in one round trip. Not atomic, need not be: an entry deleted but
   * still pending is dropped from the pending list when it is next claimed.
   */
  async done(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const results = await this.redis
      .pipeline()
      .xack(this.key, GROUP, ...ids)
      .xdel(this.key, ...ids)
      .exec();
    for (const [err] of results ?? []) if (err) throw err;
  }
}
