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
import type { Scenario, ScenarioResult } from './lib/types.ts';
import { fanout } from './scenarios/fanout.ts';
import { history } from './scenarios/history.ts';
import { memory } from './scenarios/memory.ts';
import { notifications } from './scenarios/notifications.ts';
import { posting } from './scenarios/posting.ts';
import { reconnect } from './scenarios/reconnect.ts';

const SCENARIOS: Record<string, Scenario> = { fanout, posting, memory, reconnect, history, notifications };

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick ?? false;
const only = values.only ? values.only.split(',') : Object.keys(SCENARIOS);
const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };

const results: ScenarioResult[] = [];
const started = Date.now();
for (const name of only) {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`no scenario named ${name}; have ${Object.keys(SCENARIOS).join(', ')}`);
  console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
  try {
    results.push(await scenario({ quick, cores: machine.cores, log: (m) => console.log(m) }));
  } catch (err) {
    console.error(`scenario ${name} failed:`, err);
    results.push({ name, metrics: [], valid: false, notes: [`failed: ${err instanceof Error ? err.message : String(err)}`] });
  }
}

const fmt = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2));
console.log(`\nThreadline benchmarks — ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}${quick ? ', quick sizes' : ''}\n`);
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
process.exit(0);
