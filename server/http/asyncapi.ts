import { z } from 'zod';
import {
  ERROR_CODES,
  ErrorBodySchema,
  HTTP_STATUS_BY_CODE,
  MODERATION_NAMESPACE,
  SOCKET_LIMITS,
  clientEvents,
  modClientEvents,
  modServerEvents,
  serverEvents,
} from '../../contract/index.ts';
import { toSchema } from './json-schema.ts';

type JsonSchema = Record<string, unknown>;
type ClientEventMap = Record<string, { request: z.ZodType; response: z.ZodType }>;
type ServerEventMap = Record<string, z.ZodType>;

interface Namespace {
  /** Channel and component key prefix. */
  key: string;
  address: string;
  description: string;
  client: ClientEventMap;
  server: ServerEventMap;
}

const NAMESPACES: Namespace[] = [
  {
    key: 'reader',
    address: '/',
    description:
      'The default namespace: readers follow threads, post, edit and delete comments. Without a token the socket is an anonymous reader (may read, not write).',
    client: clientEvents,
    server: serverEvents,
  },
  {
    key: 'moderation',
    address: MODERATION_NAMESPACE,
    description: 'Moderators and admins only (checked at the handshake and on every event): the live moderation feed and its actions.',
    client: modClientEvents,
    server: modServerEvents,
  },
];

const SCHEMAS = '#/components/schemas/';

/** `thread:join` → `threadJoin`: AsyncAPI component and operation keys allow no colons. */
const keyOf = (event: string) => event.replace(/[^A-Za-z0-9]+(.)/g, (_m, c: string) => c.toUpperCase());

/** An event's ack: the response with `ok: true`, or `ok: false` with the error. */
function ackSchema(response: z.ZodType): z.ZodType {
  if (!(response instanceof z.ZodObject)) throw new Error('ack responses are objects');
  return z.union([response.extend({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: ErrorBodySchema })]);
}

/** The refused handshake as socket.io-client reports it: `connect_error` with `err.message` and `err.data`. */
const ConnectErrorSchema = z.object({ message: z.string(), data: ErrorBodySchema });

/**
 * Converts many schemas at once so named schemas (`.meta({id})`) become shared
 * components. zod puts them in `$defs`; they move to `components/schemas`.
 */
function convert(schemas: Record<string, z.ZodType>, io: 'input' | 'output', defs: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const all = toSchema(z.object(schemas), io);
  const rewrite = <T>(value: T, names: Map<string, string>): T =>
    JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, (_m, id: string) => `"${SCHEMAS}${names.get(id) ?? id}"`)) as T;
  const found = rewrite((all.$defs ?? {}) as Record<string, JsonSchema>, new Map());
  // Input and output forms of a named schema can differ (defaults): the input one gets its own name then.
  const rename = new Map<string, string>();
  for (const [id, schema] of Object.entries(found)) {
    if (defs[id] !== undefined && JSON.stringify(defs[id]) !== JSON.stringify(schema)) rename.set(id, `${id}Input`);
  }
  const moved = rewrite(
    { properties: all.properties as Record<string, JsonSchema>, found: (all.$defs ?? {}) as Record<string, JsonSchema> },
    rename,
  );
  for (const [id, schema] of Object.entries(moved.found)) defs[rename.get(id) ?? id] = schema;
  return moved.properties;
}

const errorCodesText = ERROR_CODES.map((code) => `\`${code}\` (HTTP ${HTTP_STATUS_BY_CODE[code]})`).join(', ');

interface Parts {
  defs: Record<string, JsonSchema>;
  messages: Record<string, unknown>;
  channels: Record<string, unknown>;
  operations: Record<string, unknown>;
}

/** One namespace as a channel: each client event a received operation with its ack as the reply, each server event a sent one. */
function describeNamespace(ns: Namespace, parts: Parts): void {
  const events = Object.entries(ns.client);
  const requests = convert(Object.fromEntries(events.map(([e, s]) => [e, s.request])), 'input', parts.defs);
  const outputs = convert(
    { ...Object.fromEntries(events.map(([e, s]) => [`${e} ack`, ackSchema(s.response)])), ...ns.server, connect_error: ConnectErrorSchema },
    'output',
    parts.defs,
  );
  const channelMessages: Record<string, { $ref: string }> = {};
  const channel = { $ref: `#/channels/${ns.key}` };
  const add = (name: string, key: string, summary: string, payload: JsonSchema) => {
    parts.messages[`${ns.key}_${key}`] = { name, title: name, summary, contentType: 'application/json', payload };
    channelMessages[key] = { $ref: `#/components/messages/${ns.key}_${key}` };
    return { $ref: `#/channels/${ns.key}/messages/${key}` };
  };

  for (const [event] of events) {
    const key = keyOf(event);
    const request = add(event, key, `Client emits \`${event}\` with this payload and an ack callback`, requests[event]!);
    const ack = add(`${event} ack`, `${key}Ack`, `The ack of \`${event}\`: ${ACK_SHAPE}`, outputs[`${event} ack`]!);
    parts.operations[`${ns.key}_${key}`] = {
      action: 'receive',
      channel,
      title: event,
      summary: `\`socket.emit('${event}', payload, ack)\`: the server answers the ack exactly once`,
      messages: [request],
      reply: { channel, messages: [ack] },
    };
  }
  for (const event of Object.keys(ns.server)) {
    const message = add(event, keyOf(event), `Server emits \`${event}\``, outputs[event]!);
    parts.operations[`${ns.key}_${keyOf(event)}`] = { action: 'send', channel, title: event, messages: [message] };
  }
  const refused = add('connect_error', 'connectError', CONNECT_ERROR, outputs.connect_error!);
  parts.operations[`${ns.key}_connectError`] = {
    action: 'send',
    channel,
    title: 'connect_error',
    summary: CONNECT_ERROR,
    messages: [refused],
  };
  parts.channels[ns.key] = {
    address: ns.address,
    title: `Namespace ${ns.address}`,
    description: ns.description,
    messages: channelMessages,
  };
}

const ACK_SHAPE = '`{ok: true, ...}` or `{ok: false, error: {code, message, details?, retryAfterMs?}}`';
const CONNECT_ERROR =
  'The handshake was refused (a CONNECT_ERROR packet, not an event); `err.data.code` says why: `unauthenticated` (bad or expired token), ' +
  '`forbidden` (origin, role, ban), `rate_limited` (handshakes or connections; `retryAfterMs`), `conflict` (handle taken), `unavailable`';

const SERVER_NOTE =
  `Socket.IO 4 (Engine.IO 4) at path /socket.io/. Payloads are JSON; one larger than ${SOCKET_LIMITS.maxPayloadBytes} bytes ` +
  'disconnects the socket. Use wss/https behind TLS.';

function server(protocol: 'ws' | 'http', title: string, query: string) {
  return {
    host: '{host}',
    protocol,
    pathname: '/socket.io/',
    title,
    description: `${SERVER_NOTE} Engine.IO query: ${query}.`,
    variables: { host: { default: 'localhost:3000', description: 'Host and port of the Threadline server' } },
    security: [{ $ref: '#/components/securitySchemes/handshakeToken' }],
  };
}

const HANDSHAKE_TOKEN = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    'The JWT the host site signed, sent in the Socket.IO handshake as `auth: {token}` (socket.io-client: `io(url, {auth: {token}})`), not as an HTTP header. ' +
    'Optional on `/` (no token: an anonymous reader); required on `/moderation` (a moderator or admin). ' +
    'A refused handshake is `connect_error` with `data.code` (`unauthenticated`, `forbidden`, `rate_limited`, ...). ' +
    'Send `auth:refresh` before the token expires, or get `auth:expired` and a disconnect.',
};

/** AsyncAPI 3.0 for the Socket.IO API, generated from the contract's event maps (the OpenAPI document's sibling). */
export function buildAsyncApi(version: string): unknown {
  const parts: Parts = { defs: {}, messages: {}, channels: {}, operations: {} };
  for (const ns of NAMESPACES) describeNamespace(ns, parts);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Threadline live events',
      version,
      description:
        'Socket.IO events of Threadline, generated from the wire contract (contract/events.ts, contract/moderation.ts); REST is /api/openapi.json. ' +
        `Every client event takes an ack callback answered ${ACK_SHAPE}; ` +
        `clients branch on \`code\`: ${errorCodesText}. A refused handshake is \`connect_error\` with \`data.code\` one of these.`,
    },
    defaultContentType: 'application/json',
    servers: {
      websocket: server('ws', 'WebSocket transport', '`?EIO=4&transport=websocket`'),
      polling: server('http', 'HTTP long-polling transport', '`?EIO=4&transport=polling`; clients upgrade to WebSocket when they can'),
    },
    channels: parts.channels,
    operations: parts.operations,
    components: { schemas: parts.defs, messages: parts.messages, securitySchemes: { handshakeToken: HANDSHAKE_TOKEN } },
  };
}
