/**
 * Histograms of durations on a log-ish time scale: 0-1s, 1-2s, 2-5s, ..., 10m+. Pure. The
 * percentiles shown beside them come from the API's statistics (the one nearest-rank
 * implementation in core), never recomputed here.
 */

export interface Bin {
  /** Lower bound, seconds, inclusive. */
  from: number;
  /** Upper bound, seconds, exclusive; Infinity for the last bin. */
  to: number;
  label: string;
}

const EDGES = [0, 1, 2, 5, 10, 30, 60, 120, 300, 600, Number.POSITIVE_INFINITY];
const LABELS = ['<1s', '1-2s', '2-5s', '5-10s', '10-30s', '30s-1m', '1-2m', '2-5m', '5-10m', '10m+'];

export const BINS: readonly Bin[] = LABELS.map((label, i) => ({ from: EDGES[i], to: EDGES[i + 1], label }));

/** Index of the bin a value falls in (lower bound inclusive); negatives count as 0 s. */
export function binIndex(seconds: number): number {
  const v = Math.max(0, seconds);
  for (let i = BINS.length - 1; i > 0; i--) if (v >= BINS[i].from) return i;
  return 0;
}

/** Counts per bin. Non-numbers (NaN, null from a lenient API) are left out. */
export function histogramOf(values: readonly (number | null | undefined)[]): number[] {
  const counts = BINS.map(() => 0);
  for (const v of values) {
    if (typeof v !== 'number' || Number.isNaN(v)) continue;
    counts[binIndex(v)]++;
  }
  return counts;
}

/**
 * Where a value sits on the histogram's axis, 0..1: its bin, plus its place inside the bin
 * (linear within the bin; the open last bin puts everything at its middle). Used to mark
 * p50/p90/p99 on the bars.
 */
export function positionOf(seconds: number): number {
  const i = binIndex(seconds);
  const b = BINS[i];
  const inside = Number.isFinite(b.to) ? (Math.max(0, seconds) - b.from) / (b.to - b.from) : 0.5;
  return (i + Math.min(Math.max(inside, 0), 1)) / BINS.length;
}
