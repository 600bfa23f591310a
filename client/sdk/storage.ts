/**
 * Where the outbox keeps posts the server has not acknowledged yet, so they
 * survive a page reload or an app restart. Values are JSON strings; each
 * method may answer synchronously (memory, localStorage) or with a promise
 * (React Native's AsyncStorage).
 */
export interface OutboxStorage {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** The default: posts live as long as the client object (nothing survives a reload). */
export function memoryStorage(): OutboxStorage {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key),
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  };
}

/** The subset of the Web Storage API the outbox uses (localStorage, sessionStorage). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Browsers: keeps unsent posts in `localStorage` (or the given Web Storage),
 * so a post written just before a reload is sent after it. A full or blocked
 * storage (private mode, quota) only costs that persistence: the post still
 * waits in memory.
 */
export function localStorageAdapter(storage?: WebStorageLike): OutboxStorage {
  const store = (): WebStorageLike | undefined => storage ?? (globalThis as { localStorage?: WebStorageLike }).localStorage;
  return {
    get: (key) => store()?.getItem(key),
    set: (key, value) => store()?.setItem(key, value),
    remove: (key) => store()?.removeItem(key),
  };
}
