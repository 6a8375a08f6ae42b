/**
 * kubectl's STATUS and RESTARTS for one compact snapshot: the snapshot read back as the parts of
 * a Pod that `printPod` reads (core/kubectl-status.ts, the port of kubectl's printer), so the
 * `status` figure is kubectl's own rule, not a look-alike.
 *
 * What the compact snapshot keeps is what printPod reads: phase, `status.reason`, the
 * PodScheduled / Initialized / Ready conditions with their reasons, the deletion timestamp, each
 * container's restartCount, state, last state and `ready`, an init container's `restartPolicy`,
 * a sidecar's `started`, and the spec's counts of containers and sidecars. Read from what is
 * kept instead of being sent: the spec's init containers, `initContainerCount` of them (Init:N/M's
 * M), named as their statuses are.
 *
 * A snapshot of a forwarder older than issue 14's READY carries neither a container's `ready` nor
 * the spec's counts: there every container is read as ready when the pod's Ready condition is
 * True, else as not ready (a `Completed` container beside a running one then reads `Completed`
 * where kubectl would print `NotReady` if a running container were ready while the pod is not),
 * and no READY is computed.
 */
import { type ContainerStatusLike, type KubePodLike, kubectlPodRow } from './kubectl-status.ts';
import type { CompactPod, SnapContainer, SnapState } from './snapshot.ts';
import { EARLIEST_REAL_TIME_MS } from './time.ts';

function stateOf(s: SnapState | undefined): ContainerStatusLike['state'] {
  if (!s) return undefined;
  const out: NonNullable<ContainerStatusLike['state']> = {};
  if (s.waiting) out.waiting = { reason: s.waiting.reason ?? null };
  if (s.running) out.running = {};
  if (s.terminated) {
    const t = s.terminated;
    out.terminated = { exitCode: t.exitCode, reason: t.reason ?? null, finishedAt: t.finishedAt ?? null };
    if (t.signal !== undefined) out.terminated.signal = t.signal;
  }
  return out;
}

function statusOf(c: SnapContainer, fallbackReady: boolean, exact: boolean): ContainerStatusLike {
  // Go's `Ready bool`: absent reads as false, as kubectl reads it.
  const ready = exact ? c.ready === true : fallbackReady;
  const out: ContainerStatusLike = { name: c.name, restartCount: c.restartCount, ready };
  if (c.started !== undefined) out.started = c.started;
  const state = stateOf(c.state);
  if (state) out.state = state;
  const last = c.lastState?.terminated;
  if (last) out.lastState = { terminated: { exitCode: last.exitCode, finishedAt: last.finishedAt ?? null } };
  return out;
}

/** The compact snapshot as the Pod fields kubectl's printer reads. */
export function podLikeOf(pod: CompactPod): KubePodLike {
  const podReady = pod.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  const initContainers: { name?: string; restartPolicy?: string | null }[] = pod.initContainerStatuses.map(
    (c) => (c.restartPolicy ? { name: c.name, restartPolicy: c.restartPolicy } : { name: c.name }),
  );
  // Spec entries without a status yet (a pod just scheduled): unnamed, never restartable.
  while (initContainers.length < pod.initContainerCount) initContainers.push({});
  const exact = pod.containerCount !== undefined;
  const containers: unknown[] = [...pod.containerStatuses];
  while (containers.length < (pod.containerCount ?? 0)) containers.push({});
  return {
    metadata: { deletionTimestamp: pod.deletionTimestamp ?? null },
    spec: { containers, initContainers },
    status: {
      phase: pod.phase ?? null,
      reason: pod.reason ?? null,
      conditions: pod.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? null })),
      initContainerStatuses: pod.initContainerStatuses.map((c) =>
        statusOf(c, c.started === true && podReady, exact),
      ),
      containerStatuses: pod.containerStatuses.map((c) => statusOf(c, podReady, exact)),
    },
  };
}

/** kubectl's STATUS and RESTARTS (the number) for a compact snapshot. */
export function kubectlColumns(pod: CompactPod): { status: string; restarts: number } {
  const { status, restarts } = kubectlLatestColumns(pod);
  return { status, restarts };
}

/**
 * kubectl's STATUS, RESTARTS, and what RESTARTS' "(5m ago)" counts from (`lastRestart`, epoch
 * ms): the latest `lastState.terminated.finishedAt` of the containers RESTARTS counts; absent
 * when there is no such time (or only a zero time). A container that has just terminated is not yet
 * a restart: its current termination is not counted, its last state is (printPod).
 */
export function kubectlLatestColumns(pod: CompactPod): {
  status: string;
  restarts: number;
  lastRestart?: number;
} {
  const row = kubectlPodRow(podLikeOf(pod), 0);
  const last = row.lastRestartMs;
  // Zero times are no times (a StartError's 1970-01-01), as everywhere in podlife.
  return last == null || last < EARLIEST_REAL_TIME_MS
    ? { status: row.status, restarts: row.restarts }
    : { status: row.status, restarts: row.restarts, lastRestart: last };
}

/**
 * kubectl's READY, container by container, for a compact snapshot that carries it (undefined
 * for one of an older forwarder): every app container and native sidecar, and whether kubectl's
 * READY counts it in this snapshot (`ready` while running, a sidecar once started; nothing while
 * a plain init container holds the pod back). `total` is the spec's app containers and sidecars.
 */
export function kubectlReady(
  pod: CompactPod,
): { total: { containers: number; sidecars: number }; containers: ReadyContainer[] } | undefined {
  if (pod.containerCount === undefined) return undefined;
  const { readyIndices } = kubectlPodRow(podLikeOf(pod), 0);
  const init = new Set(readyIndices.init);
  const app = new Set(readyIndices.app);
  const containers: ReadyContainer[] = [];
  pod.initContainerStatuses.forEach((c, i) => {
    if (c.restartPolicy === 'Always') containers.push({ name: c.name, sidecar: true, ready: init.has(i) });
  });
  pod.containerStatuses.forEach((c, i) => {
    containers.push({ name: c.name, sidecar: false, ready: app.has(i) });
  });
  return { total: { containers: pod.containerCount, sidecars: pod.sidecarCount ?? 0 }, containers };
}

export interface ReadyContainer {
  name: string;
  sidecar: boolean;
  /** Counted in kubectl's READY for this snapshot. */
  ready: boolean;
}
