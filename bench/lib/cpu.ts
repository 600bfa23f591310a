import { procCpuSeconds } from './processes.ts';

/** CPU used by this process (the load generator) as a fraction of one core, over a measured span. */
export function generatorCpu() {
  const startWall = performance.now();
  const start = process.cpuUsage();
  return {
    /** 1.0 = one full core. */
    fractionOfCore(): number {
      const used = process.cpuUsage(start);
      const wallMs = performance.now() - startWall;
      return (used.user + used.system) / 1000 / Math.max(1, wallMs);
    },
  };
}

/** CPU of another process (a server) over a span, as a fraction of one core. */
export function processCpu(pid: number) {
  const startWall = performance.now();
  const start = procCpuSeconds(pid);
  return {
    fractionOfCore(): number {
      return (procCpuSeconds(pid) - start) / Math.max(0.001, (performance.now() - startWall) / 1000);
    },
  };
}

/** A generator above this share of a core is probably the bottleneck: its figures flatter nobody, but mislead. */
export const GENERATOR_SATURATED = 0.9;
