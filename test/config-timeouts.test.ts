import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';

describe('timeouts and buffer limits from config', () => {
  it('has defaults that bound slowloris requests and stalled readers', () => {
    expect(loadConfig({}).timeouts).toEqual({
      httpHeadersMs: 10_000,
      httpRequestMs: 30_000,
      httpKeepAliveMs: 5_000,
      socketMaxBufferedBytes: 4_000_000,
    });
  });

  it('raises a request timeout below the headers timeout (Node refuses to start otherwise)', () => {
    const { timeouts } = loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '5000' });
    expect(timeouts.httpRequestMs, 'request timeout').toBe(20_000);
  });

  it('keeps the per-socket buffer limit at least twice RECOVERY_MAX_BYTES (one recovery answer must fit)', () => {
    const { timeouts } = loadConfig({ SOCKET_MAX_BUFFERED_BYTES: '100000', RECOVERY_MAX_BYTES: '3000000' });
    expect(timeouts.socketMaxBufferedBytes, 'buffer limit').toBe(6_000_000);
  });
});
