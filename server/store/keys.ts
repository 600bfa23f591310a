/**
 * Every Redis key name Threadline uses is built here.
 *
 * Thread keys share the hash tag `{t:<threadId>}` so one Lua script can touch
 * all of them in a Redis Cluster; user keys share `{u}` for the same reason
 * (the handle index must change atomically with the user record).
 */
export function createKeys(prefix: string) {
  const t = (threadId: string) => `${prefix}{t:${threadId}}`;
  const u = `${prefix}{u}`;
  const n = (userId: string) => `${prefix}{n:${userId}}`;
  // Per-user tag: one prolific user's comment index does not pile onto the `{u}` slot.
  const uc = (userId: string) => `${prefix}{uc:${userId}}`;
  return {
    prefix,
    thread: {
      /**
       * hash: epoch, offset, title, url, createdAt, lastCreatedMs, locked, slowMode, premod,
       * and `v:<userId>`: that user's visible comments here (see lua/lib/thread.lua count_visible)
       */
      meta: (threadId: string) => `${t(threadId)}:meta`,
      /**
       * stream: one entry per change, id `<offset>-0`, fields type + comment id, never its text
       * (older entries hold the comment JSON instead; recovery reads only its id)
       */
      log: (threadId: string) => `${t(threadId)}:log`,
      /** zset: readable comments scored by creation time in ms, unique per thread (the paging cursor) */
      visible: (threadId: string) => `${t(threadId)}:visible`,
      /** zset: comments waiting for a moderator, scored by creation time */
      pending: (threadId: string) => `${t(threadId)}:pending`,
      /** zset: one author's comments in `pending`, so a reader's own held comments are found without scanning everyone's */
      pendingOf: (threadId: string, authorId: string) => `${t(threadId)}:pending:u:${authorId}`,
      /** zset: userId -> last time they commented here (mention autocomplete) */
      participants: (threadId: string) => `${t(threadId)}:participants`,
      /** hash: one comment's fields */
      comment: (threadId: string, commentId: string) => `${t(threadId)}:c:${commentId}`,
      /** What `comment` puts before the id: recovery's script names comment hashes from log entries with it */
      commentPrefix: (threadId: string) => `${t(threadId)}:c:`,
      /** zset: viewer key -> last time a server vouched for them (presence) */
      viewers: (threadId: string) => `${t(threadId)}:viewers`,
      /** string with a 3 s expiry: this user's last typing signal here */
      typing: (threadId: string, userId: string) => `${t(threadId)}:typing:${userId}`,
      /** string: comment id already stored for this user's clientId */
      idempotency: (threadId: string, userId: string, clientId: string) => `${t(threadId)}:idem:${userId}:${clientId}`,
      /** zset: '<reason> <screen 0|1> <commentId> <nonce>' -> written at (ms): jobs a write still has to add (see store/outbox.ts) */
      outbox: (threadId: string) => `${t(threadId)}:outbox`,
    },
    /** zset: thread id -> last time a write there listed jobs in its outbox (the sweep's to-do list; see store/outbox.ts) */
    outboxThreads: `${prefix}{o}:threads`,
    /** One user's notifications; hash-tagged per user. */
    notifications: {
      /** zset: notification id scored by a per-user sequence (newest = highest; the paging cursor) */
      inbox: (userId: string) => `${n(userId)}:inbox`,
      /** hash: notification id -> notification JSON */
      records: (userId: string) => `${n(userId)}:records`,
      /** set: unread notification ids */
      unread: (userId: string) => `${n(userId)}:unread`,
      /** string counter: the inbox sequence */
      seq: (userId: string) => `${n(userId)}:seq`,
      /** hash: the current out-of-band window (count, endsAt) */
      window: (userId: string) => `${n(userId)}:oob-window`,
      /** zset: '<send|digest>:<notification id>' -> decided at (ms), a day's worth, so a re-run job decides the same way */
      decisions: (userId: string) => `${n(userId)}:oob-decided`,
      /** list: '<window end ms>:<notification id>' folded into that window's digest */
      digest: (userId: string) => `${n(userId)}:oob-digest`,
      /** string: notification preferences JSON */
      preferences: (userId: string) => `${n(userId)}:preferences`,
      /** zset: message id -> when it was handed to the SMTP server (ms), a week's worth (guards against re-sending) */
      emailSent: (userId: string) => `${n(userId)}:email-sent`,
    },
    /** Screening memory, per normalised text and per author -> mentioned user. */
    screening: {
      /**
       * stream: comments waiting to be screened (threadId, commentId), read in batches by the
       * workers' consumer group `screen` (workers/screen/stream.ts); an entry is deleted once screened
       */
      stream: `${prefix}{s:new}:comments`,
      /** zset: "<commentId> <authorId>" -> first seen (ms) */
      text: (fingerprint: string) => `${prefix}{s:x:${fingerprint}}:copies`,
      /** zset: comment id -> first seen (ms) */
      mentions: (authorId: string, mentionedId: string) => `${prefix}{s:m:${authorId}}:${mentionedId}`,
    },
    moderation: {
      /** zset: comment id -> time it entered the queue; queues: pending, reported, flagged, rejected */
      queue: (name: string) => `${prefix}{m}:queue:${name}`,
      /** The same queue, one thread only. */
      threadQueue: (name: string, threadId: string) => `${prefix}{m}:queue:${name}:t:${threadId}`,
      /** hash: reporter id -> JSON {reason, note, at} */
      reports: (commentId: string) => `${prefix}{m}:reports:${commentId}`,
      /** string with expiry: moderator handling this item */
      claim: (commentId: string) => `${prefix}{m}:claim:${commentId}`,
      /** stream: the audit log (entry ids are the cursor) */
      audit: `${prefix}{m}:audit`,
      /** zset: audit entry ids (as score = ms) per thread and per moderator */
      auditByThread: (threadId: string) => `${prefix}{m}:audit:t:${threadId}`,
      auditByModerator: (userId: string) => `${prefix}{m}:audit:u:${userId}`,
      /** string JSON: word lists; string counter: their version (servers recompile on change) */
      wordlists: `${prefix}{m}:wordlists`,
      wordlistsVersion: `${prefix}{m}:wordlists:version`,
      /** string JSON: site moderation settings */
      settings: `${prefix}{m}:settings`,
    },
    /**
     * Channel prefix of Socket.IO's sharded Redis adapter (channels are
     * `<this>#<namespace>#<room>#`; see adapter-protocol.ts).
     */
    adapterChannels: `${prefix}socket.io`,
    /** rate-limiter-flexible's key prefix for one limiter (it appends `:<key>`) */
    rateLimit: (limiter: string) => `${prefix}rl:${limiter}`,
    /** zset: open socket id -> expiry (ms), per user and per client IP, across servers */
    openSockets: {
      user: (userId: string) => `${prefix}{c:u:${userId}}:sockets`,
      ip: (ip: string) => `${prefix}{c:ip:${ip}}:sockets`,
    },
    /** BullMQ's prefix; the hash tag keeps each queue's keys in one Cluster slot. */
    queuePrefix: `${prefix}{bull}`,
    user: {
      /** hash: id, handle, handleLower, name, nameKey (the name lower-cased), role, email, createdAt, updatedAt */
      record: (userId: string) => `${u}:user:${userId}`,
      /** hash: lower-case handle -> user id */
      handles: `${u}:handles`,
      /** zset (all scores 0): lower-case handles, for prefix search with ZRANGEBYLEX */
      handlesLex: `${u}:handles-lex`,
      /**
       * zset (all scores 0): '<nameKey>\0<user id>', one member per user record,
       * so a look-alike of another user's display name is found. Kept as long as
       * the records it mirrors: erasing a user removes theirs (UserStore.erase, through releaseName).
       */
      names: `${u}:names`,
      /** string: the ban (JSON); expires when the ban ends */
      ban: (userId: string) => `${u}:ban:${userId}`,
      /** zset: the user's comment ids in the last day (for "ban and remove recent comments") */
      recentComments: (userId: string) => `${u}:recent:${userId}`,
      /**
       * string: when the user was erased (seconds); tokens issued at or before it are refused.
       * Outlives the erasure by design (keysOwnedBy leaves it out) and expires when every such
       * token has (AUTH_MAX_TOKEN_TTL_SECONDS plus clock tolerance; UserStore.markErased).
       */
      erased: (userId: string) => `${u}:erased:${userId}`,
      /** zset: every comment id the user wrote -> creation time (ms), the newest USER_COMMENT_INDEX_MAX (data export and erasure) */
      comments: (userId: string) => `${uc(userId)}:comments`,
      /**
       * hash: held, rejected: how often moderation held or rejected the user's comments (the console's
       * author history); expires MODERATION_RETENTION_DAYS after the last of them
       */
      moderationHistory: (userId: string) => `${uc(userId)}:moderation`,
    },
  };
}

export type Keys = ReturnType<typeof createKeys>;

/** The posting limiters keyed by user id (limits/posting.ts): erasing the user deletes their counters. */
export const USER_RATE_LIMITERS = {
  userShort: 'user-short',
  userLong: 'user-long',
  newUserShort: 'new-user-short',
  newUserLong: 'new-user-long',
} as const;

/**
 * Every key that belongs to one user alone, deleted when the user is erased
 * (the handle index entries are removed separately: those hashes are shared).
 * A new per-user key belongs in this list.
 */
export function keysOwnedBy(keys: Keys, userId: string): string[] {
  const nk = keys.notifications;
  return [
    keys.user.record(userId),
    keys.user.recentComments(userId),
    keys.user.comments(userId),
    keys.user.moderationHistory(userId),
    nk.inbox(userId),
    nk.records(userId),
    nk.unread(userId),
    nk.seq(userId),
    nk.window(userId),
    nk.decisions(userId),
    nk.digest(userId),
    nk.preferences(userId),
    nk.emailSent(userId),
    keys.openSockets.user(userId),
    // The per-user posting limiters' counters (limits/posting.ts; rate-limiter-flexible appends `:<key>`).
    ...Object.values(USER_RATE_LIMITERS).map((limiter) => `${keys.rateLimit(limiter)}:${userId}`),
  ];
}
