/**
 * Issue 11, real objects of modern pods: every figure of the published EKS 1.31 aws-node pod
 * (`eks-ecommerce__kube-system-*`, SOURCES.md item 12: an init container, the
 * PodReadyToStartContainers condition and the kubelet's own Pulling/Pulled/Started Events on
 * one pod) and the PodReadyToStartContainers stage of the other real pods that carry it, pinned
 * table-driven. Every expected value is worked out by hand from the literal timestamps and
 * messages, in the comment beside it; none is copied from the engine's output.
 */
import { describe, expect, it } from 'vitest';
import { kubectlPodRow } from '../../core/kubectl-status.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { engineOf, fixtureInputs, fixtureObjects, type Input, secs } from '../../testkit/fixtures.ts';

const EKS_PODS = 'eks-ecommerce__kube-system-podlist.json';
const EKS_EVENTS = 'eks-ecommerce__kube-system-eventlist.json';
const CREATED = '2026-01-02T20:02:19Z';
const at = (s: number) => `2026-01-02T20:02:${s}Z`;

function recordOf(inputs: readonly Input[], name?: string): PodRecord {
  const e = engineOf(inputs);
  const rs = e.records({ now: e.latestTime!, stuckAfterSeconds: 300 });
  const matching = name ? rs.filter((r) => r.name === name) : rs;
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

const eks = () => [...fixtureInputs(EKS_PODS), ...fixtureInputs(EKS_EVENTS)];

describe('the EKS aws-node pod with its Events (Kubernetes 1.31, 2026-01-02)', () => {
  const r = recordOf(eks(), 'aws-node-9t64t');

  it.each<[string, keyof PodRecord, unknown]>([
    // kubectl: READY 2/2, STATUS Running (both app containers running), RESTARTS 0 (every
    // restartCount 0, the init container's included).
    ['status', 'status', 'Running'],
    ['kubectl RESTARTS', 'kubectlRestarts', 0],
    ['restarts', 'restarts', 0],
    ['phase', 'phase', 'Running'],
    ['owner', 'owner', { kind: 'DaemonSet', name: 'aws-node' }],
    ['node', 'node', 'ip-10-0-10-170.ec2.internal'],
    ['no gates', 'schedulingGates', null],
    ['no scheduler message', 'unschedulableMessage', null],
    ['no waiting container', 'waitingReason', null],
    // The only termination is the init container's: terminated Completed, exit 0.
    ['last termination', 'lastTerminationReason', 'Completed'],
    ['not stuck', 'stuckPending', false],
    // created 20:02:19, PodScheduled 20:02:19 (a DaemonSet pod is bound at once).
    ['scheduled', 'scheduledAfterSeconds', secs(CREATED, at(19))],
    // PodReadyToStartContainers 20:02:25 − created 20:02:19 = 6.
    ['sandbox ready', 'sandboxReadyAfterSeconds', secs(CREATED, at(25))],
    // Initialized 20:02:26 − 20:02:19 = 7 (initSeconds is the same span).
    ['initialized', 'initializedAfterSeconds', secs(CREATED, at(26))],
    ['init', 'initSeconds', 7],
    // The first app container's start: aws-node 20:02:28 − 20:02:19 = 9.
    ['pending', 'pendingSeconds', secs(CREATED, at(28))],
    // Every app container started: the later of aws-node 20:02:28 and aws-eks-nodeagent 20:02:30 → 11.
    ['containers started', 'containersStartedAfterSeconds', secs(CREATED, at(30))],
    // ContainersReady and Ready 20:02:31 − 20:02:19 = 12.
    ['containers ready', 'containersReadyAfterSeconds', secs(CREATED, at(31))],
    ['ready', 'timeToReadySeconds', 12],
    // Pulled: 3.601 s (init) + 2.061 s (aws-node) + 1.948 s (aws-eks-nodeagent) = 7.610 s.
    ['image pulls', 'imagePullSeconds', 7.61],
    // An init container (and hostPath volumes): outside the SLI; initContainers is said first.
    ['SLI', 'startupSliSeconds', null],
    ['SLI exclusion', 'startupSliExcludedReason', 'initContainers'],
  ])('%s', (_, key, want) => {
    expect(r[key]).toStrictEqual(want);
  });

  it('per container: the Pulled messages’ pull, wait and size, and the first start', () => {
    // App containers by name, then the init container. Each Pulled message says the same time
    // twice ("in 1.948s (1.948s including waiting)"): no wait in the kubelet's queue.
    expect(r.containerStartups).toStrictEqual([
      {
        container: 'aws-eks-nodeagent',
        role: 'app',
        image:
          '602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon/aws-network-policy-agent:v1.2.7-eksbuild.1',
        pullSeconds: 1.948,
        pullWaitSeconds: 0,
        imageSizeBytes: 35997169,
        startedAfterSeconds: secs(CREATED, at(30)), // running.startedAt 20:02:30
      },
      {
        container: 'aws-node',
        role: 'app',
        image: '602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.20.4-eksbuild.2',
        pullSeconds: 2.061,
        pullWaitSeconds: 0,
        imageSizeBytes: 53394093,
        startedAfterSeconds: secs(CREATED, at(28)), // running.startedAt 20:02:28
      },
      {
        container: 'aws-vpc-cni-init',
        role: 'init',
        image: '602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni-init:v1.20.4-eksbuild.2',
        pullSeconds: 3.601,
        pullWaitSeconds: 0,
        imageSizeBytes: 70445438,
        startedAfterSeconds: secs(CREATED, at(24)), // terminated.startedAt 20:02:24
      },
    ]);
  });

  it('real data is not in stage order: the sandbox mark (6 s) comes after the init container’s start (5 s)', () => {
    // The kubelet stamps PodReadyToStartContainers when it writes the status; the runtime's
    // startedAt is earlier. The stages are kept as recorded, never reordered or clamped.
    const init = r.containerStartups.find((c) => c.role === 'init')!;
    expect([init.startedAfterSeconds, r.sandboxReadyAfterSeconds]).toEqual([5, 6]);
    // status.startTime (20:02:18) is a second before creationTimestamp (20:02:19): no figure
    // reads it, so no duration comes out negative.
    for (const k of ['scheduledAfterSeconds', 'sandboxReadyAfterSeconds', 'pendingSeconds'] as const)
      expect(r[k]).toBeGreaterThanOrEqual(0);
  });

  it('the timeline keeps the kubelet’s Events: a Pulled per container, and the new-style Scheduled', () => {
    const pulled = r.timeline.filter((e) => e.type === 'Event' && e.reason === 'Pulled');
    expect(pulled.map((e) => [e.at, e.container])).toEqual([
      ['2026-01-02T20:02:24.000Z', 'aws-vpc-cni-init'],
      ['2026-01-02T20:02:28.000Z', 'aws-node'],
      ['2026-01-02T20:02:30.000Z', 'aws-eks-nodeagent'],
    ]);
    // eventTime "2026-01-02T20:02:19.286034Z", firstTimestamp null: the microsecond event time.
    expect(r.timeline).toContainEqual(
      expect.objectContaining({ type: 'Event', reason: 'Scheduled', at: '2026-01-02T20:02:19.286Z' }),
    );
  });

  it('kubectl’s row for the published pod: READY 2/2, Running, RESTARTS 0, AGE 5m36s at the dump', () => {
    // The dump's nodes heartbeat at 20:07:55: 20:07:55 − 20:02:19 = 5m36s.
    const pod = fixtureObjects(EKS_PODS)[0]!.value; // aws-node-9t64t, the list's first item
    const row = kubectlPodRow(pod, Date.parse('2026-01-02T20:07:55Z'));
    expect([row.ready, row.status, row.restartsText, row.age]).toEqual(['2/2', 'Running', '0', '5m36s']);
  });

  it('without the Events the pulls are unknown (null), the Pod’s own stages unchanged', () => {
    const alone = recordOf(fixtureInputs(EKS_PODS), 'aws-node-9t64t');
    expect(alone.imagePullSeconds).toBeNull();
    expect(alone.containerStartups.map((c) => [c.container, c.pullSeconds, c.imageSizeBytes])).toEqual([
      ['aws-eks-nodeagent', null, null],
      ['aws-node', null, null],
      ['aws-vpc-cni-init', null, null],
    ]);
    const stages = (x: PodRecord) => [
      x.scheduledAfterSeconds,
      x.sandboxReadyAfterSeconds,
      x.initializedAfterSeconds,
      x.containersStartedAfterSeconds,
      x.containersReadyAfterSeconds,
      x.startupSliExcludedReason,
    ];
    expect(stages(alone)).toEqual(stages(r));
    expect(stages(alone)).toEqual([0, 6, 7, 11, 12, 'initContainers']);
  });

  it('the same figures of both pods in any order of the objects, and with every object twice', () => {
    const all = (inputs: readonly Input[]) => {
      const e = engineOf(inputs);
      return e.records({ now: Date.parse('2026-01-02T20:07:55Z'), stuckAfterSeconds: 300 });
    };
    const forward = all(eks());
    expect(forward.map((x) => x.name).sort()).toEqual(['aws-node-9t64t', 'coredns-789f8477df-knmwr']);
    expect(all([...eks()].reverse())).toEqual(forward);
    expect(all([...eks(), ...eks()])).toEqual(forward);
  });
});

describe('the EKS coredns pod: created before the cluster had a node, scheduled 4m6s later', () => {
  const r = recordOf(eks(), 'coredns-789f8477df-knmwr');
  const C = '2026-01-02T19:58:24Z';

  it.each<[string, keyof PodRecord, unknown]>([
    ['status', 'status', 'Running'],
    ['kubectl RESTARTS', 'kubectlRestarts', 0],
    // ReplicaSet coredns-789f8477df with pod-template-hash 789f8477df: the Deployment coredns.
    ['owner', 'owner', { kind: 'Deployment', name: 'coredns' }],
    // The Pod shows only PodScheduled=True now; the scheduler's word is in its FailedScheduling Events.
    ['scheduler message', 'unschedulableMessage', 'no nodes available to schedule pods'],
    // created 19:58:24, PodScheduled 20:02:30: 4m6s = 246 s.
    ['scheduled', 'scheduledAfterSeconds', secs(C, at(30))],
    // PodReadyToStartContainers 20:02:33 → 249; Initialized 20:02:30 → 246 (no init containers).
    ['sandbox ready', 'sandboxReadyAfterSeconds', secs(C, at(33))],
    ['initialized', 'initializedAfterSeconds', secs(C, at(30))],
    ['no init containers', 'initSeconds', null],
    // coredns started 20:02:32 → 248; ContainersReady 20:02:34 → 250.
    ['pending', 'pendingSeconds', secs(C, at(32))],
    ['containers started', 'containersStartedAfterSeconds', 248],
    ['containers ready', 'containersReadyAfterSeconds', secs(C, at(34))],
    ['ready', 'timeToReadySeconds', 250],
    // Pulled "in 1.412s (1.412s including waiting). Image size: 19488197 bytes."
    ['image pulls', 'imagePullSeconds', 1.412],
    // configMap and projected volumes only (stateless), no init container, but not schedulable at once.
    ['SLI', 'startupSliSeconds', null],
    ['SLI exclusion', 'startupSliExcludedReason', 'unschedulable'],
    ['no gates', 'schedulingGates', null],
  ])('%s', (_, key, want) => {
    expect(r[key]).toStrictEqual(want);
  });

  it('a new-style Event with a series counts its 26 observations, from its first one', () => {
    // eventTime 19:58:26.158993Z, series {count: 26, lastObservedTime: 20:02:20.396050Z}; the
    // first FailedScheduling (19:58:25.023170Z) has no series: count 1.
    const failed = r.timeline.filter((e) => e.type === 'Event' && e.reason === 'FailedScheduling');
    expect(failed.map((e) => [e.at, e.count])).toEqual([
      ['2026-01-02T19:58:25.023Z', 1],
      ['2026-01-02T19:58:26.158Z', 26],
    ]);
    expect(r.containerStartups).toStrictEqual([
      {
        container: 'coredns',
        role: 'app',
        image: '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns:v1.11.3-eksbuild.1',
        pullSeconds: 1.412,
        pullWaitSeconds: 0,
        imageSizeBytes: 19488197,
        startedAfterSeconds: 248,
      },
    ]);
  });
});

/**
 * PodReadyToStartContainers on the other real pods that carry it: sandboxReadyAfterSeconds is
 * the condition's lastTransitionTime − creationTimestamp, null where the pod has no such
 * condition (an unschedulable pod; a pod of a cluster before 1.29).
 */
const SANDBOX: { file: string; pod?: string; want: number | null; why: string }[] = [
  {
    file: 'k9s__po-sidecar-init.json',
    want: 4,
    why: 'kind 1.30: created 01:54:32, PodReadyToStartContainers 01:54:36',
  },
  {
    file: 'nri-kubernetes__1_34-pods.yaml',
    pod: 'kindnet-zqk2n',
    want: 1,
    why: 'kind 1.34 DaemonSet pod: created 2026-01-13T18:38:10Z, PodReadyToStartContainers 18:38:11',
  },
  {
    file: 'nri-kubernetes__1_34-pods.yaml',
    pod: 'e2e-container-pending',
    want: null,
    why: 'Unschedulable: never got a sandbox, the condition is absent',
  },
  {
    file: 'gitops-engine__pod-running-restart-always.yaml',
    want: null,
    why: 'a 2018 pod: no PodReadyToStartContainers before Kubernetes 1.29',
  },
];

describe('PodReadyToStartContainers on the published pods', () => {
  it.each(SANDBOX)('$file $pod: $why', (c) => {
    const r = recordOf(fixtureInputs(c.file), c.pod);
    expect(r.sandboxReadyAfterSeconds).toBe(c.want);
  });
});
