/**
 * kubectl's own printer tests, shared by the tests of kubectl's READY / STATUS / RESTARTS
 * (test/unit/kubectl-status.test.ts: the port of printPod on the raw Pod) and of the `ready`
 * figure (test/unit/ready.test.ts: the same Pods sent snapshot → facts → figure, compared with
 * `cells[0]`, the READY column).
 *
 * Ported case by case from kubernetes/kubernetes `pkg/printers/internalversion/printers_test.go`:
 * TestPrintPod, TestPrintPodWithRestartableInitContainer, TestPrintPodConditions and
 * TestPrintNonTerminatedPod. Go's internal `api.Pod` literals are written as the equivalent core/v1
 * JSON (`LastTerminationState` is `lastState`, `make([]api.Container, 2)` is two empty containers);
 * `time.Now().Add(-10 * time.Second)` is `ago(10_000)` against a fixed NOW. Expected cells are
 * upstream's, unchanged. The literals stay Go's (unnamed containers, Go's invented `podPhase`): a
 * test that needs a Pod the snapshot accepts fills those in itself (ready.test.ts's `asPod`).
 */

export const NOW = Date.parse('2026-01-15T12:00:00Z');
export const ago = (ms: number) => new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
export const S = 1000;
export const DAY = 86_400_000;
export const containers = (n: number) => Array.from({ length: n }, () => ({}));
export const running = { running: {} };
export const lastFinished = (ms: number) => ({ terminated: { finishedAt: ago(ms) } });
export const deleteTime = ago(10 * S);

export interface PrinterCase {
  name: string;
  pod: unknown;
  /** [READY, STATUS, RESTARTS] as kubectl prints them. */
  cells: [string, string, string];
  completed?: 'Succeeded' | 'Failed';
}

// printers_test.go TestPrintPod
export const TEST_PRINT_POD: PrinterCase[] = [
  {
    name: 'test1: name, num of containers, restarts, container ready status',
    pod: {
      metadata: { name: 'test1' },
      spec: { containers: containers(2) },
      status: {
        phase: 'podPhase',
        containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
      },
    },
    cells: ['1/2', 'podPhase', '6'],
  },
  {
    name: 'test2: container error overwrites pod phase',
    pod: {
      spec: { containers: containers(2) },
      status: {
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 },
        ],
      },
    },
    cells: ['1/2', 'ContainerWaitingReason', '6'],
  },
  {
    name: 'test3: terminated state, and the first container overwrites the rest',
    pod: {
      spec: { containers: containers(2) },
      status: {
        phase: 'podPhase',
        containerStatuses: [
          { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 },
          { state: { terminated: { reason: 'ContainerTerminatedReason' } }, restartCount: 3 },
        ],
      },
    },
    cells: ['0/2', 'ContainerWaitingReason', '6'],
  },
  {
    name: 'test4: ready is not enough for reporting running',
    pod: {
      spec: { containers: containers(2) },
      status: {
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { ready: true, restartCount: 3 },
        ],
      },
    },
    cells: ['1/2', 'podPhase', '6'],
  },
  {
    name: 'test5: ready is not enough for reporting running (pod reason)',
    pod: {
      spec: { containers: containers(2) },
      status: {
        reason: 'podReason',
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { ready: true, restartCount: 3 },
        ],
      },
    },
    cells: ['1/2', 'podReason', '6'],
  },
  {
    name: 'test6: one running, one completed, without Ready condition → NotReady',
    pod: {
      spec: { containers: containers(2) },
      status: {
        phase: 'Running',
        reason: '',
        containerStatuses: [
          { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          { ready: true, restartCount: 3, state: running },
        ],
      },
    },
    cells: ['1/2', 'NotReady', '6'],
  },
  {
    name: 'test6: one running, one completed, with Ready condition → Running',
    pod: {
      spec: { containers: containers(2) },
      status: {
        phase: 'Running',
        reason: '',
        containerStatuses: [
          { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          { ready: true, restartCount: 3, state: running },
        ],
        conditions: [{ type: 'Ready', status: 'True', lastProbeTime: ago(0) }],
      },
    },
    cells: ['1/2', 'Running', '6'],
  },
  {
    name: 'test7: 1 init container restarting and 1 container not running',
    pod: {
      spec: { initContainers: containers(1), containers: containers(1) },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, restartCount: 3, state: running, lastState: lastFinished(10 * S) },
        ],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
      },
    },
    cells: ['0/1', 'Init:0/1', '3 (10s ago)'],
  },
  {
    name: 'test8: 2 init containers, one restarting and the other not running',
    pod: {
      spec: { initContainers: containers(2), containers: containers(1) },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, restartCount: 3, state: running, lastState: lastFinished(10 * S) },
          { ready: false, state: { waiting: {} } },
        ],
        containerStatuses: [{ ready: false, state: { waiting: {} } }],
      },
    },
    cells: ['0/1', 'Init:0/2', '3 (10s ago)'],
  },
  {
    name: 'test9: 2 init containers, one completed without restarts, the other restarting',
    pod: {
      spec: { initContainers: containers(2), containers: containers(1) },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, state: { terminated: {} } },
          { ready: false, restartCount: 3, state: running, lastState: lastFinished(10 * S) },
        ],
        containerStatuses: [{ ready: false, state: { waiting: {} } }],
      },
    },
    cells: ['0/1', 'Init:1/2', '3 (10s ago)'],
  },
  {
    name: 'test10: 2 init containers, one completed with restarts, the other restarting',
    pod: {
      spec: { initContainers: containers(2), containers: containers(1) },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, restartCount: 2, state: { terminated: {} }, lastState: lastFinished(2 * 60 * S) },
          { ready: false, restartCount: 3, state: running, lastState: lastFinished(10 * S) },
        ],
        containerStatuses: [{ ready: false, state: { waiting: {} } }],
      },
    },
    cells: ['0/1', 'Init:1/2', '5 (10s ago)'],
  },
  {
    name: 'test11: 1 init container completed with restarts and one container restarting',
    pod: {
      spec: { initContainers: containers(1), containers: containers(1) },
      status: {
        phase: 'Running',
        initContainerStatuses: [
          { ready: false, restartCount: 2, state: { terminated: {} }, lastState: lastFinished(2 * 60 * S) },
        ],
        containerStatuses: [
          { ready: false, restartCount: 4, state: running, lastState: lastFinished(20 * S) },
        ],
      },
    },
    cells: ['0/1', 'Running', '4 (20s ago)'],
  },
  {
    name: 'test12: 1 container that restarted 5d ago',
    pod: {
      spec: { containers: containers(1) },
      status: {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running, lastState: lastFinished(5 * DAY) },
        ],
      },
    },
    cells: ['1/1', 'Running', '3 (5d ago)'],
  },
  {
    name: 'test13: 2 containers, one never restarted, the other restarted 10d ago',
    pod: {
      spec: { containers: containers(2) },
      status: {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 0, state: running },
          { ready: true, restartCount: 3, state: running, lastState: lastFinished(10 * DAY) },
        ],
      },
    },
    cells: ['2/2', 'Running', '3 (10d ago)'],
  },
  {
    name: 'test14: 2 containers, one restarted 5d ago, the other 20d ago',
    pod: {
      spec: { containers: containers(2) },
      status: {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 6, state: running, lastState: lastFinished(5 * DAY) },
          { ready: true, restartCount: 3, state: running, lastState: lastFinished(20 * DAY) },
        ],
      },
    },
    cells: ['2/2', 'Running', '9 (5d ago)'],
  },
  {
    name: 'test15: PodScheduled condition with reason SchedulingGated',
    pod: {
      spec: { containers: containers(2) },
      status: {
        phase: 'podPhase',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      },
    },
    cells: ['0/2', 'SchedulingGated', '0'],
  },
  {
    name: 'test16: pod condition succeed',
    pod: {
      spec: { containers: containers(1) },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          { ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
        ],
      },
    },
    cells: ['0/1', 'Completed', '0'],
    completed: 'Succeeded',
  },
  {
    name: 'test17: pod condition failed',
    pod: {
      spec: { containers: containers(1) },
      status: {
        phase: 'Failed',
        containerStatuses: [
          { ready: false, restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } },
        ],
      },
    },
    cells: ['0/1', 'Error', '0'],
    completed: 'Failed',
  },
  {
    name: 'test18: pod condition succeed with deletion (terminal phase is not Terminating)',
    pod: {
      metadata: { deletionTimestamp: deleteTime },
      spec: { containers: containers(1) },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          { ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
        ],
      },
    },
    cells: ['0/1', 'Completed', '0'],
    completed: 'Succeeded',
  },
  {
    name: 'test19: pod condition running with deletion',
    pod: {
      metadata: { deletionTimestamp: deleteTime },
      spec: { containers: containers(1) },
      status: { phase: 'Running', containerStatuses: [{ ready: false, restartCount: 0, state: running }] },
    },
    cells: ['0/1', 'Terminating', '0'],
  },
  {
    name: 'test20: pod condition pending with deletion',
    pod: {
      metadata: { deletionTimestamp: deleteTime },
      spec: { containers: containers(1) },
      status: { phase: 'Pending' },
    },
    cells: ['0/1', 'Terminating', '0'],
  },
];

export const restartable = (name: string) => ({ name, restartPolicy: 'Always' });

// printers_test.go TestPrintPodWithRestartableInitContainer
export const TEST_PRINT_POD_WITH_RESTARTABLE_INIT_CONTAINER: PrinterCase[] = [
  {
    name: 'test1: 2 restartable init containers, the first one running but not started',
    pod: {
      spec: {
        initContainers: [restartable('restartable-init-1'), restartable('restartable-init-2')],
        containers: containers(1),
      },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            ready: false,
            restartCount: 3,
            state: running,
            started: false,
            lastState: lastFinished(10 * S),
          },
          { name: 'restartable-init-2', ready: false, state: { waiting: {} }, started: false },
        ],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
        conditions: [{ type: 'Initialized', status: 'False' }],
      },
    },
    cells: ['0/3', 'Init:0/2', '3 (10s ago)'],
  },
  {
    name: 'test1: the first one started and the second one running but not started',
    pod: {
      spec: {
        initContainers: [restartable('restartable-init-1'), restartable('restartable-init-2')],
        containers: containers(1),
      },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            ready: false,
            restartCount: 3,
            state: running,
            started: true,
            lastState: lastFinished(10 * S),
          },
          { name: 'restartable-init-2', ready: false, state: running, started: false },
        ],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
        conditions: [{ type: 'Initialized', status: 'False' }],
      },
    },
    cells: ['0/3', 'Init:1/2', '3 (10s ago)'],
  },
  {
    name: 'test2: 2 restartable init containers started and 1 container running',
    pod: {
      spec: {
        initContainers: [restartable('restartable-init-1'), restartable('restartable-init-2')],
        containers: containers(1),
      },
      status: {
        phase: 'Running',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            ready: false,
            restartCount: 3,
            state: running,
            started: true,
            lastState: lastFinished(10 * S),
          },
          { name: 'restartable-init-2', ready: false, state: running, started: true },
        ],
        containerStatuses: [
          { ready: true, restartCount: 4, state: running, lastState: lastFinished(20 * S) },
        ],
        conditions: [{ type: 'Initialized', status: 'True' }],
      },
    },
    cells: ['1/3', 'Running', '7 (10s ago)'],
  },
  {
    name: 'test3: 2 restartable init containers completed with non-zero and 1 container completed',
    pod: {
      spec: {
        initContainers: [restartable('restartable-init-1'), restartable('restartable-init-2')],
        containers: containers(1),
      },
      status: {
        phase: 'Succeeded',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            ready: false,
            restartCount: 3,
            state: { terminated: { reason: 'Error', exitCode: 137 } },
            started: false,
            lastState: lastFinished(10 * S),
          },
          {
            name: 'restartable-init-2',
            ready: false,
            state: { terminated: { reason: 'Error', exitCode: 137 } },
            started: false,
          },
        ],
        containerStatuses: [
          {
            ready: false,
            restartCount: 4,
            state: { terminated: { reason: 'Completed', exitCode: 0 } },
            lastState: lastFinished(20 * S),
          },
        ],
        conditions: [{ type: 'Initialized', status: 'True' }],
      },
    },
    cells: ['0/3', 'Completed', '7 (10s ago)'],
    completed: 'Succeeded',
  },
  {
    name: 'test4: container statuses for non-existent initContainers and containers',
    pod: {
      spec: {
        initContainers: [
          { name: 'init1', image: 'initimage' },
          { name: 'sidecar1', image: 'sidecarimage', restartPolicy: 'Always' },
        ],
        containers: [{ name: 'container1', image: 'containerimage' }],
      },
      status: {
        phase: 'Running',
        initContainerStatuses: [{ name: 'initinvalid' }, { name: 'init1' }, { name: 'sidecar1' }],
        containerStatuses: [{ name: 'containerinvalid' }, { name: 'container1' }],
      },
    },
    cells: ['0/2', 'Init:0/2', '0'],
  },
];

// printers_test.go TestPrintPodConditions and TestPrintNonTerminatedPod (same pod, five phases)
export const twoContainersInPhase = (phase: string) => ({
  spec: { containers: containers(2) },
  status: {
    phase,
    containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
  },
});
export const TEST_PRINT_POD_CONDITIONS_AND_NON_TERMINATED: PrinterCase[] = [
  { name: 'Running', pod: twoContainersInPhase('Running'), cells: ['1/2', 'Running', '6'] },
  { name: 'Pending', pod: twoContainersInPhase('Pending'), cells: ['1/2', 'Pending', '6'] },
  { name: 'Unknown', pod: twoContainersInPhase('Unknown'), cells: ['1/2', 'Unknown', '6'] },
  {
    name: 'Succeeded',
    pod: twoContainersInPhase('Succeeded'),
    cells: ['1/2', 'Succeeded', '6'],
    completed: 'Succeeded',
  },
  { name: 'Failed', pod: twoContainersInPhase('Failed'), cells: ['1/2', 'Failed', '6'], completed: 'Failed' },
];

/** Every table above, each case named after its Go test. */
export const PRINTERS_TEST_CASES: PrinterCase[] = [
  ...TEST_PRINT_POD.map((c) => ({ ...c, name: `TestPrintPod ${c.name}` })),
  ...TEST_PRINT_POD_WITH_RESTARTABLE_INIT_CONTAINER.map((c) => ({
    ...c,
    name: `TestPrintPodWithRestartableInitContainer ${c.name}`,
  })),
  ...TEST_PRINT_POD_CONDITIONS_AND_NON_TERMINATED.map((c) => ({
    ...c,
    name: `TestPrintPodConditions / TestPrintNonTerminatedPod: phase ${c.name}`,
  })),
];
