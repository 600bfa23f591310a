import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resident set size of a process, from /proc (Linux), in kB. */
export const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** RSS once it stops falling: sampled every 500 ms until two samples in a row are not lower (at most `maxMs`). */
export async function settledRssKb(pid: number, maxMs = 10_000): Promise<number> {
  let last = rssKb(pid);
  for (let waited = 0; waited < maxMs; waited += 500) {
    await sleep(500);
    const now = rssKb(pid);
    if (now >= last) return Math.min(now, last);
    last = now;
  }
  return last;
}
