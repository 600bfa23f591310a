/**
 * Baseline (a): raw `ws` broadcast. A client message "B<payload>" is sent
 * as <payload> to every connected client. GET /memory reports RSS and heap.
 *
 *   node --import tsx bench/baselines/ws-server.ts <port>
 */
import { createServer } from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';

const port = Number(process.argv[2]);
const http = createServer((req, res) => {
  if (req.url === '/memory') {
    const m = process.memoryUsage();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, clients: wss.clients.size }));
  } else res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    if (text[0] !== 'B') return;
    const payload = text.slice(1);
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(payload);
  });
});
http.listen(port, '127.0.0.1', () => process.send?.('ready'));
