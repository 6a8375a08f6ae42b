/**
 * The forwarder's ledger keeps each pod's sent facts as one compact string (FactCodec in
 * forwarder/pipeline/delta.ts) instead of objects, for heap (issue 12). Kept compactly, it must
 * give back exactly what was sent: the same facts, keys in the same order, the same values, and
 * so the same deltas as a ledger of plain objects, whatever the order and repetition of updates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Fact, type FactMap, factOfEvent, factsOfSnapshot } from '../../core/facts.ts';
import { FactCodec, Ledger, newFacts, trimLedger } from '../../forwarder/pipeline/delta.ts';
import { withheldSnapshot } from '../../forwarder/pipeline/snapshot.ts';
import { type Input, propertyStreams } from '../../testkit/fixtures.ts';

const streams = propertyStreams();
const inputs: Input[] = streams.flatMap(([, list]) => list);
const snapshots = inputs.flatMap((i) => (i.kind === 'snapshot' ? [withheldSnapshot(i.snapshot, false)] : []));
/** Every fact the real and generated streams make: every kind, with and without optional keys. */
const allFacts: Fact[] = [
  ...snapshots.flatMap((s) => factsOfSnapshot(s)),
  ...inputs.flatMap((i) => (i.kind === 'event' && i.event.podUid ? [factOfEvent(i.event)] : [])),
];

/** What JSON keeps of a fact (undefined-valued keys dropped), key order included. */
const asSent = (facts: readonly Fact[]) => JSON.stringify(facts);

/** The ledger as it was before the codec: the facts sent per uid, as objects. */
class PlainLedger {
  private readonly ledgers = new Map<string, readonly Fact[]>();
  private readonly deleted = new Set<string>();
  podFacts(snap: (typeof snapshots)[number]): Fact[] | 'noop' {
    const uid = snap.pod.uid;
    if (this.deleted.has(uid)) return 'noop';
    const before = this.ledgers.get(uid);
    const sent: FactMap = new Map();
    if (before) for (const f of before) sent.set(f.id, f);
    const delta = newFacts(sent, factsOfSnapshot(snap));
    if (snap.type === 'DELETED') {
      this.ledgers.delete(uid);
      this.deleted.add(uid);
    } else if (!before || delta.length > 0) this.ledgers.set(uid, trimLedger([...sent.values()]));
    return delta.length ? delta : 'noop';
  }
  sentFacts(uid: string): Fact[] | undefined {
    const s = this.ledgers.get(uid);
    return s && s.length > 0 ? [...s] : undefined;
  }
}

describe('the ledger codec', () => {
  it('gives back every fact of the real and generated streams, keys in order', () => {
    expect(new Set(allFacts.map((f) => f.kind)).size).toBeGreaterThanOrEqual(10);
    const codec = new FactCodec();
    for (const f of allFacts) {
      const [back] = codec.decode(codec.encode([f]));
      expect(asSent([back!])).toBe(asSent([f]));
      expect(Object.keys(back!)).toEqual(Object.keys(f).filter((k) => (f as never)[k] !== undefined));
    }
    // Shapes are per kind and key set, not per pod or container: few.
    expect(codec.shapeCount).toBeLessThan(60);
  });

  it('round-trips any selection, order and repetition of facts, also past its shape limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: allFacts.length - 1 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 8 }),
        (picks, maxShapes) => {
          const codec = new FactCodec(maxShapes);
          const list = picks.map((i) => allFacts[i]!);
          expect(asSent(codec.decode(codec.encode(list)))).toBe(asSent(list));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is much smaller than the facts as JSON (what the objects cost is larger still)', () => {
    const codec = new FactCodec();
    const bySize = snapshots.map((s) => factsOfSnapshot(s)).filter((l) => l.length >= 8);
    expect(bySize.length).toBeGreaterThan(5);
    for (const list of bySize) expect(codec.encode(list).length).toBeLessThan(asSent(list).length * 0.7);
  });

  it('a ledger sends the same deltas as a ledger of plain facts, in any order, with repeats', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: snapshots.length - 1 }), { minLength: 1, maxLength: snapshots.length * 2 }),
        (order) => {
          const compact = new Ledger();
          const plain = new PlainLedger();
          for (const i of order) {
            const s = snapshots[i]!;
            const a = compact.podFacts(s);
            const b = plain.podFacts(s);
            expect(a === 'noop' ? a : asSent(a)).toBe(b === 'noop' ? b : asSent(b));
          }
          for (const uid of new Set(order.map((i) => snapshots[i]!.pod.uid))) {
            const a = compact.sentFacts(uid);
            const b = plain.sentFacts(uid);
            expect(a && asSent(a)).toBe(b && asSent(b));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
