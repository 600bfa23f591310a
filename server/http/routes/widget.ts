import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Router } from 'express';
import { parseInput } from '../../errors.ts';
import { ThreadParams } from '../params.ts';

const ENTRY = fileURLToPath(new URL('../../../client/widget/entry.ts', import.meta.url));


// One build per process, shared by every app in it (tests run several), started by the first app created.
let bundle: Promise<string> | undefined;

function widgetBundle(): Promise<string> {
  if (bundle) return bundle;
  const building = build({ entryPoints: [ENTRY], bundle: true, minify: true, format: 'iife', target: 'es2020', platform: 'browser', write: false }).then(
    (r) => r.outputFiles[0]!.text,
  );
  // A failure is reported (logged, 500) to the request that finds it; the next request builds again.
  building.catch(() => {
    if (bundle === building) bundle = undefined;
  });
  return (bundle = building);
}

/**
 * /widget.js (the SDK and widget for browsers, bundled once, starting when the
 * routes are created) and /demo/:threadId, a page that embeds it. The page
 * allows no inline script: whatever a comment holds, nothing in it can run.
 */
export function widgetRoutes(): Router {
  const router = Router();
  void widgetBundle();

  router.get('/widget.js', async (_req, res) => {
    const text = await widgetBundle();
    res.type('application/javascript').set('Cache-Control', 'public, max-age=300').send(text);
  });

  router.get('/demo/:threadId', (req, res) => {
    const { threadId } = parseInput(ThreadParams, req.params, 'path');
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
