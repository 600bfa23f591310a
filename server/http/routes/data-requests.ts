import { Router } from 'express';
import type { Deps } from '../../context.ts';
import { parseInput } from '../../errors.ts';
import { eraseUser } from '../../usecases/erase-user.ts';
import { exportUserData } from '../../usecases/export-user-data.ts';
import { actorOf } from '../auth.ts';
import { UserParams } from '../params.ts';

/** Data requests: a user's own (/api/me), or any user's for admins (/api/admin/users/:userId). */
export function dataRequestRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/api/me/export', async (_req, res) => {
    res.json(await exportUserData(deps, actorOf(res)));
  });
  router.delete('/api/me', async (_req, res) => {
    res.json(await eraseUser(deps, actorOf(res)));
  });

  router.get('/api/admin/users/:userId/export', async (req, res) => {
    res.json(await exportUserData(deps, actorOf(res), parseInput(UserParams, req.params, 'path')));
  });
  router.delete('/api/admin/users/:userId', async (req, res) => {
    res.json(await eraseUser(deps, actorOf(res), parseInput(UserParams, req.params, 'path')));
  });

  return router;
}
