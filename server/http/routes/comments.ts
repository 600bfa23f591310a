import { Router } from 'express';
import { EditCommentBodySchema, ReportBodySchema } from '../../../contract/index.ts';
import type { Deps } from '../../context.ts';
import { parseInput } from '../../errors.ts';
import { deleteComment } from '../../usecases/delete-comment.ts';
import { editComment } from '../../usecases/edit-comment.ts';
import { reportComment } from '../../usecases/report-comment.ts';
import { requireUser } from '../auth.ts';
import { CommentParams } from '../params.ts';

export function commentRoutes(deps: Deps): Router {
  const router = Router();

  router.patch('/api/comments/:commentId', async (req, res) => {
    const { commentId } = parseInput(CommentParams, req.params, 'path');
    const actor = requireUser(res);
    const { body } = parseInput(EditCommentBodySchema, req.body, 'body');
    res.json(await editComment(deps, actor, { commentId, body }, { ip: req.ip }));
  });

  router.post('/api/comments/:commentId/report', async (req, res) => {
    const { commentId } = parseInput(CommentParams, req.params, 'path');
    const actor = requireUser(res);
    const body = parseInput(ReportBodySchema, req.body, 'body');
    res.json(await reportComment(deps, actor, { commentId, ...body }));
  });

  router.delete('/api/comments/:commentId', async (req, res) => {
    const { commentId } = parseInput(CommentParams, req.params, 'path');
    res.json(await deleteComment(deps, requireUser(res), { commentId }));
  });

  return router;
}
