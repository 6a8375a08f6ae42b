/**
 * Table-driven: every situation of shared/fixtures/real/SOURCES.md, real objects in, the
 * figures of docs/lifecycle-metrics.md out. Expected values are written from the fixtures' own
 * timestamps (secs(from, to) of the literal times), not copied from the engine's output.
 */
import { describe, expect, it } from 'vitest';
import type { PodRecord } from '../../core/pod-record.ts';
import { engineOf, fixtureInputs, secs, TEMPLATE_NOW } from '../../testkit/fixtures.ts';

interface Case {
  situation: string;
  file: string;
  /** Pod name when the file holds several. */
  pod?: string;
  /** "now" for stuckPending; default: the latest time in the file. */
  now?: string;
  want: Partial<PodRecord>;
  /** Timeline entries that must be present (matched as subsets). */
  timeline?: Partial<PodRecord['timeline'][number]>[];
}

const CASES: Case[] = [
  {
    situation: 'CrashLoopBackOff with the last run Error(1)',
    file: 'gitops-engine__pod-crashloop.yaml',
    want: {
      phase: 'Running',
      scheduledAfterSeconds: 0,
      pendingSeconds: secs('2018-12-02T09:19:36Z', '2018-12-02T09:20:25Z'),
      timeToReadySeconds: null,
      restarts: 3,
      restartGapsSeconds: [],
      crashLoopBackOffSeconds: 0,
      lastTerminationReason: 'Error',
      waitingReason: 'CrashLoopBackOff',
      stuckPending: false,
      owner: null,
      node: 'minikube',
    },
    timeline: [{ type: 'ContainerTerminated', container: 'main', reason: 'Error', exitCode: 1 }],
  },
  {
    situation: 'caught between restarts: state terminated and lastState terminated (two runs, one gap)',
    file: 'gitops-engine__pod-error.yaml',
    want: {
      restarts: 2,
      pendingSeconds: secs('2018-12-02T09:19:36Z', '2018-12-02T09:19:41Z'),
      restartGapsSeconds: [secs('2018-12-02T09:19:41Z', '2018-12-02T09:19:56Z')],
      crashLoopBackOffSeconds: 15,
      lastTerminationReason: 'Error',
      waitingReason: null,
    },
    // restartCount 2: the current run is the pod's second restart.
    timeline: [{ type: 'ContainerRestarted', container: 'main', count: 2, at: '2018-12-02T09:19:56.000Z' }],
  },
  {
    situation: 'restartPolicy OnFailure in CrashLoopBackOff',
    file: 'gitops-engine__pod-running-restart-onfailure.yaml',
    want: {
      restarts: 4,
      waitingReason: 'CrashLoopBackOff',
      lastTerminationReason: 'Error',
      pendingSeconds: secs('2018-12-02T09:47:10Z', '2018-12-02T09:48:54Z'),
    },
  },
  {
    situation: 'Failed, restartPolicy Never, Error exit 1',
    file: 'gitops-engine__pod-failed.yaml',
    want: {
      phase: 'Failed',
      pendingSeconds: secs('2018-12-02T09:17:56Z', '2018-12-02T09:17:59Z'),
      timeToReadySeconds: null,
      lastTerminationReason: 'Error',
      stuckPending: false,
    },
    timeline: [
      { type: 'Finished', at: '2018-12-02T09:17:59.000Z' },
      { type: 'Phase', reason: 'Failed' },
    ],
  },
  {
    situation: 'Succeeded, Completed exit 0',
    file: 'gitops-engine__pod-succeeded.yaml',
    want: {
      phase: 'Succeeded',
      scheduledAfterSeconds: 0,
      pendingSeconds: secs('2018-12-02T09:15:16Z', '2018-12-02T09:15:19Z'),
      timeToReadySeconds: null,
      lastTerminationReason: 'Completed',
    },
    timeline: [{ type: 'Finished', at: '2018-12-02T09:15:29.000Z' }],
  },
  {
    situation: 'ImagePullBackOff, still Pending (stuck after 5 minutes)',
    file: 'gitops-engine__pod-imagepullbackoff.yaml',
    now: '2019-04-04T16:12:56Z',
    want: {
      phase: 'Pending',
      scheduledAfterSeconds: 0,
      pendingSeconds: null,
      waitingReason: 'ImagePullBackOff',
      stuckPending: true,
    },
  },
  {
    situation: 'ImagePullBackOff, Pending for less than the threshold: not stuck',
    file: 'gitops-engine__pod-imagepullbackoff.yaml',
    now: '2019-04-04T16:10:55Z',
    want: { stuckPending: false },
  },
  {
    situation: 'Pending, PodInitializing',
    file: 'gitops-engine__pod-pending.yaml',
    want: { phase: 'Pending', waitingReason: 'PodInitializing', pendingSeconds: null },
  },
  {
    situation: 'Running but never Ready (ContainersNotReady)',
    file: 'gitops-engine__pod-running-not-ready.yaml',
    want: {
      phase: 'Running',
      timeToReadySeconds: null,
      pendingSeconds: secs('2018-12-02T10:30:57Z', '2018-12-02T10:30:59Z'),
    },
  },
  {
    situation: 'Running and Ready 4 s after creation',
    file: 'gitops-engine__pod-running-restart-always.yaml',
    want: {
      scheduledAfterSeconds: 0,
      pendingSeconds: secs('2018-12-02T09:24:46Z', '2018-12-02T09:24:49Z'),
      timeToReadySeconds: secs('2018-12-02T09:24:46Z', '2018-12-02T09:24:50Z'),
      restarts: 0,
    },
  },
  {
    situation: 'ContainerCreating (templated creation time)',
    file: 'is-healthy__container-creating.yaml',
    want: { phase: 'Pending', waitingReason: 'ContainerCreating', pendingSeconds: null },
  },
  {
    situation: 'Evicted: Failed with status.reason, no containers, no creation time',
    file: 'is-healthy__evicted.yaml',
    want: {
      phase: 'Failed',
      statusReason: 'Evicted',
      pendingSeconds: null,
      scheduledAfterSeconds: null,
      stuckPending: false,
      restarts: 0,
    },
  },
  {
    situation: 'init container done, app running, pod Ready=False (readiness gate); conditions without times',
    file: 'is-healthy__not-ready.yaml',
    want: {
      phase: 'Running',
      scheduledAfterSeconds: null,
      initSeconds: null,
      timeToReadySeconds: null,
      pendingSeconds: secs('2024-06-18T14:48:55Z', '2024-07-17T06:58:43Z'),
      lastTerminationReason: 'Completed',
    },
  },
  {
    situation: 'OOMKilled last state, restarting (templated times)',
    file: 'is-healthy__oomkilled-unhealthy.yaml',
    want: {
      restarts: 9,
      lastTerminationReason: 'OOMKilled',
      // lastState finished @now-2h, the current run started @now-5m.
      restartGapsSeconds: [2 * 3600 - 5 * 60],
      crashLoopBackOffSeconds: 2 * 3600 - 5 * 60,
      pendingSeconds: null, // no creationTimestamp in the fixture
    },
    timeline: [
      {
        type: 'ContainerTerminated',
        reason: 'OOMKilled',
        exitCode: 1,
        at: new Date(TEMPLATE_NOW - 2 * 3600_000).toISOString(),
      },
    ],
  },
  {
    situation: 'Running, never Ready: Ready=False transition time equals creation',
    file: 'is-healthy__pod-never-ready.yaml',
    want: {
      timeToReadySeconds: null,
      pendingSeconds: secs('2025-02-03T10:31:50Z', '2025-02-03T10:31:52Z'),
      scheduledAfterSeconds: 0,
    },
  },
  {
    situation: 'Terminating: deletionTimestamp set, container killed with 137',
    file: 'is-healthy__pod-terminating.yaml',
    want: {
      deleted: true,
      lastTerminationReason: 'Error',
      scheduledAfterSeconds: secs('2024-07-01T05:51:36Z', '2024-07-01T08:51:36Z'),
      pendingSeconds: secs('2024-07-01T05:51:36Z', '2024-07-01T08:52:10Z'),
    },
    timeline: [{ type: 'ContainerTerminated', exitCode: 137 }, { type: 'Deleted' }],
  },
  {
    situation: 'CrashLoopBackOff after Completed exit 0 (templated finishedAt)',
    file: 'is-healthy__unhealthy-restarting.yaml',
    want: { restarts: 6, waitingReason: 'CrashLoopBackOff', lastTerminationReason: 'Completed' },
  },
  {
    situation: 'init container crash loop (Init:Error): Pending, app PodInitializing',
    file: 'is-healthy__pod-crashloop-pending.yaml',
    now: '2024-09-05T12:46:30Z',
    want: {
      phase: 'Pending',
      // kubectl's RESTARTS counts init containers (issue 11): the init container's restartCount 1.
      restarts: 1,
      restartGapsSeconds: [secs('2024-09-05T12:37:01Z', '2024-09-05T12:37:04Z')],
      crashLoopBackOffSeconds: 3,
      lastTerminationReason: 'Error',
      waitingReason: 'PodInitializing',
      status: 'Init:Error',
      kubectlRestarts: 1,
      pendingSeconds: null,
      stuckPending: true,
    },
    timeline: [
      { type: 'ContainerRestarted', container: 'crashloop-init', init: true, at: '2024-09-05T12:37:04.000Z' },
    ],
  },
  {
    situation: 'Unschedulable: PodScheduled=False with the scheduler message',
    file: 'insights-operator__router-default-unschedulable.json',
    now: '2021-07-07T16:20:00Z',
    want: {
      phase: 'Pending',
      scheduledAfterSeconds: null,
      pendingSeconds: null,
      stuckPending: true,
      owner: { kind: 'Deployment', name: 'router-default' },
    },
    timeline: [{ type: 'Unschedulable' }],
  },
  {
    situation: 'init container CrashLoopBackOff with 7527 restarts: Pending, stuck',
    file: 'insights-operator__vsystem-init-crashloopbackoff.json',
    want: {
      phase: 'Pending',
      waitingReason: 'CrashLoopBackOff',
      lastTerminationReason: 'Error',
      restarts: 7527, // the init container's, as kubectl's RESTARTS (issue 11)
      status: 'Init:CrashLoopBackOff',
      kubectlRestarts: 7527,
      stuckPending: true,
      scheduledAfterSeconds: 0,
      owner: { kind: 'Deployment', name: 'vsystem' },
    },
  },
  {
    situation: 'Job pod Failed with exit code 3',
    file: 'insights-operator__auditlog-retention-job-failed.json',
    want: {
      phase: 'Failed',
      lastTerminationReason: 'Error',
      pendingSeconds: secs('2024-04-25T00:00:00Z', '2024-04-25T00:00:03Z'),
      owner: { kind: 'Job', name: 'auditlog-retention-28566720' },
    },
    timeline: [{ type: 'ContainerTerminated', exitCode: 3, reason: 'Error' }],
  },
  {
    situation: 'Job pod Failed (backup deletion)',
    file: 'insights-operator__backup-deletion-job-failed.json',
    want: { phase: 'Failed', stuckPending: false },
  },
  {
    situation: 'static pod with two init containers and restarts of the app container',
    file: 'insights-operator__etcd-master-0-init-restarts.json',
    want: {
      phase: 'Running',
      initSeconds: secs('2021-07-07T11:27:06Z', '2021-07-07T11:27:14Z'),
      timeToReadySeconds: secs('2021-07-07T11:27:06Z', '2021-07-07T11:28:09Z'),
      pendingSeconds: secs('2021-07-07T11:27:06Z', '2021-07-07T11:27:14Z'),
      restarts: 2,
      restartGapsSeconds: [secs('2021-07-07T11:27:46Z', '2021-07-07T11:28:01Z')],
      lastTerminationReason: 'Error',
      owner: { kind: 'Node', name: 'master-0.imeixner20210707.lab.upshift.rdu2.redhat.com' },
    },
  },
  {
    situation: 'Running with 12 restarts, last Error exit 255',
    file: 'insights-operator__authentication-operator-restarts-error.json',
    want: {
      restarts: 12,
      lastTerminationReason: 'Error',
      restartGapsSeconds: [secs('2021-07-08T11:00:01Z', '2021-07-08T11:00:22Z')],
      timeToReadySeconds: secs('2021-07-07T11:03:22Z', '2021-07-08T11:00:22Z'),
      owner: { kind: 'Deployment', name: 'authentication-operator' },
    },
    timeline: [{ type: 'ContainerTerminated', exitCode: 255 }],
  },
  {
    situation: 'StartError exit 128: startedAt is the zero time 1970-01-01 and must not count as a start',
    file: 'is-healthy__start-error.yaml',
    want: {
      phase: 'Failed',
      lastTerminationReason: 'StartError',
      pendingSeconds: null,
      scheduledAfterSeconds: secs('2024-11-22T11:54:17Z', '2024-11-22T11:55:06Z'),
      owner: { kind: 'Job', name: 'run-migrations' },
    },
    timeline: [{ type: 'ContainerTerminated', reason: 'StartError', exitCode: 128 }],
  },
  {
    situation: 'restartable init (sidecar) container running beside the app',
    file: 'k9s__po-sidecar-init.json',
    want: {
      initSeconds: secs('2024-08-24T01:54:32Z', '2024-08-24T01:54:38Z'),
      pendingSeconds: secs('2024-08-24T01:54:32Z', '2024-08-24T01:54:38Z'),
      timeToReadySeconds: secs('2024-08-24T01:54:32Z', '2024-08-24T01:54:39Z'),
      restarts: 0,
    },
    timeline: [{ type: 'ContainerStarted', container: 'sidecar', init: true }],
  },
  {
    situation: 'the Kubernetes docs nginx pod: started 21:51:05, Ready 21:51:06',
    file: 'k8s-website__debug-running-pod__nginx-pod.yaml',
    want: {
      scheduledAfterSeconds: 0,
      pendingSeconds: 4,
      timeToReadySeconds: 5,
      owner: { kind: 'Deployment', name: 'nginx-deployment' },
    },
  },
  {
    situation: 'restarted 3 times, last run Completed, days between runs',
    file: 'kubectl-neat__pod1-raw.json',
    want: {
      restarts: 3,
      lastTerminationReason: 'Completed',
      restartGapsSeconds: [secs('2019-07-04T08:17:20Z', '2019-07-06T18:41:25Z')],
    },
  },
  {
    situation: 'kind 1.34: Unschedulable (node affinity), no container statuses',
    file: 'nri-kubernetes__1_34-pods.yaml',
    pod: 'e2e-container-pending',
    want: { phase: 'Pending', scheduledAfterSeconds: null, pendingSeconds: null, restarts: 0 },
  },
  {
    situation: 'kind 1.34: crash loop, back-off 20s after Completed exit 0',
    file: 'nri-kubernetes__1_34-pods.yaml',
    pod: 'e2e-container-creating',
    want: { restarts: 2, waitingReason: 'CrashLoopBackOff', lastTerminationReason: 'Completed' },
  },
  {
    situation: 'kind 1.35: the same pod caught between restarts (state terminated)',
    file: 'nri-kubernetes__1_35-pods.yaml',
    pod: 'e2e-container-creating',
    want: { restarts: 2, waitingReason: null, lastTerminationReason: 'Completed' },
  },
  {
    situation: 'the raw 2016 API watch: ADDED Pending → node set → ContainerCreating → Running+Ready',
    file: 'pandaychen-blog__api-watch-pods-2016.jsonl',
    want: {
      phase: 'Running',
      scheduledAfterSeconds: null, // no PodScheduled condition in 2016
      pendingSeconds: secs('2016-03-15T08:00:51Z', '2016-03-15T08:00:52Z'),
      timeToReadySeconds: secs('2016-03-15T08:00:51Z', '2016-03-15T08:00:52Z'),
      waitingReason: null,
      owner: null,
    },
    timeline: [
      { type: 'ContainerWaiting', reason: 'ContainerCreating' },
      { type: 'Phase', reason: 'Running' },
    ],
  },
];

function recordFor(c: Case): PodRecord {
  const engine = engineOf(fixtureInputs(c.file));
  const now = c.now ? Date.parse(c.now) : engine.latestTime!;
  const records = engine.records({ now, stuckAfterSeconds: 300 });
  const matching = c.pod ? records.filter((r) => r.name === c.pod) : records;
  expect(matching, `${c.file} should hold exactly one pod${c.pod ? ` named ${c.pod}` : ''}`).toHaveLength(1);
  return matching[0]!;
}

describe('figures of the real fixtures', () => {
  it.each(CASES)('$situation ($file)', (c) => {
    const r = recordFor(c);
    expect(r).toMatchObject(c.want);
    for (const entry of c.timeline ?? []) expect(r.timeline).toContainEqual(expect.objectContaining(entry));
    // Whatever the situation: no negative duration, ever.
    for (const k of [
      'scheduledAfterSeconds',
      'initSeconds',
      'pendingSeconds',
      'timeToReadySeconds',
    ] as const) {
      if (r[k] != null) expect(r[k]).toBeGreaterThanOrEqual(0);
    }
    for (const g of r.restartGapsSeconds) expect(g).toBeGreaterThanOrEqual(0);
  });

  it('the unschedulable message is the scheduler’s own text', () => {
    const r = recordFor(
      CASES.find((c) => c.file === 'insights-operator__router-default-unschedulable.json')!,
    );
    expect(r.unschedulableMessage).toMatch(/^0\/2 nodes are available: 1 node\(s\) didn't have free ports/);
  });

  it('a FailedScheduling Event gives the message when the Pod no longer shows PodScheduled=False', () => {
    // redis-1: FailedScheduling at 10:40:04 (unbound PVC), PodScheduled=True at 10:40:06.
    const engine = engineOf([
      ...fixtureInputs('devops2-volodymyr__minikube-default-podlist.json'),
      ...fixtureInputs('devops2-volodymyr__minikube-default-eventlist.json'),
    ]);
    const r = engine
      .records({ now: engine.latestTime!, stuckAfterSeconds: 300 })
      .find((p) => p.name === 'redis-1')!;
    expect(r.scheduledAfterSeconds).toBe(secs('2024-11-17T10:40:04Z', '2024-11-17T10:40:06Z'));
    expect(r.unschedulableMessage).toMatch(
      /^0\/1 nodes are available: pod has unbound immediate PersistentVolumeClaims/,
    );
    expect(r.owner).toEqual({ kind: 'StatefulSet', name: 'redis' });
    expect(r.timeline).toContainEqual(expect.objectContaining({ type: 'Event', reason: 'FailedScheduling' }));
    // Events add messages, never a Pod timestamp: the Pulled/Started events change no figure but
    // the image-pull ones they are the evidence of (issue 11: without them, null).
    const podsOnly = engineOf(fixtureInputs('devops2-volodymyr__minikube-default-podlist.json'))
      .records({ now: engine.latestTime!, stuckAfterSeconds: 300 })
      .find((p) => p.name === 'redis-1')!;
    expect([r.imagePullSeconds, podsOnly.imagePullSeconds]).toEqual([1.617, null]);
    expect({ ...r, unschedulableMessage: null, timeline: [] }).toEqual({
      ...podsOnly,
      imagePullSeconds: 1.617,
      containerStartups: [
        {
          ...podsOnly.containerStartups[0]!,
          image: 'redis:latest',
          pullSeconds: 1.617,
          pullWaitSeconds: 0,
          imageSizeBytes: 116976307,
        },
      ],
      timeline: [],
    });
  });

  it('one pod seen twice (between restarts, then CrashLoopBackOff): runs are numbered by restartCount', () => {
    // pod-error: restartCount 2, state terminated (attempt 2, 09:19:56), lastState attempt 1 (09:19:41).
    // pod-crashloop: restartCount 3, waiting; lastState is the last dead attempt, 3 (09:20:25).
    const engine = engineOf([
      ...fixtureInputs('gitops-engine__pod-crashloop.yaml'),
      ...fixtureInputs('gitops-engine__pod-error.yaml'),
    ]);
    const [r] = engine.records({ now: engine.latestTime!, stuckAfterSeconds: 300 });
    expect(r!.restartGapsSeconds).toEqual([
      secs('2018-12-02T09:19:41Z', '2018-12-02T09:19:56Z'),
      secs('2018-12-02T09:19:56Z', '2018-12-02T09:20:25Z'),
    ]);
    expect(r!.crashLoopBackOffSeconds).toBe(44);
    expect(r!.restarts).toBe(3);
    expect(r!.waitingReason).toBe('CrashLoopBackOff');
    expect(r!.timeline.filter((e) => e.type === 'ContainerRestarted').map((e) => [e.count, e.at])).toEqual([
      [1, '2018-12-02T09:19:41.000Z'],
      [2, '2018-12-02T09:19:56.000Z'],
      [3, '2018-12-02T09:20:25.000Z'],
    ]);
  });

  it('the kspan recording: Pod snapshots with their Scheduled/Pulling/Pulled/Started Events', () => {
    const engine = engineOf(fixtureInputs('kspan__deployment-2-pods-recorded-stream.yaml'));
    const records = engine.records({ now: engine.latestTime!, stuckAfterSeconds: 300 });
    const ss4lb = records.find((r) => r.name === 'px-5d567cc74c-ss4lb')!;
    expect(ss4lb.owner).toEqual({ kind: 'Deployment', name: 'px' });
    expect(ss4lb.timeline.filter((e) => e.type === 'Event').map((e) => e.reason)).toEqual(
      expect.arrayContaining(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']),
    );
    const old = records.find((r) => r.name === 'px-7df978b9bf-jm22q')!;
    expect(old.deleted).toBe(true);
    // The deletion was asked at deletionTimestamp (09:43:36) − deletionGracePeriodSeconds (30):
    // 09:43:06, the second the kubelet's Killing Event shows (docs/lifecycle-metrics.md).
    expect(old.timeline).toContainEqual(
      expect.objectContaining({ type: 'Deleted', at: '2021-05-19T09:43:06.000Z' }),
    );
    expect(old.timeline).toContainEqual(
      expect.objectContaining({ type: 'Event', reason: 'Killing', at: '2021-05-19T09:43:06.000Z' }),
    );
  });
});
