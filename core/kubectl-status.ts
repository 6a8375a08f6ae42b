/**
 * kubectl's pod columns (READY, STATUS, RESTARTS, and the `-o wide` ones) for a raw core/v1 Pod,
 * as a pure function.
 *
 * A faithful port of `printPod` in kubernetes/kubernetes
 * `pkg/printers/internalversion/printers.go` (the version with native-sidecar support, Kubernetes
 * 1.29 and later), and of `HumanDuration` in k8s.io/apimachinery `pkg/util/duration`, which
 * prints the "(5m ago)" of RESTARTS and the AGE column. The rules, in kubectl's order:
 *
 * 1. STATUS starts as `status.reason` if set (e.g. `Evicted`, `NodeLost`), else the phase.
 *    A `PodScheduled` condition with reason `SchedulingGated` makes it `SchedulingGated`.
 * 2. Init containers, in status order, until the first one that is not done: one terminated with
 *    exit code 0 is done; a restartable init container (`restartPolicy: Always`, a native
 *    sidecar) is done once `started` is true (and counts in READY when ready). Otherwise the pod
 *    is initializing and STATUS is `Init:<terminated reason>` (or `Init:Signal:N` /
 *    `Init:ExitCode:N` when the reason is empty), `Init:<waiting reason>` (unless the reason is
 *    empty or `PodInitializing`), or `Init:i/n` (i init containers done of n in the spec).
 *    RESTARTS adds every init container's restartCount seen so far.
 * 3. If not initializing, or the `Initialized` condition is True: RESTARTS restarts from the
 *    sidecars' restarts only, and the app containers are read from last to first (so the first
 *    container with something to say wins): waiting reason, terminated reason,
 *    `Signal:N` / `ExitCode:N`, or, if ready and running, one more READY container.
 *    `Completed` with a container still ready and running becomes `Running` when the pod has a
 *    Ready=True condition, else `NotReady`.
 * 4. A deletionTimestamp makes STATUS `Unknown` when `status.reason` is `NodeLost`, else
 *    `Terminating` unless the phase is terminal (Succeeded/Failed keep their STATUS).
 * 5. READY is `ready/total` with total = app containers + restartable init containers.
 * 6. RESTARTS is `n (<HumanDuration(now - last restart)> ago)` when n > 0 and a
 *    `lastState.terminated.finishedAt` of a counted container is known, else `n`.
 *
 * No Kubernetes client is imported: the input is the Pod's JSON, read defensively (a field of
 * the wrong type is treated as absent; nothing here throws on odd input).
 */

/** The parts of a core/v1 Pod this module reads (all optional: real objects omit many). */
export interface KubePodLike {
  metadata?: { name?: string; creationTimestamp?: string | null; deletionTimestamp?: string | null } | null;
  spec?: {
    containers?: readonly unknown[] | null;
    initContainers?: readonly { name?: string; restartPolicy?: string | null }[] | null;
    nodeName?: string | null;
    readinessGates?: readonly { conditionType?: string }[] | null;
  } | null;
  status?: {
    phase?: string | null;
    reason?: string | null;
    podIP?: string | null;
    podIPs?: readonly { ip?: string }[] | null;
    nominatedNodeName?: string | null;
    conditions?: readonly { type?: string; status?: string; reason?: string | null }[] | null;
    initContainerStatuses?: readonly ContainerStatusLike[] | null;
    containerStatuses?: readonly ContainerStatusLike[] | null;
  } | null;
}

interface TerminatedLike {
  exitCode?: number;
  signal?: number;
  reason?: string | null;
  finishedAt?: string | null;
}

export interface ContainerStatusLike {
  name?: string;
  ready?: boolean;
  started?: boolean | null;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string | null } | null;
    running?: object | null;
    terminated?: TerminatedLike | null;
  } | null;
  lastState?: { terminated?: TerminatedLike | null } | null;
}

/** One `kubectl get pods -o wide` row, minus NAME. */
interface KubectlPodRow {
  /** READY, e.g. `1/2`. */
  ready: string;
  readyContainers: number;
  totalContainers: number;
  /** Which containers READY counted: indices into `initContainerStatuses` (sidecars) and `containerStatuses`. */
  readyIndices: { init: number[]; app: number[] };
  /** STATUS, e.g. `Running`, `Init:0/2`, `Init:CrashLoopBackOff`, `SchedulingGated`, `Terminating`. */
  status: string;
  /** The number in RESTARTS. */
  restarts: number;
  /** Epoch ms of the last counted restart (latest `lastState.terminated.finishedAt`), or null. */
  lastRestartMs: number | null;
  /** RESTARTS as printed, e.g. `3 (10s ago)`. */
  restartsText: string;
  /** AGE, or `<unknown>` without a creationTimestamp. */
  age: string;
  /** `-o wide`: IP, NODE, NOMINATED NODE, READINESS GATES (`<none>` when absent). */
  ip: string;
  node: string;
  nominatedNode: string;
  readinessGates: string;
  /** kubectl's row condition: set for terminal phases (`Completed` row in `kubectl get`). */
  completed: 'Succeeded' | 'Failed' | null;
}

// ---- defensive readers -------------------------------------------------------------------

function obj(v: unknown): Record<string, unknown> | null {
  return v != null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
const INT32_MAX = 2 ** 31 - 1;

/**
 * Go's int32 fields (restartCount, exitCode, signal): a missing, non-numeric or out-of-range
 * value reads as 0 (kubectl could not decode such an object at all), so sums stay finite.
 */
function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= INT32_MAX ? Math.trunc(v) : 0;
}

/** Go's zero time (0001-01-01T00:00:00Z): what `metav1.Time{}` is when a time is absent. */
const GO_ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

/**
 * A metav1.Time as epoch ms, or null for Go's zero time (absent, null, unparseable, or
 * `0001-01-01T00:00:00Z`). Unlike `toMillis` in time.ts, 1970-01-01 is a real time here, as it
 * is to kubectl (which would print it as "56y ago").
 */
function metaTime(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms) || ms <= GO_ZERO_TIME_MS) return null;
  return ms;
}

// ---- HumanDuration -----------------------------------------------------------------------

/**
 * k8s.io/apimachinery/pkg/util/duration.HumanDuration: a succinct duration, 2–3 significant
 * figures (`45s`, `3m12s`, `15m`, `2h5m`, `10h`, `3d4h`, `20d`, `2y30d`, `9y`). Up to 2 s in the
 * future is `0s` (clock skew); more is `<invalid>`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** printers.go translateTimestampSince: `<unknown>` for a zero time. */
function since(ms: number | null, nowMs: number): string {
  return ms == null ? '<unknown>' : humanDuration(nowMs - ms);
}

// ---- printPod ----------------------------------------------------------------------------

/** The `reason` the node lifecycle controller sets on pods of an unreachable node. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

function hasPodReadyCondition(conditions: unknown[]): boolean {
  return conditions.some((c) => str(obj(c)?.type) === 'Ready' && str(obj(c)?.status) === 'True');
}

/** The first `Initialized` condition decides (printers.go isPodInitializedConditionTrue). */
function isPodInitializedConditionTrue(conditions: unknown[]): boolean {
  for (const c of conditions) {
    if (str(obj(c)?.type) !== 'Initialized') continue;
    return str(obj(c)?.status) === 'True';
  }
  return false;
}

/** Epoch ms of `lastState.terminated.finishedAt`, or null when there is no last termination. */
function lastTerminationFinish(status: Record<string, unknown>): { present: boolean; ms: number | null } {
  const terminated = obj(obj(status.lastState)?.terminated);
  return terminated ? { present: true, ms: metaTime(terminated.finishedAt) } : { present: false, ms: null };
}

/** `a.Before(b)` on metav1.Time, with null as Go's zero time (before every real time). */
function later(current: number | null, candidate: number | null): number | null {
  if (candidate == null) return current;
  return current == null || current < candidate ? candidate : current;
}

/** kubectl's STATUS, READY, RESTARTS and wide columns for a Pod at `nowMs`. */
export function kubectlPodRow(pod: KubePodLike | unknown, nowMs: number): KubectlPodRow {
  const p = obj(pod) ?? {};
  const metadata = obj(p.metadata) ?? {};
  const spec = obj(p.spec) ?? {};
  const status = obj(p.status) ?? {};
  const conditions = arr(status.conditions);

  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  const readyIndices: { init: number[]; app: number[] } = { init: [], app: [] };
  let lastRestartDate: number | null = null;
  let lastRestartableInitContainerRestartDate: number | null = null;

  const podPhase = str(status.phase);
  let reason = podPhase;
  if (str(status.reason) !== '') reason = str(status.reason);

  // {type: PodScheduled, reason: SchedulingGated} → SchedulingGated.
  for (const c of conditions) {
    if (str(obj(c)?.type) === 'PodScheduled' && str(obj(c)?.reason) === 'SchedulingGated') {
      reason = 'SchedulingGated';
    }
  }

  const completed = podPhase === 'Succeeded' ? 'Succeeded' : podPhase === 'Failed' ? 'Failed' : null;

  const specInitContainers = arr(spec.initContainers);
  // A map by name: a later duplicate name wins, as in Go.
  const restartableByName = new Map<string, boolean>();
  for (const c of specInitContainers) {
    const restartable = str(obj(c)?.restartPolicy) === 'Always';
    restartableByName.set(str(obj(c)?.name), restartable);
    if (restartable) totalContainers++;
  }
  const isRestartable = (name: string) => restartableByName.get(name) === true;

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const container = obj(initStatuses[i]) ?? {};
    const name = str(container.name);
    const restartCount = int(container.restartCount);
    restarts += restartCount;
    const last = lastTerminationFinish(container);
    if (last.present) lastRestartDate = later(lastRestartDate, last.ms);
    if (isRestartable(name)) {
      restartableInitContainerRestarts += restartCount;
      if (last.present) {
        lastRestartableInitContainerRestartDate = later(lastRestartableInitContainerRestartDate, last.ms);
      }
    }
    const state = obj(container.state) ?? {};
    const terminated = obj(state.terminated);
    const waiting = obj(state.waiting);
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (isRestartable(name) && container.started === true) {
      if (container.ready === true) {
        readyContainers++;
        readyIndices.init.push(i);
      }
      continue;
    }
    if (terminated) {
      // initialization failed
      const r = str(terminated.reason);
      if (r.length === 0) {
        const signal = int(terminated.signal);
        reason = signal !== 0 ? `Init:Signal:${signal}` : `Init:ExitCode:${int(terminated.exitCode)}`;
      } else {
        reason = `Init:${r}`;
      }
    } else if (waiting && str(waiting.reason).length > 0 && str(waiting.reason) !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${specInitContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isPodInitializedConditionTrue(conditions)) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = obj(statuses[i]) ?? {};
      restarts += int(container.restartCount);
      const last = lastTerminationFinish(container);
      if (last.present) lastRestartDate = later(lastRestartDate, last.ms);
      const state = obj(container.state) ?? {};
      const terminated = obj(state.terminated);
      const waiting = obj(state.waiting);
      if (waiting && str(waiting.reason) !== '') {
        reason = str(waiting.reason);
      } else if (terminated && str(terminated.reason) !== '') {
        reason = str(terminated.reason);
      } else if (terminated) {
        const signal = int(terminated.signal);
        reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(terminated.exitCode)}`;
      } else if (container.ready === true && obj(state.running)) {
        hasRunning = true;
        readyContainers++;
        readyIndices.app.push(i);
      }
    }
    // Back to "Running" if at least one container still reports running.
    if (reason === 'Completed' && hasRunning) {
      reason = hasPodReadyCondition(conditions) ? 'Running' : 'NotReady';
    }
  }

  // Go checks `pod.DeletionTimestamp != nil`: any non-null value counts, even an unparseable one.
  const deleting = metadata.deletionTimestamp != null;
  if (deleting && str(status.reason) === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (deleting && podPhase !== 'Succeeded' && podPhase !== 'Failed') {
    reason = 'Terminating';
  }

  const restartsText =
    restarts !== 0 && lastRestartDate != null
      ? `${restarts} (${since(lastRestartDate, nowMs)} ago)`
      : String(restarts);

  // -o wide
  const podIPs = arr(status.podIPs);
  const ip = str(obj(podIPs[0])?.ip) || str(status.podIP) || '<none>';
  let readinessGates = '<none>';
  const gates = arr(spec.readinessGates);
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const conditionType = str(obj(gate)?.conditionType);
      const condition = conditions.find((c) => str(obj(c)?.type) === conditionType);
      if (condition && str(obj(condition)?.status) === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  return {
    ready: `${readyContainers}/${totalContainers}`,
    readyContainers,
    totalContainers,
    readyIndices,
    status: reason,
    restarts,
    lastRestartMs: lastRestartDate,
    restartsText,
    age: since(metaTime(metadata.creationTimestamp), nowMs),
    ip,
    node: str(spec.nodeName) || '<none>',
    nominatedNode: str(status.nominatedNodeName) || '<none>',
    readinessGates,
    completed,
  };
}

/** kubectl's STATUS column for a Pod (it does not depend on the time). */
export function kubectlStatus(pod: KubePodLike | unknown): string {
  return kubectlPodRow(pod, 0).status;
}
