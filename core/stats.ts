/**
 * Statistics over many pods: count and nearest-rank p50/p90/p99 of the duration figures,
 * restarts and terminations by reason. One function for `podlife replay`, the query API's
 * stats route and the dashboard, so they can never disagree.
 */
import { type Distribution, distributionOf } from './percentiles.ts';

/** The figures statistics read; a PodRecord or a stored item's figure attributes both fit. */
export interface FigureRow {
  scheduledAfterSeconds?: number | null;
  pendingSeconds?: number | null;
  timeToReadySeconds?: number | null;
  crashLoopBackOffSeconds?: number | null;
  restarts?: number | null;
  lastTerminationReason?: string | null;
}

export interface GroupStats {
  pods: number;
  scheduledAfterSeconds: Distribution;
  pendingSeconds: Distribution;
  timeToReadySeconds: Distribution;
  crashLoopBackOffSeconds: Distribution;
  restarts: number;
  terminationsByReason: Record<string, number>;
}

export const DURATION_FIGURES = [
  'scheduledAfterSeconds',
  'pendingSeconds',
  'timeToReadySeconds',
  'crashLoopBackOffSeconds',
] as const;

/** Statistics of one group: percentiles over the pods that have each figure (nulls left out). */
export function statsOf(rows: readonly FigureRow[]): GroupStats {
  const terminationsByReason: Record<string, number> = {};
  let restarts = 0;
  for (const r of rows) {
    restarts += r.restarts ?? 0;
    if (r.lastTerminationReason) {
      terminationsByReason[r.lastTerminationReason] =
        (terminationsByReason[r.lastTerminationReason] ?? 0) + 1;
    }
  }
  return {
    pods: rows.length,
    scheduledAfterSeconds: distributionOf(rows.map((r) => r.scheduledAfterSeconds)),
    pendingSeconds: distributionOf(rows.map((r) => r.pendingSeconds)),
    timeToReadySeconds: distributionOf(rows.map((r) => r.timeToReadySeconds)),
    crashLoopBackOffSeconds: distributionOf(rows.map((r) => r.crashLoopBackOffSeconds)),
    restarts,
    terminationsByReason,
  };
}

/** Rows grouped by key (namespace, owner, ...), groups sorted by key; rows whose key is null left out. */
export function groupsOf<T>(rows: readonly T[], keyOf: (r: T) => string | null): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = keyOf(r);
    if (k == null) continue;
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Statistics per group key (namespace, owner, ...), groups sorted by key. */
export function statsBy<T extends FigureRow>(
  rows: readonly T[],
  keyOf: (r: T) => string | null,
): [string, GroupStats][] {
  return groupsOf(rows, keyOf).map(([k, list]) => [k, statsOf(list)]);
}

export type FigureValues = Record<(typeof DURATION_FIGURES)[number], number[]>;

/** The duration figures of a group's pods, ascending, nulls left out (histogram input). */
export function valuesOf(rows: readonly FigureRow[]): FigureValues {
  const out = {} as FigureValues;
  for (const k of DURATION_FIGURES) {
    out[k] = rows
      .map((r) => r[k])
      .filter((v): v is number => v != null)
      .sort((a, b) => a - b);
  }
  return out;
}
