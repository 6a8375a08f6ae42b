/**
 * The `Pod Facts` wire form (core/pod-facts.ts):
 * - the encoding is lossless: decode(encode(facts)) gives back the same facts, ids included,
 *   compressed or not, for every fact the real fixtures and the generated churn produce;
 * - deltas are as good as snapshots: a pod's records built from the deltas a forwarder sends
 *   (in any order, with duplicates, some merged in a buffer) equal the records built from every
 *   full snapshot (fast-check);
 * - bad details are refused with a reason that names the field.
 */
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../core/engine.ts';
import { canonicalFacts, type Fact, factsOfSnapshot, mergeFactMaps } from '../../core/facts.ts';
import {
  DEFLATE_DICTIONARY,
  DETAIL_TYPE_FACTS,
  factsOfDetail,
  PodFactsDetail,
  type PodIdentity,
  podFactsDetail,
} from '../../core/pod-facts.ts';
import { PayloadEncoder } from '../../forwarder/payload.ts';
import { prng } from '../../testkit/churn.ts';
import { type Input, propertyStreams } from '../../testkit/fixtures.ts';

const ctx = { now: Date.parse('2030-01-01T00:00:00Z'), stuckAfterSeconds: 300 };

const STREAMS = propertyStreams();

/** JSON out and back: what crosses the bus. */
function wire(detail: PodFactsDetail): PodFactsDetail {
  return PodFactsDetail.parse(JSON.parse(JSON.stringify(detail)));
}

function identityOf(input: Input & { kind: 'snapshot' }): PodIdentity {
  const p = input.snapshot.pod;
  return { cluster: input.snapshot.cluster, namespace: p.namespace, name: p.name, uid: p.uid };
}

function sorted(facts: readonly Fact[]): Fact[] {
  return canonicalFacts(new Map(facts.map((f) => [f.id, f])));
}

describe('the encoding is lossless', () => {
  for (const [name, inputs] of STREAMS) {
    it(`${name}: every snapshot's facts, compressed and not`, () => {
      let n = 0;
      for (const input of inputs) {
        if (input.kind !== 'snapshot') continue;
        const facts = factsOfSnapshot(input.snapshot);
        for (const compress of [false, true]) {
          const back = factsOfDetail(wire(podFactsDetail(identityOf(input), facts, { compress })));
          expect(sorted(back)).toEqual(sorted(facts));
          n++;
        }
      }
      expect(n).toBeGreaterThan(0);
    });
  }

  it('any subset of a pod’s facts (a delta) comes back, the identity from the header', () => {
    const pool = STREAMS.flatMap(([, inputs]) => inputs).filter(
      (i): i is Input & { kind: 'snapshot' } => i.kind === 'snapshot',
    );
    fc.assert(
      fc.property(
        fc.nat(pool.length - 1),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.boolean(),
        (i, keep, compress) => {
          const input = pool[i]!;
          const all = factsOfSnapshot(input.snapshot);
          const subset = all.filter((_, k) => keep[k % keep.length]);
          const back = factsOfDetail(wire(podFactsDetail(identityOf(input), subset, { compress })));
          expect(sorted(back)).toEqual(sorted(subset));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('times keep millisecond precision far from t0', () => {
    const facts: Fact[] = [
      { id: 'mark:scheduled', kind: 'mark', mark: 'scheduled', t: 1_700_000_000_123 },
      { id: 'mark:ready', kind: 'mark', mark: 'ready', t: 1_700_086_400_999 },
      { id: 'phase:Running', kind: 'phase', phase: 'Running', t: 1_800_000_000_001 },
    ];
    const back = factsOfDetail(
      wire(podFactsDetail({ cluster: 'c', namespace: 'n', name: 'p', uid: 'u' }, facts)),
    );
    expect(sorted(back)).toEqual(sorted(facts));
  });
});

/** What the forwarder sends for a stream, in order (its own encoder): the Pod Facts deltas. */
function forwarderDeltas(
  inputs: readonly Input[],
): { uid: string; cluster: string; detail: PodFactsDetail }[] {
  const encoder = new PayloadEncoder();
  const out: { uid: string; cluster: string; detail: PodFactsDetail }[] = [];
  for (const input of inputs) {
    const p =
      input.kind === 'snapshot'
        ? encoder.snapshot(input.snapshot)
        : encoder.event(input.cluster, input.event);
    // An Event naming its pod only by name stays a Pod Event: applied below as such.
    if (!p || p.detailType !== DETAIL_TYPE_FACTS) continue;
    const detail = wire(p.detail as PodFactsDetail);
    out.push({ uid: detail.uid, cluster: detail.cluster, detail });
  }
  return out;
}

describe('deltas are as good as snapshots', () => {
  for (const [name, inputs] of STREAMS) {
    it(`${name}: any order, duplicates and buffer merges give the records of the full snapshots`, () => {
      const reference = new LifecycleEngine();
      for (const i of inputs) {
        if (i.kind === 'snapshot') reference.applySnapshot(i.snapshot);
        else reference.applyEvent(i.cluster, i.event);
      }
      const expected = reference.records(ctx);
      const deltas = forwarderDeltas(inputs);
      const nameOnly = inputs.filter((i) => i.kind === 'event' && !i.event.podUid);
      fc.assert(
        fc.property(
          fc.array(fc.nat(deltas.length - 1), { maxLength: 10 }),
          fc.array(fc.tuple(fc.nat(deltas.length - 1), fc.nat(deltas.length - 1)), { maxLength: 5 }),
          fc.integer(),
          (dups, merges, seed) => {
            // A buffer merges two unsent deltas of one pod into one (the join of both).
            let items = deltas.map((d) => ({ ...d, facts: factsOfDetail(d.detail) }));
            for (const [a, b] of merges) {
              const x = items[a % items.length];
              const y = items[b % items.length];
              if (!x || !y || x === y || x.uid !== y.uid) continue;
              const merged = canonicalFacts(
                mergeFactMaps(new Map(x.facts.map((f) => [f.id, f])), new Map(y.facts.map((f) => [f.id, f]))),
              );
              const id = {
                cluster: x.cluster,
                namespace: x.detail.namespace,
                name: x.detail.name,
                uid: x.uid,
              };
              const detail = wire(podFactsDetail(id, merged, { compress: true }));
              items = items.filter((it) => it !== x && it !== y);
              items.push({ uid: x.uid, cluster: x.cluster, detail, facts: factsOfDetail(detail) });
            }
            const list = [...items, ...dups.map((i) => items[i % items.length]!)];
            const rnd = prng(seed);
            for (let i = list.length - 1; i > 0; i--) {
              const j = Math.floor(rnd() * (i + 1));
              [list[i], list[j]] = [list[j]!, list[i]!];
            }
            const engine = new LifecycleEngine();
            for (const d of list) engine.applyFacts(d.detail, d.facts);
            for (const i of nameOnly) if (i.kind === 'event') engine.applyEvent(i.cluster, i.event);
            expect(engine.records(ctx)).toEqual(expected);
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});

describe('bad details are refused with a reason', () => {
  const head = { schemaVersion: 1, cluster: 'c', namespace: 'n', name: 'p', uid: 'u', t0: 1_700_000_000 };
  const decode = (d: unknown) => factsOfDetail(PodFactsDetail.parse(d));
  it.each([
    ['neither facts nor factsDeflate', head, /exactly one of facts and factsDeflate/],
    ['both', { ...head, facts: {}, factsDeflate: 'AA==' }, /exactly one of facts and factsDeflate/],
    ['an unknown fact group', { ...head, facts: { secrets: {} } }, /Unrecognized key/],
    ['an unknown mark', { ...head, facts: { marks: { born: 1 } } }, /marks/],
    [
      'a run without start or end',
      { ...head, facts: { containers: [{ name: 'a', runs: [{ n: 0 }] }] } },
      /a run needs/,
    ],
    [
      'an end without exit code',
      { ...head, facts: { containers: [{ name: 'a', runs: [{ start: 1, end: 2 }] }] } },
      /needs its exit code/,
    ],
    // Init containers' restarts are counted since issue 11; `sidecar` marks an init container's.
    [
      'sidecar on an app container',
      { ...head, facts: { containers: [{ name: 'a', sidecar: true, restarts: 1 }] } },
      /sidecar marks an init container/,
    ],
    [
      'sidecar without its restarts',
      { ...head, facts: { containers: [{ name: 'a', init: true, sidecar: true }] } },
      /sidecar marks an init container/,
    ],
    [
      'a latest waiting shorthand naming nothing',
      { ...head, facts: { latest: { t: 0, rv: '1', waiting: 'a/CrashLoopBackOff' } } },
      /names no waiting entry/,
    ],
    ['a non-numeric resourceVersion', { ...head, facts: { latest: { t: 0, rv: '1; drop' } } }, /rv/],
    ['factsDeflate that is not DEFLATE', { ...head, factsDeflate: 'bm90IGRlZmxhdGU=' }, /factsDeflate/],
  ])('%s', (_, detail, reason) => {
    expect(() => decode(detail)).toThrow(reason);
  });

  it('a zip bomb stops at the inflate limit', () => {
    const bomb = deflateRawSync(Buffer.alloc(10 * 1024 * 1024, 0x20), { dictionary: DEFLATE_DICTIONARY });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(() => decode({ ...head, factsDeflate: bomb.toString('base64') })).toThrow(/factsDeflate/);
  });

  it('compressed facts are validated like plain ones', () => {
    const z = deflateRawSync(JSON.stringify({ node: 7 }), { dictionary: DEFLATE_DICTIONARY });
    expect(() => decode({ ...head, factsDeflate: z.toString('base64') })).toThrow(/facts\.node/);
  });
});
