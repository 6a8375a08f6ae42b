/**
 * Lifecycle facts: what one snapshot (or core/v1 Event) says about a pod, as a set of facts
 * with deterministic identities.
 *
 * Every fact has an `id`; two facts with the same id are merged by that kind's own join
 * (earliest time, highest count, latest-by-order, ...). Each join is commutative, associative
 * and idempotent, so the fact set of a pod, and every figure computed from it, is the same
 * whatever the order of the snapshots and however many duplicates arrive. That property is
 * what lets the ingest accept EventBridge's at-least-once, out-of-order delivery, and it is
 * pinned by property tests.
 */

import { eventId, markId, phaseId, readyId, restartsId, runId, waitingId } from './fact-ids.ts';
import { kubectlLatestColumns, kubectlReady } from './pod-status.ts';
import type { CompactEvent, CompactPod, PodSnapshot, SnapContainer, SnapState } from './snapshot.ts';
import { toMillis } from './time.ts';
import { EARLIEST_TIME_MS } from './time-bounds.ts';

/**
 * Where a snapshot stands among the snapshots of one pod, from Kubernetes' own data: the
 * latest timestamp it carries (its "best time"), then its resourceVersion (etcd's revision,
 * numeric in every real API server). Ties that remain are broken by content, in `joinLatest`.
 */
export interface Order {
  /** The snapshot's best time, epoch ms; -1 when it carries no time at all. */
  t: number;
  /** resourceVersion when it is a decimal integer, else ''. */
  rv: string;
}

export interface Owner {
  kind: string;
  name: string;
}

/** What an init container is: a plain one (runs to completion) or a native sidecar. */
export type ContainerRole = 'init' | 'sidecar';

/**
 * The first time a condition turned True (`scheduled`: PodScheduled, `sandboxReady`:
 * PodReadyToStartContainers, `initialized`, `containersReady`: ContainersReady, `ready`), the
 * deletion deadline (`deletedAt`), the deletion's request time (`deletionRequested`: the
 * deadline minus `deletionGracePeriodSeconds`, when that is known) and the last container's
 * finish (`finished`).
 */
export type MarkName =
  | 'scheduled'
  | 'sandboxReady'
  | 'initialized'
  | 'containersReady'
  | 'ready'
  | 'deletedAt'
  | 'deletionRequested'
  | 'finished';

export interface Termination {
  finishedAt: number | null;
  reason: string | null;
  exitCode: number;
  signal?: number;
  message?: string;
}

export type Fact =
  | {
      id: 'pod';
      kind: 'pod';
      cluster: string;
      namespace: string;
      name: string;
      uid: string;
      created: number | null;
      owner: Owner | null;
      qos: string | null;
    }
  /** spec.nodeName never changes once set: no order needed, and updates cost nothing. */
  | { id: 'node'; kind: 'node'; node: string }
  | { id: `mark:${MarkName}`; kind: 'mark'; mark: MarkName; t: number }
  | { id: `phase:${string}`; kind: 'phase'; phase: string; t: number | null }
  | { id: 'initCount'; kind: 'initCount'; n: number }
  /**
   * The spec's app containers (`n`, `spec.containers`' length) and native sidecars (init
   * containers with `restartPolicy: Always`): kubectl's READY total. The spec's containers never
   * change, so both parts are maxima (a partial object's smaller count is outgrown): order-free.
   */
  | { id: 'containers'; kind: 'containers'; n: number; sidecars: number }
  /**
   * One app container's or native sidecar's readiness as kubectl's READY counts it, in the latest
   * snapshot that showed the container (`at`, the snapshot's order): its `ready` while running
   * (a sidecar: once started), false while a plain init container holds the pod back.
   * `init` marks a sidecar (an init container). Joined latest-by-order, like `latest`.
   */
  | { id: `ready:${string}`; kind: 'ready'; container: string; init: boolean; ready: boolean; at: Order }
  /**
   * The highest restartCount seen of one container. `role` marks an init container: `init`, or
   * `sidecar` for a native sidecar (`restartPolicy: Always`, KEP-753); absent for app containers.
   * Container names are unique across a pod's init and app containers, so the id needs no prefix.
   */
  | { id: `restarts:${string}`; kind: 'restarts'; container: string; n: number; role?: ContainerRole }
  | {
      id: `run:${string}`;
      kind: 'run';
      container: string;
      init: boolean;
      /** Which run of the container this is (0 = first), from restartCount; null if unknown. */
      ordinal: number | null;
      startedAt: number | null;
      term: Termination | null;
    }
  | {
      id: `waiting:${string}`;
      kind: 'waiting';
      container: string;
      init: boolean;
      reason: string;
      t: number | null;
      message?: string;
    }
  | {
      id: 'latest';
      kind: 'latest';
      at: Order;
      phase: string | null;
      waiting: { container: string; reason: string; message?: string } | null;
      /** kubectl's STATUS and RESTARTS for this snapshot (core/pod-status.ts); absent in facts of older versions. */
      status?: string;
      restarts?: number;
      /**
       * What kubectl's RESTARTS "(5m ago)" counts from in this snapshot, epoch ms: the latest
       * `lastState.terminated.finishedAt` of the containers RESTARTS counts. Absent when there is
       * none, and in facts of older versions.
       */
      lastRestart?: number;
    }
  | { id: 'status'; kind: 'status'; at: Order; reason: string; message?: string }
  /**
   * The latest `PodScheduled=False` condition: the scheduler's message (absent when the condition
   * has none), its reason (`Unschedulable`, `SchedulingGated`, ...), and for `SchedulingGated` the
   * names of the pod's scheduling gates in that snapshot.
   */
  | {
      id: 'unschedulable';
      kind: 'unschedulable';
      t: number | null;
      at: Order;
      message?: string;
      reason?: string;
      gates?: string[];
    }
  | { id: 'deleted'; kind: 'deleted' }
  /**
   * Absent from a complete list of the cluster's pods (a `Pod Inventory`, core/inventory.ts) at
   * these times, epoch ms: the earliest and the latest such list. Written by the ingest, never
   * sent by a forwarder; whether it makes the pod deleted is `vanishedAtOf`'s call.
   */
  | { id: 'vanished'; kind: 'vanished'; first: number; last: number }
  /** The pod mounts a volume other than secret, config map, downward API, emptyDir, projected. */
  | { id: 'stateful'; kind: 'stateful' }
  | {
      id: `event:${string}`;
      kind: 'event';
      uid: string;
      reason: string;
      message?: string;
      type?: string;
      container?: string;
      count: number;
      first: number | null;
      last: number | null;
    }
  /**
   * Old runs of one container, folded (core/fold.ts): every run whose restart number
   * is below `below`, as maximal segments of consecutive restart numbers seen. A segment keeps
   * what a neighbour needs to extend it exactly (its first run's start, its last run's finish)
   * and the back-off between its runs (ms). A run delivered again, or late, lands in its segment
   * or fills the hole between two: the fold is a function of the set of runs, not of the order.
   */
  | {
      id: `runs:${string}`;
      kind: 'runs';
      container: string;
      init: boolean;
      below: number;
      /** [from, to, start of run `from`, finish of run `to`, back-off ms inside], by `from`. */
      segs: FoldSegment[];
      /** Folded runs whose termination is not known yet: [restart number, start of the next run if folded]. */
      open: [number, number | null][];
      /** Earliest start of a folded run. */
      first: number | null;
      /** Folded runs (restart numbers covered; a sealed hole, see fold.ts, is not counted). */
      count: number;
      /** Terminations of folded runs by reason ('' when the kubelet gave none). */
      reasons: Record<string, number>;
    }
  /**
   * Old Events of one reason/type/container, folded: only idempotent parts (min, max, and the
   * latest message by time then id), so the same Event folded twice changes nothing.
   */
  | {
      id: `events:${string}`;
      kind: 'events';
      reason: string;
      type?: string;
      container?: string;
      first: number | null;
      last: number | null;
      /** The highest count of one folded Event. */
      maxCount: number;
      /** The folded Event with the latest (last ?? first, id): its time, id and message. */
      latest: { t: number; id: string; message?: string };
    };

/** A folded segment: [from, to, startedAt of `from`, finishedAt of `to`, back-off ms between its runs]. */
export type FoldSegment = [number, number, number | null, number | null, number];

type FactKind = Fact['kind'];
/** A pod's facts, by id. */
export type FactMap = Map<string, Fact>;

/** Compares two decimal-integer strings of any length; '' sorts first. */
function compareRv(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareOrder(a: Order, b: Order): number {
  return a.t !== b.t ? a.t - b.t : compareRv(a.rv, b.rv);
}

/** Total order on equal-order facts: by their JSON text, so the pick never depends on arrival. */
function byContent(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function minTime(a: number | null, b: number | null): number | null {
  if (a == null) return b;
  if (b == null) return a;
  return Math.min(a, b);
}

function maxTime(a: number | null, b: number | null): number | null {
  if (a == null) return b;
  if (b == null) return a;
  return Math.max(a, b);
}

/**
 * Order of folded Events' `latest`: one with a message beats one without (the message is what
 * is read), then the later time, then the higher id, then content.
 */
export function laterFolded(
  a: { t: number; id: string; message?: string },
  b: { t: number; id: string; message?: string },
): number {
  const ma = a.message ? 1 : 0;
  const mb = b.message ? 1 : 0;
  if (ma !== mb) return ma - mb;
  if (a.t !== b.t) return a.t - b.t;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return byContent(a, b);
}

/** Deterministic pick between two nullable values that should agree: non-null wins, then content. */
function pick<T>(a: T | null, b: T | null): T | null {
  if (a == null) return b;
  if (b == null) return a;
  return byContent(a, b) <= 0 ? a : b;
}

function laterTermination(a: Termination | null, b: Termination | null): Termination | null {
  if (a == null) return b;
  if (b == null) return a;
  const fa = a.finishedAt ?? -1;
  const fb = b.finishedAt ?? -1;
  if (fa !== fb) return fa > fb ? a : b;
  return byContent(a, b) >= 0 ? a : b;
}

/**
 * The join of two facts with the same id. Returns `a` itself when `b` adds nothing, so callers
 * can tell a duplicate (no write needed) from news by identity.
 */
export function joinFacts(a: Fact, b: Fact): Fact {
  const merged = join(a, b);
  return merged === a || sameContent(merged, a) ? a : merged;
}

/**
 * Whether two JSON-like values have the same content (what `byContent` would call equal, keys
 * whose value is undefined counting as absent), without serialising them: the forwarder asks it
 * for every fact of every update.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameContent(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    n++;
    if (!sameContent(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}

/** The fact of one kind. */
export type FactOf<K extends FactKind> = FactByKind[K];
type FactByKind = { [F in Fact as F['kind']]: F };

/** Whether `b` is of `a`'s kind (two facts of one id always are: the id names the kind). */
export function sameKind<K extends FactKind>(a: FactOf<K>, b: Fact): b is FactOf<K> {
  return a.kind === b.kind;
}

function isKind<K extends FactKind>(f: Fact, kind: K): f is FactOf<K> {
  return f.kind === kind;
}

/** The fact of `id` in a pod's map, when it is of kind `kind` (ids name their kind: core/fact-ids.ts). */
export function factOfKind<K extends FactKind>(map: FactMap, id: string, kind: K): FactOf<K> | undefined {
  const f = map.get(id);
  return f !== undefined && isKind(f, kind) ? f : undefined;
}

/** Latest by order (`at`), then by content. */
function laterByOrder<F extends { at: Order }>(a: F, b: F): F {
  const c = compareOrder(a.at, b.at);
  if (c !== 0) return c > 0 ? a : b;
  return byContent(a, b) >= 0 ? a : b;
}

/** Each kind's join: commutative, associative and idempotent (pinned by property tests). */
const JOINS: { [K in FactKind]: (a: FactOf<K>, b: FactOf<K>) => FactOf<K> } = {
  pod: (a, b) => ({
    ...a,
    namespace: pick(a.namespace, b.namespace) ?? a.namespace,
    name: pick(a.name, b.name) ?? a.name,
    created: minTime(a.created, b.created),
    owner: pick(a.owner, b.owner),
    qos: pick(a.qos, b.qos),
  }),
  node: (a, b) => (a.node <= b.node ? a : b),
  latest: laterByOrder,
  status: laterByOrder,
  unschedulable: (a, b) => {
    const ta = a.t ?? -1;
    const tb = b.t ?? -1;
    if (ta !== tb) return ta > tb ? a : b;
    return laterByOrder(a, b);
  },
  mark: (a, b) => {
    const t = a.mark === 'finished' ? Math.max(a.t, b.t) : Math.min(a.t, b.t);
    return t === a.t ? a : b;
  },
  phase: (a, b) => ({ ...a, t: minTime(a.t, b.t) }),
  initCount: (a, b) => (b.n > a.n ? b : a),
  containers: (a, b) => {
    const n = Math.max(a.n, b.n);
    const sidecars = Math.max(a.sidecars, b.sidecars);
    if (n === a.n && sidecars === a.sidecars) return a;
    if (n === b.n && sidecars === b.sidecars) return b;
    return { ...a, n, sidecars };
  },
  ready: laterByOrder,
  restarts: (a, b) => {
    // The highest count; a sidecar mark is never lost (a snapshot of an older forwarder
    // says `init` for every init container), so both parts are maxima: order-free.
    const top = b.n > a.n ? b : a;
    if (top.role === 'sidecar' || (a.role !== 'sidecar' && b.role !== 'sidecar')) return top;
    return { ...top, role: 'sidecar' };
  },
  run: (a, b) => ({
    ...a,
    ordinal: minTime(a.ordinal, b.ordinal),
    startedAt: minTime(a.startedAt, b.startedAt),
    term: laterTermination(a.term, b.term),
  }),
  waiting: (a, b) => {
    const ta = a.t ?? Number.POSITIVE_INFINITY;
    const tb = b.t ?? Number.POSITIVE_INFINITY;
    if (ta !== tb) return ta < tb ? a : b;
    return byContent(a, b) <= 0 ? a : b;
  },
  deleted: (a) => a,
  vanished: (a, b) => ({ ...a, first: Math.min(a.first, b.first), last: Math.max(a.last, b.last) }),
  stateful: (a) => a,
  // Two folds of one container meet only if two folded states are joined (the store and
  // replay only ever join full facts into a state): the one that covers more runs wins.
  runs: (a, b) => {
    if (a.count !== b.count) return a.count > b.count ? a : b;
    if (a.below !== b.below) return a.below > b.below ? a : b;
    return byContent(a, b) >= 0 ? a : b;
  },
  events: (a, b) => ({
    ...a,
    first: minTime(a.first, b.first),
    last: maxTime(a.last, b.last),
    maxCount: Math.max(a.maxCount, b.maxCount),
    latest: laterFolded(a.latest, b.latest) >= 0 ? a.latest : b.latest,
  }),
  event: (a, b) => {
    if (a.count !== b.count) return a.count > b.count ? a : b;
    const la = a.last ?? -1;
    const lb = b.last ?? -1;
    if (la !== lb) return la > lb ? a : b;
    return byContent(a, b) >= 0 ? a : b;
  },
};

function joinOfKind<K extends FactKind>(kind: K, a: FactOf<K>, b: FactOf<K>): FactOf<K> {
  return JOINS[kind](a, b);
}

function join(a: Fact, b: Fact): Fact {
  // Ids name their kind (core/fact-ids.ts), so kinds differ only in a hand-made map: the pick
  // by content keeps the join a semilattice even then.
  if (!sameKind(a, b)) return byContent(a, b) >= 0 ? a : b;
  return joinOfKind(a.kind, a, b);
}

/**
 * Adds facts to a pod's fact map. Returns the facts that changed the map (new ids, or joins
 * that moved a value): empty for a duplicate delivery.
 */
export function addFacts(map: FactMap, facts: readonly Fact[]): Fact[] {
  const changed: Fact[] = [];
  for (const f of facts) {
    const old = map.get(f.id);
    const next = old ? joinFacts(old, f) : f;
    if (next !== old) {
      map.set(f.id, next);
      changed.push(next);
    }
  }
  return changed;
}

/** Merges two fact maps (the join of the lattice); neither input is modified. */
export function mergeFactMaps(a: FactMap, b: FactMap): FactMap {
  const out = new Map(a);
  addFacts(out, [...b.values()]);
  return out;
}

/** The fact map as an array sorted by id: its canonical, storable form. */
export function canonicalFacts(map: FactMap): Fact[] {
  return [...map.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/**
 * The earliest and latest Kubernetes times facts carry, epoch ms (null: none). With
 * `deadlines: false`, deletion deadlines (`mark:deletedAt`) are left out: a deadline is a time
 * in the future, not something that has happened.
 */
export function factTimeRange(
  facts: Iterable<Fact>,
  { deadlines = true }: { deadlines?: boolean } = {},
): { min: number; max: number } | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const see = (t: number | null | undefined) => {
    if (t == null || t < 0) return;
    if (t < min) min = t;
    if (t > max) max = t;
  };
  for (const f of facts) {
    switch (f.kind) {
      case 'pod':
        see(f.created);
        break;
      case 'mark':
        // The request time is read off the deadline: left out with it, so it never moves "now".
        if (deadlines || (f.mark !== 'deletedAt' && f.mark !== 'deletionRequested')) see(f.t);
        break;
      case 'phase':
      case 'waiting':
        see(f.t);
        break;
      case 'run':
        see(f.startedAt);
        see(f.term?.finishedAt);
        break;
      case 'latest':
      case 'status':
      case 'ready':
        see(f.at.t);
        break;
      case 'unschedulable':
        see(f.t);
        see(f.at.t);
        break;
      case 'event':
        see(f.first);
        see(f.last);
        break;
    }
  }
  return Number.isFinite(min) ? { min, max } : null;
}

/**
 * The latest time facts carry (epoch ms), deletion deadlines left out, or null. One rule for
 * "what time is it in this input": the engine's `latestTime` (a replay's "now"), where local mode
 * places a captured delta, and, for a snapshot's facts, the snapshot's best time (`bestTimeOf`).
 */
export function latestTimeOf(facts: Iterable<Fact>): number | null {
  return factTimeRange(facts, { deadlines: false })?.max ?? null;
}

/** Pending's place in PHASE_RANK. */
export const PENDING_RANK = 1;

/** Kubernetes' phase order for "the furthest phase seen": a terminal phase never goes back. */
export const PHASE_RANK: Record<string, number> = {
  Unknown: 0,
  Pending: PENDING_RANK,
  Running: 2,
  Succeeded: 3,
  Failed: 3,
};

// ---------------------------------------------------------------------------------------------
// Snapshot → facts

function stateTimes(s: SnapState | undefined, out: number[]): void {
  if (!s) return;
  const r = toMillis(s.running?.startedAt);
  if (r != null) out.push(r);
  const ts = toMillis(s.terminated?.startedAt);
  if (ts != null) out.push(ts);
  const tf = toMillis(s.terminated?.finishedAt);
  if (tf != null) out.push(tf);
}

/**
 * A snapshot's best time: the latest Kubernetes timestamp it carries (creation, condition
 * transitions, container starts and finishes). The deletion timestamp is left out: it is a
 * deadline in the future, not something that has happened.
 */
export function bestTimeOf(pod: CompactPod): number | null {
  const times: number[] = [];
  const c = toMillis(pod.creationTimestamp);
  if (c != null) times.push(c);
  for (const cond of pod.conditions) {
    const t = toMillis(cond.lastTransitionTime);
    if (t != null) times.push(t);
  }
  for (const cs of pod.initContainerStatuses) {
    stateTimes(cs.state, times);
    stateTimes(cs.lastState, times);
  }
  for (const cs of pod.containerStatuses) {
    stateTimes(cs.state, times);
    stateTimes(cs.lastState, times);
  }
  return times.length ? Math.max(...times) : null;
}

function orderOf(pod: CompactPod, best: number | null): Order {
  const rv =
    pod.resourceVersion && /^\d+$/.test(pod.resourceVersion)
      ? pod.resourceVersion.replace(/^0+(?=\d)/, '')
      : '';
  return { t: best ?? -1, rv };
}

function runFacts(cs: SnapContainer, init: boolean, out: Fact[]): void {
  const add = (
    containerID: string | undefined,
    ordinal: number | null,
    startedAt: number | null,
    term: Termination | null,
  ) => {
    if (startedAt == null && term?.finishedAt == null) return;
    const id = runId(init, cs.name, containerID, startedAt, term?.finishedAt ?? null);
    out.push({ id, kind: 'run', container: cs.name, init, ordinal, startedAt, term });
  };
  const terminated = (t: NonNullable<SnapState['terminated']>): Termination => {
    const term: Termination = {
      finishedAt: toMillis(t.finishedAt),
      reason: t.reason ?? null,
      exitCode: t.exitCode,
    };
    if (t.signal !== undefined) term.signal = t.signal;
    if (t.message !== undefined) term.message = t.message;
    return term;
  };
  const st = cs.state;
  // restartCount is the attempt number of the container the kubelet reports on: the current
  // one while it runs or has just terminated (the last state is then the attempt before), the
  // last dead one while the container waits (CrashLoopBackOff): the last state is then that one.
  const ordinal = cs.restartCount;
  const lastOrdinal = st?.running || st?.terminated ? (ordinal > 0 ? ordinal - 1 : null) : ordinal;
  if (st?.running) add(cs.containerID, ordinal, toMillis(st.running.startedAt), null);
  if (st?.terminated) {
    const t = st.terminated;
    add(t.containerID ?? cs.containerID, ordinal, toMillis(t.startedAt), terminated(t));
  }
  const last = cs.lastState?.terminated;
  if (last) add(last.containerID, lastOrdinal, toMillis(last.startedAt), terminated(last));
}

/** Which container's waiting reason stands for the pod: a blocked init container first. */
function currentWaiting(pod: CompactPod): { container: string; reason: string; message?: string } | null {
  const candidates = [
    ...pod.initContainerStatuses.filter((c) => c.state?.waiting?.reason !== 'PodInitializing'),
    ...pod.containerStatuses,
  ];
  for (const c of candidates) {
    const w = c.state?.waiting;
    if (w?.reason)
      return w.message
        ? { container: c.name, reason: w.reason, message: w.message }
        : { container: c.name, reason: w.reason };
  }
  return null;
}

/** All the facts one pod snapshot states. */
export function factsOfSnapshot(snap: PodSnapshot): Fact[] {
  const pod = snap.pod;
  const best = bestTimeOf(pod);
  const at = orderOf(pod, best);
  const facts: Fact[] = [
    {
      id: 'pod',
      kind: 'pod',
      cluster: snap.cluster,
      namespace: pod.namespace,
      name: pod.name,
      uid: pod.uid,
      created: toMillis(pod.creationTimestamp),
      owner: pod.owner ?? null,
      qos: pod.qosClass ?? null,
    },
  ];
  const mark = (name: MarkName, t: number | null) => {
    if (t != null) facts.push({ id: markId(name), kind: 'mark', mark: name, t });
  };
  if (pod.nodeName) facts.push({ id: 'node', kind: 'node', node: pod.nodeName });
  if (pod.phase) facts.push({ id: phaseId(pod.phase), kind: 'phase', phase: pod.phase, t: best });
  if (pod.initContainerCount > 0)
    facts.push({ id: 'initCount', kind: 'initCount', n: pod.initContainerCount });

  for (const cond of pod.conditions) {
    const t = toMillis(cond.lastTransitionTime);
    if (cond.status === 'True') {
      if (cond.type === 'PodScheduled') mark('scheduled', t);
      else if (cond.type === 'Initialized') mark('initialized', t);
      else if (cond.type === 'Ready') mark('ready', t);
      else if (cond.type === 'PodReadyToStartContainers') mark('sandboxReady', t);
      else if (cond.type === 'ContainersReady') mark('containersReady', t);
    } else if (cond.type === 'PodScheduled' && cond.status === 'False') {
      const f: Fact = { id: 'unschedulable', kind: 'unschedulable', t, at };
      if (cond.message) f.message = cond.message;
      if (cond.reason) f.reason = cond.reason;
      if (cond.reason === 'SchedulingGated') f.gates = [...(pod.schedulingGates ?? [])];
      facts.push(f);
    }
  }

  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') {
    let finished: number | null = null;
    for (const cs of pod.containerStatuses) {
      const f = toMillis(cs.state?.terminated?.finishedAt);
      if (f != null && (finished == null || f > finished)) finished = f;
    }
    mark('finished', finished);
  }

  const deletedAt = toMillis(pod.deletionTimestamp);
  mark('deletedAt', deletedAt);
  // The API server sets the deadline to the request time + the grace period, and a later, shorter
  // grace period moves both so that their difference stays the request time (apiserver
  // rest.BeforeDelete): the same in every snapshot of the deletion.
  const grace = pod.deletionGracePeriodSeconds;
  if (deletedAt != null && grace != null && deletedAt - grace * 1000 >= EARLIEST_TIME_MS)
    mark('deletionRequested', deletedAt - grace * 1000);
  if (snap.type === 'DELETED' || pod.deletionTimestamp) facts.push({ id: 'deleted', kind: 'deleted' });
  if (pod.stateful) facts.push({ id: 'stateful', kind: 'stateful' });

  const containers: [SnapContainer, boolean][] = [
    ...pod.initContainerStatuses.map((c) => [c, true] as [SnapContainer, boolean]),
    ...pod.containerStatuses.map((c) => [c, false] as [SnapContainer, boolean]),
  ];
  for (const [cs, init] of containers) {
    const restarts: Fact = {
      id: restartsId(cs.name),
      kind: 'restarts',
      container: cs.name,
      n: cs.restartCount,
    };
    if (init) restarts.role = cs.restartPolicy === 'Always' ? 'sidecar' : 'init';
    facts.push(restarts);
    runFacts(cs, init, facts);
    const w = cs.state?.waiting;
    if (w?.reason) {
      const f: Fact = {
        id: waitingId(init, cs.name, w.reason),
        kind: 'waiting',
        container: cs.name,
        init,
        reason: w.reason,
        t: best,
      };
      if (w.message) f.message = w.message;
      facts.push(f);
    }
  }

  // kubectl's READY, per container, and the spec's count (snapshots that carry them).
  const ready = kubectlReady(pod);
  if (ready) {
    facts.push({
      id: 'containers',
      kind: 'containers',
      n: ready.total.containers,
      sidecars: ready.total.sidecars,
    });
    for (const c of ready.containers)
      facts.push({
        id: readyId(c.sidecar, c.name),
        kind: 'ready',
        container: c.name,
        init: c.sidecar,
        ready: c.ready,
        at,
      });
  }

  facts.push({
    id: 'latest',
    kind: 'latest',
    at,
    phase: pod.phase ?? null,
    waiting: currentWaiting(pod),
    ...kubectlLatestColumns(pod),
  });
  if (pod.reason) {
    const f: Fact = { id: 'status', kind: 'status', at, reason: pod.reason };
    if (pod.message) f.message = pod.message;
    facts.push(f);
  }
  return facts;
}

type EventFact = Extract<Fact, { kind: 'event' }>;

/** An Event's fact from its parts (times in epoch ms): the one shape, whichever way it arrived. */
export function eventFact(
  e: Omit<EventFact, 'id' | 'kind' | 'message' | 'type' | 'container'> & {
    message?: string | undefined;
    type?: string | undefined;
    container?: string | undefined;
  },
): EventFact {
  const f: EventFact = {
    id: eventId(e.uid),
    kind: 'event',
    uid: e.uid,
    reason: e.reason,
    count: e.count,
    first: e.first,
    last: e.last,
  };
  if (e.message !== undefined) f.message = e.message;
  if (e.type !== undefined) f.type = e.type;
  if (e.container !== undefined) f.container = e.container;
  return f;
}

/** The fact a core/v1 Event about a pod states. */
export function factOfEvent(ev: CompactEvent): Fact {
  return eventFact({
    uid: ev.uid,
    reason: ev.reason,
    count: ev.count,
    first: toMillis(ev.firstTimestamp),
    last: toMillis(ev.lastTimestamp),
    message: ev.message,
    type: ev.type,
    container: ev.container,
  });
}

/**
 * Attaches events that name a pod only by namespace/name (no uid) to the incarnation they fall
 * in: the one created last at or before the event's first time (the first incarnation if the
 * event precedes them all). `incarnations` are the fact maps of one cluster/namespace/name;
 * they are modified in place. One rule for replay and for the store, so they always agree.
 */
export function attachNameEvents(incarnations: readonly FactMap[], events: Iterable<EventFact>): void {
  if (incarnations.length === 0) return;
  const created = (m: FactMap) => factOfKind(m, 'pod', 'pod')?.created ?? 0;
  const [first, ...later] = [...incarnations].sort((a, b) => created(a) - created(b));
  if (!first) return;
  for (const ev of events) {
    const t = ev.first ?? ev.last ?? 0;
    let target = first;
    for (const m of later) if (created(m) <= t) target = m;
    addFacts(target, [ev]);
  }
}
