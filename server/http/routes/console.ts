import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { Config } from '../../config.ts';
import { sendPage, serveBundle } from '../browser-bundle.ts';

const ENTRY = fileURLToPath(new URL('../../../client/console/entry.ts', import.meta.url));

/**
 * The moderation console: /moderate (open as /moderate#token=<moderator JWT>;
 * the page itself holds nothing secret, the socket and API check the token)
 * and its script /moderate.js.
 */
export function consoleRoutes(pages: Config['pages']): Router {
  const router = Router();
  router.get('/moderate.js', serveBundle(ENTRY, { prebuild: false }));
  router.get('/moderate', (_req, res) =>
    sendPage(res, pages, 'Threadline moderation', '<div id="console"></div><script src="/moderate.js"></script>'),
  );
  return router;
}
