import { z } from 'zod';
import {
  CommentPageSchema,
  CommentResponseSchema,
  EditCommentBodySchema,
  HealthSchema,
  ListCommentsQuerySchema,
  ListNotificationsQuerySchema,
  MarkReadBodySchema,
  NotificationPageSchema,
  PreferencesResponseSchema,
  PutPreferencesBodySchema,
  UnreadSchema,
  ParticipantsQuerySchema,
  ParticipantsResponseSchema,
  PostCommentBodySchema,
  PostCommentHeadersSchema,
  PutThreadBodySchema,
  ThreadResponseSchema,
  ThreadSettingsBodySchema,
  ReportBodySchema,
  ReportResponseSchema,
} from './schemas.ts';
import {
  ActionBodySchema,
  AuditPageSchema,
  AuditQuerySchema,
  BanBodySchema,
  BanResponseSchema,
  ClaimResponseSchema,
  ModerationSettingsSchema,
  PutModerationSettingsBodySchema,
  PutWordlistsBodySchema,
  QueuePageSchema,
  QueueQuerySchema,
  WordlistsSchema,
} from './moderation.ts';
import { EraseResponseSchema, UserExportSchema } from './data-requests.ts';
import type { ErrorCode } from './errors.ts';

/** Who may call a route: `moderator` admits admins too; `admin` is admins only. */
export type RestAuth = 'none' | 'optional' | 'user' | 'moderator' | 'admin';

export interface RestRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path; `:name` segments are path parameters. */
  path: string;
  summary: string;
  auth: RestAuth;
  query?: z.ZodType;
  /** Request headers the route reads (an object schema keyed by header name). */
  headers?: z.ZodType;
  body?: z.ZodType;
  /** Success status and body. */
  status: number;
  response?: z.ZodType;
  /** Extra success statuses, e.g. 200 for an idempotent replay of a 201. */
  alsoReturns?: number[];
  /**
   * Errors this route can answer beyond those its shape implies (the OpenAPI
   * generator adds invalid_payload for input, unauthenticated for a token, ...).
   */
  errors?: readonly ErrorCode[];
}

/**
 * Every REST endpoint. The OpenAPI document is generated from this table and a
 * test checks the server answers each entry, so the table cannot drift.
 */
export const restRoutes: readonly RestRoute[] = [
  { method: 'get', path: '/healthz', summary: 'Process is up', auth: 'none', status: 200, response: HealthSchema },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Redis answers (503 otherwise)',
    auth: 'none',
    status: 200,
    response: HealthSchema,
    errors: ['unavailable'],
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text format); only with Authorization: Bearer <METRICS_TOKEN> when that is set',
    auth: 'none',
    status: 200,
    errors: ['unauthenticated'],
  },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', auth: 'none', status: 200 },
  {
    method: 'get',
    path: '/api/asyncapi.json',
    summary: 'AsyncAPI 3.0 description of the Socket.IO events (both namespaces), generated from the same contract',
    auth: 'none',
    status: 200,
  },
  { method: 'get', path: '/widget.js', summary: 'The embeddable comment widget and SDK, for browsers', auth: 'none', status: 200 },
  { method: 'get', path: '/demo/:threadId', summary: 'A page embedding the widget (token in #token=)', auth: 'none', status: 200 },
  { method: 'get', path: '/moderate', summary: 'The moderation console (open with #token=<moderator JWT>)', auth: 'none', status: 200 },
  { method: 'get', path: '/moderate.js', summary: 'The moderation console script', auth: 'none', status: 200 },
  {
    method: 'put',
    path: '/api/threads/:threadId',
    summary: 'Create or update a thread (moderator/admin)',
    auth: 'moderator',
    body: PutThreadBodySchema,
    status: 200,
    response: ThreadResponseSchema,
  },
  {
    method: 'get',
    path: '/api/threads/:threadId',
    summary: 'Thread summary; a thread nobody has commented on reads as empty',
    auth: 'optional',
    status: 200,
    response: ThreadResponseSchema,
  },
  {
    method: 'get',
    path: '/api/threads/:threadId/comments',
    summary: 'A page of comments with a stable cursor',
    auth: 'optional',
    query: ListCommentsQuerySchema,
    status: 200,
    response: CommentPageSchema,
  },
  {
    method: 'post',
    path: '/api/threads/:threadId/comments',
    summary: 'Post a comment (200 with the original on a repeated clientId or Idempotency-Key)',
    auth: 'user',
    headers: PostCommentHeadersSchema,
    body: PostCommentBodySchema,
    status: 201,
    alsoReturns: [200],
    response: CommentResponseSchema,
    errors: ['thread_locked', 'rate_limited'],
  },
  {
    method: 'patch',
    path: '/api/comments/:commentId',
    summary: 'Edit your comment within the edit window',
    auth: 'user',
    body: EditCommentBodySchema,
    status: 200,
    response: CommentResponseSchema,
    errors: ['not_found', 'conflict', 'rate_limited'],
  },
  {
    method: 'delete',
    path: '/api/comments/:commentId',
    summary: 'Delete your comment (moderators: remove any comment)',
    auth: 'user',
    status: 200,
    response: CommentResponseSchema,
    errors: ['not_found'],
  },
  {
    method: 'get',
    path: '/api/threads/:threadId/participants',
    summary: 'Mention autocomplete: thread participants first, at most 10',
    auth: 'user',
    query: ParticipantsQuerySchema,
    status: 200,
    response: ParticipantsResponseSchema,
  },
  {
    method: 'get',
    path: '/api/notifications',
    summary: 'Your notifications, newest first, with the unread count',
    auth: 'user',
    query: ListNotificationsQuerySchema,
    status: 200,
    response: NotificationPageSchema,
  },
  {
    method: 'post',
    path: '/api/notifications/read',
    summary: 'Mark notifications read: {ids} or {all: true}',
    auth: 'user',
    body: MarkReadBodySchema,
    status: 200,
    response: UnreadSchema,
  },
  {
    method: 'get',
    path: '/api/me/preferences',
    summary: 'Your notification preferences',
    auth: 'user',
    status: 200,
    response: PreferencesResponseSchema,
  },
  {
    method: 'put',
    path: '/api/me/preferences',
    summary: 'Change notification preferences (fields left out keep their value)',
    auth: 'user',
    body: PutPreferencesBodySchema,
    status: 200,
    response: PreferencesResponseSchema,
  },
  {
    method: 'get',
    path: '/api/me/export',
    summary: 'Your data as JSON: profile, comments, notifications, preferences',
    auth: 'user',
    status: 200,
    response: UserExportSchema,
  },
  {
    method: 'delete',
    path: '/api/me',
    summary: 'Erase your account: comments become deleted tombstones, your data is deleted (safe to repeat)',
    auth: 'user',
    status: 200,
    response: EraseResponseSchema,
  },
  {
    method: 'get',
    path: '/api/admin/users/:userId/export',
    summary: 'A user’s data as JSON (admins)',
    auth: 'admin',
    status: 200,
    response: UserExportSchema,
    errors: ['not_found'],
  },
  {
    method: 'delete',
    path: '/api/admin/users/:userId',
    summary: 'Erase a user’s account (admins; safe to repeat)',
    auth: 'admin',
    status: 200,
    response: EraseResponseSchema,
    errors: ['not_found'],
  },
  {
    method: 'post',
    path: '/api/comments/:commentId/report',
    summary: 'Report a comment to the moderators (once per reader per comment)',
    auth: 'user',
    body: ReportBodySchema,
    status: 200,
    response: ReportResponseSchema,
    errors: ['not_found', 'rate_limited'],
  },
  {
    method: 'get',
    path: '/api/moderation/queues/:queue',
    summary: 'A moderation queue (pending, reported, flagged, rejected), site-wide or for one thread',
    auth: 'moderator',
    query: QueueQuerySchema,
    status: 200,
    response: QueuePageSchema,
  },
  {
    method: 'post',
    path: '/api/moderation/comments/:commentId/:action',
    summary: 'approve | reject | restore | feature | unfeature; the first of two moderators wins, the second gets conflict',
    auth: 'moderator',
    body: ActionBodySchema,
    status: 200,
    response: CommentResponseSchema,
    errors: ['not_found', 'conflict'],
  },
  {
    method: 'post',
    path: '/api/moderation/claims/:commentId',
    summary: 'Claim an item for 2 minutes (conflict if another moderator holds it)',
    auth: 'moderator',
    status: 200,
    response: ClaimResponseSchema,
    errors: ['conflict'],
  },
  { method: 'delete', path: '/api/moderation/claims/:commentId', summary: 'Release your claim', auth: 'moderator', status: 200 },
  {
    method: 'post',
    path: '/api/moderation/users/:userId/ban',
    summary: 'Ban a user (for durationSeconds, or permanently), optionally removing their last 24 h of comments',
    auth: 'moderator',
    body: BanBodySchema,
    status: 200,
    response: BanResponseSchema,
  },
  {
    method: 'delete',
    path: '/api/moderation/users/:userId/ban',
    summary: 'Lift a ban',
    auth: 'moderator',
    status: 200,
    errors: ['conflict'],
  },
  {
    method: 'patch',
    path: '/api/moderation/threads/:threadId',
    summary: 'Lock or unlock, set slow mode, toggle pre-moderation; viewers are told live',
    auth: 'moderator',
    body: ThreadSettingsBodySchema,
    status: 200,
    response: ThreadResponseSchema,
  },
  {
    method: 'get',
    path: '/api/moderation/wordlists',
    summary: 'Banned and suspect word lists',
    auth: 'moderator',
    status: 200,
    response: WordlistsSchema,
  },
  {
    method: 'put',
    path: '/api/moderation/wordlists',
    summary: 'Change the word lists (admins)',
    auth: 'admin',
    body: PutWordlistsBodySchema,
    status: 200,
    response: WordlistsSchema,
  },
  {
    method: 'get',
    path: '/api/moderation/settings',
    summary: 'Site moderation settings',
    auth: 'moderator',
    status: 200,
    response: ModerationSettingsSchema,
  },
  {
    method: 'put',
    path: '/api/moderation/settings',
    summary: 'Change site moderation settings (admins)',
    auth: 'admin',
    body: PutModerationSettingsBodySchema,
    status: 200,
    response: ModerationSettingsSchema,
  },
  {
    method: 'get',
    path: '/api/moderation/audit',
    summary: 'Audit log, newest first',
    auth: 'moderator',
    query: AuditQuerySchema,
    status: 200,
    response: AuditPageSchema,
  },
  {
    method: 'get',
    path: '/admin/queues',
    summary:
      'Queue dashboard (bull-board), admins only: the /admin/queues cookie or Authorization: Bearer; read-only unless ADMIN_QUEUE_ACTIONS=on',
    auth: 'admin',
    status: 200,
  },
  {
    method: 'get',
    path: '/admin/login',
    summary: 'Sign-in page for the queue dashboard (token from #token= or pasted; never in a URL query)',
    auth: 'none',
    status: 200,
  },
  { method: 'get', path: '/admin/login.js', summary: 'The sign-in page script', auth: 'none', status: 200 },
  {
    method: 'post',
    path: '/admin/session',
    summary: 'Trade an admin token (Authorization: Bearer) for the dashboard cookie (HttpOnly, SameSite=Strict, Secure over https)',
    auth: 'admin',
    status: 204,
  },
  { method: 'delete', path: '/admin/session', summary: 'Sign out of the dashboard (clears its cookie)', auth: 'none', status: 204 },
];
