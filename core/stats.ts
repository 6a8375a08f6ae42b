/**
 * Statistics over many pods: count and nearest-rank p50/p90/p99 of the duration figures,
 * restarts and terminations by reason. One function for `podlife replay`, the query API's
 * stats route and the dashboard, so they can never disagree.
 */
import { type Distribution, distributionOf } from './percentiles.ts';
import { STARTUP_SLO_P99_SECONDS } from './waterfall.ts';

/** The figures statistics read; a PodRecord or a stored item's figure attributes both fit. */
export interface FigureRow {
  scheduledAfterSeconds?: number | null;
  pendingSeconds?: number | null;
  timeToReadySeconds?: number | null;
  crashLoopBackOffSeconds?: number | null;
  restarts?: number | null;
  lastTerminationReason?: string | null;
  sandboxReadyAfterSeconds?: number | null;
  initializedAfterSeconds?: number | null;
  imagePullSeconds?: number | null;
  containersStartedAfterSeconds?: number | null;
  containersReadyAfterSeconds?: number | null;
  startupSliSeconds?: number | null;
}

/** The startup waterfall's stages and the pod startup SLI (core/waterfall.ts): percentiles of each. */
export const STARTUP_FIGURES = [
  'sandboxReadyAfterSeconds',
  'initializedAfterSeconds',
  'imagePullSeconds',
  'containersStartedAfterSeconds',
  'containersReadyAfterSeconds',
  'startupSliSeconds',
] as const;
type StartupFigure = (typeof STARTUP_FIGURES)[number];

/** The pod startup SLO over a group's pods: p99 of the SLI ≤ 5 s (SIG Scalability, per cluster-day). */
export interface StartupSlo {
  objectiveSeconds: number;
  /** p99 of startupSliSeconds ≤ objectiveSeconds; null when no pod of the group has the SLI. */
  met: boolean | null;
}

export interface GroupStats {
  pods: number;
  scheduledAfterSeconds: Distribution;
  pendingSeconds: Distribution;
  timeToReadySeconds: Distribution;
  crashLoopBackOffSeconds: Distribution;
  restarts: number;
  terminationsByReason: Record<string, number>;
  sandboxReadyAfterSeconds: Distribution;
  initializedAfterSeconds: Distribution;
  imagePullSeconds: Distribution;
  containersStartedAfterSeconds: Distribution;
  containersReadyAfterSeconds: Distribution;
  startupSliSeconds: Distribution;
  startupSlo: StartupSlo;
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
  const startup = {} as Record<StartupFigure, Distribution>;
  for (const k of STARTUP_FIGURES) startup[k] = distributionOf(rows.map((r) => r[k]));
  const p99 = startup.startupSliSeconds.p99;
  return {
    pods: rows.length,
    scheduledAfterSeconds: distributionOf(rows.map((r) => r.scheduledAfterSeconds)),
    pendingSeconds: distributionOf(rows.map((r) => r.pendingSeconds)),
    timeToReadySeconds: distributionOf(rows.map((r) => r.timeToReadySeconds)),
    crashLoopBackOffSeconds: distributionOf(rows.map((r) => r.crashLoopBackOffSeconds)),
    restarts,
    terminationsByReason,
    ...startup,
    startupSlo: {
      objectiveSeconds: STARTUP_SLO_P99_SECONDS,
      met: p99 == null ? null : p99 <= STARTUP_SLO_P99_SECONDS,
    },
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
