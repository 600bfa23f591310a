import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { parse as parseCookie } from 'cookie';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Deps } from '../../context.ts';
import { errors } from '../../errors.ts';
import { authenticate } from '../../usecases/authenticate.ts';
import { actingAdmin } from '../../usecases/moderation/acting.ts';
import { bearerToken } from '../auth.ts';

const BASE = '/admin/queues';
const COOKIE = 'tl_admin';

/**
 * bull-board's queue dashboard, for admins only. A browser opens it once as
 * /admin/queues?token=<admin JWT>; the token then rides in an HttpOnly cookie
 * scoped to the dashboard. API clients may send Authorization: Bearer instead.
 */
export function adminRoutes(deps: Deps): Router {
  const board = new ExpressAdapter();
  board.setBasePath(BASE);
  createBullBoard({ queues: deps.queues.all.map((q) => new BullMQAdapter(q, { readOnlyMode: false })), serverAdapter: board });

  const router = Router();
  router.use(BASE, adminOnly(deps), board.getRouter());
  return router;
}

function adminOnly(deps: Deps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    const fromHeader = bearerToken(req);
    const fromCookie = parseCookie(req.get('cookie') ?? '')[COOKIE];
    const token = fromQuery ?? fromHeader ?? fromCookie;
    if (!token) throw errors.unauthenticated('Open this page as /admin/queues?token=<admin token>');
    // A banned admin is refused too, as on every other admin route.
    const user = await actingAdmin(deps, await authenticate(deps, token));
    if (fromQuery) {
      res.cookie(COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure,
        path: BASE,
        expires: user.expiresAt,
      });
      // Drop the token from the address bar (and from history and referrers).
      const url = new URL(req.originalUrl, 'http://x');
      url.searchParams.delete('token');
      return res.redirect(303, url.pathname + url.search);
    }
    next();
  };
}
