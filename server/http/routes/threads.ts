import { Router } from 'express';
import {
  ListCommentsQuerySchema,
  ParticipantsQuerySchema,
  PostCommentBodySchema,
  PostCommentHeadersSchema,
  PutThreadBodySchema,
} from '../../../contract/index.ts';
import type { Deps } from '../../context.ts';
import { errors, parseInput } from '../../errors.ts';
import { findParticipants } from '../../usecases/find-participants.ts';
import { getThread } from '../../usecases/get-thread.ts';
import { listComments } from '../../usecases/list-comments.ts';
import { postComment } from '../../usecases/post-comment.ts';
import { putThread } from '../../usecases/put-thread.ts';
import { actorOf, requireUser } from '../auth.ts';
import { ThreadParams } from '../params.ts';

export function threadRoutes(deps: Deps): Router {
  const router = Router();

  router.put('/api/threads/:threadId', async (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
    const body = parseInput(PutThreadBodySchema, req.body, 'body');
    res.json(await putThread(deps, requireUser(res), { threadId, ...body }));
  });

  router.get('/api/threads/:threadId', async (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
    res.json(await getThread(deps, threadId));
  });

  router.get('/api/threads/:threadId/comments', async (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
    const query = parseInput(ListCommentsQuerySchema, req.query, 'query');
    res.json(await listComments(deps, actorOf(res), threadId, query));
  });

  router.post('/api/threads/:threadId/comments', async (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
    const actor = requireUser(res);
    const body = parseInput(PostCommentBodySchema, req.body, 'body');
    const { 'Idempotency-Key': key } = parseInput(PostCommentHeadersSchema, { 'Idempotency-Key': req.get('Idempotency-Key') }, 'header');
    if (key !== undefined && body.clientId !== undefined && key !== body.clientId) {
      const message = 'must equal clientId when both are sent';
      throw errors.invalid(`Invalid header: Idempotency-Key: ${message}`, { issues: [{ path: 'Idempotency-Key', message }] });
    }
    const result = await postComment(deps, actor, { threadId, ...body, clientId: key ?? body.clientId }, { ip: req.ip });
    if (!result.duplicate) deps.metrics.commentsPosted.inc({ transport: 'http' });
    res.status(result.duplicate ? 200 : 201).json({ comment: result.comment });
  });

  router.get('/api/threads/:threadId/participants', async (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
    const { prefix } = parseInput(ParticipantsQuerySchema, req.query, 'query');
    res.json(await findParticipants(deps, actorOf(res), { threadId, prefix }));
  });

  return router;
}
