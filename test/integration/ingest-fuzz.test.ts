/**
 * Bus events, valid, mutated and hostile, into the real ingest handler on DynamoDB Local
 * (fast-check, seeded, bounded runs). Each run asserts: no invocation throws, every bad event is
 * parked with its reason (the field named where there is one), and the stored records of the
 * good events equal `podlife replay` (the engine) of the good events alone, whatever the bad
 * ones said about the same pods and in whatever order everything arrived.
 *
 * Then the regressions of issue 10 on the real table: an events-only delta with an unusable time
 * stored first no longer blocks its pod, an item stored before the bounds never makes a valid
 * event throw, and a 1,100-character uid is parked as invalid instead of failing in DynamoDB.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsOfSnapshot } from '../../core/facts.ts';
import { DETAIL_TYPE_FACTS, podFactsDetail } from '../../core/pod-facts.ts';
import { EVENT_SOURCE, type PodSnapshot } from '../../core/snapshot.ts';
import { eventsOnlyItemOf, podKeyOf } from '../../model/pod-item.ts';
import { prng } from '../../testkit/churn.ts';
import { churnInputs, engineOf, fixtureInputs } from '../../testkit/fixtures.ts';
import {
  busEventOf,
  FIXED_NOW,
  harness,
  type Input,
  inCluster,
  type LocalTable,
  RECORD_CTX,
  startLocalTable,
  storedRecords,
} from '../../testkit/ingest-harness.ts';

let t: LocalTable;
let n = 0;
const freshCluster = (label: string) => `${label}-${n++}`;

beforeAll(async () => {
  t = await startLocalTable('podlife-fuzz');
});
afterAll(async () => {
  await t?.stop();
});

type BusEvent = Record<string, unknown> & { detail: Record<string, unknown> };

/** A snapshot as the forwarder's default wire form: its facts as a `Pod Facts` event. */
function factsEventOf(snap: PodSnapshot, compress: boolean): BusEvent {
  const { namespace, name, uid } = snap.pod;
  const detail = podFactsDetail({ cluster: snap.cluster, namespace, name, uid }, factsOfSnapshot(snap), {
    compress,
  });
  return {
    ...busEventOf({ kind: 'snapshot', snapshot: snap }),
    'detail-type': DETAIL_TYPE_FACTS,
    detail,
  } as BusEvent;
}

/** The good inputs of one run: real watch streams, Pods with their Events, generated churn. */
function goodInputs(cluster: string): Input[] {
  return [
    ...fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl'),
    ...fixtureInputs('kspan__deployment-2-pods-recorded-stream.yaml'),
    ...fixtureInputs('devops2-volodymyr__minikube-default-podlist.json'),
    ...fixtureInputs('devops2-volodymyr__minikube-default-eventlist.json'),
    ...churnInputs(3, 6),
  ].map((i) => inCluster(i, cluster));
}

/** A good input as one of its bus forms: Pod Snapshot, Pod Facts (plain or compressed), Pod Event. */
function goodEvent(input: Input, r: () => number): BusEvent {
  if (input.kind === 'snapshot' && r() < 0.5) return factsEventOf(input.snapshot, r() < 0.5);
  return busEventOf(input) as BusEvent;
}

const LONG = 'x'.repeat(1100);
const FUTURE = '2031-01-03T00:00:00Z'; // FIXED_NOW (2030-01-01) + more than the 24 h allowance

/**
 * Mutations that make any good event invalid, each with the reason it must be parked with.
 * A mutation edits a copy; `null` means it does not apply to that event's kind.
 */
/** Runs an edit, then gives back what the mutation returns. */
function with_<T>(edit: () => void, result: T): T {
  edit();
  return result;
}

const MUTATIONS: Record<string, (e: BusEvent) => [BusEvent, RegExp] | null> = {
  'time past now + 24 h': (e) => {
    const d = e.detail as Record<string, any>;
    if (d.pod)
      return with_(() => {
        d.pod.creationTimestamp = FUTURE;
      }, [e, /^detail\.pod\.creationTimestamp: .*24 h/]);
    if (d.event)
      return with_(() => {
        d.event.lastTimestamp = FUTURE;
      }, [e, /^detail\.event\.lastTimestamp: .*24 h/]);
    return with_(() => {
      d.t0 = Date.parse(FUTURE) / 1000;
    }, [e, /^detail\.t0: /]);
  },
  'time before 2014-06-01': (e) => {
    const d = e.detail as Record<string, any>;
    if (d.pod) {
      d.pod.deletionTimestamp = '2013-05-31T00:00:00Z';
      return [e, /^detail\.pod\.deletionTimestamp: .*before 2014/];
    }
    if (d.event) {
      d.event.firstTimestamp = '2013-05-31T00:00:00Z';
      return [e, /^detail\.event\.firstTimestamp: .*before/];
    }
    if (!d.facts) return null;
    d.facts.marks = { ...d.facts.marks, ready: -d.t0 + 1e9 };
    return [e, /^detail\.facts\.marks\.ready: .*before 2014/];
  },
  'time no Date holds': (e) => {
    const d = e.detail as Record<string, any>;
    if (d.facts) {
      d.facts.latest = { t: 1e300, rv: '' };
      return [e, /^detail\.facts\.latest\.t: not a representable/];
    }
    if (d.factsDeflate)
      return with_(() => {
        d.t0 = 9e12;
      }, [e, /^detail\.t0: /]);
    if (d.pod)
      return with_(() => {
        d.pod.creationTimestamp = '+275760-09-14T00:00:00Z';
      }, [e, /^detail\.pod\.creationTimestamp/]);
    return with_(() => {
      d.event.lastTimestamp = 'yesterday';
    }, [e, /^detail\.event\.lastTimestamp: not a time/]);
  },
  'uid past 128 characters': (e) => {
    const d = e.detail as Record<string, any>;
    if (d.pod)
      return with_(() => {
        d.pod.uid = LONG;
      }, [e, /^detail\.pod\.uid: /]);
    if (d.event)
      return with_(() => {
        d.event.podUid = LONG;
      }, [e, /^detail\.event\.podUid: /]);
    return with_(() => {
      d.uid = LONG;
    }, [e, /^detail\.uid: /]);
  },
  'name past 253 characters': (e) => {
    const d = e.detail as Record<string, any>;
    if (d.pod)
      return with_(() => {
        d.pod.name = LONG;
      }, [e, /^detail\.pod\.name: /]);
    if (d.event)
      return with_(() => {
        d.event.podName = LONG;
      }, [e, /^detail\.event\.podName: /]);
    return with_(() => {
      d.name = LONG;
    }, [e, /^detail\.name: /]);
  },
  'namespace past 63 characters': (e) => {
    const d = e.detail as Record<string, any>;
    const ns = 'n'.repeat(64);
    if (d.pod)
      return with_(() => {
        d.pod.namespace = ns;
      }, [e, /^detail\.pod\.namespace: /]);
    if (d.event)
      return with_(() => {
        d.event.namespace = ns;
      }, [e, /^detail\.event\.namespace: /]);
    return with_(() => {
      d.namespace = ns;
    }, [e, /^detail\.namespace: /]);
  },
  'wrong type': (e) =>
    with_(() => {
      e.detail.cluster = 42;
    }, [e, /^detail\.cluster: /]),
  'unknown schemaVersion': (e) =>
    with_(() => {
      e.detail.schemaVersion = 2;
    }, [e, /schemaVersion 2 is not supported/]),
  'unknown detail-type': (e) =>
    with_(() => {
      e['detail-type'] = 'Pod Snapshots';
    }, [e, /unknown source\/detail-type/]),
  'forged source': (e) =>
    with_(() => {
      e.source = 'podlife.ingest';
    }, [e, /unknown source\/detail-type/]),
  'detail not an object': (e) =>
    with_(() => {
      e.detail = [] as never;
    }, [e, /^detail|schemaVersion undefined/]),
  'no envelope id': (e) =>
    with_(() => {
      delete e.id;
    }, [e, /not an EventBridge event/]),
  oversized: (e) =>
    with_(() => {
      e.detail.padding = 'p'.repeat(70_000);
    }, [e, /bytes, more than the 65536 accepted/]),
  'prototype key': (e) => {
    const hostile = JSON.parse(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}`);
    Object.assign(e.detail, hostile);
    return [e, /^detail/];
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

describe('fuzz: bus events into the ingest on DynamoDB Local', () => {
  it('no crash; every bad event parked with its reason; the good ones stored exactly as replay prints them', async () => {
    let parked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.array(fc.tuple(fc.constantFrom(...MUTATION_NAMES), fc.nat()), { minLength: 5, maxLength: 25 }),
        async (seed, mutations) => {
          const cluster = freshCluster('fuzz');
          const r = prng(seed);
          const good = goodInputs(cluster);
          const goodEvents = good.map((i) => goodEvent(i, r));
          const bad: [BusEvent, RegExp][] = [];
          for (const [name, i] of mutations) {
            const m = MUTATIONS[name]!(structuredClone(goodEvents[i % goodEvents.length]!));
            if (m)
              bad.push([{ ...m[0], id: m[0].id === undefined ? undefined : randomUUID() } as BusEvent, m[1]]);
          }
          for (const [e] of bad) if (e.id === undefined) delete e.id;
          const all: ({ good: BusEvent } | { bad: BusEvent; reason: RegExp })[] = [
            ...goodEvents.map((g) => ({ good: g })),
            ...bad.map(([b, reason]) => ({ bad: b, reason })),
          ];
          for (let k = all.length - 1; k > 0; k--) {
            const j = Math.floor(r() * (k + 1));
            [all[k], all[j]] = [all[j]!, all[k]!];
          }
          const h = harness(t.doc, t.tableName);
          for (const x of all) {
            if ('good' in x) {
              const out = await h.handler(x.good);
              expect(out.status, JSON.stringify(out)).not.toBe('invalid');
            } else {
              const out = await h.handler(x.bad);
              expect(out).toMatchObject({ status: 'invalid', reason: expect.stringMatching(x.reason) });
            }
          }
          expect(h.invalid).toHaveLength(bad.length);
          parked += bad.length;
          expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(
            engineOf(good).records(RECORD_CTX),
          );
        },
      ),
      { numRuns: 4, seed: 20261129 },
    );
    expect(parked).toBeGreaterThan(20);
  });
});

describe('issue 10 regressions on DynamoDB Local: no pod can be blocked by any event', () => {
  const podOf = (cluster: string) =>
    fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl').map((i) =>
      inCluster(i, cluster),
    ) as (Input & {
      kind: 'snapshot';
    })[];

  it('an events-only delta with an unusable time is parked; the pod’s later events are stored', async () => {
    const cluster = freshCluster('events-first');
    const inputs = podOf(cluster);
    const { namespace, name, uid } = inputs[0]!.snapshot.pod;
    const h = harness(t.doc, t.tableName);
    const eventsOnly = {
      ...busEventOf(inputs[0]!),
      'detail-type': DETAIL_TYPE_FACTS,
      source: EVENT_SOURCE,
      detail: {
        schemaVersion: 1,
        cluster,
        namespace,
        name,
        uid,
        t0: 9e12,
        facts: { events: [{ uid: 'ev-1', reason: 'Scheduled', count: 1, first: 0, last: 0 }] },
      },
    };
    await expect(h.handler(eventsOnly)).resolves.toMatchObject({
      status: 'invalid',
      kind: 'schema',
      reason: expect.stringMatching(/^detail\.t0: /),
    });
    for (const input of inputs)
      await expect(h.handler(busEventOf(input))).resolves.toMatchObject({ status: 'written' });
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(engineOf(inputs).records(RECORD_CTX));
  });

  it('an item stored before the bounds (a time no Date holds) never makes a valid event throw', async () => {
    const cluster = freshCluster('legacy');
    const inputs = podOf(cluster);
    const { namespace, name, uid } = inputs[0]!.snapshot.pod;
    const key = podKeyOf(cluster, namespace, name, uid);
    const h = harness(t.doc, t.tableName);
    const legacy = {
      id: 'event:ev-1',
      kind: 'event',
      uid: 'ev-1',
      reason: 'Scheduled',
      count: 1,
      first: 9e15,
      last: 1e300,
    } as const;
    await h.store.mergeFacts(key, [legacy], (map, v) =>
      eventsOnlyItemOf(key, map, v, { retentionDays: 30, now: FIXED_NOW }),
    );
    for (const input of inputs)
      await expect(h.handler(busEventOf(input))).resolves.toMatchObject({ status: 'written' });
    const [record] = await storedRecords(t.doc, t.tableName, cluster);
    expect(record!.timeline.find((e) => e.type === 'Event')).toMatchObject({ at: null, reason: 'Scheduled' });
    const { timeline: _a, ...figures } = record!;
    const { timeline: _b, ...want } = engineOf(inputs).records(RECORD_CTX)[0]!;
    expect(figures).toEqual(want);
  });

  it('a 1,100-character uid or name is parked as invalid (schema), never sent to DynamoDB to be retried', async () => {
    const cluster = freshCluster('long-uid');
    const [first] = podOf(cluster);
    const h = harness(t.doc, t.tableName);
    for (const [edit, field] of [
      [(s: PodSnapshot) => (s.pod.uid = LONG), /^detail\.pod\.uid: /],
      [(s: PodSnapshot) => (s.pod.name = LONG), /^detail\.pod\.name: /],
    ] as const) {
      const snap = structuredClone(first!.snapshot);
      edit(snap);
      await expect(h.handler(busEventOf({ kind: 'snapshot', snapshot: snap }))).resolves.toMatchObject({
        status: 'invalid',
        kind: 'schema',
        reason: expect.stringMatching(field),
      });
    }
    expect(h.store.stats.requests.GetItem).toBe(0);
  });
});
