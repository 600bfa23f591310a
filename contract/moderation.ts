import { z } from 'zod';
import { serverEvents, type Ack } from './events.ts';
import {
  CommentIdSchema,
  AuthoredCommentSchema,
  CommentStatusSchema,
  ReportReasonSchema,
  RoleSchema,
  SessionUserSchema,
  ThreadIdSchema,
  ThreadRefSchema,
  ThreadSchema,
  ThreadSettingsBodySchema,
  OffsetCursorSchema,
  UserIdSchema,
  UserRefSchema,
} from './schemas.ts';

/** Why an automatic rule or a person put a comment where it is. */
export const ReasonSchema = z.object({ rule: z.string(), detail: z.string() }).meta({ id: 'Reason' });
export type Reason = z.infer<typeof ReasonSchema>;

/** A moderator or admin, as other moderators see them. */
export const ModeratorRefSchema = z.object({ id: z.string(), handle: z.string() }).meta({ id: 'ModeratorRef' });
export type ModeratorRef = z.infer<typeof ModeratorRefSchema>;

export const DeciderSchema = z.discriminatedUnion('kind', [
  ModeratorRefSchema.extend({ kind: z.literal('user') }),
  z.object({ kind: z.literal('system'), name: z.string() }),
]);
export type Decider = z.infer<typeof DeciderSchema>;

/** The latest moderation decision on a comment. */
export const ModerationRecordSchema = z
  .object({
    status: CommentStatusSchema,
    /** Visible, but in the flagged queue for a second look. */
    flagged: z.boolean().optional(),
    action: z.string().optional(),
    by: DeciderSchema,
    reasons: z.array(ReasonSchema),
    at: z.iso.datetime(),
  })
  .meta({ id: 'ModerationRecord' });
export type ModerationRecord = z.infer<typeof ModerationRecordSchema>;

export const QUEUES = ['pending', 'reported', 'flagged', 'rejected'] as const;
export const QueueNameSchema = z.enum(QUEUES);
export type QueueName = z.infer<typeof QueueNameSchema>;

export const ReportSummarySchema = z.object({
  count: z.number().int().nonnegative(),
  /** Only the reasons given at least once. */
  reasons: z.partialRecord(ReportReasonSchema, z.number().int().positive()),
  notes: z.array(z.string()),
});

/** What moderators know of a comment's author, to judge one comment in the light of the others. */
export const AuthorHistorySchema = z
  .object({
    /** When Threadline first saw the account; null when it keeps no record of it (erased). */
    firstSeenAt: z.iso.datetime().nullable(),
    /** Comments they wrote (the newest USER_COMMENT_INDEX_MAX, deleted ones included). */
    comments: z.number().int().nonnegative(),
    /** Times their comments were held for review in the last MODERATION_RETENTION_DAYS (this one included, if held). */
    holds: z.number().int().nonnegative(),
    /** Times moderators rejected one of their comments in the last MODERATION_RETENTION_DAYS. */
    rejections: z.number().int().nonnegative(),
  })
  .meta({ id: 'AuthorHistory' });
export type AuthorHistory = z.infer<typeof AuthorHistorySchema>;

/** A comment as moderators judge it: with its thread, the comment it answers, its author's history and reports. */
export const ModerationItemSchema = z
  .object({
    /** As its author sees it (body included even while pending or removed). */
    comment: AuthoredCommentSchema,
    /** The article the thread belongs to (title and url null when the host site never named them). */
    thread: ThreadRefSchema,
    /** The comment it answers, as moderators see it (body included); null for a top-level comment or one whose parent is gone. */
    parent: AuthoredCommentSchema.nullable(),
    author: AuthorHistorySchema,
    /** The comment in its thread: the article's url with `#comment-<id>`; null when the thread has no url. */
    link: z.string().nullable(),
    moderation: ModerationRecordSchema.nullable(),
    reports: ReportSummarySchema,
    claim: z.object({ by: ModeratorRefSchema, until: z.iso.datetime() }).nullable(),
  })
  .meta({ id: 'ModerationItem' });
export type ModerationItem = z.infer<typeof ModerationItemSchema>;

export const QueueItemSchema = ModerationItemSchema.extend({ queuedAt: z.iso.datetime() }).meta({ id: 'QueueItem' });
export type QueueItem = z.infer<typeof QueueItemSchema>;
export const ModerationItemResponseSchema = z.object({ item: ModerationItemSchema }).meta({ id: 'ModerationItemResponse' });

/** The anchor a comment has in its article's page: `<article url>#comment-<id>`. */
export const commentLink = (threadUrl: string, commentId: string) => `${threadUrl.replace(/#.*$/, '')}#comment-${commentId}`;

/** How many items each queue holds. */
const QueueCountsSchema = z.record(QueueNameSchema, z.number().int());

export const QueueQuerySchema = z.strictObject({
  threadId: ThreadIdSchema.optional(),
  cursor: OffsetCursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export const QueuePageSchema = z
  .object({
    items: z.array(QueueItemSchema),
    nextCursor: z.string().nullable(),
    /** Items in each queue, in the same view: site-wide, or the one thread asked for. */
    counts: QueueCountsSchema,
  })
  .meta({ id: 'QueuePage' });
export type QueuePage = z.infer<typeof QueuePageSchema>;

export const COMMENT_ACTIONS = ['approve', 'reject', 'feature', 'unfeature', 'restore'] as const;
export const CommentActionSchema = z.enum(COMMENT_ACTIONS);
export type CommentAction = z.infer<typeof CommentActionSchema>;
export const ActionBodySchema = z.strictObject({ reason: z.string().trim().max(500).optional() }).meta({ id: 'ActionBody' });

export const ClaimResponseSchema = z.object({ until: z.iso.datetime() }).meta({ id: 'ClaimResponse' });

export const BanBodySchema = z
  .strictObject({
    /** Omit for a permanent ban. */
    durationSeconds: z
      .number()
      .int()
      .min(60)
      .max(10 * 365 * 86_400)
      .optional(),
    reason: z.string().trim().max(500).optional(),
    /** Also remove their comments from the last 24 hours. */
    removeRecentComments: z.boolean().default(false),
  })
  .meta({ id: 'BanBody' });
export const BanSchema = z
  .object({
    userId: z.string(),
    /** null: permanent. */
    until: z.iso.datetime().nullable(),
    reason: z.string().nullable(),
    by: ModeratorRefSchema,
    /** The banner's role when they banned: a ban never binds a user of a higher role. */
    byRole: RoleSchema,
    at: z.iso.datetime(),
  })
  .meta({ id: 'Ban' });
export type Ban = z.infer<typeof BanSchema>;
export const BanResponseSchema = z.object({ ban: BanSchema, removedComments: z.number().int().nonnegative() }).meta({ id: 'BanResponse' });

const TermSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}' -]{2,64}$/u, 'a term is 2-64 letters, digits, spaces, hyphens or apostrophes');
export const WordlistsSchema = z
  .object({
    /** A comment containing one of these is refused, with the term named. */
    banned: z.array(TermSchema).max(2_000),
    /** A comment containing one of these is held for review (or flagged, see suspectAction). */
    suspect: z.array(TermSchema).max(2_000),
    suspectAction: z.enum(['hold', 'flag']),
    /** The obscenity library's English profanity list, as another list: off, suspect or banned. */
    builtinProfanity: z.enum(['off', 'suspect', 'banned']),
  })
  .meta({ id: 'Wordlists' });
export type Wordlists = z.infer<typeof WordlistsSchema>;
export const PutWordlistsBodySchema = WordlistsSchema.partial().strict().meta({ id: 'PutWordlistsBody' });

export const ModerationSettingsSchema = z
  .object({
    /** Users with fewer approved comments than this have new comments held (0: off). */
    premodNewUsers: z.number().int().min(0).max(1_000),
  })
  .meta({ id: 'ModerationSettings' });
export type ModerationSettings = z.infer<typeof ModerationSettingsSchema>;
export const PutModerationSettingsBodySchema = ModerationSettingsSchema.partial().strict().meta({ id: 'PutModerationSettingsBody' });

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    by: DeciderSchema,
    /** approve, reject, feature, hold, report, ban, lock, refuse, … */
    action: z.string(),
    target: z.object({ commentId: CommentIdSchema.optional(), threadId: ThreadIdSchema.optional(), userId: z.string().optional() }),
    reasons: z.array(ReasonSchema),
    before: CommentStatusSchema.nullable(),
    after: CommentStatusSchema.nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditQuerySchema = z.strictObject({
  cursor: z
    .string()
    .regex(/^[0-9]{1,16}-[0-9]{1,8}$/, 'not a cursor from this API')
    .optional(),
  threadId: ThreadIdSchema.optional(),
  moderatorId: UserIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const AuditPageSchema = z
  .object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditPage' });

/** Everything moderators see happen, live, on the /moderation namespace. */
export const ModEventSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('comment'),
      change: z.enum(['created', 'edited']),
      comment: AuthoredCommentSchema,
      moderation: ModerationRecordSchema.nullable(),
    }),
    z.object({ type: z.literal('hold'), comment: AuthoredCommentSchema, moderation: ModerationRecordSchema }),
    z.object({
      type: z.literal('report'),
      comment: AuthoredCommentSchema,
      reason: ReportReasonSchema,
      note: z.string().nullable(),
      reporter: UserRefSchema,
      reports: z.number().int(),
    }),
    z.object({
      type: z.literal('action'),
      entry: AuditEntrySchema,
      comment: AuthoredCommentSchema.optional(),
      thread: ThreadSchema.optional(),
    }),
    z.object({ type: z.literal('queues'), counts: QueueCountsSchema }),
    z.object({
      type: z.literal('claim'),
      commentId: CommentIdSchema,
      by: ModeratorRefSchema.nullable(),
      until: z.iso.datetime().nullable(),
    }),
  ])
  .meta({ id: 'ModEvent' });
export type ModEvent = z.infer<typeof ModEventSchema>;

/** Client -> server events on the /moderation namespace (moderators and admins; checked on every event). */
export const modClientEvents = {
  /** Follow only these threads (or, with no ids, everything). */
  'mod:subscribe': { request: z.strictObject({ threadIds: z.array(ThreadIdSchema).max(100).optional() }), response: z.object({}) },
  /** Tell other moderators you are handling this item (expires after 2 minutes). */
  'mod:claim': { request: z.strictObject({ commentId: CommentIdSchema }), response: ClaimResponseSchema },
  'mod:release': { request: z.strictObject({ commentId: CommentIdSchema }), response: z.object({}) },
  'mod:action': {
    request: ActionBodySchema.extend({ commentId: CommentIdSchema, action: CommentActionSchema }),
    response: z.object({ comment: AuthoredCommentSchema }),
  },
  'mod:ban': { request: BanBodySchema.extend({ userId: UserIdSchema }), response: BanResponseSchema },
  'mod:unban': { request: z.strictObject({ userId: UserIdSchema }), response: z.object({}) },
  'mod:thread': {
    request: z.strictObject({ threadId: ThreadIdSchema, settings: ThreadSettingsBodySchema }),
    response: z.object({ thread: ThreadSchema }),
  },
} as const;

export const modServerEvents = {
  'mod:event': ModEventSchema,
  /** Right after connecting: who the console is signed in as. */
  'mod:session': z.object({ user: SessionUserSchema }),
  /** Same as on the reader socket: the token expired and the server disconnects right after. */
  'auth:expired': serverEvents['auth:expired'],
  /** You were banned: the server disconnects this socket right after, and refuses new ones (`forbidden`) while the ban lasts. */
  'account:banned': serverEvents['account:banned'],
  /** Same as on the reader socket: the server is about to close this connection (e.g. it sent events too fast). */
  'connection:closing': serverEvents['connection:closing'],
} as const;

export type ModClientEventName = keyof typeof modClientEvents;
export type ModEventRequest<E extends ModClientEventName> = z.input<(typeof modClientEvents)[E]['request']>;
export type ModEventResponse<E extends ModClientEventName> = z.output<(typeof modClientEvents)[E]['response']>;
export type ModClientToServerEvents = {
  [E in ModClientEventName]: (payload: ModEventRequest<E>, ack: (res: Ack<ModEventResponse<E>>) => void) => void;
};
export type ModServerToClientEvents = {
  [E in keyof typeof modServerEvents]: (payload: z.output<(typeof modServerEvents)[E]>) => void;
};

export const MODERATION_NAMESPACE = '/moderation';
export const modRooms = {
  all: 'mod:all',
  thread: (threadId: string) => `mod:thread:${threadId}`,
};
