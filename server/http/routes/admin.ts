import { fileURLToPath } from 'node:url';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { parse as parseCookie } from 'cookie';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Deps } from '../../context.ts';
import { errors } from '../../errors.ts';
import { authenticate } from '../../usecases/authenticate.ts';
import { actingAdmin } from '../../usecases/moderation/acting.ts';
import { bearerToken } from '../auth.ts';
import { frameAncestors, sendPage, serveBundle } from '../browser-bundle.ts';

const BASE = '/admin/queues';
const LOGIN = '/admin/login';
const COOKIE = 'tl_admin';
const LOGIN_ENTRY = fileURLToPath(new URL('../../../client/admin/login.ts', import.meta.url));
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * bull-board's queue dashboard, for admins only. A browser signs in at
 * /admin/login (token from `#token=` or pasted, POSTed in a header to
 * /admin/session, which sets an HttpOnly cookie scoped to the dashboard); API
 * clients may send Authorization: Bearer instead. A token in a URL query is
 * refused: URLs end up in proxy logs, history and referrers.
 *
 * Read-only unless ADMIN_QUEUE_ACTIONS=on: a job added here runs with the
 * workers' powers (a webhook job is signed with the site's secret), so by
 * default an admin may look but not act.
 */
export function adminRoutes(deps: Deps): Router {
  const { queueActions } = deps.config.admin;
  const board = new ExpressAdapter();
  board.setBasePath(BASE);
  createBullBoard({ queues: deps.queues.all.map((q) => new BullMQAdapter(q, { readOnlyMode: !queueActions })), serverAdapter: board });

  const router = Router();
  router.get(`${LOGIN}.js`, serveBundle(LOGIN_ENTRY, { prebuild: false }));
  router.get(LOGIN, (_req, res) => {
    sendPage(
      res,
      deps.config.pages,
      'Threadline: queue dashboard',
      '<h1 style="font:600 20px system-ui">Queue dashboard</h1>' +
        '<form id="login"><label>Admin token <input id="token" type="password" autocomplete="off" required></label> <button>Sign in</button></form>' +
        '<p id="status" role="status"></p><script src="/admin/login.js"></script>',
    );
  });
  router.post('/admin/session', async (req, res) => {
    const token = bearerToken(req);
    if (!token) throw errors.unauthenticated('Send the admin token as Authorization: Bearer <token>');
    const user = await actingAdmin(deps, await authenticate(deps, token));
    // req.secure follows X-Forwarded-Proto only from TRUSTED_PROXIES ('trust proxy').
    res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: BASE, expires: user.expiresAt });
    res.status(204).end();
  });
  router.delete('/admin/session', (req, res) => {
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: BASE });
    res.status(204).end();
  });
  router.use(BASE, (_req, res, next) => {
    res.set('Content-Security-Policy', frameAncestors(deps.config.pages));
    next();
  });
  router.use(BASE, adminOnly(deps), readOnlyUnless(queueActions), board.getRouter() as RequestHandler);
  return router;
}

function adminOnly(deps: Deps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if ('token' in req.query) throw errors.invalid(`Tokens do not go in URLs (they end up in logs and history): sign in at ${LOGIN}`);
    const token = bearerToken(req) ?? parseCookie(req.get('cookie') ?? '')[COOKIE];
    if (!token) {
      if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') return res.redirect(303, LOGIN);
      throw errors.unauthenticated(`Sign in at ${LOGIN}, or send Authorization: Bearer <admin token>`);
    }
    // A banned admin is refused too, as on every other admin route.
    await actingAdmin(deps, await authenticate(deps, token));
    next();
  };
}

/** bull-board refuses most actions on a read-only queue; this refuses every one, including any a later bull-board adds. */
function readOnlyUnless(actionsAllowed: boolean) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!actionsAllowed && !READS.has(req.method)) {
      throw errors.forbidden('The queue dashboard is read-only (ADMIN_QUEUE_ACTIONS=off)');
    }
    next();
  };
}
