import { build } from 'esbuild';

// One build per entry per process, shared by every app in it (tests run several), started by the first app created.
const bundles = new Map<string, Promise<string>>();

/** A browser script (IIFE, minified) bundled from `entry` once. */
export function browserBundle(entry: string): Promise<string> {
  const existing = bundles.get(entry);
  if (existing) return existing;
  const building = build({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', target: 'es2020', platform: 'browser', write: false }).then(
    (r) => r.outputFiles[0]!.text,
  );
  // A failure is reported (logged, 500) to the request that finds it; the next request builds again.
  building.catch(() => {
    if (bundles.get(entry) === building) bundles.delete(entry);
  });
  bundles.set(entry, building);
  return building;
}

/** Pages that load our bundles allow no inline script: whatever a comment holds, nothing in it can run. */
export const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:";
