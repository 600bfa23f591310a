import { Router } from 'express';
import { ListNotificationsQuerySchema, MarkReadBodySchema, PutPreferencesBodySchema } from '../../../contract/index.ts';
import type { Deps } from '../../context.ts';
import { parseInput } from '../../errors.ts';
import { listNotifications } from '../../usecases/list-notifications.ts';
import { markNotificationsRead } from '../../usecases/mark-notifications-read.ts';
import { getPreferences, updatePreferences } from '../../usecases/preferences.ts';
import { requireUser } from '../auth.ts';

export function notificationRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/api/notifications', async (req, res) => {
    const actor = requireUser(res);
    res.json(await listNotifications(deps, actor, parseInput(ListNotificationsQuerySchema, req.query, 'query')));
  });

  router.post('/api/notifications/read', async (req, res) => {
    const actor = requireUser(res);
    res.json(await markNotificationsRead(deps, actor, parseInput(MarkReadBodySchema, req.body, 'body')));
  });

  router.get('/api/me/preferences', async (_req, res) => {
    res.json(await getPreferences(deps, requireUser(res)));
  });

  router.put('/api/me/preferences', async (req, res) => {
    const actor = requireUser(res);
    res.json(await updatePreferences(deps, actor, parseInput(PutPreferencesBodySchema, req.body, 'body')));
  });

  return router;
}
