/**
 * The engine never throws on data. Figures, timelines, records and the stored item are total
 * functions: over arbitrary fact sets (any time a JSON number can carry, at the bounds and far
 * past them, as an item stored before the bounds may hold; missing fields, empty lists, huge
 * counts), and over real snapshots mutated within what the schemas accept, where the order and
 * duplicate invariants of test/unit/order-independence.test.ts must still hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addFacts, type Fact, type FactMap, type MarkName } from '../../core/facts.ts';
import { figuresOf } from '../../core/figures.ts';
import { podRecordOf } from '../../core/pod-record.ts';
import type { PodSnapshot } from '../../core/snapshot.ts';
import { EARLIEST_TIME_MS } from '../../core/time-bounds.ts';
import { timelineOf } from '../../core/timeline.ts';
import { eventsOnlyItemOf, podItemOf, podKeyOf } from '../../model/pod-item.ts';
import { prng } from '../../testkit/churn.ts';
import { engineOf, type Input, propertyStreams } from '../../testkit/fixtures.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const ctx = { now: NOW, stuckAfterSeconds: 300 };

/** Any time a stored item could hold: the bounds, just past them, past what a Date holds, negative. */
const anyTime = fc.oneof(
  fc.constant(EARLIEST_TIME_MS),
  fc.constant(NOW + 86_400_000),
  fc.constant(8.64e15),
  fc.constant(8.64e15 + 1),
  fc.constant(9e15),
  fc.constant(1e300),
  fc.constant(-1e300),
  fc.constant(-1),
  fc.constant(0),
  fc.constant(Number.MAX_VALUE),
  fc.integer({ min: EARLIEST_TIME_MS, max: NOW }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const nTime = fc.option(anyTime, { nil: null });
const word = fc.oneof(fc.constant(''), fc.string({ maxLength: 8 }), fc.constant('CrashLoopBackOff'));
const container = fc.constantFrom('a', 'b', '');
const count = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(1e300));
const order = fc.record({ t: anyTime, rv: fc.constantFrom('', '1', '99999999999999999999') });

const anyFact: fc.Arbitrary<Fact> = fc.oneof(
  fc.record({
    id: fc.constant('pod' as const),
    kind: fc.constant('pod' as const),
    cluster: fc.constant('c'),
    namespace: fc.constant('ns'),
    name: fc.constant('p'),
    uid: fc.constant('u'),
    created: nTime,
    owner: fc.option(fc.record({ kind: word, name: word }), { nil: null }),
    qos: fc.option(word, { nil: null }),
  }),
  fc.record({ id: fc.constant('node' as const), kind: fc.constant('node' as const), node: word }),
  fc
    .record({
      mark: fc.constantFrom<MarkName>(
        'scheduled',
        'sandboxReady',
        'initialized',
        'containersReady',
        'ready',
        'deletedAt',
        'finished',
      ),
      t: anyTime,
    })
    .map(({ mark, t }) => ({ id: `mark:${mark}` as const, kind: 'mark' as const, mark, t })),
  fc
    .record({
      phase: fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Weird'),
      t: nTime,
    })
    .map(({ phase, t }) => ({ id: `phase:${phase}` as const, kind: 'phase' as const, phase, t })),
  fc.record({ id: fc.constant('initCount' as const), kind: fc.constant('initCount' as const), n: count }),
  fc.record({ container, n: count }).map(({ container: c, n }) => ({
    id: `restarts:${c}` as const,
    kind: 'restarts' as const,
    container: c,
    n,
  })),
  fc
    .record({
      container,
      init: fc.boolean(),
      key: fc.string({ maxLength: 4 }),
      ordinal: fc.option(count, { nil: null }),
      startedAt: nTime,
      term: fc.option(
        fc.record({
          finishedAt: nTime,
          reason: fc.option(word, { nil: null }),
          exitCode: fc.integer(),
        }),
        { nil: null },
      ),
    })
    .map(({ key, ...r }) => ({
      id: `run:${r.init ? 'i' : 'c'}:${r.container}:${key}` as const,
      kind: 'run' as const,
      ...r,
    })),
  fc.record({ container, init: fc.boolean(), reason: word, t: nTime }).map((w) => ({
    id: `waiting:${w.init ? 'i' : 'c'}:${w.container}:${w.reason}` as const,
    kind: 'waiting' as const,
    ...w,
  })),
  fc.record({
    id: fc.constant('latest' as const),
    kind: fc.constant('latest' as const),
    at: order,
    phase: fc.option(word, { nil: null }),
    waiting: fc.option(fc.record({ container, reason: word }), { nil: null }),
  }),
  fc.record({
    id: fc.constant('status' as const),
    kind: fc.constant('status' as const),
    at: order,
    reason: word,
  }),
  fc.record({
    id: fc.constant('unschedulable' as const),
    kind: fc.constant('unschedulable' as const),
    t: nTime,
    at: order,
    message: word,
  }),
  // kubectl's READY (issue 14): the spec's count and each container's readiness.
  fc.record({
    id: fc.constant('containers' as const),
    kind: fc.constant('containers' as const),
    n: count,
    sidecars: count,
  }),
  fc.record({ container, init: fc.boolean(), ready: fc.boolean(), at: order }).map((r) => ({
    id: `ready:${r.init ? 'i' : 'c'}:${r.container}` as const,
    kind: 'ready' as const,
    ...r,
  })),
  fc.constant({ id: 'deleted' as const, kind: 'deleted' as const }),
  fc.constant({ id: 'stateful' as const, kind: 'stateful' as const }),
  // The kubelet's Pulled Events (issue 11), odd and extreme values among them.
  fc
    .record({
      uid: fc.string({ maxLength: 3 }),
      reason: fc.constant('Pulled'),
      container: fc.constantFrom('a', 'b', ''),
      message: fc.constantFrom(
        'Successfully pulled image "x" in 1.5s (2s including waiting). Image size: 9007199254740991 bytes.',
        'Successfully pulled image "x" in 167h59m59s',
        'Container image "x" already present on machine',
        'Successfully pulled image "x"',
        '',
      ),
      count,
      first: nTime,
      last: nTime,
    })
    .map((e) => ({ id: `event:${e.uid}` as const, kind: 'event' as const, ...e })),
  fc
    .record({
      uid: fc.string({ maxLength: 3 }),
      reason: fc.constantFrom('FailedScheduling', 'BackOff', ''),
      message: word,
      count,
      first: nTime,
      last: nTime,
    })
    .map((e) => ({ id: `event:${e.uid}` as const, kind: 'event' as const, ...e })),
);

/** Every consumer of a fact set, as the ingest and the readers call them. */
function consumeAll(map: FactMap): void {
  podRecordOf(map, ctx);
  figuresOf(map, ctx);
  timelineOf(map);
  const key = podKeyOf('c', 'ns', 'p', 'u');
  const item =
    podItemOf(map, 1, { retentionDays: 30, now: NOW }) ??
    eventsOnlyItemOf(key, map, 1, { retentionDays: 30, now: NOW });
  JSON.stringify({ ...item, facts: undefined });
}

describe('the engine never throws on data', () => {
  it('arbitrary fact sets (times at, past and far past the bounds; huge counts; empty names)', () => {
    fc.assert(
      fc.property(fc.array(anyFact, { maxLength: 30 }), (facts) => {
        const map: FactMap = new Map();
        addFacts(map, facts);
        expect(() => consumeAll(map)).not.toThrow();
        const rec = podRecordOf(map, ctx);
        // Every timeline entry's time is an ISO string or null, never an invalid Date's text.
        for (const e of rec?.timeline ?? [])
          if (e.at != null) expect(Number.isFinite(Date.parse(e.at))).toBe(true);
      }),
      { numRuns: 400, seed: 10 },
    );
  });

  it('any stored item + any valid event: the merge and every record built from it never throw', () => {
    const validEvent = fc
      .record({
        uid: fc.string({ minLength: 1, maxLength: 3 }),
        reason: fc.constantFrom('FailedScheduling', 'BackOff', 'Pulled'),
        count: fc.integer({ min: 1, max: 1000 }),
        first: fc.option(fc.integer({ min: EARLIEST_TIME_MS, max: NOW }), { nil: null }),
        last: fc.option(fc.integer({ min: EARLIEST_TIME_MS, max: NOW }), { nil: null }),
      })
      .map((e) => ({ id: `event:${e.uid}` as const, kind: 'event' as const, ...e }) satisfies Fact);
    fc.assert(
      fc.property(
        fc.array(anyFact, { maxLength: 20 }),
        fc.array(validEvent, { minLength: 1, maxLength: 3 }),
        (stored, events) => {
          const map: FactMap = new Map();
          addFacts(map, stored);
          addFacts(map, events);
          expect(() => consumeAll(map)).not.toThrow();
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Real snapshots, mutated within the schemas

const BOUND_TIMES = [
  '2014-06-01T00:00:00Z',
  '2014-06-01T00:00:00.001Z',
  new Date(NOW + 86_400_000).toISOString(),
  '0001-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  null,
];

/** A snapshot mutated as the schemas still allow: times moved to the bounds, lists emptied, counts huge, fields dropped. */
function mutate(s: PodSnapshot, r: () => number): PodSnapshot {
  const snap = structuredClone(s);
  const pod = snap.pod;
  const pickTime = () => BOUND_TIMES[Math.floor(r() * BOUND_TIMES.length)];
  switch (Math.floor(r() * 6)) {
    case 0:
      pod.creationTimestamp = pickTime();
      break;
    case 1:
      for (const c of pod.conditions) c.lastTransitionTime = pickTime();
      break;
    case 2:
      pod.containerStatuses = [];
      pod.conditions = [];
      break;
    case 3:
      for (const c of pod.containerStatuses) c.restartCount = Number.MAX_SAFE_INTEGER;
      break;
    case 4:
      for (const c of [...pod.containerStatuses, ...pod.initContainerStatuses]) {
        if (c.state?.terminated) c.state.terminated.finishedAt = pickTime();
        if (c.state?.running) c.state.running.startedAt = pickTime();
        delete c.lastState;
      }
      break;
    default:
      delete pod.phase;
      delete pod.creationTimestamp;
      pod.deletionTimestamp = pickTime();
  }
  return snap;
}

function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  const rnd = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('mutated real streams keep the order and duplicate invariants', () => {
  it.each(propertyStreams())('%s', (_name, inputs) => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (mutationSeed, shuffleSeed) => {
        const r = prng(mutationSeed);
        const mutated: Input[] = inputs.map((i) =>
          i.kind === 'snapshot' && r() < 0.5 ? { kind: 'snapshot', snapshot: mutate(i.snapshot, r) } : i,
        );
        const expected = engineOf(mutated).records(ctx);
        const again = engineOf(shuffled([...mutated, ...mutated.slice(0, 5)], shuffleSeed)).records(ctx);
        expect(again).toEqual(expected);
      }),
      { numRuns: 15, seed: 12 },
    );
  });
});
