import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { parseInput } from '../../errors.ts';
import { browserBundle, PAGE_CSP } from '../browser-bundle.ts';
import { ThreadParams } from '../params.ts';

const ENTRY = fileURLToPath(new URL('../../../client/widget/entry.ts', import.meta.url));

/**
 * /widget.js (the SDK and widget for browsers, bundled once, starting when the
 * routes are created) and /demo/:threadId, a page that embeds it.
 */
export function widgetRoutes(): Router {
  const router = Router();
  void browserBundle(ENTRY);

  router.get('/widget.js', async (_req, res) => {
    const text = await browserBundle(ENTRY);
    res.type('application/javascript').set('Cache-Control', 'public, max-age=300').send(text);
  });

  router.get('/demo/:threadId', (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
    res
      .type('html')
      .set('Content-Security-Policy', PAGE_CSP)
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Threadline: ${threadId}</title>` +
          `<meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
          `<body style="margin:2rem"><h1 style="font:600 20px system-ui">Comments</h1>` +
          `<div id="comments" data-threadline-thread="${threadId}"></div>` +
          `<script src="/widget.js"></script></body></html>`,
      );
  });
  return router;
}
