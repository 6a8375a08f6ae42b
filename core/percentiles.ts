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

/**
 * Values with their multiplicities, ascending by value: `[[value, count], ...]`. The exact,
 * mergeable form of a list of values (nearest-rank percentiles need every value, not a
 * sketch): two lists' counts add up to the counts of the two lists together.
 */
export type ValueCounts = [value: number, count: number][];

/** The counts of `values` (nulls left out), ascending by value. */
export function countsOf(values: Iterable<number | null | undefined>): ValueCounts {
  const counts = new Map<number, number>();
  for (const v of values) if (v != null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

/** The counts of several lists together (any order of the lists, any cut of the values). */
export function mergeCounts(lists: readonly ValueCounts[]): ValueCounts {
  const counts = new Map<number, number>();
  for (const list of lists) for (const [v, n] of list) counts.set(v, (counts.get(v) ?? 0) + n);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

/** `distributionOf` over the values the counts stand for: the same nearest ranks, without expanding them. */
export function distributionOfCounts(counts: ValueCounts): Distribution {
  const n = counts.reduce((sum, [, c]) => sum + c, 0);
  const at = (p: number): number | null => {
    if (n === 0) return null;
    const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
    let seen = 0;
    for (const [v, c] of counts) {
      seen += c;
      if (seen >= rank) return v;
    }
    return null;
  };
  return { count: n, p50: at(50), p90: at(90), p99: at(99), max: counts.at(-1)?.[0] ?? null };
}

/** The values the counts stand for, ascending. */
export function valuesOfCounts(counts: ValueCounts): number[] {
  return counts.flatMap(([v, c]) => Array<number>(c).fill(v));
}
