import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { browserBundle, PAGE_CSP } from '../browser-bundle.ts';

const ENTRY = fileURLToPath(new URL('../../../client/console/entry.ts', import.meta.url));

/**
 * The moderation console: /moderate (open as /moderate#token=<moderator JWT>;
 * the page itself holds nothing secret, the socket and API check the token)
 * and its script /moderate.js. Built on first use: most processes never serve it.
 */
export function consoleRoutes(): Router {
  const router = Router();

  router.get('/moderate.js', async (_req, res) => {
    const text = await browserBundle(ENTRY);
    res.type('application/javascript').set('Cache-Control', 'public, max-age=300').send(text);
  });

  router.get('/moderate', (_req, res) => {
    res
      .type('html')
      .set('Content-Security-Policy', PAGE_CSP)
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Threadline moderation</title>` +
          `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"></head>` +
          `<body style="margin:1.5rem"><div id="console"></div><script src="/moderate.js"></script></body></html>`,
      );
  });
  return router;
}
