import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errors } from '../errors.ts';
import type { RedisClient } from './redis.ts';

const LUA_DIR = fileURLToPath(new URL('./lua/', import.meta.url));
const FILE_NAME = /^([a-z][a-z-]*)-(\d+)\.lua$/;
const INCLUDE = /^-- @include ([a-z-]+)\s*$/gm;

/** Script names, from the files in ./lua (`<name>-<numberOfKeys>.lua`). */
export type ScriptName =
  | 'post-comment'
  | 'edit-comment'
  | 'set-comment-status'
  | 'upsert-user'
  | 'deliver-notification'
  | 'admit-out-of-band'
  | 'admit-socket'
  | 'record-occurrence'
  | 'set-thread-fields'
  | 'set-comment-featured'
  | 'claim-item'
  | 'release-claim'
  | 'add-report'
  | 'release-name'
  | 'recover-events'
  | 'lift-ban'
  | 'erase-user'
  | 'erase-comment'
  | 'forget-outbox-thread';

interface ScriptSource {
  name: ScriptName;
  command: string;
  numberOfKeys: number;
  lua: string;
}

function loadSources(): ScriptSource[] {
  return readdirSync(LUA_DIR)
    .map((file) => FILE_NAME.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([file, name, keys]) => {
      const raw = readFileSync(LUA_DIR + file, 'utf8');
      const lua = raw.replace(INCLUDE, (_, lib: string) => readFileSync(`${LUA_DIR}lib/${lib}.lua`, 'utf8'));
      return {
        name: name as ScriptName,
        command: `tl_${name!.replace(/-/g, '_')}`,
        numberOfKeys: Number(keys),
        lua,
      };
    });
}

const SOURCES = loadSources();

type ScriptReply = (string | number | null)[];

/**
 * Writes acknowledged to a poster as stored: with REDIS_WAIT_REPLICAS they
 * are followed by WAIT, so a master that dies right after cannot take an
 * acknowledged comment with it (its replica, promoted, has it).
 */
const ACKNOWLEDGED_WRITES: ReadonlySet<ScriptName> = new Set(['post-comment']);

/**
 * The one place Lua scripts are loaded. Each becomes an ioredis command
 * (EVALSHA, falling back to EVAL after a Redis restart flushed the cache).
 */
export class Scripts {
  private readonly byName = new Map(SOURCES.map((s) => [s.name, s]));

  constructor(
    redis: RedisClient,
    private readonly waitReplicas: { count: number; timeoutMs: number } = { count: 0, timeoutMs: 0 },
  ) {
    for (const s of SOURCES) redis.defineCommand(s.command, { numberOfKeys: s.numberOfKeys, lua: s.lua });
  }

  run(redis: RedisClient, name: ScriptName, keys: string[], args: (string | number)[]): Promise<ScriptReply> {
    const command = this.command(name, keys);
    if (this.waitReplicas.count > 0 && ACKNOWLEDGED_WRITES.has(name)) return this.runConfirmed(redis, command, keys, args);
    const fn = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<ScriptReply>>)[command]!;
    return fn.call(redis, ...keys, ...args);
  }

  /**
   * The script and WAIT in one pipeline: the same connection (WAIT counts
   * this connection's writes) and, on a Cluster, the same node (ioredis sends
   * a pipeline to the node of its keys' slot). WAIT blocks that connection
   * until the replicas answer, at most REDIS_WAIT_TIMEOUT_MS.
   */
  private async runConfirmed(redis: RedisClient, command: string, keys: string[], args: (string | number)[]): Promise<ScriptReply> {
    const pipeline = redis.pipeline() as unknown as Record<string, (...a: (string | number)[]) => unknown> & {
      call(...a: (string | number)[]): unknown;
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    pipeline[command]!(...keys, ...args);
    pipeline.call('WAIT', this.waitReplicas.count, this.waitReplicas.timeoutMs);
    const [[scriptErr, reply], [waitErr, confirmed]] = ((await pipeline.exec()) ?? []) as [
      [Error | null, ScriptReply],
      [Error | null, number],
    ];
    if (scriptErr) throw scriptErr;
    if (waitErr) throw waitErr;
    // A refusal wrote nothing; a stored comment (or the one a retried clientId stored before) must be confirmed.
    // Stored on the master but not (yet) on enough replicas: not acknowledged. The client's retry with
    // the same clientId gets the stored comment back, once it can be confirmed (or from the promoted replica).
    if ((reply[0] === 'ok' || reply[0] === 'dup') && confirmed < this.waitReplicas.count) {
      throw errors.unavailable(new Error(`${confirmed} of ${this.waitReplicas.count} replicas confirmed the write in time`));
    }
    return reply;
  }

  private command(name: ScriptName, keys: string[]): string {
    const source = this.byName.get(name);
    if (!source) throw new Error(`No Lua script named ${name}`);
    if (keys.length !== source.numberOfKeys) {
      throw new Error(`${name} takes ${source.numberOfKeys} keys, got ${keys.length}`);
    }
    return source.command;
  }
}
