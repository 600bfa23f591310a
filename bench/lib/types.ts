/** What every benchmark scenario returns; bench/run.ts prints and stores these. */
export interface ScenarioContext {
  quick: boolean;
  cores: number;
  log(message: string): void;
}

export interface Metric {
  name: string;
  value: number;
  unit: string;
  /** The same figure for a baseline measured in the same run. */
  baseline?: { name: string; value: number };
  /** Threadline ÷ baseline (or the scenario's own ratio, e.g. 1e6 vs 1e3). */
  ratio?: number;
  /** What we are working toward, e.g. "≥ 1.0×". */
  target?: string;
  meetsTarget?: boolean;
}

export interface ScenarioResult {
  name: string;
  metrics: Metric[];
  /** false when the run cannot be trusted (e.g. the load generator itself was saturated). */
  valid: boolean;
  notes: string[];
  raw?: unknown;
}

export type Scenario = (ctx: ScenarioContext) => Promise<ScenarioResult>;

export function ratioMetric(
  name: string,
  unit: string,
  value: number,
  baseline: { name: string; value: number },
  target: { text: string; ok: (ratio: number) => boolean },
): Metric {
  const ratio = baseline.value === 0 ? Number.NaN : value / baseline.value;
  return {
    name,
    unit,
    value,
    baseline,
    ratio: round(ratio, 3),
    target: target.text,
    meetsTarget: Number.isFinite(ratio) && target.ok(ratio),
  };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
