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
    const {
      stdout: out,
      stderr,
      exit,
    } = await new Promise<{ stdout: string; stderr: string; exit: number | string }>((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--quick'],
        { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ stdout, stderr, exit: err ? (err.signal ?? err.code ?? 'error') : 0 }),
      ),
    );
    // 1 = a scenario failed (reported below, with its cause); anything else means no results were written.
    if (exit !== 0 && exit !== 1) throw new Error(`bench/run.ts ended with ${exit}; stderr:\n${stderr}`);
    const results = JSON.parse(readFileSync(new URL('../bench/results/quick.json', import.meta.url), 'utf8')) as {
      results: { name: string; metrics: unknown[]; notes: string[] }[];
    };
    // bench/run.ts reports a failed scenario on stderr (with the stack) and as a `failed: …` note, carries on, and exits 1.
    const failed = results.results.flatMap((r) => r.notes.filter((n) => n.startsWith('failed: ')).map((n) => `${r.name} ${n}`));
    const reported = stderr.match(/^scenario \S+ failed:.*$/gm) ?? [];
    expect({ failed, reported }, `a scenario failed; bench stderr:\n${stderr}`).toEqual({ failed: [], reported: [] });
    for (const heading of [
      '## fan-out',
      '## posting',
      '## redis cost',
      '## memory',
      '## reconnect storm',
      '## history',
      '## notification latency',
    ]) {
      expect(out, `prints ${heading}`).toContain(heading);
    }
    expect(results.results.map((r) => r.name)).toEqual([
      'fan-out',
      'posting',
      'redis cost',
      'memory',
      'reconnect storm',
      'history',
      'notification latency',
    ]);
    for (const r of results.results) expect(r.metrics.length, `${r.name} has figures`).toBeGreaterThan(0);
    expect(exit, 'bench/run.ts exit code').toBe(0);
  }, 300_000);
});
