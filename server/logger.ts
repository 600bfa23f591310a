import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'threadline'): Logger {
  return pino({
    name,
    level,
    // Tokens arrive in headers and socket handshakes; they must never reach logs.
    redact: ['req.headers.authorization', 'headers.authorization', 'auth.token', 'token'],
  });
}
