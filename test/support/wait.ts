import { setTimeout as sleep } from 'node:timers/promises';

/** Retries an assertion until it passes or the time is up; then throws its last failure. */
export async function eventually(assertion: () => void | Promise<void>, timeoutMs = 5_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(stepMs);
    }
  }
}
