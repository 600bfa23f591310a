import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Router } from 'express';
import { z } from 'zod';
import { ThreadIdSchema } from '../../../client/contract/index.ts';
import { parseInput } from '../../errors.ts';

const ENTRY = fileURLToPath(new URL('../../../client/widget/entry.ts', import.meta.url));

/**
 * /widget.js (the SDK and widget for browsers, bundled once on first request)
 * and /demo/:threadId, a page that embeds it. The page allows no inline
 * script: whatever a comment holds, nothing in it can run.
 */
export function widgetRoutes(): Router {
  const router = Router();
  let bundle: Promise<string> | undefined;

  router.get('/widget.js', async (_req, res) => {
    bundle ??= build({ entryPoints: [ENTRY], bundle: true, minify: true, format: 'iife', target: 'es2020', platform: 'browser', write: false }).then(
      (r) => r.outputFiles[0]!.text,
      (err: unknown) => {
        bundle = undefined;
        throw err;
      },
    );
    res.type('application/javascript').set('Cache-Control', 'public, max-age=300').send(await bundle);
  });

  router.get('/demo/:threadId', (req, res) => {
    const { threadId } = parseInput(z.object({ threadId: ThreadIdSchema }), req.params, 'path');
    res
      .type('html')
      .set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:")
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
