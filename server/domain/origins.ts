/**
 * Browsers send an Origin header; with ALLOWED_ORIGINS set, a request or
 * socket handshake from any other origin is refused outright (not merely left
 * without CORS headers, which would still let a websocket or a simple POST
 * through). Apps and servers send no Origin and are not affected.
 */
export function originAllowed(allowed: string[], origin: string | undefined): boolean {
  return allowed.length === 0 || origin === undefined || allowed.includes(origin);
}

/** The `origin` option for the cors package and Socket.IO: the list, or any origin when none is set. */
export function corsOrigin(allowed: string[]): string[] | true {
  return allowed.length > 0 ? allowed : true;
}
