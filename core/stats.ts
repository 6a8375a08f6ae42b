/**
 * Statistics over many pods: count and nearest-rank p50/p90/p99 of the duration figures,
 * restarts and terminations by reason. One function for `podlife replay`, the query API's
 * stats route and the dashboard, so they can never disagree.
 */
import {
  countsOf,
  type Distribution,
  distributionOf,
  distributionOfCounts,
  mergeCounts,
  type ValueCounts,
  valuesOfCounts,
} from './percentiles.ts';
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

// ---------------------------------------------------------------------------------------------
// A mergeable, exact form of a group's statistics: what a /stats request that reads part of a
// range answers, so that the parts of any cut of the range merge to the answer of one read.

/** Every figure `statsOf` answers a distribution of. */
export const DISTRIBUTION_FIGURES = [...DURATION_FIGURES, ...STARTUP_FIGURES] as const;
export type DistributionFigure = (typeof DISTRIBUTION_FIGURES)[number];

/**
 * What `statsOf` needs of a group's pods, exactly and mergeably: the pod count, the restarts'
 * sum, the terminations per reason and, per figure, every value with its multiplicity
 * (nearest-rank percentiles need every value; pods share most values, whole seconds, so the
 * counts are much smaller than the values).
 */
export interface StatsState {
  pods: number;
  restarts: number;
  terminationsByReason: Record<string, number>;
  figures: Record<DistributionFigure, ValueCounts>;
}

/** The state of a group's pods. */
export function stateOf(rows: readonly FigureRow[]): StatsState {
  const terminationsByReason: Record<string, number> = {};
  let restarts = 0;
  for (const r of rows) {
    restarts += r.restarts ?? 0;
    if (r.lastTerminationReason)
      terminationsByReason[r.lastTerminationReason] =
        (terminationsByReason[r.lastTerminationReason] ?? 0) + 1;
  }
  const figures = {} as Record<DistributionFigure, ValueCounts>;
  for (const f of DISTRIBUTION_FIGURES) figures[f] = countsOf(rows.map((r) => r[f]));
  return { pods: rows.length, restarts, terminationsByReason, figures };
}

/** The state of the pods of several states together: in any order, for any cut of the pods. */
export function mergeStates(states: readonly StatsState[]): StatsState {
  const terminationsByReason: Record<string, number> = {};
  for (const s of states)
    for (const [reason, n] of Object.entries(s.terminationsByReason))
      terminationsByReason[reason] = (terminationsByReason[reason] ?? 0) + n;
  const figures = {} as Record<DistributionFigure, ValueCounts>;
  for (const f of DISTRIBUTION_FIGURES) figures[f] = mergeCounts(states.map((s) => s.figures[f]));
  return {
    pods: states.reduce((n, s) => n + s.pods, 0),
    restarts: states.reduce((n, s) => n + s.restarts, 0),
    terminationsByReason,
    figures,
  };
}

/** `statsOf` of the pods a state stands for: the same answer, exactly. */
export function statsOfState(s: StatsState): GroupStats {
  const d = {} as Record<DistributionFigure, Distribution>;
  for (const f of DISTRIBUTION_FIGURES) d[f] = distributionOfCounts(s.figures[f]);
  const p99 = d.startupSliSeconds.p99;
  return {
    pods: s.pods,
    ...d,
    restarts: s.restarts,
    terminationsByReason: { ...s.terminationsByReason },
    startupSlo: {
      objectiveSeconds: STARTUP_SLO_P99_SECONDS,
      met: p99 == null ? null : p99 <= STARTUP_SLO_P99_SECONDS,
    },
  };
}

/** `valuesOf` of the pods a state stands for. */
export function valuesOfState(s: StatsState): FigureValues {
  const out = {} as FigureValues;
  for (const k of DURATION_FIGURES) out[k] = valuesOfCounts(s.figures[k]);
  return out;
}

/** A part of a range's pods: one group's (key null: pods of no group, or no grouping) state. */
export interface StatsPart {
  key: string | null;
  state: StatsState;
}

/** The parts of rows, one per group key (null included), keys sorted as `groupsOf` sorts them. */
export function partsOf<T extends FigureRow>(
  rows: readonly T[],
  keyOf: (r: T) => string | null,
): StatsPart[] {
  const groups = new Map<string | null, T[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([key, list]) => ({ key, state: stateOf(list) }));
}

/** null first, then the keys as `groupsOf` sorts them. */
const compareKeys = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

/** Parts of the same group merged (any order, any cut of the pods), as `partsOf` sorts them. */
export function mergeParts(parts: readonly StatsPart[]): StatsPart[] {
  const byKey = new Map<string | null, StatsState[]>();
  for (const p of parts) {
    const list = byKey.get(p.key);
    if (list) list.push(p.state);
    else byKey.set(p.key, [p.state]);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([key, states]) => ({ key, state: mergeStates(states) }));
}

/**
 * The answer of the parts of a range (every page of a /stats pass): the statistics of all the
 * pods and, grouped, of each group with its values: what one request over the whole range
 * answers (`statsOf` of all, `groupsOf`/`statsOf`/`valuesOf` of each group).
 */
export function statsOfParts(parts: readonly StatsPart[]): {
  stats: GroupStats;
  groups: { key: string; stats: GroupStats; values: FigureValues }[];
} {
  const merged = mergeParts(parts);
  return {
    stats: statsOfState(mergeStates(merged.map((p) => p.state))),
    groups: merged.flatMap(({ key, state }) =>
      key === null ? [] : [{ key, stats: statsOfState(state), values: valuesOfState(state) }],
    ),
  };
}
