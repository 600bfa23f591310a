import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench:quick` still runs and reports every scenario. No figures are
 * checked here (timing belongs in bench/, not in tests); run on its own after
 * the rest of the suite so it neither slows nor is slowed by other tests.
 */
describe('npm run bench:quick', () => {
  it('runs every scenario and prints its table', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    for (const heading of ['## fan-out', '## posting', '## memory', '## reconnect storm', '## history', '## notification latency']) {
      expect(out, `prints ${heading}`).toContain(heading);
    }
    expect(out).not.toMatch(/scenario \w+ failed/);
    const results = JSON.parse(readFileSync(new URL('../bench/results/quick.json', import.meta.url), 'utf8')) as { results: { name: string; metrics: unknown[] }[] };
    expect(results.results.map((r) => r.name)).toEqual(['fan-out', 'posting', 'memory', 'reconnect storm', 'history', 'notification latency']);
    for (const r of results.results) expect(r.metrics.length, `${r.name} has figures`).toBeGreaterThan(0);
  }, 300_000);
});
