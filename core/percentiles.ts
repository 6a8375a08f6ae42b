/**
 * Nearest-rank percentiles: the p-th percentile of N values is the value at rank ⌈p/100 · N⌉
 * in ascending order (1-based). Always one of the observed values, never an interpolation.
 */
export function nearestRank(sortedAscending: readonly number[], p: number): number | null {
  const n = sortedAscending.length;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sortedAscending[Math.min(rank, n) - 1] ?? null;
}

export interface Distribution {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** count, p50/p90/p99 and max over the values that exist (nulls are pods without the figure). */
export function distributionOf(values: Iterable<number | null | undefined>): Distribution {
  const xs: number[] = [];
  for (const v of values) if (v != null) xs.push(v);
  xs.sort((a, b) => a - b);
  return {
    count: xs.length,
    p50: nearestRank(xs, 50),
    p90: nearestRank(xs, 90),
    p99: nearestRank(xs, 99),
    max: xs.at(-1) ?? null,
  };
}
