/**
 * Issue 11, where startup time goes: the startup waterfall's stages and the pod startup SLI
 * (core/waterfall.ts), pinned on real objects with values computed by hand from their literal
 * timestamps, plus the SLI's exclusions and the rules for missing evidence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../core/engine.ts';
import { factsOfSnapshot } from '../../core/facts.ts';
import { factsOfDetail, PodFactsDetail, podFactsDetail } from '../../core/pod-facts.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { compactEventOf, snapshotOf } from '../../core/snapshot.ts';
import { trimPod } from '../../forwarder/pipeline/trim.ts';
import { fixtureObjects } from '../../testkit/fixtures.ts';

type Raw = Record<string, any>;

const ctx = { now: Date.parse('2030-01-01T00:00:00Z'), stuckAfterSeconds: 300 };
const PODS = 'devops2-volodymyr__minikube-default-podlist.json';
const EVENTS = 'devops2-volodymyr__minikube-default-eventlist.json';

function objects(file: string): Raw[] {
  return fixtureObjects(file).map((o) => o.value as Raw);
}

type In = { pod: Raw } | { event: Raw };

function recordsOf(inputs: readonly In[]): PodRecord[] {
  const e = new LifecycleEngine();
  for (const i of inputs) {
    if ('pod' in i) e.applySnapshot(snapshotOf(i.pod, { cluster: 'test', type: 'ADDED' }));
    else {
      const ev = compactEventOf(i.event);
      if (ev) e.applyEvent('test', ev);
    }
  }
  return e.records(ctx);
}

const minikube = (): In[] => [
  ...objects(PODS).map((pod) => ({ pod })),
  ...objects(EVENTS)
    .filter((e) => e.involvedObject?.kind === 'Pod')
    .map((event) => ({ event })),
];

const STAGES = [
  'scheduledAfterSeconds',
  'sandboxReadyAfterSeconds',
  'initializedAfterSeconds',
  'imagePullSeconds',
  'containersStartedAfterSeconds',
  'containersReadyAfterSeconds',
  'startupSliSeconds',
  'startupSliExcludedReason',
] as const;

function stagesOf(r: PodRecord) {
  return Object.fromEntries(STAGES.map((k) => [k, r[k]]));
}

describe('startup waterfall on real objects (minikube PodList + EventList, Kubernetes 1.31)', () => {
  const records = recordsOf(minikube());
  const byName = (name: string) => records.find((r) => r.name === name)!;

  it.each([
    [
      // created 10:40:04; PodScheduled 10:40:06; PodReadyToStartContainers 10:40:10; Initialized
      // 10:40:06; redis started 10:40:09; ContainersReady 10:40:10. Pulled: 1.617s (1.617s incl.
      // waiting), 116976307 bytes. A PersistentVolumeClaim volume: not stateless.
      'redis-1',
      {
        scheduledAfterSeconds: 2,
        sandboxReadyAfterSeconds: 6,
        initializedAfterSeconds: 2,
        imagePullSeconds: 1.617,
        containersStartedAfterSeconds: 5,
        containersReadyAfterSeconds: 6,
        startupSliSeconds: null,
        startupSliExcludedReason: 'stateful',
      },
      {
        container: 'redis',
        role: 'app',
        image: 'redis:latest',
        pullSeconds: 1.617,
        pullWaitSeconds: 0,
        imageSizeBytes: 116976307,
        startedAfterSeconds: 5,
      },
    ],
    [
      // The second incarnation of redis-0: created 11:08:53; PodScheduled and Initialized
      // 11:08:53; started 11:08:57; PodReadyToStartContainers and ContainersReady 11:08:58 (the
      // latest transition, as the list shows it). Its first Pulled Event after creation is the
      // 11:08:57 one: 1.629s; the 10:40:03 one (13.996s) belongs to the earlier incarnation.
      'redis-0',
      {
        scheduledAfterSeconds: 0,
        sandboxReadyAfterSeconds: 5,
        initializedAfterSeconds: 0,
        imagePullSeconds: 1.629,
        containersStartedAfterSeconds: 4,
        containersReadyAfterSeconds: 5,
        startupSliSeconds: null,
        startupSliExcludedReason: 'stateful',
      },
      {
        container: 'redis',
        role: 'app',
        image: 'redis:latest',
        pullSeconds: 1.629,
        pullWaitSeconds: 0,
        imageSizeBytes: 116976307,
        startedAfterSeconds: 4,
      },
    ],
  ])('%s', (name, stages, container) => {
    const r = byName(name);
    expect(stagesOf(r)).toStrictEqual(stages);
    expect(r.containerStartups).toStrictEqual([container]);
  });
});

/**
 * redis-1 as a stateless pod: its data volume an emptyDir instead of a claim (the one edit), and
 * its events without the FailedScheduling the unbound claim caused.
 */
function statelessRedis(): In[] {
  const pod = structuredClone(objects(PODS).find((p) => p.metadata.name === 'redis-1')!);
  pod.spec.volumes = pod.spec.volumes.map((v: Raw) =>
    v.persistentVolumeClaim ? { name: v.name, emptyDir: {} } : v,
  );
  const events = objects(EVENTS).filter(
    (e) => e.involvedObject?.name === 'redis-1' && e.reason !== 'FailedScheduling',
  );
  return [{ pod }, ...events.map((event) => ({ event }))];
}

describe('the pod startup SLI (SIG Scalability: creation → all containers started, minus image pulls)', () => {
  it('a stateless, schedulable pod: (10:40:09 − 10:40:04) − the 1.617 s pull = 3.383 s', () => {
    const [r] = recordsOf(statelessRedis());
    expect(r!.startupSliSeconds).toBe(3.383);
    expect(r!.startupSliExcludedReason).toBeNull();
  });

  it('the same pod after a FailedScheduling: not schedulable at once, excluded', () => {
    const inputs = statelessRedis();
    const failed = objects(EVENTS).find(
      (e) => e.involvedObject?.name === 'redis-1' && e.reason === 'FailedScheduling',
    )!;
    const [r] = recordsOf([...inputs, { event: failed }]);
    expect([r!.startupSliSeconds, r!.startupSliExcludedReason]).toEqual([null, 'unschedulable']);
  });

  it('without its Pulled Event the pull is unknown: null, never a guess', () => {
    const inputs = statelessRedis().filter((i) => !('event' in i) || i.event.reason !== 'Pulled');
    const [r] = recordsOf(inputs);
    expect([r!.startupSliSeconds, r!.startupSliExcludedReason, r!.imagePullSeconds]).toEqual([
      null,
      'pullUnknown',
      null,
    ]);
    expect(r!.containerStartups[0]!.pullSeconds).toBeNull();
  });

  it('an image already present is a zero pull: the SLI is creation → started', () => {
    const inputs = statelessRedis().map((i) =>
      'event' in i && i.event.reason === 'Pulled'
        ? { event: { ...i.event, message: 'Container image "redis:latest" already present on machine' } }
        : i,
    );
    const [r] = recordsOf(inputs);
    expect([r!.startupSliSeconds, r!.imagePullSeconds]).toEqual([5, 0]);
    expect(r!.containerStartups[0]).toMatchObject({
      pullSeconds: 0,
      pullWaitSeconds: 0,
      imageSizeBytes: null,
    });
  });

  it('a pull that waited in the queue: the wait is its own figure, and the whole wait is left out of the SLI', () => {
    const inputs = statelessRedis().map((i) =>
      'event' in i && i.event.reason === 'Pulled'
        ? {
            event: {
              ...i.event,
              message:
                'Successfully pulled image "redis:latest" in 1.617s (3.5s including waiting). Image size: 116976307 bytes.',
            },
          }
        : i,
    );
    const [r] = recordsOf(inputs);
    expect(r!.containerStartups[0]!.pullWaitSeconds).toBe(1.883);
    expect(r!.startupSliSeconds).toBe(1.5);
  });

  it('a pod with init containers (a native sidecar too) is excluded (k9s sidecar pod)', () => {
    const pod = objects('k9s__po-sidecar-init.json')[0]!;
    const [r] = recordsOf([{ pod }]);
    expect([r!.startupSliSeconds, r!.startupSliExcludedReason]).toEqual([null, 'initContainers']);
    // Its waterfall: created 01:54:32, PodReadyToStartContainers 01:54:36, Initialized 01:54:38,
    // sleep started 01:54:38, ContainersReady 01:54:39 (the literal times of the fixture).
    expect(stagesOf(r!)).toMatchObject({
      sandboxReadyAfterSeconds: 4,
      initializedAfterSeconds: 6,
      containersStartedAfterSeconds: 6,
      containersReadyAfterSeconds: 7,
    });
    expect(r!.containerStartups.map((c) => [c.container, c.role, c.startedAfterSeconds])).toEqual([
      ['sleep', 'app', 6],
      ['init', 'init', 3],
      ['sidecar', 'sidecar', 6],
    ]);
  });

  it('a gated pod is excluded as gated; a pod never started as not started', () => {
    const pod = structuredClone(objects(PODS).find((p) => p.metadata.name === 'redis-1')!);
    pod.spec.volumes = [];
    pod.spec.schedulingGates = [{ name: 'example.com/quota' }];
    delete pod.spec.nodeName;
    pod.status = {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
          lastTransitionTime: pod.metadata.creationTimestamp,
        },
      ],
    };
    expect(recordsOf([{ pod }])[0]!.startupSliExcludedReason).toBe('schedulingGated');
    pod.spec.schedulingGates = [];
    pod.status.conditions = [];
    expect(recordsOf([{ pod }])[0]!.startupSliExcludedReason).toBe('notStarted');
  });
});

describe('order and duplicate independence of the waterfall', () => {
  it('any order, any duplicates of the snapshots and Events → the same stages and SLI', () => {
    const base = [
      ...minikube(),
      ...statelessRedis().map((i) =>
        'pod' in i
          ? { pod: { ...i.pod, metadata: { ...i.pod.metadata, name: 'redis-x', uid: 'x' } } }
          : {
              event: {
                ...i.event,
                metadata: { ...i.event.metadata, uid: `x-${i.event.metadata.uid}` },
                involvedObject: { ...i.event.involvedObject, name: 'redis-x', uid: 'x' },
              },
            },
      ),
    ];
    const view = (rs: PodRecord[]) => rs.map((r) => [r.name, stagesOf(r), r.containerStartups]);
    const expected = view(recordsOf(base));
    expect(expected.find(([n]) => n === 'redis-x')![1]).toMatchObject({ startupSliSeconds: 3.383 });
    fc.assert(
      fc.property(
        fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }),
        fc.array(fc.nat(base.length - 1), { maxLength: 10 }),
        (shuffled, dups) => {
          const inputs = [...shuffled, ...dups.map((i) => base[i]!)];
          expect(view(recordsOf(inputs))).toStrictEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the facts the stages need travel on the wire', () => {
  it('sandboxReady and containersReady marks and the stateful flag survive Pod Facts (both encodings)', () => {
    const pod = objects(PODS).find((p) => p.metadata.name === 'redis-1')!;
    const facts = factsOfSnapshot(snapshotOf(pod, { cluster: 'test', type: 'ADDED' }));
    const ids = facts.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['mark:sandboxReady', 'mark:containersReady', 'stateful']));
    const id = { cluster: 'test', namespace: 'default', name: 'redis-1', uid: pod.metadata.uid };
    for (const compress of [false, true]) {
      const back = factsOfDetail(PodFactsDetail.parse(podFactsDetail(id, facts, { compress })));
      const byId = (fs: readonly { id: string }[]) => [...fs].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(byId(back)).toEqual(byId(facts));
    }
  });

  it('the forwarder keeps only each volume’s source kind; an emptyDir pod is stateless', () => {
    const pod = structuredClone(objects(PODS).find((p) => p.metadata.name === 'redis-1')!);
    const trimmed = trimPod(pod) as Raw;
    expect(trimmed.spec.volumes).toEqual([{ persistentVolumeClaim: {} }, { projected: {} }]);
    expect(snapshotOf(trimmed, { cluster: 't', type: 'ADDED' }).pod.stateful).toBe(true);
    pod.spec.volumes[0] = { name: 'redis-data', emptyDir: {} };
    expect(snapshotOf(trimPod(pod), { cluster: 't', type: 'ADDED' }).pod.stateful).toBeUndefined();
  });
});

/**
 * A pod seen only before the kubelet wrote any container status (kspan's recording, SOURCES.md
 * item 7): `px-5d567cc74c-ss4lb` was recorded once, Pending with PodScheduled=True and no
 * container statuses, yet the kubelet's Pulling/Pulled/Created/Started Events about its one
 * container (`spec.containers{podinfo}`) are in the recording. Its spec has one container and
 * no init containers, so the Events name every container there is.
 */
describe('containers named by the kubelet’s Events when statuses are missing (kspan ss4lb)', () => {
  const KSPAN = 'kspan__deployment-2-pods-recorded-stream.yaml';
  const kspan = (): In[] =>
    objects(KSPAN)
      .filter((o) => o.kind === 'Pod' || o.involvedObject?.kind === 'Pod')
      .map((o) => (o.kind === 'Pod' ? { pod: o } : { event: o }));
  const ss4lb = (inputs: readonly In[]) => recordsOf(inputs).find((r) => r.name === 'px-5d567cc74c-ss4lb')!;

  it('the pull from the Pulled Event: 5.870196872 s → 5.87 (older wording: no wait, no size); no start figure', () => {
    const r = ss4lb(kspan());
    // Pulled 09:43:05: 'Successfully pulled image "ghcr.io/stefanprodan/podinfo:5.0.0" in 5.870196872s'
    // (rounded to the millisecond: 5.870). Its only snapshot has no container status, so no
    // running.startedAt: the container's start is not known (the Started Event is not a status).
    expect(r.containerStartups).toStrictEqual([
      {
        container: 'podinfo',
        role: 'app',
        image: 'ghcr.io/stefanprodan/podinfo:5.0.0',
        pullSeconds: 5.87,
        pullWaitSeconds: null,
        imageSizeBytes: null,
        startedAfterSeconds: null,
      },
    ]);
    // One container in the spec, its pull known: the pod's pull total is that pull.
    expect(r.imagePullSeconds).toBe(5.87);
    // created 09:42:58, PodScheduled 09:42:58 → 0; no app container seen started.
    expect([r.scheduledAfterSeconds, r.containersStartedAfterSeconds]).toEqual([0, null]);
    expect([r.startupSliSeconds, r.startupSliExcludedReason]).toEqual([null, 'notStarted']);
  });

  it('never a guess: nothing without the Events or with an init container in the spec; no total while a container has no Event', () => {
    const podOnly = kspan().filter((i) => 'pod' in i);
    expect([ss4lb(podOnly).containerStartups, ss4lb(podOnly).imagePullSeconds]).toEqual([[], null]);
    // An init container in the spec: the Events cannot tell an init container from an app one.
    const withInit = kspan().map((i) =>
      'pod' in i && i.pod.metadata.name === 'px-5d567cc74c-ss4lb'
        ? {
            pod: {
              ...i.pod,
              spec: { ...i.pod.spec, initContainers: [{ name: 'setup', image: 'busybox' }] },
            },
          }
        : i,
    );
    expect([ss4lb(withInit).containerStartups, ss4lb(withInit).imagePullSeconds]).toEqual([[], null]);
    // A second container in the spec with no Event of its own: listed is the one named, the
    // pod's total stays null (one of its two pulls is unknown).
    const twoContainers = kspan().map((i) =>
      'pod' in i && i.pod.metadata.name === 'px-5d567cc74c-ss4lb'
        ? {
            pod: {
              ...i.pod,
              spec: {
                ...i.pod.spec,
                containers: [...i.pod.spec.containers, { name: 'proxy', image: 'envoy' }],
              },
            },
          }
        : i,
    );
    const two = ss4lb(twoContainers);
    expect([two.containerStartups.map((c) => [c.container, c.pullSeconds]), two.imagePullSeconds]).toEqual([
      [['podinfo', 5.87]],
      null,
    ]);
  });

  it('any order, any duplicates of the recording’s objects → the same containers and pull total', () => {
    const base = kspan();
    const view = (rs: PodRecord[]) => rs.map((r) => [r.name, r.imagePullSeconds, r.containerStartups]);
    const expected = view(recordsOf(base));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }),
        fc.array(fc.nat(base.length - 1), { maxLength: 10 }),
        (shuffled, dups) => {
          expect(view(recordsOf([...shuffled, ...dups.map((i) => base[i]!)]))).toStrictEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
