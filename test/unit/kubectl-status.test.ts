/**
 * kubectl's READY / STATUS / RESTARTS for a raw Pod (core/kubectl-status.ts).
 *
 * First, kubernetes/kubernetes `pkg/printers/internalversion/printers_test.go` ported case by case:
 * the tables of TestPrintPod, TestPrintPodWithRestartableInitContainer, TestPrintPodConditions and
 * TestPrintNonTerminatedPod live in testkit/printer-cases.ts (shared with ready.test.ts, which sends
 * the same Pods through snapshot → facts → figure); TestPrintPodwide and TestPrintPodList are here.
 * Go's internal `api.Pod` literals are written as the equivalent core/v1 JSON; expected cells are
 * upstream's, unchanged.
 * Then: the branches upstream's tests leave out (Init:Signal / Init:ExitCode, Signal / ExitCode,
 * Evicted, NodeLost, a crash-looping native sidecar), HumanDuration's ranges, hostile input, and
 * the real fixtures of test/fixtures/real/modern with the STATUS kubectl prints, worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { humanDuration, kubectlPodRow, kubectlStatus } from '../../core/kubectl-status.ts';
import { fixtureObjects, TEMPLATE_NOW } from '../../testkit/fixtures.ts';
import {
  ago,
  type PrinterCase as Case,
  containers,
  DAY,
  deleteTime,
  lastFinished,
  NOW,
  restartable,
  running,
  S,
  TEST_PRINT_POD,
  TEST_PRINT_POD_CONDITIONS_AND_NON_TERMINATED,
  TEST_PRINT_POD_WITH_RESTARTABLE_INIT_CONTAINER,
} from '../../testkit/printer-cases.ts';

function check(c: Case) {
  const row = kubectlPodRow(c.pod, NOW);
  expect([row.ready, row.status, row.restartsText]).toEqual(c.cells);
  expect(row.age).toBe('<unknown>');
  expect(row.completed).toBe(c.completed ?? null);
}

describe('kubectl printPod, ported from printers_test.go', () => {
  it.each(TEST_PRINT_POD.map((c) => [c.name, c] as const))('TestPrintPod %s', (_n, c) => check(c));
  it.each(TEST_PRINT_POD_WITH_RESTARTABLE_INIT_CONTAINER.map((c) => [c.name, c] as const))(
    'TestPrintPodWithRestartableInitContainer %s',
    (_n, c) => check(c),
  );
  it.each(TEST_PRINT_POD_CONDITIONS_AND_NON_TERMINATED.map((c) => [c.name, c] as const))(
    'TestPrintPodConditions / TestPrintNonTerminatedPod: phase %s',
    (_n, c) => check(c),
  );

  it('TestPrintPodList: each item printed on its own', () => {
    const items = [
      {
        spec: { containers: containers(2) },
        status: {
          phase: 'podPhase',
          containerStatuses: [
            { ready: true, restartCount: 3, state: running },
            { ready: true, restartCount: 3, state: running },
          ],
        },
      },
      {
        spec: { containers: containers(1) },
        status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 1, state: running }] },
      },
    ];
    expect(items.map((p) => kubectlPodRow(p, NOW)).map((r) => [r.ready, r.status, r.restartsText])).toEqual([
      ['2/2', 'podPhase', '6'],
      ['1/1', 'podPhase', '1'],
    ]);
  });

  it('TestPrintPodwide: IP, NODE, NOMINATED NODE, READINESS GATES', () => {
    const gated = (podIPs: { ip: string }[]) => ({
      spec: {
        containers: containers(2),
        nodeName: 'test1',
        readinessGates: [
          { conditionType: 'condition1' },
          { conditionType: 'condition2' },
          { conditionType: 'condition3' },
        ],
      },
      status: {
        conditions: [
          { type: 'condition1', status: 'False' },
          { type: 'condition2', status: 'True' },
        ],
        phase: 'podPhase',
        podIPs,
        containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
        nominatedNodeName: 'node1',
      },
    });
    const wide = (p: unknown) => {
      const r = kubectlPodRow(p, NOW);
      return [r.ready, r.status, r.restartsText, r.age, r.ip, r.node, r.nominatedNode, r.readinessGates];
    };
    expect(wide(gated([{ ip: '1.1.1.1' }]))).toEqual([
      '1/2',
      'podPhase',
      '6',
      '<unknown>',
      '1.1.1.1',
      'test1',
      'node1',
      '1/3',
    ]);
    expect(wide(gated([{ ip: '1.1.1.1' }, { ip: '2001:db8::' }]))).toEqual([
      '1/2',
      'podPhase',
      '6',
      '<unknown>',
      '1.1.1.1',
      'test1',
      'node1',
      '1/3',
    ]);
    expect(
      wide({
        spec: { containers: containers(2), nodeName: '' },
        status: {
          phase: 'podPhase',
          containerStatuses: [
            { ready: true, restartCount: 3, state: running },
            { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 },
          ],
        },
      }),
    ).toEqual(['1/2', 'ContainerWaitingReason', '6', '<unknown>', '<none>', '<none>', '<none>', '<none>']);
  });
});

// Branches of printPod that upstream's table does not exercise; expected values follow the code path.
const MORE_BRANCHES: Case[] = [
  {
    name: 'init container terminated without reason, by a signal → Init:Signal:9',
    pod: {
      spec: { initContainers: containers(1), containers: containers(1) },
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ state: { terminated: { exitCode: 137, signal: 9 } } }],
      },
    },
    cells: ['0/1', 'Init:Signal:9', '0'],
  },
  {
    name: 'init container terminated without reason → Init:ExitCode:2',
    pod: {
      spec: { initContainers: containers(1), containers: containers(1) },
      status: { phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 2 } } }] },
    },
    cells: ['0/1', 'Init:ExitCode:2', '0'],
  },
  {
    name: 'init container in a crash loop → Init:CrashLoopBackOff, its restarts counted',
    pod: {
      spec: { initContainers: [{ name: 'init' }], containers: containers(1) },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'init',
            restartCount: 2,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: lastFinished(30 * S),
          },
        ],
        containerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }],
      },
    },
    cells: ['0/1', 'Init:CrashLoopBackOff', '2 (30s ago)'],
  },
  {
    name: 'waiting PodInitializing in an init container is not a reason → Init:0/1',
    pod: {
      spec: { initContainers: containers(1), containers: containers(1) },
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }],
      },
    },
    cells: ['0/1', 'Init:0/1', '0'],
  },
  {
    name: 'app container terminated without reason by a signal → Signal:15',
    pod: {
      spec: { containers: containers(1) },
      status: {
        phase: 'Running',
        containerStatuses: [{ state: { terminated: { exitCode: 143, signal: 15 } } }],
      },
    },
    cells: ['0/1', 'Signal:15', '0'],
  },
  {
    name: 'app container terminated without reason → ExitCode:1',
    pod: {
      spec: { containers: containers(1) },
      status: { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 1 } } }] },
    },
    cells: ['0/1', 'ExitCode:1', '0'],
  },
  {
    name: 'Evicted: status.reason wins over the phase',
    pod: {
      spec: { containers: containers(1) },
      status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
    },
    cells: ['0/1', 'Evicted', '0'],
    completed: 'Failed',
  },
  {
    name: 'NodeLost with a deletionTimestamp → Unknown',
    pod: {
      metadata: { deletionTimestamp: deleteTime },
      spec: { containers: containers(1) },
      status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [{ ready: true, state: running }] },
    },
    cells: ['1/1', 'Unknown', '0'],
  },
  {
    name: 'NodeLost without deletionTimestamp stays NodeLost',
    pod: {
      spec: { containers: containers(1) },
      status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [{ ready: true, state: running }] },
    },
    cells: ['1/1', 'NodeLost', '0'],
  },
  {
    name: 'Failed pod being deleted keeps Error (terminal phase)',
    pod: {
      metadata: { deletionTimestamp: deleteTime },
      spec: { containers: containers(1) },
      status: {
        phase: 'Failed',
        containerStatuses: [{ state: { terminated: { reason: 'Error', exitCode: 1 } } }],
      },
    },
    cells: ['0/1', 'Error', '0'],
    completed: 'Failed',
  },
  {
    name: 'native sidecar in a crash loop after Initialized=True: Init:CrashLoopBackOff, sidecar restarts counted',
    pod: {
      spec: { initContainers: [restartable('proxy')], containers: [{ name: 'app' }] },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
        initContainerStatuses: [
          {
            name: 'proxy',
            ready: false,
            started: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(65 * S) } },
          },
        ],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
    },
    cells: ['1/2', 'Init:CrashLoopBackOff', '4 (65s ago)'],
  },
  {
    name: 'started sidecar + app OOMKilled: the app reason wins, READY counts the ready sidecar',
    pod: {
      spec: { initContainers: [restartable('proxy')], containers: [{ name: 'app' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [
          { name: 'proxy', ready: true, started: true, restartCount: 0, state: running },
        ],
        containerStatuses: [
          {
            name: 'app',
            restartCount: 1,
            state: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
            lastState: lastFinished(3 * 60 * S + 12 * S),
          },
        ],
      },
    },
    cells: ['1/2', 'OOMKilled', '1 (3m12s ago)'],
  },
];

describe('kubectl printPod: the other branches', () => {
  it.each(MORE_BRANCHES.map((c) => [c.name, c] as const))('%s', (_n, c) => check(c));

  it('AGE is HumanDuration(now - creationTimestamp); kubectlStatus is the STATUS alone', () => {
    const pod = {
      metadata: { creationTimestamp: ago(7 * S) },
      spec: { containers: [] },
      status: { phase: 'Pending' },
    };
    expect(kubectlPodRow(pod, NOW).age).toBe('7s');
    expect(kubectlStatus(pod)).toBe('Pending');
  });
});

describe('HumanDuration (k8s.io/apimachinery/pkg/util/duration), each range', () => {
  it.each([
    [-3 * S, '<invalid>'],
    [-1 * S, '0s'],
    [0, '0s'],
    [119 * S, '119s'],
    [120 * S, '2m'],
    [192 * S, '3m12s'],
    [10 * 60 * S, '10m'],
    [179 * 60 * S + 59 * S, '179m'],
    [3 * 3600 * S, '3h'],
    [7 * 3600 * S + 59 * 60 * S, '7h59m'],
    [8 * 3600 * S, '8h'],
    [47 * 3600 * S, '47h'],
    [2 * DAY, '2d'],
    [3 * DAY + 4 * 3600 * S, '3d4h'],
    [8 * DAY, '8d'],
    [729 * DAY, '729d'],
    [730 * DAY, '2y'],
    [760 * DAY, '2y30d'],
    [8 * 365 * DAY, '8y'],
  ])('%d ms → %s', (ms, want) => expect(humanDuration(ms)).toBe(want));
});

describe('hostile input never throws and reads as absent', () => {
  it.each([
    ['null', null],
    ['a string', 'pod'],
    ['an array', []],
    ['wrong types everywhere', { metadata: 5, spec: { containers: 'x', initContainers: {} }, status: [] }],
    [
      'statuses of wrong types',
      {
        spec: { containers: [{}], initContainers: [null, 7] },
        status: {
          phase: 3,
          conditions: 'Ready',
          initContainerStatuses: [null, 'x', { restartCount: '9', state: { terminated: 'yes' } }],
          containerStatuses: [{ restartCount: Number.NaN, state: { waiting: { reason: 42 } } }],
        },
      },
    ],
  ])('%s', (_n, pod) => {
    const row = kubectlPodRow(pod, NOW);
    expect(typeof row.status).toBe('string');
    expect(Number.isInteger(row.restarts)).toBe(true);
    expect(row.restarts).toBe(0);
  });

  it('restart counts outside int32 read as 0, so RESTARTS stays a finite integer', () => {
    const pod = {
      spec: { containers: [{}, {}] },
      status: {
        containerStatuses: [
          { restartCount: 1e308, state: running },
          { restartCount: 1e308, state: running },
        ],
      },
    };
    expect(kubectlPodRow(pod, NOW).restarts).toBe(0);
  });

  it('a prototype-named container does not make an init container restartable', () => {
    const pod = {
      spec: { initContainers: [{ name: 'x' }], containers: [{}] },
      status: { initContainerStatuses: [{ name: '__proto__', started: true, state: running }] },
    };
    expect(kubectlPodRow(pod, NOW).status).toBe('Init:0/1');
  });

  it('a restart time in the far future prints <invalid> as kubectl does', () => {
    const pod = {
      spec: { containers: [{}] },
      status: {
        containerStatuses: [
          { restartCount: 1, lastState: { terminated: { finishedAt: '2999-01-01T00:00:00Z' } } },
        ],
      },
    };
    expect(kubectlPodRow(pod, NOW).restartsText).toBe('1 (<invalid> ago)');
  });
});

/**
 * Real pods (test/fixtures/real, see SOURCES.md) and what `kubectl get pods` prints for them at
 * `now`. Each expectation is worked out by hand from the object's own fields and printPod's rules
 * (the reason in the comment); `now` is chosen a round distance after the last restart's
 * `finishedAt` so the "(… ago)" is checkable by eye.
 */
interface RealCase {
  file: string;
  pod?: string;
  now: string | number;
  /** [READY, STATUS, RESTARTS] */
  cells: [string, string, string];
  why: string;
}
const REAL: RealCase[] = [
  {
    file: 'gitops-engine__pod-crashloop.yaml',
    now: '2018-12-02T09:25:25Z',
    cells: ['0/1', 'CrashLoopBackOff', '3 (5m ago)'],
    why: 'waiting reason; lastState finishedAt 09:20:25',
  },
  {
    file: 'gitops-engine__pod-deletion.yaml',
    now: '2018-12-03T10:16:04Z',
    cells: ['0/1', 'Terminating', '0'],
    why: 'PodInitializing, then deletionTimestamp on a Pending pod',
  },
  {
    file: 'gitops-engine__pod-error.yaml',
    now: '2018-12-02T09:20:25Z',
    cells: ['0/1', 'Error', '2 (44s ago)'],
    why: 'terminated reason between restarts; last finish 09:19:41',
  },
  {
    file: 'gitops-engine__pod-failed.yaml',
    now: '2018-12-02T09:18:00Z',
    cells: ['0/1', 'Error', '0'],
    why: 'Failed phase, terminated Error',
  },
  {
    file: 'gitops-engine__pod-imagepullbackoff.yaml',
    now: '2018-12-02T10:00:00Z',
    cells: ['0/1', 'ImagePullBackOff', '0'],
    why: 'waiting reason',
  },
  {
    file: 'gitops-engine__pod-pending.yaml',
    now: '2018-12-03T10:16:00Z',
    cells: ['0/1', 'PodInitializing', '0'],
    why: 'an app container waiting PodInitializing is printed as is',
  },
  {
    file: 'gitops-engine__pod-running-not-ready.yaml',
    now: '2018-12-02T10:31:00Z',
    cells: ['0/1', 'Running', '0'],
    why: 'running but not ready: phase stays, READY 0',
  },
  {
    file: 'gitops-engine__pod-running-restart-onfailure.yaml',
    now: '2018-12-02T09:50:14Z',
    cells: ['0/1', 'CrashLoopBackOff', '4 (80s ago)'],
    why: 'last finish 09:48:54',
  },
  {
    file: 'gitops-engine__pod-succeeded.yaml',
    now: '2018-12-02T09:16:00Z',
    cells: ['0/1', 'Completed', '0'],
    why: 'terminated Completed',
  },
  {
    file: 'insights-operator__authentication-operator-restarts-error.json',
    now: '2021-07-08T14:00:01Z',
    cells: ['1/1', 'Running', '12 (3h ago)'],
    why: '180 min is not < 180 → hours form, 3h0m → 3h',
  },
  {
    file: 'insights-operator__etcd-master-0-init-restarts.json',
    now: '2021-07-07T11:37:46Z',
    cells: ['3/3', 'Running', '2 (10m ago)'],
    why: 'init containers Completed(0) are skipped and their restarts dropped; etcd restarted, finished 11:27:46',
  },
  {
    file: 'insights-operator__router-default-unschedulable.json',
    now: '2021-07-08T12:00:00Z',
    cells: ['0/1', 'Pending', '0'],
    why: 'Unschedulable is not a STATUS: the phase is printed',
  },
  {
    file: 'insights-operator__vsystem-init-crashloopbackoff.json',
    now: '2024-04-27T09:59:24Z',
    cells: ['0/2', 'Init:CrashLoopBackOff', '7527 (5m ago)'],
    why: 'init container waiting CrashLoopBackOff; Initialized=False so app containers are not read',
  },
  {
    file: 'insights-operator__auditlog-retention-job-failed.json',
    now: '2024-04-25T00:02:00Z',
    cells: ['0/1', 'Error', '0'],
    why: 'Job pod Failed, exit 3 Error',
  },
  {
    file: 'is-healthy__container-creating.yaml',
    now: TEMPLATE_NOW,
    cells: ['0/1', 'ContainerCreating', '0'],
    why: 'waiting reason',
  },
  {
    file: 'is-healthy__evicted.yaml',
    now: '2024-11-20T12:00:00Z',
    cells: ['0/1', 'Evicted', '0'],
    why: 'status.reason replaces the phase; no containerStatuses',
  },
  {
    file: 'is-healthy__not-ready.yaml',
    now: '2024-07-17T07:00:00Z',
    cells: ['1/1', 'Running', '0'],
    why: 'init Completed(0); Ready=False does not change STATUS',
  },
  {
    file: 'is-healthy__oomkilled-unhealthy.yaml',
    now: TEMPLATE_NOW,
    cells: ['0/1', 'Running', '9 (120m ago)'],
    why: 'running again after OOMKilled; templated finishedAt = now-2h, and 120 min < 180 prints as minutes',
  },
  {
    file: 'is-healthy__pod-crashloop-pending.yaml',
    now: '2024-09-05T12:38:01Z',
    cells: ['0/1', 'Init:Error', '1 (60s ago)'],
    why: 'init container terminated Error(1); last finish 12:37:01',
  },
  {
    file: 'is-healthy__pod-never-ready.yaml',
    now: '2025-02-03T10:40:00Z',
    cells: ['0/1', 'Running', '0'],
    why: 'started, never ready',
  },
  {
    file: 'is-healthy__pod-terminating.yaml',
    now: TEMPLATE_NOW,
    cells: ['0/1', 'Terminating', '0'],
    why: 'terminated Error(137), then deletionTimestamp on a Running-phase pod',
  },
  {
    file: 'is-healthy__start-error.yaml',
    now: '2024-11-22T12:00:00Z',
    cells: ['0/1', 'StartError', '0'],
    why: 'terminated reason StartError, phase Failed',
  },
  {
    file: 'is-healthy__unhealthy-restarting.yaml',
    now: TEMPLATE_NOW,
    cells: ['0/1', 'CrashLoopBackOff', '6 (5m ago)'],
    why: 'templated finishedAt = now-5m',
  },
  {
    file: 'k9s__po-sidecar-init.json',
    now: '2024-08-24T02:00:00Z',
    cells: ['2/2', 'Running', '0'],
    why: 'native sidecar started+ready counts in READY (1 app + 1 sidecar); the Completed init container does not',
  },
  {
    file: 'kubectl-neat__pod1-raw.json',
    now: '2019-07-06T18:41:25Z',
    cells: ['1/1', 'Running', '3 (2d10h ago)'],
    why: '58h since 2019-07-04T08:17:20 → 2d10h',
  },
  {
    file: 'nri-kubernetes__1_34-pods.yaml',
    pod: 'e2e-container-creating',
    now: '2026-01-13T18:40:24Z',
    cells: ['0/1', 'CrashLoopBackOff', '2 (20s ago)'],
    why: 'last finish 18:40:04',
  },
  {
    file: 'nri-kubernetes__1_35-pods.yaml',
    pod: 'e2e-container-creating',
    now: '2026-06-26T10:14:29Z',
    cells: ['0/1', 'Completed', '2 (15s ago)'],
    why: 'caught between restarts: terminated Completed, nothing running → Completed although the phase is Running',
  },
  {
    file: 'nri-kubernetes__1_34-pods.yaml',
    pod: 'e2e-container-pending',
    now: '2026-01-13T18:41:00Z',
    cells: ['0/1', 'Pending', '0'],
    why: 'unschedulable, no containerStatuses',
  },
];

describe('real fixtures: the STATUS kubectl prints, worked out by hand', () => {
  it.each(REAL.map((c) => [`${c.file}${c.pod ? ` ${c.pod}` : ''}`, c] as const))('%s', (_n, c) => {
    const pods = fixtureObjects(c.file)
      .map((o) => o.value as { kind?: string; metadata?: { name?: string } })
      .filter((v) => (v.kind ?? 'Pod') === 'Pod' && (c.pod == null || v.metadata?.name === c.pod));
    expect(pods).toHaveLength(1);
    const now = typeof c.now === 'number' ? c.now : Date.parse(c.now);
    const row = kubectlPodRow(pods[0], now);
    expect([row.ready, row.status, row.restartsText], c.why).toEqual(c.cells);
  });
});
