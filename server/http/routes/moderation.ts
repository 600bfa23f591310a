import { Router } from 'express';
import {
  ActionBodySchema,
  AuditQuerySchema,
  BanBodySchema,
  PutModerationSettingsBodySchema,
  PutWordlistsBodySchema,
  QueueQuerySchema,
  ThreadSettingsBodySchema,
} from '../../../contract/index.ts';
import { requireModerator, type Deps } from '../../context.ts';
import { parseInput } from '../../errors.ts';
import { listAudit } from '../../usecases/moderation/audit.ts';
import { banUser, unbanUser } from '../../usecases/moderation/ban-user.ts';
import { claimItem, releaseItem } from '../../usecases/moderation/claims.ts';
import { moderateComment } from '../../usecases/moderation/moderate-comment.ts';
import { getModerationItem } from '../../usecases/moderation/items.ts';
import { listQueue } from '../../usecases/moderation/queues.ts';
import { getModerationSettings, getWordlists, putModerationSettings, putWordlists } from '../../usecases/moderation/settings.ts';
import { updateThreadSettings } from '../../usecases/update-thread-settings.ts';
import { actorOf } from '../auth.ts';
import { CommentActionParams, CommentParams, QueueParams, ThreadParams, UserParams } from '../params.ts';

/** /api/moderation/*: moderators and admins only, checked on every request (and again in each use case). */
export function moderationRoutes(deps: Deps): Router {
  const router = Router();
  router.use('/api/moderation', (_req, res, next) => {
    requireModerator(actorOf(res));
    next();
  });

  router.get('/api/moderation/queues/:queue', async (req, res) => {
    const { queue } = parseInput(QueueParams, req.params, 'path');
    const query = parseInput(QueueQuerySchema, req.query, 'query');
    res.json(await listQueue(deps, actorOf(res), { queue, ...query }));
  });

  router.get('/api/moderation/comments/:commentId', async (req, res) => {
    res.json(await getModerationItem(deps, actorOf(res), parseInput(CommentParams, req.params, 'path')));
  });

  router.post('/api/moderation/comments/:commentId/:action', async (req, res) => {
    const { commentId, action } = parseInput(CommentActionParams, req.params, 'path');
    const { reason } = parseInput(ActionBodySchema, req.body ?? {}, 'body');
    res.json(await moderateComment(deps, actorOf(res), { commentId, action, reason }));
  });

  router.post('/api/moderation/claims/:commentId', async (req, res) => {
    res.json(await claimItem(deps, actorOf(res), parseInput(CommentParams, req.params, 'path')));
  });
  router.delete('/api/moderation/claims/:commentId', async (req, res) => {
    res.json(await releaseItem(deps, actorOf(res), parseInput(CommentParams, req.params, 'path')));
  });

  router.post('/api/moderation/users/:userId/ban', async (req, res) => {
    const { userId } = parseInput(UserParams, req.params, 'path');
    const body = parseInput(BanBodySchema, req.body ?? {}, 'body');
    res.json(await banUser(deps, actorOf(res), { userId, ...body }));
  });
  router.delete('/api/moderation/users/:userId/ban', async (req, res) => {
    res.json(await unbanUser(deps, actorOf(res), parseInput(UserParams, req.params, 'path')));
  });

  router.patch('/api/moderation/threads/:threadId', async (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
    const settings = parseInput(ThreadSettingsBodySchema, req.body, 'body');
    res.json(await updateThreadSettings(deps, actorOf(res), { threadId, settings }));
  });

  router.get('/api/moderation/wordlists', async (_req, res) => {
    res.json(await getWordlists(deps, actorOf(res)));
  });
  router.put('/api/moderation/wordlists', async (req, res) => {
    res.json(await putWordlists(deps, actorOf(res), parseInput(PutWordlistsBodySchema, req.body, 'body')));
  });
  router.get('/api/moderation/settings', async (_req, res) => {
    res.json(await getModerationSettings(deps, actorOf(res)));
  });
  router.put('/api/moderation/settings', async (req, res) => {
    res.json(await putModerationSettings(deps, actorOf(res), parseInput(PutModerationSettingsBodySchema, req.body, 'body')));
  });

  router.get('/api/moderation/audit', async (req, res) => {
    res.json(await listAudit(deps, actorOf(res), parseInput(AuditQuerySchema, req.query, 'query')));
  });

  return router;
}
