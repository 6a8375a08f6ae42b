/**
 * The batched ingest writes a pod's first sight without reading it (functions/ingest/ingest-batch.ts,
 * FIRST_SIGHT_MAX_AGE_MS): no database, the document client mocked (aws-sdk-client-mock) by an
 * in-memory table that checks the two write conditions as DynamoDB does and, on a failed one,
 * returns the item (ReturnValuesOnConditionCheckFailure ALL_OLD: its scalar attributes). And the
 * consumed capacity a pod read or write asks for (PodStoreOptions.consumedCapacity).
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../core/facts.ts';
import { FIRST_SIGHT_MAX_AGE_MS, isRecentFirstSight } from '../../functions/ingest/ingest-batch.ts';
import { documentClient } from '../../store/dynamo.ts';
import { batchGetPodsRequest, putPodRequest } from '../../store/pod-store.ts';
import { churnInputs } from '../../testkit/fixtures.ts';
import { batchHarness, factsEventsOf, sqsEventOf, sqsRecordOf } from '../../testkit/ingest-harness.ts';

type Item = Record<string, unknown>;

/** An item's scalar attributes as DynamoDB's AttributeValues (what a failed condition returns). */
function attributeValuesOf(item: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (typeof v === 'number') out[k] = { N: String(v) };
    else if (typeof v === 'string') out[k] = { S: v };
    else if (typeof v === 'boolean') out[k] = { BOOL: v };
    else if (v instanceof Uint8Array) out[k] = { B: v };
  }
  return out;
}

/** A document client on an in-memory table: PutItem with podlife's two conditions, BatchGetItem. */
function memoryTable(initial: Map<string, Item> = new Map()) {
  const doc = documentClient(
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  const mock = mockClient(doc);
  const items = new Map<string, Item>(initial);
  const id = (k: { pk?: unknown; sk?: unknown }) => `${String(k.pk)}\u0000${String(k.sk)}`;
  const counts = { batchGetKeys: 0, puts: 0, failedPuts: 0 };
  mock.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
    const [table, req] = Object.entries(input.RequestItems ?? {})[0] ?? [];
    const keys = req?.Keys ?? [];
    counts.batchGetKeys += keys.length;
    const found = keys.flatMap((k) => {
      const item = items.get(id(k));
      return item ? [structuredClone(item)] : [];
    });
    return { Responses: { [String(table)]: found } };
  });
  mock.on(PutCommand).callsFake((input: PutCommandInput) => {
    counts.puts++;
    const item = input.Item ?? {};
    const old = items.get(id(item));
    const cond = input.ConditionExpression;
    const ok =
      cond === undefined ||
      (cond === 'attribute_not_exists(#pk)' && !old) ||
      (cond === '#v = :expected' &&
        old !== undefined &&
        old.v === input.ExpressionAttributeValues?.[':expected']);
    if (!ok) {
      counts.failedPuts++;
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        ...(old && input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
          ? { Item: attributeValuesOf(old) as never }
          : {}),
      });
    }
    items.set(id(item), structuredClone(item));
    return {};
  });
  return { doc, mock, items, counts };
}

/** The generated pods' Pod Facts entries as the forwarder sends them, with their creation time. */
function podEvents(pods: number, seed = 3) {
  const inputs = churnInputs(seed, pods);
  const events = factsEventsOf(inputs);
  const created = Math.max(
    ...inputs.flatMap((i) =>
      i.kind === 'snapshot' && i.snapshot.pod.creationTimestamp
        ? [Date.parse(i.snapshot.pod.creationTimestamp)]
        : [],
    ),
  );
  return { events, created };
}

const podItems = (items: Map<string, Item>) =>
  new Map([...items].filter(([, item]) => String(item.pk).startsWith('POD')));

describe('batched ingest: a pod first seen is written without a read', () => {
  it('isRecentFirstSight: the pod fact of a pod created within the window, by the ingest clock', () => {
    const pod = (created: number | null): Fact => ({
      id: 'pod',
      kind: 'pod',
      cluster: 'c',
      namespace: 'n',
      name: 'p',
      uid: 'u',
      created,
      owner: null,
      qos: null,
    });
    const now = 1_000_000_000;
    expect(isRecentFirstSight([pod(now - 1000)], now, FIRST_SIGHT_MAX_AGE_MS)).toBe(true);
    expect(isRecentFirstSight([pod(now + 5000)], now, FIRST_SIGHT_MAX_AGE_MS)).toBe(true);
    expect(isRecentFirstSight([pod(now - FIRST_SIGHT_MAX_AGE_MS - 1)], now, FIRST_SIGHT_MAX_AGE_MS)).toBe(
      false,
    );
    expect(isRecentFirstSight([pod(null)], now, FIRST_SIGHT_MAX_AGE_MS)).toBe(false);
    expect(isRecentFirstSight([{ id: 'node', kind: 'node', node: 'n1' }], now, FIRST_SIGHT_MAX_AGE_MS)).toBe(
      false,
    );
  });

  it('a batch of first sights: no BatchGetItem, each pod one attribute_not_exists write', async () => {
    const { events, created } = podEvents(8);
    // The first entry of each pod (its first sight) only.
    const firsts = new Map<string, Item>();
    for (const e of events) {
      const uid = (e.detail as { uid: string }).uid;
      if (!firsts.has(uid)) firsts.set(uid, e);
    }
    const mem = memoryTable();
    const h = batchHarness(mem.doc, 'T', { now: () => created + 60_000 });
    const res = await h.handler(sqsEventOf([...firsts.values()].map((e) => sqsRecordOf(e))) as never);
    expect(res.batchItemFailures).toEqual([]);
    expect(h.store.stats.requests.BatchGetItem).toBe(0);
    expect(mem.counts.batchGetKeys).toBe(0);
    expect(h.batches[0]).toMatchObject({ pods: firsts.size, written: firsts.size, unread: firsts.size });
    expect(podItems(mem.items).size).toBe(firsts.size);
    expect(h.store.stats.conflicts).toBe(0);

    // The same first sights of pods created long before the ingest's clock (a restarted
    // forwarder's re-sends): read, as before, and nothing written (no news).
    const late = batchHarness(mem.doc, 'T', { now: () => created + FIRST_SIGHT_MAX_AGE_MS + 60_000 });
    await late.handler(sqsEventOf([...firsts.values()].map((e) => sqsRecordOf(e))) as never);
    expect(late.store.stats.requests.BatchGetItem).toBe(1);
    expect(mem.counts.batchGetKeys).toBe(firsts.size);
    expect(late.batches[0]).toMatchObject({ written: 0, unread: 0 });
    expect(late.store.stats.conflicts).toBe(0);
  });

  it('the item exists after all: the failed write returns it (ALL_OLD) and the merge joins into it, the same item as a read would give', async () => {
    const { events, created } = podEvents(6);
    const now = () => created + 60_000;
    // Every entry but the first sights stored first (out of order), then the first sights.
    const seen = new Set<string>();
    const firsts: Item[] = [];
    const rest: Item[] = [];
    for (const e of events) {
      const uid = (e.detail as { uid: string }).uid;
      (seen.has(uid) ? rest : firsts).push(e);
      seen.add(uid);
    }
    const finals = [];
    for (const window of [Number.POSITIVE_INFINITY, 0]) {
      const mem = memoryTable();
      const h = batchHarness(mem.doc, 'T', { now, firstSightMaxAgeMs: window });
      await h.handler(sqsEventOf(rest.map((e) => sqsRecordOf(e))) as never);
      const before = mem.counts.batchGetKeys;
      const res = await h.handler(sqsEventOf(firsts.map((e) => sqsRecordOf(e))) as never);
      expect(res.batchItemFailures).toEqual([]);
      if (window > 0) {
        // Not read: each first sight's write failed, brought the item back and merged into it.
        expect(mem.counts.batchGetKeys).toBe(before);
        expect(h.batches[1]?.unread).toBe(firsts.length);
        expect(h.store.stats.conflicts).toBe(firsts.length);
      } else {
        expect(mem.counts.batchGetKeys).toBe(before + firsts.length);
        expect(h.store.stats.conflicts).toBe(0);
      }
      finals.push(podItems(mem.items));
    }
    expect(finals[0]?.size).toBe(6);
    expect(finals[0]).toEqual(finals[1]);
  });

  it('any order, duplicates and batch split: the stored items equal those of the read-first ingest (property)', async () => {
    const { events, created } = podEvents(3, 5);
    const now = () => created + 60_000;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(
          events.map((_, i) => i),
          { minLength: events.length, maxLength: events.length },
        ),
        fc.array(fc.nat(events.length - 1), { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 }),
        async (order, dups, sizes) => {
          const msgs = [...order, ...dups].map((i) => events[i] as Item);
          const finals = [];
          for (const window of [FIRST_SIGHT_MAX_AGE_MS, 0]) {
            const mem = memoryTable();
            const h = batchHarness(mem.doc, 'T', { now, firstSightMaxAgeMs: window });
            for (let at = 0, b = 0; at < msgs.length; b++) {
              const n = sizes[b % sizes.length] as number;
              const res = await h.handler(
                sqsEventOf(msgs.slice(at, at + n).map((e) => sqsRecordOf(e))) as never,
              );
              expect(res.batchItemFailures).toEqual([]);
              at += n;
            }
            finals.push(podItems(mem.items));
          }
          expect(finals[0]).toEqual(finals[1]);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('the consumed capacity a pod read or write asks for', () => {
  const key = { pk: 'POD#c#n#p', sk: 'u' };
  it('INDEXES by default (what the benches count); NONE when the store is told (the deployed handler, local mode)', async () => {
    expect(putPodRequest('T', { ...key, v: 1 }, undefined).ReturnConsumedCapacity).toBe('INDEXES');
    expect(putPodRequest('T', { ...key, v: 2 }, 1, 'NONE').ReturnConsumedCapacity).toBe('NONE');
    expect(batchGetPodsRequest('T', [key]).ReturnConsumedCapacity).toBe('TOTAL');
    expect(batchGetPodsRequest('T', [key], 'NONE').ReturnConsumedCapacity).toBe('NONE');
    const { events, created } = podEvents(2);
    for (const consumedCapacity of ['NONE', 'INDEXES'] as const) {
      const mem = memoryTable();
      const h = batchHarness(mem.doc, 'T', {
        now: () => created + FIRST_SIGHT_MAX_AGE_MS + 60_000,
        consumedCapacity,
      });
      await h.handler(sqsEventOf(events.map((e) => sqsRecordOf(e))) as never);
      const puts = mem.mock
        .commandCalls(PutCommand)
        .filter((c) => c.args[0].input.ConditionExpression !== undefined);
      const gets = mem.mock.commandCalls(BatchGetCommand);
      expect(puts.length).toBeGreaterThan(0);
      expect(gets.length).toBeGreaterThan(0);
      for (const c of puts) expect(c.args[0].input.ReturnConsumedCapacity).toBe(consumedCapacity);
      for (const c of gets)
        expect(c.args[0].input.ReturnConsumedCapacity).toBe(consumedCapacity === 'NONE' ? 'NONE' : 'TOTAL');
    }
  });
});
