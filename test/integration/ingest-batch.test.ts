/**
 * The batched ingest (SQS → event source mapping → BatchProcessor) on DynamoDB Local: the real
 * fixtures' Pod Facts and churn pods as the forwarder sends them, shuffled and duplicated, split
 * into SQS batches at random, with a seeded share of DynamoDB requests failing (throttled writes
 * and batched reads, unprocessed keys) and the reported messages redelivered, as SQS does after
 * the visibility timeout. Every stored record must equal `podlife replay` of the same inputs.
 */
import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeObject } from '../../core/decode.ts';
import { DETAIL_TYPE_FACTS } from '../../core/pod-facts.ts';
import { podKeyOf } from '../../model/pod-item.ts';
import { PodStore, StoreUnavailableError } from '../../store/pod-store.ts';
import { churnLines } from '../../testkit/churn.ts';
import { engineOf, fixtureInputs, RECEIVED_AT } from '../../testkit/fixtures.ts';
import {
  batchHarness,
  busEventOf,
  factsEventsOf,
  type Input,
  inCluster,
  type LocalTable,
  RECORD_CTX,
  sqsEventOf,
  sqsRecordOf,
  startLocalTable,
  storedRecords,
} from '../../testkit/ingest-harness.ts';

let t: LocalTable;
let n = 0;
const freshCluster = (label: string) => `${label}-${n++}`;

beforeAll(async () => {
  t = await startLocalTable('podlife-batch');
});
afterAll(async () => {
  await t?.stop();
});

/** A seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ThrottlingException',
    $fault: 'client',
  });

/**
 * DynamoDB Local behind a seeded fault injector: a share of PutItem and BatchGetItem requests
 * throw ThrottlingException; a share of BatchGetItem answers leave some keys unprocessed (the
 * items dropped from Responses, their keys in UnprocessedKeys), as a throttled BatchGetItem does.
 */
function faultyDoc(random: () => number, share: number) {
  const real = t.doc;
  const counts = { putFailed: 0, batchGetFailed: 0, unprocessed: 0 };
  const doc = {
    async send(command: unknown) {
      if (command instanceof PutCommand && random() < share) {
        counts.putFailed++;
        throw throttled();
      }
      if (command instanceof BatchGetCommand) {
        if (random() < share / 2) {
          counts.batchGetFailed++;
          throw throttled();
        }
        const out = (await real.send(command)) as {
          Responses?: Record<string, Record<string, unknown>[]>;
          UnprocessedKeys?: Record<string, { Keys: Record<string, unknown>[] }>;
        };
        const table = Object.keys(command.input.RequestItems ?? {})[0] as string;
        const keys = command.input.RequestItems?.[table]?.Keys ?? [];
        if (keys.length > 1 && random() < share) {
          const dropped = keys.filter(() => random() < 0.5);
          const ids = new Set(dropped.map((k) => `${k.pk}\u0000${k.sk}`));
          counts.unprocessed += dropped.length;
          return {
            ...out,
            Responses: {
              [table]: (out.Responses?.[table] ?? []).filter((i) => !ids.has(`${i.pk}\u0000${i.sk}`)),
            },
            UnprocessedKeys: dropped.length
              ? { [table]: { ...command.input.RequestItems?.[table], Keys: dropped } }
              : {},
          };
        }
        return out;
      }
      return real.send(command as never);
    },
  };
  return { doc: doc as unknown as typeof t.doc, counts };
}

function churnInputs(pods: number, cluster: string): Input[] {
  return churnLines({ pods, seed: 11, batch: 100 }).map((line) => {
    const d = decodeObject(line, { cluster, now: RECEIVED_AT });
    if (d.kind !== 'snapshot') throw new Error('churn lines are pod snapshots');
    return d;
  });
}

/** Fixture files whose pods decode (as test/integration/ingest.test.ts picks them). */
const FIXTURES = [
  'pandaychen-blog__api-watch-pods-2016.jsonl',
  'kspan__deployment-2-pods-recorded-stream.yaml',
  'kspan__deployment-update-events.yaml',
  'devops2-volodymyr__minikube-default-podlist.json',
];

interface Message {
  id: string;
  body: Record<string, unknown>;
  receives: number;
}

/**
 * SQS as the event source mapping sees it: a queue of messages; each round takes a batch of a
 * random size (1..maxBatch) to one of `containers` handlers running side by side; the messages a
 * response lists come back (visibility timeout) at a random place; the rest are deleted.
 */
async function deliverLikeSqs(
  handlers: ReturnType<typeof batchHarness>[],
  messages: Message[],
  random: () => number,
  maxBatch: number,
) {
  const queue = [...messages];
  let redelivered = 0;
  let batches = 0;
  while (queue.length) {
    await Promise.all(
      handlers.map(async (h) => {
        const size = 1 + Math.floor(random() * maxBatch);
        const batch = queue.splice(0, size);
        if (!batch.length) return;
        batches++;
        for (const m of batch) m.receives++;
        const res = await h.handler(
          sqsEventOf(batch.map((m) => sqsRecordOf(m.body, m.id, m.receives))) as never,
        );
        for (const f of res.batchItemFailures) {
          const m = batch.find((x) => x.id === f.itemIdentifier);
          expect(m, 'a failure names a message of the batch').toBeDefined();
          redelivered++;
          queue.splice(Math.floor(random() * (queue.length + 1)), 0, m!);
        }
      }),
    );
    expect(batches, 'redelivery converges').toBeLessThan(20_000);
  }
  return { redelivered, batches };
}

describe('batched ingest on DynamoDB Local: stored records equal podlife replay', () => {
  it('real fixtures + churn pods as Pod Facts, shuffled, duplicated, random batches, random write failures, redelivered (3 seeds)', async () => {
    for (const seed of [1, 2, 3]) {
      const random = rng(seed);
      const runs: { cluster: string; inputs: Input[] }[] = [];
      const bodies: Record<string, unknown>[] = [];
      for (const [label, make] of [
        ...FIXTURES.map((f) => [f, (c: string) => fixtureInputs(f).map((i) => inCluster(i, c))] as const),
        ['churn', (c: string) => churnInputs(40, c)] as const,
      ]) {
        const cluster = freshCluster(`batch${seed}`);
        const inputs = make(cluster);
        const events = factsEventsOf(inputs);
        expect(events.length, label).toBeGreaterThan(0);
        runs.push({ cluster, inputs });
        bodies.push(...events);
      }
      expect(bodies.filter((b) => b['detail-type'] === DETAIL_TYPE_FACTS).length).toBeGreaterThan(200);
      // Duplicates: a fifth of the events twice (at-least-once delivery), as distinct messages.
      const all = [...bodies, ...bodies.filter(() => random() < 0.2)];
      const messages = shuffle(all, random).map((body, i) => ({ id: `m${seed}-${i}`, body, receives: 0 }));
      const faults = faultyDoc(random, 0.15);
      // Containers 0 and 2 write every pod's first sight without a read (the fixtures' and the
      // trace's pods were created years before the harness's clock, so the default window would
      // read them all); container 1 reads every pod first.
      const containers = [0, 1, 2].map((i) =>
        batchHarness(t.doc, t.tableName, {
          store: new PodStore(faults.doc, { tableName: t.tableName, sleep: async () => {}, random }),
          firstSightMaxAgeMs: i === 1 ? 0 : Number.POSITIVE_INFINITY,
        }),
      );
      const { redelivered, batches } = await deliverLikeSqs(containers, messages, random, 10);
      // The faults happened, and were redelivered through.
      expect(faults.counts.putFailed + faults.counts.batchGetFailed).toBeGreaterThan(5);
      expect(faults.counts.unprocessed).toBeGreaterThan(0);
      expect(redelivered).toBeGreaterThan(0);
      expect(batches).toBeLessThan(messages.length);
      for (const h of containers) expect(h.invalid).toEqual([]);
      // First sights were written without a read, and some met an item already there (a
      // redelivery, a duplicate, a later entry first): merged into the item the failed write returned.
      const unread = (h: (typeof containers)[number]) => h.batches.reduce((n, b) => n + b.unread, 0);
      expect(unread(containers[0]!) + unread(containers[2]!)).toBeGreaterThan(20);
      expect(unread(containers[1]!)).toBe(0);
      for (const r of runs) {
        expect(await storedRecords(t.doc, t.tableName, r.cluster), `seed ${seed} ${r.cluster}`).toEqual(
          engineOf(r.inputs).records(RECORD_CTX),
        );
      }
    }
  });

  it('a batch is one BatchGetItem and one write per pod with news; a duplicate batch writes nothing', async () => {
    const cluster = freshCluster('burst');
    const inputs = churnInputs(20, cluster);
    const events = factsEventsOf(inputs);
    const pods = new Set(inputs.map((i) => (i.kind === 'snapshot' ? i.snapshot.pod.uid : '')));
    const h = batchHarness(t.doc, t.tableName);
    const batch = sqsEventOf(events.map((e) => sqsRecordOf(e)));
    const res = await h.handler(batch as never);
    expect(res.batchItemFailures).toEqual([]);
    expect(h.store.stats.requests.BatchGetItem).toBe(1);
    expect(h.store.stats.requests.GetItem).toBe(0);
    // One PutItem per pod, plus the cluster's registry entry.
    expect(h.store.stats.requests.PutItem).toBe(pods.size + 1);
    expect(h.batches[0]).toMatchObject({ messages: events.length, pods: pods.size, written: pods.size });
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(engineOf(inputs).records(RECORD_CTX));
    const again = await h.handler(batch as never);
    expect(again.batchItemFailures).toEqual([]);
    expect(h.store.stats.requests.PutItem).toBe(pods.size + 1);
    expect(h.store.stats.requests.BatchGetItem).toBe(2);
  });

  it('more than 100 pods in a batch: BatchGetItem in chunks of 100', async () => {
    const cluster = freshCluster('wide');
    const inputs = churnInputs(150, cluster);
    const firsts = new Map<string, Input>();
    for (const i of inputs)
      if (i.kind === 'snapshot') firsts.set(i.snapshot.pod.uid, firsts.get(i.snapshot.pod.uid) ?? i);
    expect(firsts.size).toBeGreaterThan(100);
    const h = batchHarness(t.doc, t.tableName);
    const res = await h.handler(
      sqsEventOf([...firsts.values()].map((i) => sqsRecordOf(busEventOf(i)))) as never,
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(h.store.stats.requests.BatchGetItem).toBe(Math.ceil(firsts.size / 100));
  });

  it('only the messages of the pod whose write failed are reported; invalid ones are parked, not reported', async () => {
    const cluster = freshCluster('partial');
    const inputs = churnInputs(6, cluster);
    const events = factsEventsOf(inputs);
    const uidOf = (e: Record<string, unknown>) => (e.detail as { uid: string }).uid;
    const victim = uidOf(events[0]!);
    const victimKey = (() => {
      const d = events[0]!.detail as { namespace: string; name: string; uid: string };
      return podKeyOf(cluster, d.namespace, d.name, d.uid);
    })();
    const failing = {
      async send(command: unknown) {
        if (command instanceof PutCommand && command.input.Item?.pk === victimKey.pk) throw throttled();
        return t.doc.send(command as never);
      },
    };
    const h = batchHarness(t.doc, t.tableName, {
      store: new PodStore(failing as never, { tableName: t.tableName }),
    });
    const records = [
      ...events.map((e, i) => sqsRecordOf(e, `ok-${i}`)),
      sqsRecordOf('not json at all', 'bad-1'),
      sqsRecordOf({ ...events[1], 'detail-type': 'Pod Nonsense' }, 'bad-2'),
    ];
    const res = await h.handler(sqsEventOf(records) as never);
    const want = events.flatMap((e, i) => (uidOf(e) === victim ? [`ok-${i}`] : []));
    expect(want.length).toBeGreaterThan(0);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(want.sort());
    expect(h.invalid.map((r) => r.kind).sort()).toEqual(['envelope', 'unknown-type']);
    expect(h.batches[0]).toMatchObject({ invalid: 2, failedPods: 1 });
  });

  it('unprocessed keys past the attempts fail the batch as retryable (StoreUnavailableError)', async () => {
    const never = {
      async send(command: unknown) {
        if (command instanceof BatchGetCommand) {
          const table = Object.keys(command.input.RequestItems ?? {})[0] as string;
          return { Responses: { [table]: [] }, UnprocessedKeys: command.input.RequestItems };
        }
        return t.doc.send(command as never);
      },
    };
    const store = new PodStore(never as never, {
      tableName: t.tableName,
      sleep: async () => {},
      maxAttempts: 3,
    });
    await expect(store.getMany([podKeyOf('c', 'ns', 'p', 'u')])).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(store.stats.requests.BatchGetItem).toBe(3);
  });
});
