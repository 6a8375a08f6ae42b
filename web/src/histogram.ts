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

/** Each bin's label and lower bound; a bin ends where the next begins, the last one never. */
const STARTS: readonly [string, number][] = [
  ['<1s', 0],
  ['1-2s', 1],
  ['2-5s', 2],
  ['5-10s', 5],
  ['10-30s', 10],
  ['30s-1m', 30],
  ['1-2m', 60],
  ['2-5m', 120],
  ['5-10m', 300],
  ['10m+', 600],
];

export const BINS: readonly Bin[] = STARTS.map(([label, from], i) => ({
  from,
  to: STARTS[i + 1]?.[1] ?? Number.POSITIVE_INFINITY,
  label,
}));

/** Index of the bin a value falls in (lower bound inclusive); negatives count as 0 s. */
export function binIndex(seconds: number): number {
  const v = Math.max(0, seconds);
  const i = BINS.findLastIndex((b) => v >= b.from);
  return Math.max(0, i);
}

/** Counts per bin. Non-numbers (NaN, null from a lenient API) are left out. */
export function histogramOf(values: readonly (number | null | undefined)[]): number[] {
  const counts = BINS.map(() => 0);
  for (const v of values) {
    if (typeof v !== 'number' || Number.isNaN(v)) continue;
    const i = binIndex(v);
    counts[i] = (counts[i] ?? 0) + 1;
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
  const b = BINS[i] ?? { from: 0, to: Number.POSITIVE_INFINITY };
  const inside = Number.isFinite(b.to) ? (Math.max(0, seconds) - b.from) / (b.to - b.from) : 0.5;
  return (i + Math.min(Math.max(inside, 0), 1)) / BINS.length;
}
