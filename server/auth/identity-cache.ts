import type { Role } from '../../contract/index.ts';

/**
 * Remembers which token identities were recently written to Redis, so a user
 * making many requests is upserted once a minute instead of every time.
 * A bounded insertion-ordered map is enough: stale entries only cost one upsert.
 */
export class IdentityCache {
  private readonly entries = new Map<string, { signature: string; firstSeenAt: Date; role: Role; at: number }>();

  constructor(
    private readonly maxEntries = 50_000,
    private readonly ttlMs = 60_000,
  ) {}

  /** The user's first-seen time and stored role (the newest token's; see authenticate). */
  get(userId: string, signature: string, now: number): { firstSeenAt: Date; role: Role } | undefined {
    const hit = this.entries.get(userId);
    if (!hit || hit.signature !== signature || now - hit.at > this.ttlMs) return undefined;
    return hit;
  }

  set(userId: string, signature: string, stored: { firstSeenAt: Date; role: Role }, now: number): void {
    this.entries.delete(userId);
    this.entries.set(userId, { signature, firstSeenAt: stored.firstSeenAt, role: stored.role, at: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(userId: string): void {
    this.entries.delete(userId);
  }
}
