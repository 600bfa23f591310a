import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * The client's address: X-Forwarded-For is believed only as far back as it
 * was written by TRUSTED_PROXIES (the same rule Express applies to req.ip).
 */
export function clientIpResolver(trustedProxies: string[]): (req: IncomingMessage) => string {
  const trust = proxyaddr.compile(trustedProxies);
  return (req) => proxyaddr(req, trust);
}
