/**
 * Where a pod's startup time goes (issue 11): the stages of its startup waterfall from
 * Kubernetes' own timestamps and the kubelet's own Events, and the Kubernetes pod startup SLI.
 *
 * Stages are offsets from the pod's creation (seconds), each the first time its signal was seen:
 *
 *   scheduled        PodScheduled=True (figure `scheduledAfterSeconds`, defined in figures.ts)
 *   sandboxReady     PodReadyToStartContainers=True: sandbox and network up (KEP-3085)
 *   initialized      Initialized=True: init containers done
 *   containersStarted every app container's first start (`state.running.startedAt`)
 *   containersReady  ContainersReady=True: every container's readiness probe passed
 *
 * and the image pulls, per container from the kubelet's `Pulled` Event (core/image-pull.ts).
 * Missing evidence gives null, never a guess.
 */
import type { Fact } from './facts.ts';
import type { PodView } from './figures.ts';
import { type ImagePull, parsePulledMessage } from './image-pull.ts';
import { secondsBetween } from './time.ts';

/** What a container is in its pod. */
export type ContainerRoleName = 'app' | 'init' | 'sidecar';

/** One container's startup: its image pull (from its first Pulled Event) and its first start. */
export interface ContainerStartup {
  container: string;
  role: ContainerRoleName;
  /** The image the kubelet pulled (or found present); null without a Pulled Event. */
  image: string | null;
  /** The pull itself, seconds (0: already present on the node); null without a readable Pulled Event. */
  pullSeconds: number | null;
  /** Time the pull waited in the kubelet's queue, seconds ("including waiting" minus the pull); null when not said. */
  pullWaitSeconds: number | null;
  /** The pulled image's size, bytes (kubelet 1.30+); null when not said or already present. */
  imageSizeBytes: number | null;
  /** The container's first start, seconds after the pod's creation; null if never seen started. */
  startedAfterSeconds: number | null;
}

/** Why a pod has no startup SLI value: the SLI's exclusions, then missing evidence. */
export const STARTUP_SLI_EXCLUSIONS = [
  /** The pod has init containers (native sidecars included): the SLI leaves their pods out. */
  'initContainers',
  /** A volume other than secret, config map, downward API, emptyDir, projected: not stateless. */
  'stateful',
  /** The scheduler could not place it at once (PodScheduled=False Unschedulable, or FailedScheduling). */
  'unschedulable',
  /** Held back by scheduling gates: not schedulable without another component's action. */
  'schedulingGated',
  /** Not every app container has been seen started (or no creation time). */
  'notStarted',
  /** An app container's image pull is not known (no readable Pulled Event kept). */
  'pullUnknown',
] as const;
export type StartupSliExclusion = (typeof STARTUP_SLI_EXCLUSIONS)[number];

/** The SLO of the pod startup SLI: p99 per cluster-day ≤ 5 s (SIG Scalability). */
export const STARTUP_SLO_P99_SECONDS = 5;

type EventFact = Extract<Fact, { kind: 'event' }>;

/** A pull read from its Event, with the Event's time (epoch ms: when the pull finished). */
interface TimedPull extends ImagePull {
  at: number;
}

type ContainerEntry = { container: string; role: ContainerRoleName };

const byRoleThenName = (a: ContainerEntry, b: ContainerEntry): number => {
  const rank = (r: ContainerRoleName) => (r === 'app' ? 0 : 1);
  if (rank(a.role) !== rank(b.role)) return rank(a.role) - rank(b.role);
  return a.container < b.container ? -1 : a.container > b.container ? 1 : 0;
};

/**
 * The pod's containers, app containers first, then init containers and sidecars, each by name;
 * `complete` when the list is known to hold every container of the pod.
 *
 * As their statuses named them, when any snapshot had container statuses (the kubelet writes
 * every container's status at once: complete). A pod seen only before the kubelet wrote any
 * (Pending, scheduled, no statuses) may still have the kubelet's Events about its containers
 * (`fieldPath: spec.containers{NAME}`): those name its containers when the spec says it has no
 * init containers (so each named one is an app container) and they name no more containers
 * than the spec has. The list is complete only when they name as many as the spec has
 * (`spec.containers`' length); otherwise every figure that needs every container stays null.
 */
function containerList(v: PodView): { list: ContainerEntry[]; complete: boolean } {
  if (v.restartCounts.length > 0) {
    const list = v.restartCounts.map((r) => ({ container: r.container, role: r.role ?? ('app' as const) }));
    return { list: list.sort(byRoleThenName), complete: true };
  }
  const spec = v.get<'containers'>('containers');
  if (!spec || spec.sidecars > 0 || v.facts.has('initCount')) return { list: [], complete: false };
  const names = new Set<string>();
  for (const e of v.events) {
    const t = eventTime(e);
    // An Event from before the pod existed is an earlier incarnation's (a name-only Event).
    if (e.container === undefined || t == null || (v.created != null && t < v.created)) continue;
    names.add(e.container);
  }
  for (const f of v.eventFolds)
    if (f.container !== undefined && (v.created == null || (f.last ?? f.first ?? 0) >= v.created))
      names.add(f.container);
  if (names.size > spec.n) return { list: [], complete: false };
  const list = [...names].map((container) => ({ container, role: 'app' as const }));
  return { list: list.sort(byRoleThenName), complete: names.size === spec.n };
}

/** The pod's containers (see containerList). */
function containersOf(v: PodView): ContainerEntry[] {
  return containerList(v).list;
}

function eventTime(e: EventFact): number | null {
  return e.first ?? e.last;
}

/**
 * The container's first Pulled Event, read. Null when it has none, when it is not one of the
 * kubelet's wordings, or when older Pulled Events of the container were folded away
 * (core/fold.ts): the first pull may be among them, and the fold keeps only the latest message.
 */
function firstPullOf(v: PodView, container: string): TimedPull | null {
  let first: EventFact | null = null;
  for (const e of v.events) {
    if (e.reason !== 'Pulled' || e.container !== container) continue;
    const t = eventTime(e);
    // An Event from before the pod existed is an earlier incarnation's (a name-only Event).
    if (t == null || (v.created != null && t < v.created)) continue;
    const ft = first ? eventTime(first) : null;
    if (first == null || ft == null || t < ft || (t === ft && e.id < first.id)) first = e;
  }
  if (!first) return null;
  const at = eventTime(first);
  if (at == null) return null;
  for (const f of v.eventFolds)
    if (f.reason === 'Pulled' && f.container === container && (f.first == null || f.first <= at)) return null;
  const pull = parsePulledMessage(first.message);
  return pull ? { ...pull, at } : null;
}

/**
 * A container's first start (its run 0, or the first run that started after runs that never
 * did, e.g. a StartError), epoch ms, folded runs included. Null when that run was not seen: a
 * pod first seen after restarts shows only later runs (the kubelet keeps one last state), and a
 * later run's start is not the first (restart numbers say which run a start is). Runs of
 * unknown number (facts of older versions) are read as before: the earliest start seen.
 */
function firstStartOf(v: PodView, container: string, init: boolean): number | null {
  const runs = v.runs.filter((r) => r.container === container && r.init === init);
  const fold = v.runFolds.find((f) => f.container === container && f.init === init);
  let earliest: number | null = null;
  for (const r of runs)
    if (r.startedAt != null && (earliest == null || r.startedAt < earliest)) earliest = r.startedAt;
  if (fold?.first != null && (earliest == null || fold.first < earliest)) earliest = fold.first;
  if (runs.some((r) => r.ordinal == null)) return earliest;
  // The fold holds run 0: its earliest start is the first.
  if (fold && fold.segs[0]?.[0] === 0) return fold.first ?? null;
  for (let n = 0; ; n++) {
    const seen = runs.filter((r) => r.ordinal === n);
    if (seen.length === 0) return null;
    let start: number | null = null;
    for (const r of seen)
      if (r.startedAt != null && (start == null || r.startedAt < start)) start = r.startedAt;
    if (start != null) return start;
  }
}

const ms3 = (s: number) => Math.round(s * 1000) / 1000;

/** Each container's startup, app containers first, then init containers and sidecars, by name. */
export function containerStartups(v: PodView): ContainerStartup[] {
  return containersOf(v).map(({ container, role }) => {
    const pull = firstPullOf(v, container);
    const start = firstStartOf(v, container, role !== 'app');
    return {
      container,
      role,
      image: pull?.image ?? null,
      pullSeconds: pull?.pullSeconds ?? null,
      pullWaitSeconds: pull?.totalSeconds != null ? ms3(pull.totalSeconds - pull.pullSeconds) : null,
      imageSizeBytes: pull?.imageSizeBytes ?? null,
      startedAfterSeconds: secondsBetween(v.created, start),
    };
  });
}

/** Seconds from creation to the first time a condition turned True. */
export function stageSeconds(
  v: PodView,
  mark: 'sandboxReady' | 'initialized' | 'containersReady',
): number | null {
  return secondsBetween(v.created, v.mark(mark));
}

/** The sum of every container's pull, seconds; null unless every container's pull is known. */
export function imagePullSeconds(v: PodView): number | null {
  const { list, complete } = containerList(v);
  if (list.length === 0 || !complete) return null;
  let sum = 0;
  for (const { container } of list) {
    const pull = firstPullOf(v, container);
    if (!pull) return null;
    sum += pull.pullSeconds;
  }
  return ms3(sum);
}

/** When every app container had started (the latest of their first starts), epoch ms. */
function allAppStarted(v: PodView): number | null {
  const { list, complete } = containerList(v);
  const apps = list.filter((c) => c.role === 'app');
  if (apps.length === 0 || !complete) return null;
  let max = Number.NEGATIVE_INFINITY;
  for (const { container } of apps) {
    const t = firstStartOf(v, container, false);
    if (t == null) return null;
    max = Math.max(max, t);
  }
  return max;
}

/** Creation → every app container started, seconds. */
export function containersStartedSeconds(v: PodView): number | null {
  return secondsBetween(v.created, allAppStarted(v));
}

function scheduledOnlyAfterWaiting(v: PodView): StartupSliExclusion | null {
  const u = v.get<'unschedulable'>('unschedulable');
  if (u?.reason === 'SchedulingGated') return 'schedulingGated';
  if (u) return 'unschedulable';
  if (v.events.some((e) => e.reason === 'FailedScheduling')) return 'unschedulable';
  if (v.eventFolds.some((e) => e.reason === 'FailedScheduling')) return 'unschedulable';
  return null;
}

/**
 * The pod startup SLI, kubernetes/community sig-scalability/slos/pod_startup_latency.md: for a
 * stateless, schedulable pod without init containers, creation → every container started,
 * minus the time spent pulling images (the kubelet's `kubelet_pod_start_sli_duration_seconds`
 * subtracts its first pull's start → last pull's end; here the same span from the Pulled
 * Events: each pull ends at its Event's time and began its "including waiting" duration
 * before). Clamped at 0 (Event times have one-second precision; clusterloader2 clamps too).
 */
export function startupSli(v: PodView): { seconds: number | null; excluded: StartupSliExclusion | null } {
  const out = (excluded: StartupSliExclusion) => ({ seconds: null, excluded });
  if (v.facts.has('initCount') || v.restartCounts.some((r) => r.role !== undefined))
    return out('initContainers');
  if (v.facts.has('stateful')) return out('stateful');
  const waited = scheduledOnlyAfterWaiting(v);
  if (waited) return out(waited);
  const started = allAppStarted(v);
  if (v.created == null || started == null) return out('notStarted');
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of containersOf(v)) {
    const pull = firstPullOf(v, c.container);
    if (!pull) return out('pullUnknown');
    if (pull.alreadyPresent) continue;
    first = Math.min(first, pull.at - (pull.totalSeconds ?? pull.pullSeconds) * 1000);
    last = Math.max(last, pull.at);
  }
  const pullingMs = Number.isFinite(first) ? last - first : 0;
  return { seconds: Math.max(0, ms3((started - v.created - pullingMs) / 1000)), excluded: null };
}
