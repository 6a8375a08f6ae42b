/**
 * The Pod Inventory's pure parts: the bus contract (core/inventory.ts through parseDetail), the
 * cut into entries (150,000 pods fit, every entry under the ingest's limit, the ranges partition
 * the uid space), and the rule that makes a `vanished` fact a deletion (`vanishedAtOf`): never
 * for a pod created or observed at or after the list, a later observation wins, Kubernetes' own
 * deletion wins, and the record is the same for any order and duplicates of the facts.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DETAIL_BYTES, parseDetail } from '../../core/bus-contract.ts';
import { addFacts, type Fact, type FactMap } from '../../core/facts.ts';
import {
  DETAIL_TYPE_INVENTORY,
  INVENTORY_MAX_DETAIL_BYTES,
  INVENTORY_SKEW_MS,
  inRange,
  inventoryEntries,
  type PodInventory,
  vanishedAtOf,
  vanishedFact,
} from '../../core/inventory.ts';
import { podRecordOf } from '../../core/pod-record.ts';
import { EVENT_SOURCE } from '../../core/snapshot.ts';
import { VANISHED_REASON } from '../../core/timeline.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const LISTED = T0 + 30 * 60_000;
const NOW = Date.parse('2026-11-21T00:00:00Z');
const CTX = { now: NOW, stuckAfterSeconds: 300 };
const iso = (ms: number) => new Date(ms).toISOString();

const parse = (detail: unknown) => parseDetail(EVENT_SOURCE, DETAIL_TYPE_INVENTORY, detail, NOW);

const base = (over: Partial<PodInventory> = {}): PodInventory => ({
  schemaVersion: 1,
  cluster: 'prod',
  listedAt: iso(LISTED),
  resourceVersion: '48213',
  instance: 'podlife-forwarder-7d9f-abcde',
  namespaces: null,
  part: 0,
  parts: 1,
  from: '',
  to: null,
  uids: ['a', 'b'],
  ...over,
});

/** A deterministic UUID v4-shaped uid. */
function uuid(i: number): string {
  const hex = createHash('sha256').update(String(i)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

describe('the Pod Inventory contract', () => {
  it('parses a valid entry', () => {
    expect(parse(base())).toEqual({ ok: true, kind: 'inventory', inventory: base() });
    expect(parse(base({ namespaces: ['web'], from: 'a', to: 'c' }))).toMatchObject({ ok: true });
  });

  it.each([
    ['a newer schema', { schemaVersion: 2 }, 'unknown-version'],
    ['to before from', { from: 'b', to: 'a', uids: [] }, 'schema'],
    ['a uid outside the range', { from: 'b', to: 'c', uids: ['a'] }, 'schema'],
    ['an empty namespace list', { namespaces: [] }, 'schema'],
    ['a listedAt in the far future', { listedAt: '2099-01-01T00:00:00Z' }, 'schema'],
    ['an unknown field', { extra: 1 }, 'schema'],
  ])('refuses %s', (_what, over, kind) => {
    expect(parse({ ...base(), ...over })).toMatchObject({ ok: false, kind });
  });

  it('150,000 pods: ~100 entries, each one billed event and under the ingest limit, covering every uid once', () => {
    const uids = Array.from({ length: 150_000 }, (_, i) => uuid(i));
    const entries = inventoryEntries({
      cluster: 'prod',
      listedAt: iso(LISTED),
      resourceVersion: '123456789',
      instance: 'fwd',
      namespaces: null,
      uids,
    });
    expect(entries.length).toBeGreaterThan(80);
    expect(entries.length).toBeLessThan(110);
    for (const e of entries) {
      const bytes = Buffer.byteLength(JSON.stringify(e));
      expect(bytes).toBeLessThanOrEqual(INVENTORY_MAX_DETAIL_BYTES);
      expect(bytes).toBeLessThan(MAX_DETAIL_BYTES);
      expect(parse(e)).toMatchObject({ ok: true });
      expect(e.parts).toBe(entries.length);
    }
    expect(entries[0]!.from).toBe('');
    expect(entries.at(-1)!.to).toBeNull();
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.from).toBe(entries[i - 1]!.to);
    expect(entries.flatMap((e) => e.uids)).toEqual([...new Set(uids)].sort());
  });

  it('the ranges partition the uid space: any uid is covered by exactly one entry (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 })), { maxLength: 200 }),
        fc.array(fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 })), { maxLength: 50 }),
        fc.integer({ min: 600, max: 4_000 }),
        (listed, probes, maxBytes) => {
          const entries = inventoryEntries(
            {
              cluster: 'c',
              listedAt: iso(LISTED),
              resourceVersion: '',
              instance: 'i',
              namespaces: null,
              uids: listed,
            },
            maxBytes,
          );
          for (const e of entries) expect(parse(e)).toMatchObject({ ok: true });
          for (const u of [...probes, ...listed]) {
            const covering = entries.filter((e) => inRange(u, e));
            expect(covering).toHaveLength(1);
            expect(covering[0]!.uids.includes(u)).toBe(listed.includes(u));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('an empty list is one entry covering everything with no uid', () => {
    const [only, ...rest] = inventoryEntries({
      cluster: 'c',
      listedAt: iso(LISTED),
      resourceVersion: '1',
      instance: 'i',
      namespaces: ['web'],
      uids: [],
    });
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ from: '', to: null, uids: [], part: 0, parts: 1, namespaces: ['web'] });
  });
});

/** A pod stuck Pending since `created`. */
function pendingPod(created: number): Fact[] {
  return [
    {
      id: 'pod',
      kind: 'pod',
      cluster: 'prod',
      namespace: 'web',
      name: 'p',
      uid: 'u1',
      created,
      owner: null,
      qos: null,
    },
    { id: 'phase:Pending', kind: 'phase', phase: 'Pending', t: created },
    { id: 'latest', kind: 'latest', at: { t: created, rv: '10' }, phase: 'Pending', waiting: null },
  ];
}

/** A FailedScheduling Event seen last at `t`: an observation of the pod at `t`. */
const seenAt = (t: number, uid = 'ev-1'): Fact => ({
  id: `event:${uid}`,
  kind: 'event',
  uid,
  reason: 'FailedScheduling',
  count: 3,
  first: T0,
  last: t,
});

const mapOf = (facts: readonly Fact[]): FactMap => {
  const m: FactMap = new Map();
  addFacts(m, facts);
  return m;
};

const recordOf = (facts: readonly Fact[]) => podRecordOf(mapOf(facts), CTX)!;

describe('vanishedAtOf: when an inventory deletes a pod', () => {
  it('a pod absent from a list after its last observation is deleted by the inventory, at the list', () => {
    const r = recordOf([...pendingPod(T0), vanishedFact(LISTED)]);
    expect(r).toMatchObject({ deleted: true, deletedBy: 'inventory', pendingSeconds: (LISTED - T0) / 1000 });
    expect(r.timeline.at(-1)).toMatchObject({ at: iso(LISTED), type: 'Deleted', reason: VANISHED_REASON });
    // Before: a pod still pending, not deleted.
    expect(recordOf(pendingPod(T0))).toMatchObject({ deleted: false, deletedBy: null, pendingSeconds: null });
  });

  it.each([
    ['created after the list', LISTED + 1_000],
    ['created at the list', LISTED],
    ['created within the skew allowance before it', LISTED - INVENTORY_SKEW_MS + 1],
  ])('a pod %s is never marked', (_what, created) => {
    expect(vanishedAtOf(mapOf([...pendingPod(created), vanishedFact(LISTED)]))).toBeNull();
    expect(recordOf([...pendingPod(created), vanishedFact(LISTED)])).toMatchObject({
      deleted: false,
      deletedBy: null,
    });
  });

  it('a pod observed after the list is never marked; a later observation undoes a mark', () => {
    expect(recordOf([...pendingPod(T0), seenAt(LISTED + 60_000), vanishedFact(LISTED)])).toMatchObject({
      deleted: false,
    });
    const marked = mapOf([...pendingPod(T0), vanishedFact(LISTED)]);
    expect(vanishedAtOf(marked)).toBe(LISTED);
    addFacts(marked, [seenAt(LISTED + 60_000)]);
    expect(vanishedAtOf(marked)).toBeNull();
    // A later list without it marks it again, at that later list's time.
    addFacts(marked, [vanishedFact(LISTED + 600_000)]);
    expect(vanishedAtOf(marked)).toBe(LISTED + 600_000);
    expect(podRecordOf(marked, CTX)?.timeline.at(-1)).toMatchObject({ at: iso(LISTED + 600_000) });
  });

  it("Kubernetes' own deletion wins: deletedBy kubernetes, its deadline as the time", () => {
    const deadline = T0 + 60_000;
    const r = recordOf([
      ...pendingPod(T0),
      { id: 'deleted', kind: 'deleted' },
      { id: 'mark:deletedAt', kind: 'mark', mark: 'deletedAt', t: deadline },
      vanishedFact(LISTED),
    ]);
    expect(r).toMatchObject({ deleted: true, deletedBy: 'kubernetes', pendingSeconds: 60 });
    expect(r.timeline.filter((e) => e.type === 'Deleted')).toEqual([{ at: iso(deadline), type: 'Deleted' }]);
  });

  it('the earliest absence after the last observation is the deletion time', () => {
    expect(
      vanishedAtOf(mapOf([...pendingPod(T0), vanishedFact(LISTED + 60_000), vanishedFact(LISTED)])),
    ).toBe(LISTED);
  });

  it('the record is the same for any order, grouping and duplicates of the facts (property)', () => {
    const times = fc.integer({ min: T0 - 3_600_000, max: T0 + 7_200_000 });
    const extra = fc.oneof(
      times.map((t) => vanishedFact(t)),
      times.map((t) => seenAt(t, `ev-${t % 3}`)),
      fc.constant<Fact>({ id: 'deleted', kind: 'deleted' }),
      times.map((t): Fact => ({ id: 'mark:deletedAt', kind: 'mark', mark: 'deletedAt', t })),
    );
    fc.assert(
      fc.property(
        fc.array(extra, { maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
        fc.array(fc.nat({ max: 3 }), { maxLength: 12 }),
        (extras, order, dups) => {
          const facts = [...pendingPod(T0), ...extras];
          const expected = JSON.stringify(recordOf(facts));
          // Shuffled, some facts delivered again, joined in two maps then merged.
          const shuffled = facts
            .map((f, i) => ({ f, k: order[i % order.length]! + i / 1000 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.f);
          const again = dups.flatMap((d) => (facts[d] ? [facts[d]] : []));
          const half = Math.floor(shuffled.length / 2);
          const a = mapOf([...shuffled.slice(0, half), ...again]);
          addFacts(a, [...mapOf(shuffled.slice(half)).values()]);
          expect(JSON.stringify(podRecordOf(a, CTX))).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
