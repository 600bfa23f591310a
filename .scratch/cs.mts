import { Redis } from "ioredis";
import { signToken } from '../server/auth/tokens.ts';
import { startRedis } from '../test/support/redis.ts';
import { LeanClient, openMany } from '../bench/lib/lean-client.ts';
import { BENCH_SECRET, startServerProcess } from '../bench/lib/processes.ts';

async function stats(r: Redis) {
  const out: Record<string, number> = {};
  for (const line of (await r.info('commandstats')).split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}
const redis = await startRedis();
const server = await startServerProcess({ REDIS_URL: redis.url, WORKERS: process.env.W ?? 'off', RATE_USER_SHORT: '1000000', RATE_USER_LONG: '1000000', RATE_IP: '1000000' });
const admin = new Redis(redis.url);
const target = await signToken(BENCH_SECRET, { sub: 'bench-target', handle: 'bench_target', name: 'Target', role: 'commenter' });
await fetch(`${server.url}/api/threads/warmup`, { headers: { authorization: `Bearer ${target}` } });
const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => signToken(BENCH_SECRET, { sub: `p${i}`, handle: `p_${i}`, name: `P ${i}`, role: 'commenter' })));
const posters = await openMany((i) => new LeanClient(server.url, 'none', { token: tokens[i]! }), 10, 10);
// warm: each poster posts once (user records, first-post state)
for (let i = 0; i < 10; i++) await posters[i]!.request('comment:post', { threadId: `t${i % 5}`, body: `warm ${i}`, clientId: `warm-${i}-0000` });
await new Promise((r) => setTimeout(r, 500));
const mon = await admin.duplicate().monitor();
const lines: string[] = [];
mon.on('monitor', (time, args, source) => lines.push(`${source} ${args.slice(0, 4).join(' ').slice(0, 140)}`));
await posters[3]!.request('comment:post', { threadId: 't3', body: 'monitored @bench_target', clientId: 'mon-000000' });
await new Promise((r) => setTimeout(r, 300));
mon.disconnect();
console.log(lines.join('\n'));
const before = await stats(admin);
const N = 200;
for (let n = 0; n < N; n++) {
  const body = process.env.MENTION && n % 10 === 0 ? `@bench_target comment ${n}` : `comment number ${n} on this article`;
  const cid = process.env.NOCID ? undefined : `c-${n}-000000`;
  await posters[n % 10]!.request('comment:post', { threadId: `t${n % 5}`, body, ...(cid ? { clientId: cid } : {}) });
}
await new Promise((r) => setTimeout(r, 500));
const after = await stats(admin);
const rows = Object.entries(after).map(([k, v]) => [k, (v - (before[k] ?? 0)) / N] as const).filter(([k, v]) => v > 0 && k !== 'info').sort((a, b) => b[1] - a[1]);
let total = 0;
for (const [k, v] of rows) { total += v; console.log(k.padEnd(24), v.toFixed(2)); }
console.log('TOTAL', total.toFixed(2));
for (const p of posters) p.close();
admin.disconnect();
await server.stop();
await redis.stop();
