/**
 * kubectl's STATUS and RESTARTS for one compact snapshot: the snapshot read back as the parts of
 * a Pod that `printPod` reads (core/kubectl-status.ts, the port of kubectl's printer), so the
 * `status` figure is kubectl's own rule, not a look-alike.
 *
 * What the compact snapshot keeps is what printPod reads: phase, `status.reason`, the
 * PodScheduled / Initialized / Ready conditions with their reasons, the deletion timestamp, each
 * container's restartCount, state and last state, an init container's `restartPolicy` and a
 * sidecar's `started`. Two things are read from what is kept instead of being sent:
 * - the spec's init containers: `initContainerCount` of them (Init:N/M's M), named as their
 *   statuses are;
 * - a container's `ready`, read only where a `Completed` container beside a running one turns
 *   STATUS into `Running` or `NotReady`: every container is ready when the pod's Ready condition
 *   is True; otherwise they are taken as not ready, so such a pod reads `Completed` where kubectl
 *   would print `NotReady` if a running container were ready while the pod is not.
 */
import { type ContainerStatusLike, type KubePodLike, kubectlPodRow } from './kubectl-status.ts';
import type { CompactPod, SnapContainer, SnapState } from './snapshot.ts';

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

function statusOf(c: SnapContainer, ready: boolean): ContainerStatusLike {
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
  return {
    metadata: { deletionTimestamp: pod.deletionTimestamp ?? null },
    spec: { containers: pod.containerStatuses, initContainers },
    status: {
      phase: pod.phase ?? null,
      reason: pod.reason ?? null,
      conditions: pod.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? null })),
      initContainerStatuses: pod.initContainerStatuses.map((c) =>
        statusOf(c, c.started === true && podReady),
      ),
      containerStatuses: pod.containerStatuses.map((c) => statusOf(c, podReady)),
    },
  };
}

/** kubectl's STATUS and RESTARTS (the number) for a compact snapshot. */
export function kubectlColumns(pod: CompactPod): { status: string; restarts: number } {
  const row = kubectlPodRow(podLikeOf(pod), 0);
  return { status: row.status, restarts: row.restarts };
}
