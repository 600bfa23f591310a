/**
 * `npm run bench` (about 10 minutes) and `npm run bench:quick` (about a
 * minute, small sizes): every scenario against its baselines in the same run,
 * printed as a table and written to bench/results/.
 *
 *   npm run bench -- --only fanout,history
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runAllCleanups } from './lib/cleanup.ts';
import { stopAllProcesses } from './lib/processes.ts';
import type { Scenario, ScenarioResult } from './lib/types.ts';
import { fanout } from './scenarios/fanout.ts';
import { history } from './scenarios/history.ts';
import { memory } from './scenarios/memory.ts';
import { notifications } from './scenarios/notifications.ts';
import { posting } from './scenarios/posting.ts';
import { reconnect } from './scenarios/reconnect.ts';
import { redisCost } from './scenarios/redis-cost.ts';

const SCENARIOS: Record<string, Scenario> = { fanout, posting, 'redis-cost': redisCost, memory, reconnect, history, notifications };

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick ?? false;
const only = values.only ? values.only.split(',') : Object.keys(SCENARIOS);
const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};

for (const name of only) {
  if (!SCENARIOS[name]) throw new Error(`no scenario named ${name}; have ${Object.keys(SCENARIOS).join(', ')}`);
}

/**
 * Each scenario stops what it started, also when it fails; this catches
 * anything left over (and everything when we are interrupted), so no
 * redis-server or server process outlives the run.
 */
async function stopEverything(): Promise<void> {
  await runAllCleanups();
  await stopAllProcesses();
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping every process started`);
    void stopEverything().finally(() => process.exit(code));
  });
}

const results: ScenarioResult[] = [];
const started = Date.now();
try {
  for (const name of only) {
    console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
    try {
      results.push(await SCENARIOS[name]!({ quick, cores: machine.cores, log: (m) => console.log(m) }));
    } catch (err) {
      console.error(`scenario ${name} failed:`, err);
      results.push({ name, metrics: [], valid: false, notes: [`failed: ${err instanceof Error ? err.message : String(err)}`] });
    }
  }
} finally {
  await stopEverything();
}

const fmt = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? '' : Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2);
console.log(
  `\nThreadline benchmarks — ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}${quick ? ', quick sizes' : ''}\n`,
);
for (const r of results) {
  console.log(`## ${r.name}${r.valid ? '' : '  [INVALID: see notes]'}`);
  console.table(
    r.metrics.map((m) => ({
      metric: m.name,
      threadline: `${fmt(m.value)} ${m.unit}`,
      baseline: m.baseline ? `${fmt(m.baseline.value)} (${m.baseline.name})` : '',
      ratio: m.ratio === undefined ? '' : `${fmt(m.ratio)}×`,
      target: m.target ?? '',
      met: m.meetsTarget === undefined ? '' : m.meetsTarget ? 'yes' : 'NO',
    })),
  );
  for (const n of r.notes) console.log(`  note: ${n}`);
}
console.log(`\nfinished in ${Math.round((Date.now() - started) / 1000)} s`);

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const out = JSON.stringify({ at: new Date().toISOString(), quick, machine, results }, null, 2);
writeFileSync(new URL(quick ? 'quick.json' : 'full.json', dir), out);
// A scenario that failed (not one that missed a target) fails the run, after the others have reported.
process.exit(results.some((r) => r.notes.some((n) => n.startsWith('failed:'))) ? 1 : 0);
