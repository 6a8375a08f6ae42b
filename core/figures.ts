/**
 * Figures: the numbers podlife reports for a pod, each a small pure function of the pod's
 * facts, listed in one table (`FIGURES`). The definitions are the contract in
 * docs/lifecycle-metrics.md; every figure that the facts cannot support is null, never a guess.
 */

import { markId, type SingletonFactId } from './fact-ids.ts';
import {
  type Fact,
  type FactMap,
  type FactOf,
  factOfKind,
  type MarkName,
  type Owner,
  PENDING_RANK,
  PHASE_RANK,
  type Termination,
} from './facts.ts';
import { backoffMs } from './fold.ts';
import { vanishedAtOf } from './inventory.ts';
import { secondsBetween, toIso } from './time.ts';
import {
  type ContainerStartup,
  containerStartups,
  containersStartedSeconds,
  imagePullSeconds,
  type StartupSliExclusion,
  stageSeconds,
  startupSli,
} from './waterfall.ts';

/** The default threshold for "stuck Pending", seconds. */
export const DEFAULT_STUCK_AFTER_SECONDS = 300;

export interface FigureContext {
  /** Epoch ms that "now" means for stuckPending (a replay uses the trace's own end). */
  now: number;
  stuckAfterSeconds: number;
}

export interface Figures {
  phase: string;
  scheduledAfterSeconds: number | null;
  initSeconds: number | null;
  pendingSeconds: number | null;
  timeToReadySeconds: number | null;
  restarts: number;
  restartGapsSeconds: number[];
  crashLoopBackOffSeconds: number;
  lastTerminationReason: string | null;
  waitingReason: string | null;
  unschedulableMessage: string | null;
  /** The gates holding the pod back while the latest PodScheduled=False says SchedulingGated and it is not scheduled; else null. */
  schedulingGates: string[] | null;
  statusReason: string | null;
  /** kubectl's STATUS for the latest snapshot; null for facts stored before it was kept. */
  status: string | null;
  /** kubectl's RESTARTS (the number) for the latest snapshot; null likewise. */
  kubectlRestarts: number | null;
  /**
   * What kubectl's RESTARTS "(5m ago)" counts from, for the latest snapshot (ISO time): the
   * latest `lastState.terminated.finishedAt` of the containers RESTARTS counts. Null when there
   * is none, and for facts stored before it was kept.
   */
  kubectlLastRestartAt: string | null;
  /**
   * kubectl's READY for the latest state: containers counted ready of the spec's app containers
   * plus native sidecars (`1/2` is `{ready: 1, total: 2}`); null for facts without the spec's count.
   */
  ready: ReadyFigure | null;
  deleted: boolean;
  /**
   * Who said the pod is gone: `kubernetes` (a DELETED event or a deletionTimestamp) or
   * `inventory` (absent from a forwarder's complete list after a gap, core/inventory.ts); null
   * while it is not deleted.
   */
  deletedBy: 'kubernetes' | 'inventory' | null;
  stuckPending: boolean;
  /** Startup waterfall (core/waterfall.ts): creation → PodReadyToStartContainers=True, seconds. */
  sandboxReadyAfterSeconds: number | null;
  /** Creation → Initialized=True, seconds. */
  initializedAfterSeconds: number | null;
  /** Every container's image pull summed (kubelet's Pulled Events), seconds; null unless all are known. */
  imagePullSeconds: number | null;
  /** Creation → every app container started, seconds. */
  containersStartedAfterSeconds: number | null;
  /** Creation → ContainersReady=True, seconds. */
  containersReadyAfterSeconds: number | null;
  /** Per container: image pull, wait, size, first start. */
  containerStartups: ContainerStartup[];
  /** The Kubernetes pod startup SLI, seconds; null when excluded or unknown (`startupSliExcludedReason`). */
  startupSliSeconds: number | null;
  /** Why `startupSliSeconds` is null (the SLI's exclusions, then missing evidence); null when it has a value. */
  startupSliExcludedReason: StartupSliExclusion | null;
}

export const FIGURE_NAMES = [
  'phase',
  'scheduledAfterSeconds',
  'initSeconds',
  'pendingSeconds',
  'timeToReadySeconds',
  'restarts',
  'restartGapsSeconds',
  'crashLoopBackOffSeconds',
  'lastTerminationReason',
  'waitingReason',
  'unschedulableMessage',
  'schedulingGates',
  'statusReason',
  'status',
  'kubectlRestarts',
  'kubectlLastRestartAt',
  'ready',
  'deleted',
  'deletedBy',
  'stuckPending',
  'sandboxReadyAfterSeconds',
  'initializedAfterSeconds',
  'imagePullSeconds',
  'containersStartedAfterSeconds',
  'containersReadyAfterSeconds',
  'containerStartups',
  'startupSliSeconds',
  'startupSliExcludedReason',
] as const satisfies readonly (keyof Figures)[];

type RunFact = Extract<Fact, { kind: 'run' }>;

/** A read-only view of one pod's facts, with the lookups the figures share. */
export class PodView {
  readonly runs: RunFact[] = [];
  readonly events: Extract<Fact, { kind: 'event' }>[] = [];
  readonly waitings: Extract<Fact, { kind: 'waiting' }>[] = [];
  readonly phases: Extract<Fact, { kind: 'phase' }>[] = [];
  readonly restartCounts: Extract<Fact, { kind: 'restarts' }>[] = [];
  /** Each app container's and sidecar's readiness as kubectl's READY counts it (latest). */
  readonly readiness: Extract<Fact, { kind: 'ready' }>[] = [];
  /** Folded old runs, one per container that has them (core/fold.ts). */
  readonly runFolds: Extract<Fact, { kind: 'runs' }>[] = [];
  /** Folded old Events, one per reason/type/container. */
  readonly eventFolds: Extract<Fact, { kind: 'events' }>[] = [];
  readonly pod: Extract<Fact, { kind: 'pod' }> | undefined;

  constructor(readonly facts: FactMap) {
    for (const f of facts.values()) {
      if (f.kind === 'run') this.runs.push(f);
      else if (f.kind === 'event') this.events.push(f);
      else if (f.kind === 'waiting') this.waitings.push(f);
      else if (f.kind === 'phase') this.phases.push(f);
      else if (f.kind === 'restarts') this.restartCounts.push(f);
      else if (f.kind === 'ready') this.readiness.push(f);
      else if (f.kind === 'runs') this.runFolds.push(f);
      else if (f.kind === 'events') this.eventFolds.push(f);
    }
    this.pod = factOfKind(facts, 'pod', 'pod');
  }

  /** The pod's fact of a kind it has at most one of (its id is its kind). */
  get<K extends SingletonFactId>(kind: K): FactOf<K> | undefined {
    return factOfKind(this.facts, kind, kind);
  }

  mark(name: MarkName): number | null {
    return factOfKind(this.facts, markId(name), 'mark')?.t ?? null;
  }

  get created(): number | null {
    return this.pod?.created ?? null;
  }

  /** Earliest start of any app container run (not init). */
  get running(): number | null {
    let min: number | null = null;
    for (const r of this.runs)
      if (!r.init && r.startedAt != null && (min == null || r.startedAt < min)) min = r.startedAt;
    for (const f of this.runFolds)
      if (!f.init && f.first != null && (min == null || f.first < min)) min = f.first;
    return min;
  }

  get deleted(): boolean {
    return this.facts.has('deleted') || this.vanishedAt != null;
  }

  private vanished: number | null | undefined;

  /** When a pod inventory found the pod gone (core/inventory.ts `vanishedAtOf`), else null. */
  get vanishedAt(): number | null {
    if (this.vanished === undefined) this.vanished = vanishedAtOf(this.facts);
    return this.vanished;
  }

  /**
   * When the pod's deletion was asked: the request time (deadline − grace period), else the
   * deadline (a snapshot without the grace period), else when an inventory found it gone; null
   * if unknown.
   */
  get deletedTime(): number | null {
    return this.mark('deletionRequested') ?? this.mark('deletedAt') ?? this.vanishedAt;
  }

  /** The furthest phase seen; Unknown only if nothing else was. */
  get phase(): string {
    let best: Extract<Fact, { kind: 'phase' }> | undefined;
    for (const p of this.phases) {
      if (!best) best = p;
      else {
        const d = (PHASE_RANK[p.phase] ?? 0) - (PHASE_RANK[best.phase] ?? 0);
        // Succeeded and Failed rank equal; a pod is never both, but the pick must not depend on order.
        if (d > 0 || (d === 0 && p.phase < best.phase)) best = p;
      }
    }
    return best?.phase ?? 'Unknown';
  }

  /** True while nothing shows the pod left Pending: no container start, not terminal, not deleted. */
  get stillPending(): boolean {
    return this.running == null && !this.deleted && (PHASE_RANK[this.phase] ?? 0) <= PENDING_RANK;
  }

  /** App-container runs per container, ordered by start (runs with no start go last). */
  appRunsByContainer(): Map<string, RunFact[]> {
    const byName = new Map<string, RunFact[]>();
    for (const [key, list] of this.runsByContainer())
      if (key.startsWith('c:')) byName.set(key.slice(2), list);
    return byName;
  }

  /**
   * Runs of every container, init containers and sidecars included, keyed `c:NAME` (app) or
   * `i:NAME` (init), ordered by start (runs with no start go last).
   */
  runsByContainer(): Map<string, RunFact[]> {
    const byKey = new Map<string, RunFact[]>();
    for (const r of this.runs) {
      const key = `${r.init ? 'i' : 'c'}:${r.container}`;
      const list = byKey.get(key) ?? [];
      list.push(r);
      byKey.set(key, list);
    }
    for (const list of byKey.values()) list.sort(compareRuns);
    return byKey;
  }

  /** Names of the init containers that are native sidecars (`restartPolicy: Always`). */
  get sidecars(): Set<string> {
    return new Set(this.restartCounts.filter((r) => r.role === 'sidecar').map((r) => r.container));
  }
}

function compareRuns(a: RunFact, b: RunFact): number {
  const sa = a.startedAt ?? a.term?.finishedAt ?? Number.POSITIVE_INFINITY;
  const sb = b.startedAt ?? b.term?.finishedAt ?? Number.POSITIVE_INFINITY;
  if (sa !== sb) return sa - sb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Back-off of each restart between runs kept in full, ms, per container: app containers in name
 * order, then init containers (sidecars and plain ones: kubectl counts their restarts too) in
 * name order; the first follows the container's folded runs when the run after them is kept.
 * Folded runs' own back-off is in `foldedBackoffMs`.
 */
function restartGapsMs(v: PodView): number[] {
  const gaps: number[] = [];
  const folds = new Map(v.runFolds.map((f) => [`${f.init ? 'i' : 'c'}:${f.container}`, f]));
  const containers = [...v.runsByContainer().entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, full] of containers) {
    // The last folded segment stands for its last run: what the next run's back-off is measured from.
    const last = folds.get(name)?.segs.at(-1);
    const runs: Pick<RunFact, 'ordinal' | 'startedAt' | 'term'>[] = last
      ? [
          { ordinal: last[1], startedAt: null, term: { finishedAt: last[3], reason: null, exitCode: 0 } },
          ...full,
        ]
      : full;
    for (const [i, next] of runs.entries()) {
      const prev = runs[i - 1];
      if (!prev) continue;
      // Runs missing in between (a coalesced watch skipped them): the downtime is unknown.
      if (prev.ordinal != null && next.ordinal != null && next.ordinal !== prev.ordinal + 1) continue;
      if (prev.term?.finishedAt == null || next.startedAt == null) continue;
      gaps.push(backoffMs(prev.term.finishedAt, next.startedAt));
    }
  }
  return gaps;
}

/** Back-off between the folded runs of every container, ms. */
function foldedBackoffMs(v: PodView): number {
  let sum = 0;
  for (const f of v.runFolds) for (const s of f.segs) sum += s[4];
  return sum;
}

function restartGaps(v: PodView): number[] {
  return restartGapsMs(v).map((ms) => ms / 1000);
}

/**
 * The termination (current or last, any container) with the latest finishedAt. A native
 * sidecar's termination at or after the pod's finish (the `finished` mark: its app containers'
 * last termination in a Succeeded or Failed pod) is the kubelet stopping it because the app
 * containers are done, not the pod's story: it does not count. Its crashes while the pod ran do.
 */
export function lastTermination(v: PodView): (Termination & { container: string }) | null {
  const finished = v.mark('finished');
  const sidecars = finished != null ? v.sidecars : null;
  let best: RunFact | null = null;
  for (const r of v.runs) {
    if (!r.term) continue;
    if (
      sidecars &&
      finished != null &&
      r.init &&
      sidecars.has(r.container) &&
      r.term.finishedAt != null &&
      r.term.finishedAt >= finished
    )
      continue;
    if (!best) {
      best = r;
      continue;
    }
    const fa = r.term.finishedAt ?? -1;
    const fb = best.term!.finishedAt ?? -1;
    if (fa > fb || (fa === fb && r.id > best.id)) best = r;
  }
  return best ? { ...best.term!, container: best.container } : null;
}

function unschedulableMessage(v: PodView): string | null {
  const cond = v.get<'unschedulable'>('unschedulable');
  // A gated pod waits for its gates, not for the scheduler: no scheduler message to give.
  if (cond?.reason === 'SchedulingGated') return null;
  if (cond?.message) return cond.message;
  let latest: { t: number; id: string; message: string } | null = null;
  const see = (t: number, id: string, message: string | undefined) => {
    if (!message) return;
    if (!latest || t > latest.t || (t === latest.t && id > latest.id)) latest = { t, id, message };
  };
  for (const e of v.events)
    if (e.reason === 'FailedScheduling') see(e.last ?? e.first ?? -1, e.id, e.message);
  for (const f of v.eventFolds)
    if (f.reason === 'FailedScheduling') see(f.latest.t, f.latest.id, f.latest.message);
  return (latest as { message: string } | null)?.message ?? null;
}

/** kubectl's READY: `ready` of `total` containers (`ready/total` as kubectl prints it). */
export interface ReadyFigure {
  ready: number;
  total: number;
}

/**
 * kubectl's READY (printPod): the containers (app and sidecar) its latest snapshot counts ready,
 * of the spec's app containers plus sidecars. Null without the spec's count (a pod stored, or
 * forwarded, before it was kept): absent, never guessed.
 */
function readyOf(v: PodView): ReadyFigure | null {
  const spec = v.get<'containers'>('containers');
  if (!spec) return null;
  return { ready: v.readiness.filter((r) => r.ready).length, total: spec.n + spec.sidecars };
}

function pendingSeconds(v: PodView): number | null {
  const running = v.running;
  if (running != null) return secondsBetween(v.created, running);
  if (v.deleted) return secondsBetween(v.created, v.deletedTime);
  return null;
}

/** One pure function per figure: the contract, table-shaped. */
export const FIGURES: { [K in keyof Figures]: (v: PodView, ctx: FigureContext) => Figures[K] } = {
  phase: (v) => v.phase,
  scheduledAfterSeconds: (v) => secondsBetween(v.created, v.mark('scheduled')),
  initSeconds: (v) =>
    v.facts.has('initCount') ? secondsBetween(v.mark('scheduled'), v.mark('initialized')) : null,
  pendingSeconds,
  timeToReadySeconds: (v) => secondsBetween(v.created, v.mark('ready')),
  restarts: (v) => v.restartCounts.reduce((sum, r) => sum + r.n, 0),
  restartGapsSeconds: restartGaps,
  // Summed in ms (exact for millisecond times), so folding runs never moves the total by a rounding.
  crashLoopBackOffSeconds: (v) => restartGapsMs(v).reduce((sum, g) => sum + g, foldedBackoffMs(v)) / 1000,
  lastTerminationReason: (v) => lastTermination(v)?.reason ?? null,
  waitingReason: (v) => v.get<'latest'>('latest')?.waiting?.reason ?? null,
  unschedulableMessage,
  schedulingGates: (v) => {
    const cond = v.get<'unschedulable'>('unschedulable');
    if (cond?.reason !== 'SchedulingGated' || v.mark('scheduled') != null) return null;
    return [...(cond.gates ?? [])];
  },
  statusReason: (v) => v.get<'status'>('status')?.reason ?? null,
  status: (v) => v.get<'latest'>('latest')?.status ?? null,
  kubectlRestarts: (v) => v.get<'latest'>('latest')?.restarts ?? null,
  kubectlLastRestartAt: (v) => toIso(v.get<'latest'>('latest')?.lastRestart),
  ready: readyOf,
  deleted: (v) => v.deleted,
  deletedBy: (v) => (v.facts.has('deleted') ? 'kubernetes' : v.vanishedAt != null ? 'inventory' : null),
  stuckPending: (v, ctx) => {
    const pending = pendingSeconds(v);
    if (pending != null) return pending > ctx.stuckAfterSeconds;
    if (!v.stillPending || v.created == null) return false;
    return (ctx.now - v.created) / 1000 > ctx.stuckAfterSeconds;
  },
  sandboxReadyAfterSeconds: (v) => stageSeconds(v, 'sandboxReady'),
  initializedAfterSeconds: (v) => stageSeconds(v, 'initialized'),
  imagePullSeconds,
  containersStartedAfterSeconds: containersStartedSeconds,
  containersReadyAfterSeconds: (v) => stageSeconds(v, 'containersReady'),
  containerStartups,
  startupSliSeconds: (v) => startupSli(v).seconds,
  startupSliExcludedReason: (v) => startupSli(v).excluded,
};

/** All figures of one pod. */
export function figuresOf(facts: FactMap | PodView, ctx: FigureContext): Figures {
  const v = facts instanceof PodView ? facts : new PodView(facts);
  const out = {} as Record<string, unknown>;
  for (const name of FIGURE_NAMES) out[name] = FIGURES[name](v, ctx);
  return out as unknown as Figures;
}

export type { Owner };
