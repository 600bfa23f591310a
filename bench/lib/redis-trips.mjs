// Preloaded into a benchmark server (bench/scenarios/redis-cost.ts): counts
// the server's Redis round trips. A round trip starts when the process writes
// to a Redis socket after having last heard from Redis (a reply, or nothing
// yet): commands sent together, as one pipeline or in the same burst on
// several connections, are one trip; a command sent after awaiting a reply is
// another. The start times are kept, and the parent asks over IPC how many
// fell in a window (a post's send to its ack), with the same clock
// (performance.timeOrigin + performance.now()) on both sides.
import net from 'node:net';

const port = Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);
const starts = [];
let lastWasRead = true;
const watched = Symbol('redis-trips');
const now = () => performance.timeOrigin + performance.now();

const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (...args) {
  if (this.remotePort === port) {
    if (!this[watched]) {
      this[watched] = true;
      this.on('data', () => (lastWasRead = true));
    }
    if (lastWasRead) starts.push(now());
    lastWasRead = false;
  }
  return write.apply(this, args);
};

process.on('message', (msg) => {
  if (msg?.type !== 'trips') return;
  const counts = msg.windows.map(([from, to]) => starts.filter((t) => t >= from && t <= to).length);
  starts.length = 0;
  process.send({ type: 'trips', counts });
});
