import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { RequestHandler, Response } from 'express';
import type { Config } from '../config.ts';
import { ignore } from '../domain/ignore.ts';

/** A built script and its validator. */
export interface Bundle {
  text: string;
  /** Weak: the same script is sent gzip, brotli or plain, and each is an equivalent representation. */
  etag: string;
  /** Compressed once, at the strongest settings, instead of on every request. */
  encoded: { br: Buffer; gzip: Buffer };
}

// One build per entry per process, shared by every app in it (tests run several), started by the first app created.
const bundles = new Map<string, Promise<Bundle>>();

/** A browser script (IIFE, minified) bundled from `entry` once. */
export function browserBundle(entry: string): Promise<Bundle> {
  const existing = bundles.get(entry);
  if (existing) return existing;
  const building = build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    write: false,
  }).then((r) => {
    const text = r.outputFiles[0]!.text;
    return {
      text,
      etag: `W/"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`,
      encoded: {
        br: brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
        gzip: gzipSync(text, { level: constants.Z_BEST_COMPRESSION }),
      },
    };
  });
  // A failure is reported (logged, 500) to the request that finds it; the next request builds again.
  building.catch(() => {
    if (bundles.get(entry) === building) bundles.delete(entry);
  });
  bundles.set(entry, building);
  return building;
}

/**
 * Serves the bundle of `entry` as a script. With `prebuild`, building starts
 * now (pages every reader loads); otherwise at the first request (the
 * moderation console: most processes never serve it).
 *
 * Host sites embed /widget.js at this stable URL, so it cannot be cached
 * forever: `no-cache` lets browsers and CDNs keep it but revalidate each use,
 * answered 304 without a body while the ETag still matches, and a deploy
 * reaches every reader at once. The body goes brotli or gzip, compressed at
 * build time, to clients that accept it (the compression middleware leaves
 * an encoded response alone).
 */
export function serveBundle(entry: string, opts: { prebuild: boolean }): RequestHandler {
  // A failed build is reported (logged, 500) to the first request that needs it, which builds again.
  if (opts.prebuild) void browserBundle(entry).catch(ignore);
  return async (req, res) => {
    const { text, etag, encoded } = await browserBundle(entry);
    const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
    res.type('application/javascript').set('Cache-Control', 'no-cache').set('ETag', etag).vary('Accept-Encoding');
    // res.send answers 304 itself when If-None-Match matches this ETag.
    if (encoding === 'br' || encoding === 'gzip') res.set('Content-Encoding', encoding).send(encoded[encoding]);
    else res.send(text);
  };
}

/** Pages that load our bundles allow no inline script: whatever a comment holds, nothing in it can run. */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:";

/**
 * Who may show our pages in a frame (FRAME_ANCESTORS). Host sites embed the
 * widget by script, never by framing our pages, so by default only we may:
 * a page that acts on a click (the console, the dashboard) cannot be
 * clickjacked from another site.
 */
export const frameAncestors = (pages: Config['pages']) => `frame-ancestors ${pages.frameAncestors}`;

/** A page of ours: `title` and `body` are trusted markup (callers put only validated ids in them). */
export function sendPage(res: Response, pages: Config['pages'], title: string, body: string): void {
  res
    .type('html')
    .set('Content-Security-Policy', `${PAGE_CSP}; ${frameAncestors(pages)}`)
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
        `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"></head>` +
        `<body style="margin:2rem">${body}</body></html>`,
    );
}
