/**
 * Open-loop sending: `send(i, at)` for i = 0 … count - 1 at intended times
 * `at = start + i × 1000 / rate` (performance.now() ms), without waiting for
 * any send to complete, so a slow server cannot slow the sender down, and
 * latency measured from `at` includes any time a send spent waiting on us.
 * Sleeps only when the next send is more than 1 ms away (timers have
 * millisecond resolution). `start` is `leadMs` from now.
 *
 * Returns the first intended send time and the time the last send was made.
 */
export async function sendOpenLoop(
  count: number,
  rate: number,
  send: (i: number, at: number) => void,
  { leadMs = 20 }: { leadMs?: number } = {},
): Promise<{ start: number; end: number }> {
  const start = performance.now() + leadMs;
  for (let i = 0; i < count; i++) {
    const at = start + (i * 1000) / rate;
    const wait = at - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    send(i, at);
  }
  return { start, end: performance.now() };
}
