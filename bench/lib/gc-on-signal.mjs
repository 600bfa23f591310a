// Preloaded into benchmark servers (Threadline and baselines alike, with
// --expose-gc): SIGUSR2 runs a full garbage collection, so heap figures
// count what connections keep, not garbage not yet collected.
process.on('SIGUSR2', () => globalThis.gc?.());
