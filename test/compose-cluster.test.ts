import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';

interface Service {
  image?: string;
  profiles?: string[];
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

/** docker-compose.yml as compose reads it (merge keys followed, ${VAR:-default} with nothing set); docker is not run here. */
function services(): Record<string, Service> {
  const text = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8').replace(
    /\$\{(\w+)(?::?-([^}]*))?\}/g,
    (_m, _name, def: string | undefined) => def ?? '',
  );
  return (parseYaml(text, { merge: true }) as { services: Record<string, Service> }).services;
}

describe('docker-compose.yml, cluster profile', () => {
  const all = services();
  const cluster = Object.fromEntries(Object.entries(all).filter(([, s]) => s.profiles?.includes('cluster')));

  it('leaves the single-Redis default as it was: no default service talks to the cluster', () => {
    const defaults = Object.entries(all).filter(([, s]) => !s.profiles);
    expect(defaults.map(([name]) => name)).toEqual(['redis', 'server1', 'server2', 'workers', 'lb']);
    for (const [name, s] of defaults) expect(s.environment?.REDIS_CLUSTER_NODES, name).toBeUndefined();
  });

  it('runs six cluster-enabled Redis nodes (AOF, noeviction), a one-shot job that creates the cluster with one replica each, three servers, workers and nginx', () => {
    const nodes = Object.entries(cluster).filter(([, s]) => s.image?.startsWith('redis') && s.command?.includes('redis-server'));
    expect(nodes).toHaveLength(6);
    for (const [name, s] of nodes) {
      const args = s.command!.join(' ');
      expect(args, name).toContain('--cluster-enabled yes');
      expect(args, name).toContain('--appendonly yes');
      expect(args, name).toContain('--maxmemory-policy noeviction');
    }
    const create = cluster['cluster-create']!;
    const script = create.command!.join(' ');
    expect(script).toMatch(/redis-cli --cluster create .*--cluster-replicas 1 --cluster-yes/s);
    expect(Object.keys(create.depends_on ?? {}).sort()).toEqual(nodes.map(([name]) => name).sort());

    const servers = Object.entries(cluster).filter(([, s]) => s.command?.includes('main/server.ts'));
    expect(servers.map(([name]) => name)).toEqual(['cluster-server1', 'cluster-server2', 'cluster-server3']);
    const workers = Object.entries(cluster).filter(([, s]) => s.command?.includes('main/workers.ts'));
    expect(workers.map(([name]) => name)).toEqual(['cluster-workers']);
    for (const [name, s] of [...servers, ...workers]) {
      // Each starts only after the cluster exists, and its configuration is valid with the cluster on.
      expect(s.depends_on?.['cluster-create']?.condition, name).toBe('service_completed_successfully');
      // An empty ${VAR:-} reads as null here; compose passes it as an empty string, which the config ignores.
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).filter(([, v]) => typeof v === 'string'));
      const config = loadConfig({ ...env, AUTH_JWT_SECRET: 'x'.repeat(32) });
      expect(config.redis.clusterNodes?.length, name).toBeGreaterThan(0);
      expect(s.environment?.REDIS_URL, `${name} must not also name a single Redis`).toBeUndefined();
    }
    expect(cluster['cluster-lb']?.image).toMatch(/^nginx/);
  });

  it("points the cluster profile's nginx at its own three servers", () => {
    const conf = readFileSync(new URL('../deploy/nginx-cluster.conf', import.meta.url), 'utf8');
    const upstreams = [...conf.matchAll(/^\s*server (\S+):3000/gm)].map((m) => m[1]);
    expect(upstreams).toEqual(['cluster-server1', 'cluster-server2', 'cluster-server3']);
  });
});
