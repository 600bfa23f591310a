import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { Config } from '../../config.ts';
import { parseInput } from '../../errors.ts';
import { sendPage, serveBundle } from '../browser-bundle.ts';
import { ThreadParams } from '../params.ts';

const ENTRY = fileURLToPath(new URL('../../../client/widget/entry.ts', import.meta.url));

/** /widget.js (the SDK and widget for browsers) and /demo/:threadId, a page that embeds it. */
export function widgetRoutes(pages: Config['pages']): Router {
  const router = Router();
  router.get('/widget.js', serveBundle(ENTRY, { prebuild: true }));
  router.get('/demo/:threadId', (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
    sendPage(
      res,
      pages,
      `Threadline: ${threadId}`,
      `<h1 style="font:600 20px system-ui">Comments</h1><div id="comments" data-threadline-thread="${threadId}"></div><script src="/widget.js"></script>`,
    );
  });
  return router;
}
