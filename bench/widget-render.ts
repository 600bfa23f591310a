/**
 * `npm run bench:widget`: the widget's list rendering in real Chromium
 * (Debian's, as the tests use), for threads of 200 and 2,000 comments: time
 * to first render and time to apply one live event (a new comment, an edit),
 * each the median of several runs, against the baseline of redrawing the
 * whole list measured in the same run. Also widget.js's gzip size. Writes
 * bench/results/widget-render.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { browserBundle } from '../server/http/browser-bundle.ts';
import type { RunFigures } from './widget/page.ts';

const SIZES = [200, 2_000];
const RUNS = 9;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const script = (await build({ entryPoints: [here('./widget/page.ts')], bundle: true, format: 'iife', target: 'es2020', write: false }))
  .outputFiles[0]!.text;
const widget = await browserBundle(here('../client/widget/entry.ts'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const results: Record<string, unknown> = { widgetGzipBytes: widget.encoded.gzip.length, widgetBytes: Buffer.byteLength(widget.text) };
const rows: string[] = [];
try {
  for (const n of SIZES) {
    const runs: RunFigures[] = [];
    // A fresh page per run: no run pays for the garbage of the one before; the first is a warm-up.
    for (let i = 0; i <= RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.setContent('<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body></body></html>');
      await page.addScriptTag({ content: script });
      const figures = await page.evaluate(([size, first]) => window.widgetBench(size, first), [n, i % 2 === 0] as const);
      if (i > 0) runs.push(figures);
      await page.close();
    }
    const fig = (k: keyof RunFigures, m: 'patched' | 'redraw') => median(runs.map((r) => r[k][m]));
    const row = {
      firstRenderMs: fig('first', 'patched'),
      firstRenderBaselineMs: fig('first', 'redraw'),
      newCommentMs: fig('created', 'patched'),
      newCommentBaselineMs: fig('created', 'redraw'),
      editMs: fig('edited', 'patched'),
      editBaselineMs: fig('edited', 'redraw'),
    };
    results[`n${n}`] = row;
    const r = (a: number, b: number) => `${a.toFixed(1)} ms vs ${b.toFixed(1)} ms (${(a / b).toFixed(2)}×)`;
    rows.push(
      `${String(n).padStart(5)} comments  first render ${r(row.firstRenderMs, row.firstRenderBaselineMs)}` +
        `  new comment ${r(row.newCommentMs, row.newCommentBaselineMs)}  edit ${r(row.editMs, row.editBaselineMs)}`,
    );
  }
} finally {
  await browser.close();
}
console.log(`widget.js: ${widget.encoded.gzip.length} bytes gzip (${Buffer.byteLength(widget.text)} bytes minified)`);
console.log(`median of ${RUNS} runs, patched list vs full redraw (same run):`);
for (const row of rows) console.log(row);
mkdirSync(here('./results'), { recursive: true });
writeFileSync(here('./results/widget-render.json'), JSON.stringify({ runs: RUNS, at: new Date().toISOString(), ...results }, null, 2));
