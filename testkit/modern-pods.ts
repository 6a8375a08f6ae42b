/**
 * Pods no published object shows (issue 11), built from real fixtures by the documented
 * Kubernetes semantics, for the tests and the property streams:
 *
 * - **A native sidecar in a crash loop** (KEP-753): k9s's sidecar pod (`k9s__po-sidecar-init.json`,
 *   kind 1.30), whose sidecar runs `/bin/sleep 60` with `restartPolicy: Always`. As the kubelet
 *   runs it: it exits 0 (`Completed`) after 60 s, is restarted at once (the first restart has no
 *   back-off), exits again 60 s later, waits 10 s in CrashLoopBackOff (the back-off doubles from
 *   10 s), then runs again. While it is down, `started` and `ready` are false and the pod's Ready
 *   condition is False; the Initialized condition stays True (KEP-753: it never goes back).
 *   restartCount follows the kubelet: the current run's attempt while it runs, the last dead
 *   one's while it waits.
 * - **An init container in a crash loop, continued**: is-healthy's `Init:Error` pod
 *   (`is-healthy__pod-crashloop-pending.yaml`: two failed runs, 12:36:41–12:37:01 and
 *   12:37:04–12:37:24) one back-off later: waiting in CrashLoopBackOff (10 s), then running again
 *   from 12:37:34.
 * - **A scheduling-gated pod** (KEP-3521, stable in 1.30): gitops-engine's Pending pod
 *   (`gitops-engine__pod-pending.yaml`) as the API server keeps a pod created with
 *   `spec.schedulingGates`: PodScheduled False, reason `SchedulingGated`, message `Scheduling
 *   is blocked due to non-empty scheduling gates`, no node, no container statuses.
 */
import { fixtureObjects } from './fixtures.ts';

type Raw = Record<string, any>;

function podOf(file: string, pick: (p: Raw) => boolean = () => true): Raw {
  for (const { value } of fixtureObjects(file)) {
    const v = value as Raw;
    const pod = v.object ?? v;
    if (pod.kind === 'Pod' || (pod.kind === undefined && pod.status))
      if (pick(pod)) return structuredClone(pod);
  }
  throw new Error(`no such pod in ${file}`);
}

const SIDECAR_BACKOFF =
  'back-off 10s restarting failed container=sidecar pod=sleep_default(35079257-0ffb-4b09-b2c1-3c0d416f2523)';

function setCondition(pod: Raw, type: string, status: string, at: string, reason?: string): void {
  const c = pod.status.conditions.find((x: Raw) => x.type === type);
  c.status = status;
  c.lastTransitionTime = at;
  if (reason) c.reason = reason;
  else delete c.reason;
}

/** The k9s sidecar pod, then its sidecar's two exits, its back-off and its third run (4 snapshots). */
export function sidecarCrashLoopPods(): Raw[] {
  const a = podOf('k9s__po-sidecar-init.json');
  a.metadata.resourceVersion = '17852';
  const sidecarOf = (p: Raw) => p.status.initContainerStatuses.find((c: Raw) => c.name === 'sidecar');
  const run1 = { startedAt: '2024-08-24T01:54:38Z', finishedAt: '2024-08-24T01:55:38Z' };
  const run2 = { startedAt: '2024-08-24T01:55:39Z', finishedAt: '2024-08-24T01:56:39Z' };
  const id = (n: number) => `containerd://5eca${n}000000000000000000000000000000000000000000000000000000000`;
  const completed = (run: typeof run1, containerID: string) => ({
    terminated: { exitCode: 0, reason: 'Completed', ...run, containerID },
  });

  // B: the first exit, restarted at once: attempt 1 runs.
  const b = structuredClone(a);
  b.metadata.resourceVersion = '17990';
  Object.assign(sidecarOf(b), {
    restartCount: 1,
    started: true,
    ready: true,
    containerID: id(2),
    state: { running: { startedAt: run2.startedAt } },
    lastState: completed(run1, sidecarOf(a).containerID),
  });

  // C: the second exit: waiting in CrashLoopBackOff; restartCount is the last dead attempt.
  const c = structuredClone(b);
  c.metadata.resourceVersion = '18105';
  Object.assign(sidecarOf(c), {
    restartCount: 2,
    started: false,
    ready: false,
    state: { waiting: { reason: 'CrashLoopBackOff', message: SIDECAR_BACKOFF } },
    lastState: completed(run2, id(2)),
  });
  setCondition(c, 'Ready', 'False', run2.finishedAt, 'ContainersNotReady');
  setCondition(c, 'ContainersReady', 'False', run2.finishedAt, 'ContainersNotReady');

  // D: back-off over (10 s): attempt 2 runs, started and ready again.
  const d = structuredClone(c);
  d.metadata.resourceVersion = '18140';
  Object.assign(sidecarOf(d), {
    started: true,
    ready: true,
    containerID: id(3),
    state: { running: { startedAt: '2024-08-24T01:56:49Z' } },
  });
  setCondition(d, 'Ready', 'True', '2024-08-24T01:56:50Z');
  setCondition(d, 'ContainersReady', 'True', '2024-08-24T01:56:50Z');
  return [a, b, c, d];
}

/** is-healthy's Init:Error pod, then its init container's back-off and third run (3 snapshots). */
export function initCrashLoopPods(): Raw[] {
  const a = podOf('is-healthy__pod-crashloop-pending.yaml');
  a.metadata.resourceVersion = '5001';
  const initOf = (p: Raw) => p.status.initContainerStatuses[0];
  const b = structuredClone(a);
  b.metadata.resourceVersion = '5002';
  const last = initOf(a).state;
  Object.assign(initOf(b), {
    restartCount: 1,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message:
          'back-off 10s restarting failed container=crashloop-init pod=crashloop-deployment-6bf9b7b858-m9882_default(628d9538-5762-4f5a-8c96-2e8c2691b05a)',
      },
    },
    lastState: last,
  });
  const c = structuredClone(b);
  c.metadata.resourceVersion = '5003';
  Object.assign(initOf(c), {
    restartCount: 2,
    containerID: 'containerd://3dcafe0000000000000000000000000000000000000000000000000000000000',
    state: { running: { startedAt: '2024-09-05T12:37:34Z' } },
  });
  return [a, b, c];
}

/** A pod created with scheduling gates, as the API server keeps it (1 snapshot). */
export function gatedPod(gates: readonly string[] = ['example.com/quota', 'example.com/approval']): Raw {
  const p = podOf('gitops-engine__pod-pending.yaml');
  p.metadata.name = `${p.metadata.name}-gated`;
  p.metadata.uid = '46c1e8de-f61b-11e8-a057-000000000a7e';
  p.spec.schedulingGates = gates.map((name) => ({ name }));
  delete p.spec.nodeName;
  p.status = {
    phase: 'Pending',
    qosClass: p.status.qosClass,
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
        lastProbeTime: null,
        lastTransitionTime: p.metadata.creationTimestamp,
      },
    ],
  };
  return p;
}
