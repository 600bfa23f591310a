import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A news site on another origin (another port) that embeds widget.js; records the paths asked of it. */
export interface HostSite {
  url: string;
  pages: Map<string, string>;
  requested: string[];
  close(): Promise<void>;
}

export async function startHostSite(): Promise<HostSite> {
  const pages = new Map<string, string>();
  const requested: string[] = [];
  const http: Server = createServer((req, res) => {
    requested.push(req.url ?? '');
    const html = pages.get(req.url ?? '');
    if (html === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    pages,
    requested,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
