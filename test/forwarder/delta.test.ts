/**
 * What counts as a no-op update, one table of edits to a real pod: what the figures do not
 * read (labels, annotations, resourceVersion, managedFields, spec, probe times, conditions and
 * messages no figure uses) sends nothing; anything the compact projection carries sends a snapshot.
 * The same table for the default payload (Pod Facts), which sends only what changes the pod's
 * facts: three rows differ, each explained in FACTS_DIFFER. DELETED is sent once per uid.
 */
import { describe, expect, it } from 'vitest';
import { type FactMap, factsOfSnapshot } from '../../core/facts.ts';
import { KEEP_RUNS } from '../../core/fold.ts';
import { snapshotOf } from '../../core/snapshot.ts';
import { Ledger, newFacts } from '../../forwarder/pipeline/delta.ts';
import { trimPod } from '../../forwarder/pipeline/trim.ts';
import type { Obj } from '../../testkit/fake-apiserver.ts';
import { fixtureInputs } from '../../testkit/fixtures.ts';
import { kindPods, withCrash } from './helpers.ts';

const BASE: Obj = kindPods().find((p) => p.metadata.name.startsWith('e2e-deployment-'))!;
const snap = (p: Obj, type: 'ADDED' | 'MODIFIED' | 'DELETED' = 'MODIFIED') =>
  snapshotOf(p, { cluster: 'c', type, observedAt: new Date().toISOString() });

function condition(p: Obj, type: string): Obj {
  return p.status.conditions.find((c: Obj) => c.type === type);
}

function edit(fn: (p: Obj) => void): Obj {
  const p = structuredClone(BASE);
  fn(p);
  return p;
}

const cases: [string, (p: Obj) => void, 'send' | 'noop'][] = [
  ['nothing but the resourceVersion', (p) => (p.metadata.resourceVersion = '999999'), 'noop'],
  ['a label', (p) => (p.metadata.labels.team = 'blue'), 'noop'],
  ['an annotation', (p) => (p.metadata.annotations = { 'x/y': 'z' }), 'noop'],
  [
    'managedFields',
    (p) => (p.metadata.managedFields = [{ manager: 'kubectl', operation: 'Update' }]),
    'noop',
  ],
  ['the env of a container', (p) => (p.spec.containers[0].env = [{ name: 'A', value: 'B' }]), 'noop'],
  ['the image', (p) => (p.spec.containers[0].image = 'nginx:2'), 'noop'],
  [
    'a condition lastProbeTime',
    (p) => (p.status.conditions[0].lastProbeTime = '2030-01-01T00:00:00Z'),
    'noop',
  ],
  ['the pod IP', (p) => (p.status.podIP = '10.9.9.9'), 'noop'],
  ['a condition’s observedGeneration', (p) => (p.status.conditions[0].observedGeneration = 7), 'noop'],
  ['the phase', (p) => (p.status.phase = 'Failed'), 'send'],
  ['a restart', (p) => (p.status.containerStatuses[0].restartCount += 1), 'send'],
  // Container readiness is kubectl's READY (the `ready` figure, issue 14): it is sent. As every
  // status update does, it moves the resourceVersion (the order facts of one snapshot are joined by).
  [
    'container readiness',
    (p) => {
      p.status.containerStatuses[0].ready = !p.status.containerStatuses[0].ready;
      p.metadata.resourceVersion = String(Number(p.metadata.resourceVersion) + 1);
    },
    'send',
  ],
  ['the Ready condition turning False', (p) => (condition(p, 'Ready').status = 'False'), 'send'],
  [
    'the Ready condition’s transition time',
    (p) => (condition(p, 'Ready').lastTransitionTime = '2030-01-01T00:00:00Z'),
    'send',
  ],
  // ContainersReady is a stage of the startup waterfall since issue 11: the projection carries it.
  [
    'the ContainersReady condition turning False',
    (p) => (condition(p, 'ContainersReady').status = 'False'),
    'send',
  ],
  [
    'a condition no figure reads (a readiness gate’s)',
    (p) =>
      p.status.conditions.push({
        type: 'example.com/feature-ready',
        status: 'True',
        lastTransitionTime: condition(p, 'Ready').lastTransitionTime,
      }),
    'noop',
  ],
  ['the message of a Ready condition', (p) => (condition(p, 'Ready').message = 'probe failed'), 'noop'],
  [
    'the scheduler’s message on PodScheduled=False',
    (p) =>
      Object.assign(condition(p, 'PodScheduled'), { status: 'False', message: '0/3 nodes are available' }),
    'send',
  ],
  ['the deletionTimestamp', (p) => (p.metadata.deletionTimestamp = '2030-01-01T00:00:00Z'), 'send'],
  [
    'a waiting reason',
    (p) => (p.status.containerStatuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } }),
    'send',
  ],
  ['the node', (p) => (p.spec.nodeName = 'other-node'), 'send'],
  ['the status reason', (p) => (p.status.reason = 'Evicted'), 'send'],
];

/**
 * Where the facts payload answers differently: it sends what changes the pod's facts, which is
 * exactly what changes anything at the ingest (the ingest stores facts), where a snapshot's
 * digest also sees fields the engine then ignores.
 */
const FACTS_DIFFER: Record<string, 'send' | 'noop'> = {
  // No figure reads "not Ready now" (timeToReadySeconds is the first time Ready turned True):
  // the snapshot would reach the ingest and change nothing there.
  'the Ready condition turning False': 'noop',
  // Ready's first True time is kept (the earliest); a later transition time moves only the
  // snapshot's order, which no figure reads.
  'the Ready condition’s transition time': 'noop',
  // spec.nodeName is immutable once set; the node fact keeps the first one.
  'the node': 'noop',
  // As Ready: only the first time ContainersReady turned True is a figure.
  'the ContainersReady condition turning False': 'noop',
};

describe('no-op detection', () => {
  it.each(cases)('an update of %s → %s', (_, fn, expected) => {
    const d = new Ledger();
    expect(d.pod(snap(BASE, 'ADDED'))).toBe('send');
    expect(d.pod(snap(edit(fn)))).toBe(expected);
  });

  it.each(cases)('the same after trimming (what the informer caches): %s → %s', (_, fn, expected) => {
    const d = new Ledger();
    expect(d.pod(snap(trimPod(BASE), 'ADDED'))).toBe('send');
    expect(d.pod(snap(trimPod(edit(fn))))).toBe(expected);
  });

  it.each(cases)('Pod Facts (the default payload): an update of %s → %s', (name, fn, expected) => {
    const d = new Ledger();
    expect(d.podFacts(snap(BASE))).not.toBe('noop');
    const got = d.podFacts(snap(edit(fn)));
    expect(got === 'noop' ? 'noop' : 'send').toBe(FACTS_DIFFER[name] ?? expected);
  });

  it('trimming changes nothing in the projection of any real pod', () => {
    for (const p of kindPods())
      expect(snap(trimPod(p))).toEqual({ ...snap(p), observedAt: expect.any(String) });
  });

  it('DELETED is sent once per uid, and nothing after it', () => {
    const d = new Ledger();
    expect(d.pod(snap(BASE, 'ADDED'))).toBe('send');
    expect(d.pod(snap(BASE, 'DELETED'))).toBe('send');
    expect(d.pod(snap(BASE, 'DELETED'))).toBe('noop');
    expect(d.pod(snap(edit((p) => (p.status.phase = 'Failed'))))).toBe('noop');
    expect(d.isDeleted(BASE.metadata.uid)).toBe(true);
    expect(d.isLive(BASE.metadata.uid)).toBe(false);
  });

  it('force sends an unchanged snapshot (a re-send after an overflow)', () => {
    const d = new Ledger();
    d.pod(snap(BASE));
    expect(d.pod(snap(BASE))).toBe('noop');
    expect(d.pod(snap(BASE), true)).toBe('send');
  });

  it('a pod crash-looping for 1,000 restarts: every restart is news, its ledger stays bounded', () => {
    const d = new Ledger();
    let sentRuns = 0;
    for (let n = 1; n <= 1000; n++) {
      const delta = d.podFacts(snap(withCrash(BASE, n)));
      expect(delta).not.toBe('noop');
      if (delta !== 'noop') sentRuns += delta.filter((f) => f.kind === 'run').length;
    }
    expect(sentRuns).toBeGreaterThanOrEqual(1000);
    const ledgerRuns = d.sentFacts(BASE.metadata.uid)!.filter((f) => f.kind === 'run');
    const containers = BASE.status.containerStatuses.length;
    expect(ledgerRuns.length).toBeLessThanOrEqual(KEEP_RUNS * containers);
    // The runs a later snapshot can carry are still known: a repeat of the last state is no news.
    expect(d.podFacts(snap(withCrash(BASE, 1000)))).toBe('noop');
  });

  it('tombstones are bounded', () => {
    const d = new Ledger({ maxTombstones: 2 });
    for (const uid of ['a', 'b', 'c']) {
      d.pod(
        snap(
          edit((p) => (p.metadata.uid = uid)),
          'DELETED',
        ),
      );
    }
    expect(d.isDeleted('a')).toBe(false);
    expect(d.isDeleted('c')).toBe(true);
  });

  it('events repeat only when they change', () => {
    const d = new Ledger();
    const ev = {
      uid: 'e1',
      namespace: 'n',
      podName: 'p',
      reason: 'BackOff',
      count: 1,
      firstTimestamp: null,
      lastTimestamp: null,
    };
    expect(d.event(ev)).toBe('send');
    expect(d.event({ ...ev })).toBe('noop');
    expect(d.event({ ...ev, count: 2 })).toBe('send');
    d.forgetEvent('e1');
    expect(d.event({ ...ev, count: 2 })).toBe('send');
  });
});

// Moved from test/unit/pod-facts.test.ts with `newFacts` (core → the forwarder's delta stage).
describe('newFacts', () => {
  it('an update that changes no figure has no delta', () => {
    const [first] = fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl');
    if (first?.kind !== 'snapshot') throw new Error('fixture changed');
    const sent: FactMap = new Map();
    expect(newFacts(sent, factsOfSnapshot(first.snapshot)).length).toBeGreaterThan(0);
    const relabelled = structuredClone(first.snapshot);
    relabelled.pod.resourceVersion = '999999999';
    relabelled.observedAt = '2030-01-01T00:00:00Z';
    expect(newFacts(sent, factsOfSnapshot(relabelled))).toEqual([]);
  });
});
