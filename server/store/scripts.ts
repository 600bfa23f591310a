import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
 * The one place Lua scripts are loaded. Each becomes an ioredis command
 * (EVALSHA, falling back to EVAL after a Redis restart flushed the cache).
 */
export class Scripts {
  private readonly byName = new Map(SOURCES.map((s) => [s.name, s]));

  constructor(redis: RedisClient) {
    for (const s of SOURCES) redis.defineCommand(s.command, { numberOfKeys: s.numberOfKeys, lua: s.lua });
  }

  run(redis: RedisClient, name: ScriptName, keys: string[], args: (string | number)[]): Promise<ScriptReply> {
    const fn = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<ScriptReply>>)[this.command(name, keys)]!;
    return fn.call(redis, ...keys, ...args);
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
