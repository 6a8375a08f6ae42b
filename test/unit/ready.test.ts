/**
 * kubectl's READY (issue 14): the `ready` figure, from the per-container readiness facts and the
 * spec's container count, for the pod's latest state.
 *
 * 1. kubectl's own printer tests (kubernetes/kubernetes pkg/printers/internalversion/printers_test.go:
 *    every case of TestPrintPod, TestPrintPodWithRestartableInitContainer, TestPrintPodConditions
 *    and TestPrintNonTerminatedPod, shared with kubectl-status.test.ts in testkit/printer-cases.ts)
 *    sent the whole way: snapshot → facts → figure, compared with `cells[0]`, upstream's READY.
 *    Go's empty containers get names (the snapshot needs one), a phase Go's test invents
 *    (`podPhase`) becomes `Running` and a `terminated: {}` gets Go's zero exit code: none of these
 *    changes READY. One case upstream lacks (a started, ready native sidecar) is added here.
 * 2. The real fixtures, READY worked out by hand from the literal objects.
 * 3. The joins of the new facts: commutative, associative, idempotent; the figure the same for
 *    any order and duplicates of the facts (fast-check).
 * 4. Old facts (no spec count) read `null`; the wire form and the forwarder's ledger keep the facts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addFacts, type Fact, type FactMap, factsOfSnapshot, joinFacts } from '../../core/facts.ts';
import { figuresOf } from '../../core/figures.ts';
import { kubectlPodRow } from '../../core/kubectl-status.ts';
import { factsOfDetail, podFactsDetail } from '../../core/pod-facts.ts';
import { snapshotOf } from '../../core/snapshot.ts';
import { Ledger } from '../../forwarder/pipeline/delta.ts';
import { trimPod } from '../../forwarder/pipeline/trim.ts';
import { podItemOf } from '../../model/pod-item.ts';
import { crashLoopingPodOf, pendingPodOf } from '../../model/pod-rows.ts';
import { engineOf, fixtureInputs } from '../../testkit/fixtures.ts';
import {
  ago,
  containers,
  NOW,
  PRINTERS_TEST_CASES,
  type PrinterCase,
  restartable,
  running,
  S,
} from '../../testkit/printer-cases.ts';
import { adaptCrash, adaptPod } from '../../web/src/api.ts';
import { renderCrashloops, renderPod } from '../../web/src/render.ts';
import { parseHash } from '../../web/src/state.ts';

const ctx = { now: NOW, stuckAfterSeconds: 300 };

type Obj = any;

/** Go's literal as a Pod the snapshot accepts (see the header): names, phase, exit codes. */
function asPod(raw: Obj): Obj {
  const p = structuredClone(raw);
  p.metadata = { name: 'p', namespace: 'default', uid: 'u', creationTimestamp: ago(3600 * S), ...p.metadata };
  const st = p.status ?? {};
  if (!['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'].includes(st.phase)) st.phase = 'Running';
  const fix = (list: Obj[] | undefined, prefix: string) =>
    list?.forEach((c: Obj, i: number) => {
      c.name ??= `${prefix}${i}`;
      c.restartCount ??= 0;
      for (const s of [c.state, c.lastState]) if (s?.terminated) s.terminated.exitCode ??= 0;
    });
  fix(st.initContainerStatuses, 'i');
  fix(st.containerStatuses, 'c');
  const name = (list: Obj[] | undefined, prefix: string) =>
    list?.forEach((c: Obj, i: number) => {
      c.name ??= `${prefix}${i}`;
    });
  name(p.spec?.initContainers, 'i');
  name(p.spec?.containers, 'c');
  p.status = st;
  return p;
}

/** READY through the pipeline: Pod → snapshot → facts → the `ready` figure, as kubectl prints it. */
function readyViaFacts(pod: Obj, type: 'ADDED' | 'MODIFIED' | 'DELETED' = 'MODIFIED'): string | null {
  const snap = snapshotOf(pod, { cluster: 'c', type });
  const map: FactMap = new Map();
  addFacts(map, factsOfSnapshot(snap));
  const r = figuresOf(map, ctx).ready;
  return r && `${r.ready}/${r.total}`;
}

/** Cases kubectl's printers_test.go lacks; READY worked out from KEP-753. */
const MORE_PRINTER_CASES: PrinterCase[] = [
  {
    name: 'a sidecar started and ready counts (KEP-753), beside a ready app container',
    pod: {
      spec: { initContainers: [restartable('proxy')], containers: containers(1) },
      status: {
        phase: 'Running',
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, state: running }],
        containerStatuses: [{ ready: true, state: running }],
        conditions: [{ type: 'Initialized', status: 'True' }],
      },
    },
    cells: ['2/2', 'Running', '0'],
  },
];

describe('READY as kubectl prints it: printers_test.go through snapshot → facts → figure', () => {
  it.each([...PRINTERS_TEST_CASES, ...MORE_PRINTER_CASES].map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const ready = c.cells[0]; // kubectl's READY column
    const pod = asPod(c.pod);
    // The port of printPod on the raw Pod agrees (core/kubectl-status.ts) ...
    expect(kubectlPodRow(pod, NOW).ready).toBe(ready);
    // ... and so does the figure, from the facts the pipeline keeps.
    expect(readyViaFacts(pod)).toBe(ready);
    // A DELETED watch event of the same object reads the same (kubectl prints the object).
    expect(readyViaFacts(pod, 'DELETED')).toBe(ready);
    // What the forwarder's informer caches (trimPod) keeps READY.
    expect(readyViaFacts(trimPod(pod))).toBe(ready);
  });
});

interface FixtureCase {
  file: string;
  pod?: string;
  ready: string;
  why: string;
}

/** Worked out by hand from the literal objects (spec.containers, initContainers, statuses). */
const FIXTURE_CASES: FixtureCase[] = [
  {
    file: 'k9s__po-sidecar-init.json',
    ready: '2/2',
    why: '1 container + sidecar `sidecar` (restartPolicy Always) = 2; init `init` Completed; sidecar started+ready running; sleep ready running',
  },
  { file: 'gitops-engine__pod-succeeded.yaml', ready: '0/1', why: 'Succeeded, main terminated Completed' },
  {
    file: 'gitops-engine__pod-deletion.yaml',
    ready: '0/1',
    why: 'a deleted Pending pod, main waiting, ready false',
  },
  {
    file: 'gitops-engine__pod-running-not-ready.yaml',
    ready: '0/1',
    why: 'Running, main running but ready false',
  },
  { file: 'gitops-engine__pod-running-restart-always.yaml', ready: '1/1', why: 'main running, ready true' },
  { file: 'gitops-engine__pod-crashloop.yaml', ready: '0/1', why: 'main waiting CrashLoopBackOff' },
  {
    file: 'insights-operator__etcd-master-0-init-restarts.json',
    ready: '3/3',
    why: 'etcdctl, etcd, etcd-metrics all running and ready; two init containers Completed (not counted)',
  },
  {
    file: 'insights-operator__vsystem-init-crashloopbackoff.json',
    ready: '0/2',
    why: '2 containers; init vsystem-hana-init waiting (Init:CrashLoopBackOff) holds the pod',
  },
  {
    file: 'insights-operator__router-default-unschedulable.json',
    ready: '0/1',
    why: 'Pending, never scheduled: no container statuses, 1 container in the spec',
  },
  { file: 'is-healthy__evicted.yaml', ready: '0/1', why: 'Evicted: no container statuses' },
  {
    file: 'is-healthy__pod-terminating.yaml',
    ready: '0/1',
    why: 'deletionTimestamp set, test-container terminated',
  },
  {
    file: 'is-healthy__pod-crashloop-pending.yaml',
    ready: '0/1',
    why: 'init crashloop-init terminated (failed): initializing, nothing counted',
  },
  {
    file: 'kspan__deployment-2-pods-recorded-stream.yaml',
    pod: 'px-7df978b9bf-jm22q',
    ready: '1/1',
    why: 'being deleted (Terminating) while podinfo is still running and ready',
  },
  {
    file: 'kspan__deployment-2-pods-recorded-stream.yaml',
    pod: 'px-5d567cc74c-pmvzr',
    ready: '0/1',
    why: 'podinfo waiting ContainerCreating',
  },
  {
    file: 'pandaychen-blog__api-watch-pods-2016.jsonl',
    ready: '1/1',
    why: 'a watch stream: the latest snapshot has nginx-app running and ready (earlier ones 0/1)',
  },
  {
    file: 'nri-kubernetes__1_35-pods.yaml',
    pod: 'e2e-container-creating',
    ready: '0/1',
    why: 'alpine terminated',
  },
  { file: 'nri-kubernetes__1_35-pods.yaml', pod: 'e2e-statefulset-0', ready: '1/1', why: 'running, ready' },
  {
    file: 'devops2-volodymyr__minikube-default-podlist.json',
    pod: 'redis-1',
    ready: '1/1',
    why: 'redis running, ready',
  },
];

describe('READY on the real fixtures, worked out by hand', () => {
  it.each(FIXTURE_CASES.map((c) => [`${c.file}${c.pod ? ` ${c.pod}` : ''}: ${c.ready}`, c] as const))(
    '%s',
    (_n, c) => {
      const recs = engineOf(fixtureInputs(c.file)).records(ctx);
      const mine = recs.filter((r) => c.pod === undefined || r.name === c.pod);
      expect(mine).toHaveLength(1);
      const r = mine[0]!.ready;
      expect(r && `${r.ready}/${r.total}`).toBe(c.ready);
    },
  );
});

// ---- the facts' laws ---------------------------------------------------------------------------

const order = fc.record({
  t: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2_000_000_000_000 })),
  rv: fc.constantFrom('', '1', '2', '10', '99999999999999999999'),
});
const readyFact: fc.Arbitrary<Fact> = fc
  .record({ container: fc.constantFrom('a', 'b'), init: fc.boolean(), ready: fc.boolean(), at: order })
  .map((r) => ({ id: `ready:${r.init ? 'i' : 'c'}:${r.container}` as const, kind: 'ready' as const, ...r }));
const countFact: fc.Arbitrary<Fact> = fc
  .record({ n: fc.nat({ max: 5 }), sidecars: fc.nat({ max: 3 }) })
  .map((c) => ({ id: 'containers' as const, kind: 'containers' as const, ...c }));

/** Facts of one id, to join. */
const sameId = (arb: fc.Arbitrary<Fact>) =>
  fc.tuple(arb, arb, arb).map(([a, b, c]) => [a, { ...b, id: a.id }, { ...c, id: a.id }] as Fact[]);

describe('the readiness and count facts form a join-semilattice', () => {
  it.each([
    ['ready', readyFact],
    ['containers', countFact],
  ] as const)('%s: commutative, associative, idempotent', (_n, arb) => {
    fc.assert(
      fc.property(sameId(arb as fc.Arbitrary<Fact>), ([a, b, c]) => {
        // Facts of one id are of one kind; the generator may give a ready fact another container's id.
        if (a!.kind !== b!.kind || a!.kind !== c!.kind) return;
        const j = joinFacts;
        expect(j(a!, b!)).toEqual(j(b!, a!));
        expect(j(j(a!, b!), c!)).toEqual(j(a!, j(b!, c!)));
        expect(j(a!, a!)).toBe(a);
        expect(j(j(a!, b!), b!)).toEqual(j(a!, b!));
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it('the figure is the same for any order and duplicates of the facts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(readyFact, countFact), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer(),
        (facts, extra, seed) => {
          const once: FactMap = new Map();
          addFacts(once, facts);
          const list = [...facts, ...extra.map((i) => facts[i % Math.max(1, facts.length)]!).filter(Boolean)];
          // A seeded shuffle.
          let s = seed;
          for (let i = list.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) | 0;
            const k = Math.abs(s) % (i + 1);
            [list[i], list[k]] = [list[k]!, list[i]!];
          }
          const shuffled: FactMap = new Map();
          addFacts(shuffled, list);
          expect(figuresOf(shuffled, ctx).ready).toEqual(figuresOf(once, ctx).ready);
        },
      ),
      { numRuns: 300, seed: 1414 },
    );
  });

  it('a real watch stream in any order gives the latest snapshot’s READY', () => {
    const inputs = fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl');
    const want = engineOf(inputs).records(ctx)[0]!.ready;
    expect(want).toEqual({ ready: 1, total: 1 });
    fc.assert(
      fc.property(
        fc.shuffledSubarray(inputs, { minLength: inputs.length, maxLength: inputs.length }),
        (xs) => {
          expect(engineOf([...xs, ...xs.slice(0, 2)]).records(ctx)[0]!.ready).toEqual(want);
        },
      ),
      { numRuns: 50, seed: 7 },
    );
  });
});

describe('stored and forwarded facts', () => {
  it('facts without the spec’s count (stored or forwarded before READY) read null, never a guess', () => {
    const [input] = fixtureInputs('gitops-engine__pod-running-restart-always.yaml');
    if (input?.kind !== 'snapshot') throw new Error('a snapshot');
    const old = structuredClone(input.snapshot);
    delete old.pod.containerCount;
    delete old.pod.sidecarCount;
    for (const c of old.pod.containerStatuses) delete c.ready;
    const map: FactMap = new Map();
    addFacts(map, factsOfSnapshot(old));
    expect([...map.keys()].some((k) => k.startsWith('ready:') || k === 'containers')).toBe(false);
    expect(figuresOf(map, ctx).ready).toBeNull();
    // The same pod's next snapshot from a newer forwarder makes it known.
    addFacts(map, factsOfSnapshot(input.snapshot));
    expect(figuresOf(map, ctx).ready).toEqual({ ready: 1, total: 1 });
  });

  it('the Pod Facts wire form keeps them, compressed or not', () => {
    const [input] = fixtureInputs('k9s__po-sidecar-init.json');
    if (input?.kind !== 'snapshot') throw new Error('a snapshot');
    const facts = factsOfSnapshot(input.snapshot).filter(
      (f) => f.kind === 'ready' || f.kind === 'containers',
    );
    expect(facts.map((f) => f.id).sort()).toEqual(['containers', 'ready:c:sleep', 'ready:i:sidecar']);
    const id = { cluster: 'c', namespace: 'default', name: 'sleep', uid: 'u' };
    for (const compress of [false, true]) {
      const back = factsOfDetail(podFactsDetail(id, facts, { compress }));
      expect(back.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
        facts.sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
    }
  });

  it('the forwarder sends a readiness change, and not a repeat of it', () => {
    const [input] = fixtureInputs('gitops-engine__pod-running-restart-always.yaml');
    if (input?.kind !== 'snapshot') throw new Error('a snapshot');
    const ledger = new Ledger();
    expect(ledger.podFacts(input.snapshot)).not.toBe('noop');
    const later = structuredClone(input.snapshot);
    later.pod.resourceVersion = '999999999';
    expect(ledger.podFacts(later)).toBe('noop');
    const unready = structuredClone(later);
    unready.pod.resourceVersion = '1000000000';
    unready.pod.containerStatuses[0]!.ready = false;
    const sent = ledger.podFacts(unready);
    expect(sent === 'noop' ? [] : sent.map((f) => f.id)).toContain('ready:c:main');
  });
});

describe('the stored item and the list rows', () => {
  const itemOf = (file: string) => {
    const map: FactMap = new Map();
    for (const i of fixtureInputs(file))
      if (i.kind === 'snapshot') addFacts(map, factsOfSnapshot(i.snapshot));
    return podItemOf(map, 1, { retentionDays: 30, now: NOW })!;
  };
  const thresholds = { defaultSeconds: 300, overrides: {} };

  it('a Pending item carries READY for the pending index; its row reads it back', () => {
    const item = itemOf('insights-operator__router-default-unschedulable.json');
    expect(item.pendingKey).toBeDefined();
    expect(item.ready).toBe('0/1');
    expect(pendingPodOf(item, NOW, thresholds).ready).toEqual({ ready: 0, total: 1 });
  });

  it('a crash-looping item carries it for the crashLooping index', () => {
    const item = itemOf('gitops-engine__pod-crashloop.yaml');
    expect(item.crashKey).toBeDefined();
    expect(crashLoopingPodOf(item, NOW, 3600).ready).toEqual({ ready: 0, total: 1 });
  });

  it('a running, healthy item does not carry it (no bytes, no index writes)', () => {
    const item = itemOf('gitops-engine__pod-running-restart-always.yaml');
    expect(item.pendingKey ?? item.crashKey).toBeUndefined();
    expect(item.ready).toBeUndefined();
  });
});

describe('shown on the dashboard', () => {
  it('the pod view says READY as kubectl prints it; a crash-looping row carries it', () => {
    const rec = engineOf(fixtureInputs('k9s__po-sidecar-init.json')).records(ctx)[0]!;
    const pod = adaptPod(JSON.parse(JSON.stringify(rec)), 'demo');
    const view = parseHash('#cluster=demo');
    expect(renderPod([pod], view, NOW, pod).text).toContain('<dd data-figure="ready">2/2</dd>');
    const row = adaptCrash(
      { namespace: 'argocd', name: 'my-pod', uid: 'u', restarts: 3, ready: { ready: 0, total: 1 } },
      'demo',
    );
    const list = { items: [row], rejected: 0, truncated: false, now: null };
    expect(renderCrashloops(list, view).text).toContain('title="READY 0/1"');
  });
});
