// Preloaded into a benchmark server (bench/scenarios/redis-cost.ts): counts
// the server's Redis round trips before each ack. A round trip starts when the
// process writes to a Redis socket after having last heard from Redis (a
// reply, or nothing yet): commands sent together, as one pipeline or in the
// same burst on several connections, are one trip; a command sent after a
// reply came in is another. Acks are the Socket.IO packets of type 3 ("43…")
// the server writes to its clients. The parent sends windows (a post's send
// and the ack's arrival, same clock on both sides: performance.timeOrigin +
// performance.now()) and gets, per window, the trips that started before the
// first ack written in it.
import net from 'node:net';

const port = Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);
const starts = [];
const acks = [];
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
  } else if (isAck(args[0])) {
    acks.push(now());
  }
  return write.apply(this, args);
};

// ws writes a frame's header and payload separately: the payload starts with the packet.
function isAck(chunk) {
  if (typeof chunk === 'string') return chunk.startsWith('43');
  return Buffer.isBuffer(chunk) && chunk.length > 2 && chunk[0] === 0x34 && chunk[1] === 0x33;
}

process.on('message', (msg) => {
  if (msg?.type !== 'trips') return;
  const counts = msg.windows.map(([from, to]) => {
    const ack = acks.find((t) => t >= from && t <= to) ?? to;
    return starts.filter((t) => t >= from && t <= ack).length;
  });
  starts.length = 0;
  acks.length = 0;
  process.send({ type: 'trips', counts });
});
