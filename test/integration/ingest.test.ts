/**
 * The ingest handler on the real DynamoDB (DynamoDB Local, table created from TABLE_SPEC), driven
 * with EventBridge events built from the real fixtures, a generated churn stream and the demo
 * trace. The oracle is the in-memory LifecycleEngine: its records are what `podlife replay
 * --json` prints, and the stored records must equal them whatever the order, duplicates and
 * concurrency of delivery.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeObject } from '../../core/decode.ts';
import { DETAIL_TYPE_FACTS } from '../../core/pod-facts.ts';
import { type CompactEvent, compactEventOf } from '../../core/snapshot.ts';
import { type BusPayload, PayloadEncoder } from '../../forwarder/payload.ts';
import { churnLines } from '../../testkit/churn.ts';
import { emfRecords } from '../../testkit/emf.ts';
import { exporterBusEvent } from '../../testkit/exporter.ts';
import { engineOf, fixtureInputs, fixtureObjects, RECEIVED_AT } from '../../testkit/fixtures.ts';
import {
  busEventOf,
  harness,
  type Input,
  inCluster,
  type LocalTable,
  partitionsOf,
  RECORD_CTX,
  silentMetrics,
  startLocalTable,
  storedRecords,
} from '../../testkit/ingest-harness.ts';

const STREAMS = [
  'pandaychen-blog__api-watch-pods-2016.jsonl',
  'kspan__deployment-2-pods-recorded-stream.yaml',
  'kspan__deployment-update-events.yaml',
];
const DEMO_TRACE = new URL('../../demo/trace.jsonl', import.meta.url);

let t: LocalTable;
let nextCluster = 0;
/** Each scenario writes under its own cluster name, so one table serves the whole file. */
const freshCluster = (label: string) => `${label}-${nextCluster++}`;

beforeAll(async () => {
  t = await startLocalTable();
});
afterAll(async () => {
  await t?.stop();
});

/** A forwarder payload as the EventBridge event the ingest receives. */
function busEventOfPayload(p: BusPayload): Record<string, unknown> {
  const e = busEventOf(fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl')[0]!);
  return { ...e, 'detail-type': p.detailType, detail: JSON.parse(JSON.stringify(p.detail)) };
}

function replayOf(inputs: readonly Input[]) {
  return engineOf(inputs).records(RECORD_CTX);
}

async function deliver(h: ReturnType<typeof harness>, inputs: readonly Input[]) {
  for (const input of inputs) await h.handler(busEventOf(input));
}

/** Every fixture file that holds Pods or pod Events (the manifest fragment does not decode). */
function fixtureFiles(): string[] {
  return readdirSync(new URL('../fixtures/real', import.meta.url))
    .filter((f) => /\.(json|jsonl|yaml)$/.test(f))
    .filter((f) => {
      try {
        return fixtureInputs(f).length > 0;
      } catch {
        return false;
      }
    });
}

const streamInputs = () => STREAMS.flatMap((f) => fixtureInputs(f, 'streams'));

function churnInputs(pods: number, cluster: string): Input[] {
  return churnLines({ pods, seed: 7, batch: 100 }).map((line) => {
    const d = decodeObject(line, { cluster, now: RECEIVED_AT });
    if (d.kind !== 'snapshot') throw new Error('churn lines are pod snapshots');
    return d;
  });
}

describe('ingest on DynamoDB Local: stored figures equal podlife replay', () => {
  it('every real fixture, delivered in order, then again in full (0 writes the second time)', async () => {
    const files = fixtureFiles();
    expect(files).toEqual(expect.arrayContaining(STREAMS));
    const h = harness(t.doc, t.tableName);
    for (const file of files) {
      const cluster = freshCluster('fixture');
      const inputs = fixtureInputs(file).map((i) => inCluster(i, cluster));
      await deliver(h, inputs);
      const puts = h.store.stats.requests.PutItem;
      const gets = h.store.stats.requests.GetItem;
      await deliver(h, inputs);
      expect(h.store.stats.requests.PutItem - puts, `${file}: a duplicate delivery writes nothing`).toBe(0);
      expect(h.store.stats.requests.GetItem - gets, `${file}: one read per duplicate`).toBe(inputs.length);
      expect(await storedRecords(t.doc, t.tableName, cluster), file).toEqual(replayOf(inputs));
    }
    expect(h.invalid).toEqual([]);
  });

  it('shuffled and duplicated deliveries of the real streams store what replay prints (20 seeded runs)', async () => {
    const base = streamInputs();
    const expected = new Map<string, unknown>();
    const indexes = base.map((_, i) => i);
    // A delivery: every input at least once, some twice or more, all in a random order (so a
    // duplicate may arrive before its original).
    const delivery = fc
      .array(fc.nat({ max: base.length - 1 }), { maxLength: base.length })
      .chain((dups) =>
        fc.shuffledSubarray([...indexes, ...dups], { minLength: indexes.length + dups.length }),
      );
    await fc.assert(
      fc.asyncProperty(delivery, async (order) => {
        const cluster = freshCluster('shuffle');
        const inputs = base.map((i) => inCluster(i, cluster));
        await deliver(
          harness(t.doc, t.tableName),
          order.map((i) => inputs[i]!),
        );
        const want = replayOf(inputs);
        expected.set(cluster, want);
        expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(want);
      }),
      { seed: 20261125, numRuns: 20 },
    );
    expect(expected.size).toBe(20);
  });

  it('concurrent invocations for the same pods (Promise.all) lose nothing and count nothing twice', async () => {
    const cluster = freshCluster('concurrent');
    const inputs = streamInputs().map((i) => inCluster(i, cluster));
    // Three Lambda containers (separate stores, separate cluster caches) on the same table.
    const containers = [
      harness(t.doc, t.tableName),
      harness(t.doc, t.tableName),
      harness(t.doc, t.tableName),
    ];
    await Promise.all(
      [...inputs, ...inputs, ...inputs].map((input, n) => containers[n % 3]!.handler(busEventOf(input))),
    );
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(replayOf(inputs));
    const conflicts = containers.reduce((s, c) => s + c.store.stats.conflicts, 0);
    // Races did happen (the merge resolved them), and nothing was written more than once per news.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('a generated churn stream of 60 pods: in order, then shuffled with 8 invocations in flight', async () => {
    const cluster = freshCluster('churn');
    const inputs = churnInputs(60, cluster);
    const h = harness(t.doc, t.tableName);
    await deliver(h, inputs);
    const want = replayOf(inputs);
    expect(want.length).toBe(60);
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(want);

    const cluster2 = freshCluster('churn-shuffled');
    const inputs2 = inputs.map((i) => inCluster(i, cluster2));
    const shuffled = fc.sample(fc.shuffledSubarray(inputs2, { minLength: inputs2.length }), {
      numRuns: 1,
      seed: 3,
    })[0];
    const h2 = harness(t.doc, t.tableName);
    const queue = [...shuffled!, ...shuffled!.slice(0, 100)];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await h2.handler(busEventOf(next));
      }),
    );
    expect(await storedRecords(t.doc, t.tableName, cluster2)).toEqual(replayOf(inputs2));
  });

  it.skipIf(!existsSync(DEMO_TRACE))('the demo trace (cluster demo), shuffled', async () => {
    const cluster = freshCluster('demo');
    const inputs: Input[] = [];
    for (const line of readFileSync(DEMO_TRACE, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const d = decodeObject(JSON.parse(line), { cluster, now: RECEIVED_AT });
      if (d.kind === 'snapshot' || d.kind === 'event') inputs.push(d);
    }
    const shuffled = fc.sample(fc.shuffledSubarray(inputs, { minLength: inputs.length }), {
      numRuns: 1,
      seed: 11,
    })[0];
    const h = harness(t.doc, t.tableName);
    const queue = [...shuffled!];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await h.handler(busEventOf(next));
      }),
    );
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(replayOf(inputs));
  });

  it('Pod Facts: the forwarder’s deltas of every real fixture and 60 churn pods, shuffled, duplicated, 8 in flight, store what replay prints', async () => {
    const files = fixtureFiles();
    const all: { cluster: string; inputs: Input[]; events: Record<string, unknown>[] }[] = [];
    for (const [label, make] of [
      ...files.map((f) => [f, (c: string) => fixtureInputs(f).map((i) => inCluster(i, c))] as const),
      ['churn', (c: string) => churnInputs(60, c)] as const,
    ]) {
      const cluster = freshCluster('facts');
      const inputs = make(cluster);
      // The forwarder's own choices: each pod's new facts (readable unless past 64 KB); nothing for no news.
      const encoder = new PayloadEncoder();
      const events = inputs
        .map((i) =>
          i.kind === 'snapshot' ? encoder.snapshot(i.snapshot) : encoder.event(i.cluster, i.event),
        )
        .filter((p) => p !== undefined)
        .map((p) => busEventOfPayload(p));
      expect(events.length, label).toBeGreaterThan(0);
      all.push({ cluster, inputs, events });
    }
    const facts = all.flatMap((a) => a.events).filter((e) => e['detail-type'] === DETAIL_TYPE_FACTS);
    expect(facts.length).toBeGreaterThan(300);
    const queue = fc.sample(
      fc.shuffledSubarray(
        all.flatMap((a) => [...a.events, ...a.events.slice(0, 5)]),
        {
          minLength: all.reduce((n, a) => n + a.events.length + Math.min(5, a.events.length), 0),
        },
      ),
      { numRuns: 1, seed: 5 },
    )[0];
    const h = harness(t.doc, t.tableName);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let next = queue!.shift(); next; next = queue!.shift()) await h.handler(next);
      }),
    );
    expect(h.invalid).toEqual([]);
    for (const a of all)
      expect(await storedRecords(t.doc, t.tableName, a.cluster)).toEqual(replayOf(a.inputs));
  });

  it('kubernetes-event-exporter: its Events (documented layout) and the pods, shuffled, store what replay prints', async () => {
    const cluster = freshCluster('exporter');
    const pods = fixtureInputs('devops2-volodymyr__minikube-default-podlist.json').map((i) =>
      inCluster(i, cluster),
    );
    const events = (fixtureObjects('devops2-volodymyr__minikube-default-eventlist.json') as { value: any }[])
      .map((o) => o.value)
      .filter((e) => e.involvedObject?.kind === 'Pod');
    expect(events.length).toBeGreaterThan(5);
    const busEvents = [
      ...pods.map((p) => busEventOf(p)),
      ...events.map((e, i) => exporterBusEvent(e, cluster, `x-${i}`)),
    ];
    const order = fc.sample(fc.shuffledSubarray(busEvents, { minLength: busEvents.length }), {
      numRuns: 1,
      seed: 9,
    })[0];
    const h = harness(t.doc, t.tableName);
    for (const e of order!) await h.handler(e);
    expect(h.invalid).toEqual([]);
    // The oracle: the same pods and Events as the forwarder's --events would have sent them.
    const oracle: Input[] = [
      ...pods,
      ...events.map((e) => ({ kind: 'event' as const, cluster, event: compactEventOf(e)! })),
    ];
    const stored = await storedRecords(t.doc, t.tableName, cluster);
    expect(stored).toEqual(replayOf(oracle));
    expect(stored.flatMap((r) => r.timeline).some((e) => e.type === 'Event')).toBe(true);
  });

  it('Events without the pod uid are attached at read time, to the incarnation replay picks', async () => {
    const base = streamInputs().map((i) =>
      i.kind === 'event' ? { ...i, event: { ...i.event, podUid: undefined } as CompactEvent } : i,
    );
    expect(base.some((i) => i.kind === 'event')).toBe(true);
    for (const seed of [1, 2, 3]) {
      const cluster = freshCluster('name-only');
      const inputs = base.map((i) => inCluster(i, cluster));
      const order = fc.sample(fc.shuffledSubarray(inputs, { minLength: inputs.length }), {
        numRuns: 1,
        seed,
      })[0];
      await deliver(harness(t.doc, t.tableName), order!);
      const stored = await storedRecords(t.doc, t.tableName, cluster);
      expect(stored).toEqual(replayOf(inputs));
      expect(stored.some((r) => r.timeline.some((e) => e.type === 'Event'))).toBe(true);
    }
  });

  it('an events-only item (Event before any snapshot of its pod) carries no index keys', async () => {
    const cluster = freshCluster('events-first');
    const inputs = fixtureInputs('kspan__deployment-2-pods-recorded-stream.yaml').map((i) =>
      inCluster(i, cluster),
    );
    const ev = inputs.find(
      (i): i is Extract<Input, { kind: 'event' }> => i.kind === 'event' && !!i.event.podUid,
    )!;
    await deliver(harness(t.doc, t.tableName), [ev]);
    const [items] = [...(await partitionsOf(t.doc, t.tableName, cluster)).values()];
    expect(items).toHaveLength(1);
    const keys = Object.keys(items![0]!).sort();
    expect(keys).toEqual(['expiresAt', 'facts', 'fv', 'pk', 'sk', 'updatedAt', 'v']);
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual([]);
  });

  it('invalid events are parked with a reason and counted, never written, never retried', async () => {
    const h = harness(t.doc, t.tableName);
    const good = busEventOf(fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl')[0]!);
    const detail = good.detail as Record<string, unknown>;
    const factsGood = busEventOfPayload(
      new PayloadEncoder({ compress: false }).snapshot(
        (fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl')[0] as Input & { kind: 'snapshot' })
          .snapshot,
      )!,
    );
    const factsDetail = factsGood.detail as Record<string, unknown>;
    await expect(h.handler(factsGood)).resolves.toMatchObject({ status: 'written' });
    const cases: [string, unknown][] = [
      ['envelope', { hello: 'world' }],
      ['unknown-type', { ...good, 'detail-type': 'Node Snapshot' }],
      ['unknown-version', { ...good, detail: { ...detail, schemaVersion: 2 } }],
      ['schema', { ...good, detail: { ...detail, pod: { ...(detail.pod as object), uid: '' } } }],
      ['schema', { ...good, detail: { ...detail, extra: true } }],
      [
        'oversized',
        { ...good, detail: { ...detail, pod: { ...(detail.pod as object), message: 'x'.repeat(70_000) } } },
      ],
      ['schema', { ...factsGood, detail: { ...factsDetail, facts: { node: 7 } } }],
      ['schema', { ...factsGood, detail: { ...factsDetail, facts: undefined, factsDeflate: 'AAAA' } }],
    ];
    const puts = h.store.stats.requests.PutItem;
    const records = await emfRecords(async () => {
      for (const [kind, event] of cases) {
        await expect(h.handler(event)).resolves.toMatchObject({ status: 'invalid', kind });
      }
    });
    expect(h.store.stats.requests.PutItem).toBe(puts);
    expect(h.invalid.map((r) => r.kind)).toEqual(cases.map(([k]) => k));
    expect(h.invalid[2]!.reason).toMatch(/schemaVersion 2 is not supported/);
    expect(h.invalid[3]!.reason).toMatch(/^detail\.pod\.uid: /);
    expect(h.invalid[0]!.event).toEqual({ hello: 'world' });
    expect(h.invalid[5]!.truncated).toBeUndefined();
    expect(h.invalid[6]!.reason).toMatch(/^detail\.facts\.node: /);
    expect(h.invalid[7]!.reason).toMatch(/factsDeflate/);
    const emf = records.filter((m) => 'InvalidEvents' in m);
    expect(emf.map((m) => m.kind)).toEqual(cases.map(([k]) => k));
  });

  it('EMF metrics: each figure once per pod, per cluster and per allowlisted namespace, nothing for duplicates, no Powertools warning', async () => {
    const cluster = freshCluster('metrics');
    const inputs = fixtureInputs('kspan__deployment-2-pods-recorded-stream.yaml').map((i) =>
      inCluster(i, cluster),
    );
    const warnings: string[] = [];
    // Powertools' own console writes its warnings to stderr.
    const write = process.stderr.write;
    process.stderr.write = ((chunk: unknown) => {
      warnings.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let emf: any[];
    try {
      emf = await emfRecords(async () => {
        const metricsHarness = harness(t.doc, t.tableName, {
          metrics: silentMetrics(),
          metricNamespaces: new Set(['default']),
        });
        await deliver(metricsHarness, inputs);
        await deliver(metricsHarness, [...inputs].reverse());
      });
    } finally {
      process.stderr.write = write;
    }
    expect(warnings.filter((w) => w.includes('EMF key'))).toEqual([]);
    const sets = (m: any): string[][] => m._aws.CloudWatchMetrics[0].Dimensions;
    // One dimension set per record: per cluster alone, and (allowlisted) per namespace.
    expect(emf.every((m) => m.cluster === cluster && sets(m).length === 1)).toBe(true);
    const perCluster = emf.filter((m) => !sets(m)[0]!.includes('namespace'));
    const perNamespace = emf.filter((m) => sets(m)[0]!.includes('namespace'));
    expect(perNamespace.every((m) => m.namespace === 'default')).toBe(true);
    const count = (records: any[], name: string) => records.filter((m) => name in m).length;
    expect(count(perNamespace, 'PodsSeen')).toBe(count(perCluster, 'PodsSeen'));
    const values = (name: string) => perCluster.flatMap((m) => (name in m ? [m[name]].flat() : []));
    const pods = replayOf(inputs);
    expect(values('PodsSeen').reduce((a, b) => a + b, 0)).toBe(pods.length);
    const sorted = (xs: (number | null)[]) => xs.filter((x): x is number => x != null).sort((a, b) => a - b);
    expect(sorted(values('PendingSeconds'))).toEqual(sorted(pods.map((p) => p.pendingSeconds)));
    expect(sorted(values('TimeToReadySeconds'))).toEqual(sorted(pods.map((p) => p.timeToReadySeconds)));
    expect(sorted(values('SchedulingSeconds'))).toEqual(sorted(pods.map((p) => p.scheduledAfterSeconds)));
    expect(values('DuplicateEvents').length).toBeGreaterThan(0);

    // Not allowlisted (the default): per-cluster records only.
    const other = freshCluster('metrics-default');
    const plain = await emfRecords(async () => {
      await deliver(
        harness(t.doc, t.tableName, { metrics: silentMetrics() }),
        fixtureInputs('kspan__deployment-2-pods-recorded-stream.yaml').map((i) => inCluster(i, other)),
      );
    });
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((m: any) => m.namespace === undefined && sets(m).length === 1)).toBe(true);
  });
});
