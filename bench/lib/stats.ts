import { build } from 'hdr-histogram-js';

/** An HDR histogram of milliseconds with microsecond resolution. */
export function latencyHistogram() {
  const h = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  return {
    record(ms: number) {
      h.recordValue(Math.max(1, Math.round(ms * 1000)));
    },
    get count() {
      return h.totalCount;
    },
    summary() {
      const at = (p: number) => Number((h.getValueAtPercentile(p) / 1000).toFixed(2));
      return { count: h.totalCount, p50: at(50), p90: at(90), p99: at(99), max: Number((h.maxValue / 1000).toFixed(2)) };
    },
  };
}
