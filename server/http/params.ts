import { z } from 'zod';
import { CommentActionSchema, CommentIdSchema, QueueNameSchema, ThreadIdSchema, UserIdSchema } from '../../contract/index.ts';

/** Path parameters (`:name` in the routes of contract/rest.ts), built once, not per request. */
export const ThreadParams = z.object({ threadId: ThreadIdSchema });
export const CommentParams = z.object({ commentId: CommentIdSchema });
export const CommentActionParams = CommentParams.extend({ action: CommentActionSchema });
export const UserParams = z.object({ userId: UserIdSchema });
export const QueueParams = z.object({ queue: QueueNameSchema });
