/**
 * Clean-up for benchmark resources (redis-server, server processes, sockets):
 * each is registered the moment it exists, so a set-up step that fails
 * half-way still stops what was already started.
 *
 *   const cleanup = new Cleanup();
 *   try {
 *     const redis = cleanup.add(await startRedis(), (r) => r.stop());
 *     ...
 *   } finally {
 *     await cleanup.run();
 *   }
 */
const open = new Set<Cleanup>();

export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  constructor() {
    open.add(this);
  }

  /** Registers `stop(resource)` and hands the resource back. */
  add<T>(resource: T, stop: (resource: T) => unknown): T {
    this.steps.push(() => stop(resource));
    return resource;
  }

  /** Registers a step, e.g. one that stops whatever an array holds by then. */
  defer(step: () => unknown): void {
    this.steps.push(step);
  }

  /**
   * Runs the steps, newest first, each once, every one even if another fails.
   * A failing step is reported on stderr rather than thrown, so it cannot hide
   * the error that brought us here.
   */
  async run(): Promise<void> {
    open.delete(this);
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step();
      } catch (err) {
        console.error('bench clean-up step failed:', err);
      }
    }
  }
}

/** Runs every clean-up that has not run yet, newest first: bench/run.ts calls this before it exits. */
export async function runAllCleanups(): Promise<void> {
  for (const cleanup of [...open].reverse()) await cleanup.run();
}
