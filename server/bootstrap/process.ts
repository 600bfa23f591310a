import { ConfigError, loadConfig, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';

/** Prints a message a person can act on, and exits 1. */
export function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

/**
 * For a catch at start-up: an error of `kind` (ConfigError, RedisBootstrapError: its message
 * says what to do) exits through `fail`; anything else is rethrown, a bug with its stack.
 */
export function failOn(kind: abstract new (...args: never[]) => Error, err: unknown): never {
  if (err instanceof kind) fail(err.message);
  throw err;
}

/** The configuration, or an exit naming every invalid variable. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    failOn(ConfigError, err);
  }
}

/**
 * On SIGTERM/SIGINT runs `stop` once, then exits 0; if it takes longer than
 * SHUTDOWN_TIMEOUT_MS, exits 1 (unfinished jobs are picked up again elsewhere).
 */
export function stopOnSignals(config: Config, log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      await stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
