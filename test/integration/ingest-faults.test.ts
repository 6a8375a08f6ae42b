/**
 * Fault injection (aws-sdk-client-mock on the DocumentClient) in front of the real DynamoDB
 * Local: throttling, a failure between two writes, a conditional-check race between two
 * invocations for the same pod, a contention streak, an oversized item, a failing invalid-event
 * sink. After every fault, redelivery (what Lambda's retry does) converges to what replay
 * prints: nothing lost, nothing counted twice, nothing partial visible in between.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIngestHandler } from '../../functions/ingest/ingest.ts';
import { CLUSTERS_PK } from '../../model/keys.ts';
import { podKeyOf } from '../../model/pod-item.ts';
import { documentClient } from '../../store/dynamo.ts';
import {
  MergeContentionError,
  PodStore,
  StoreRefusedError,
  StoreUnavailableError,
} from '../../store/pod-store.ts';
import { dynamoError } from '../../testkit/dynamo-errors.ts';
import { engineOf, fixtureInputs } from '../../testkit/fixtures.ts';
import {
  busEventOf,
  FIXED_NOW,
  harness,
  type Input,
  inCluster,
  type LocalTable,
  partitionsOf,
  quietLogger,
  RECORD_CTX,
  silentMetrics,
  startLocalTable,
  storedRecords,
} from '../../testkit/ingest-harness.ts';

let t: LocalTable;
let n = 0;
const freshCluster = (label: string) => `${label}-${n++}`;

beforeAll(async () => {
  t = await startLocalTable('podlife-faults');
});
afterAll(async () => {
  await t?.stop();
});

const awsError = (name: string, message = name) => dynamoError(name, message);

/** A DocumentClient of its own whose calls go to DynamoDB Local unless a test says otherwise. */
function mockedDoc() {
  const doc = documentClient(t.client);
  const real = doc.send.bind(doc) as (c: unknown) => Promise<unknown>;
  const mock = mockClient(doc);
  const pass = {
    get: (input: unknown) => real(new GetCommand(input as never)),
    put: (input: unknown) => real(new PutCommand(input as never)),
    query: (input: unknown) => real(new QueryCommand(input as never)),
  };
  const script: Record<'get' | 'put' | 'query', Step[]> = { get: [], put: [], query: [] };
  const play = (op: 'get' | 'put' | 'query') => async (input: unknown) => {
    const step = script[op].shift() ?? 'pass';
    if (step instanceof Error) throw step;
    return step === 'pass' ? pass[op](input) : step(input);
  };
  const reset = () => {
    for (const k of Object.keys(script) as (keyof typeof script)[]) script[k] = [];
  };
  mock.on(GetCommand).callsFake(play('get'));
  mock.on(PutCommand).callsFake(play('put'));
  mock.on(QueryCommand).callsFake(play('query'));
  /** The next calls of one operation: an Error to throw, 'pass' to send, or a function to run. */
  const next = (op: 'get' | 'put' | 'query', ...steps: Step[]) => script[op].push(...steps);
  return { doc, mock, pass, reset, next };
}

type Step = Error | 'pass' | ((input: unknown) => Promise<unknown>);

function podStream(cluster: string): Input[] {
  return fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl').map((i) => inCluster(i, cluster));
}

const replay = (inputs: readonly Input[]) => engineOf(inputs).records(RECORD_CTX);

describe('ingest under injected DynamoDB faults', () => {
  it('throttled reads and writes fail the invocation; the retry converges, nothing is half-written', async () => {
    const cluster = freshCluster('throttle');
    const inputs = podStream(cluster);
    const m = mockedDoc();
    const h = harness(m.doc, t.tableName);
    await h.handler(busEventOf(inputs[0]!));

    m.next('get', awsError('ProvisionedThroughputExceededException'));
    await expect(h.handler(busEventOf(inputs[1]!))).rejects.toBeInstanceOf(StoreUnavailableError);
    m.next('put', awsError('ThrottlingException'));
    await expect(h.handler(busEventOf(inputs[2]!))).rejects.toBeInstanceOf(StoreUnavailableError);
    // Between the failure and the retry, readers see the pod as of its last whole write.
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(replay(inputs.slice(0, 1)));

    // Lambda retries the failed events (late, out of order) and the rest arrives.
    for (const i of [3, 2, 1]) await h.handler(busEventOf(inputs[i]!));
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(replay(inputs));
  });

  it('a failure between the two writes (cluster registry, then pod): no pod without its cluster; retry converges', async () => {
    const cluster = freshCluster('between');
    const inputs = podStream(cluster);
    const m = mockedDoc();
    const h = harness(m.doc, t.tableName);
    const registry = async () => {
      const out = await t.doc.send(
        new GetCommand({ TableName: t.tableName, Key: { pk: CLUSTERS_PK, sk: cluster } }),
      );
      return out.Item;
    };

    // 1. The registry write fails: the pod is not written either.
    m.next('put', awsError('ThrottlingException'));
    await expect(h.handler(busEventOf(inputs[0]!))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await registry()).toBeUndefined();
    expect((await partitionsOf(t.doc, t.tableName, cluster)).size).toBe(0);

    // 2. The registry write succeeds, the pod write fails: only the idempotent registry entry exists.
    m.next('put', 'pass', awsError('InternalServerError'));
    await expect(h.handler(busEventOf(inputs[0]!))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await registry()).toMatchObject({ cluster });
    expect((await partitionsOf(t.doc, t.tableName, cluster)).size).toBe(0);

    // 3. The retry: the registry is known to this container now, the pod is written once.
    const puts = h.store.stats.requests.PutItem;
    for (const input of inputs) await h.handler(busEventOf(input));
    expect(h.store.stats.requests.PutItem - puts).toBe(inputs.length);
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(replay(inputs));
  });

  it('a conditional-check race between two invocations: the loser merges into the item the failed write returns (ALL_OLD, no second read), and both count once', async () => {
    const cluster = freshCluster('race');
    const inputs = podStream(cluster);
    const winner = harness(t.doc, t.tableName);
    const m = mockedDoc();
    const loser = harness(m.doc, t.tableName);
    await winner.handler(busEventOf(inputs[0]!));
    await loser.handler(busEventOf(inputs[0]!)); // both containers know the cluster and the pod
    const reads = loser.store.stats.requests.GetItem;

    // The loser reads version 1, then the winner writes version 2 before the loser's write lands.
    m.next('put', async (input) => {
      await winner.handler(busEventOf(inputs[3]!));
      return m.pass.put(input);
    });
    await expect(loser.handler(busEventOf(inputs[2]!))).resolves.toMatchObject({
      status: 'written',
      attempts: 2,
    });
    expect(loser.store.stats.conflicts).toBe(1);
    // One read (the first round's); the second round merged into the winner's item as returned.
    expect(loser.store.stats.requests.GetItem - reads).toBe(1);

    const [items] = [...(await partitionsOf(t.doc, t.tableName, cluster)).values()];
    expect(items!.map((i) => i.v)).toEqual([3]);
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(
      replay([inputs[0]!, inputs[2]!, inputs[3]!]),
    );

    await loser.handler(busEventOf(inputs[1]!));
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(replay(inputs));
  });

  it('a streak of lost races gives up with a retryable error instead of spinning', async () => {
    const cluster = freshCluster('streak');
    const inputs = podStream(cluster);
    const m = mockedDoc();
    const store = new PodStore(m.doc, { tableName: t.tableName, maxAttempts: 3, sleep: async () => {} });
    const handler = makeIngestHandler({
      store,
      invalidEvents: { record: async () => {} },
      logger: quietLogger(),
      metrics: silentMetrics(),
      now: () => FIXED_NOW,
      retentionDays: 30,
    });
    await handler(busEventOf(inputs[0]!));
    m.next('put', ...Array.from({ length: 3 }, () => awsError('ConditionalCheckFailedException')));
    await expect(handler(busEventOf(inputs[3]!))).rejects.toBeInstanceOf(MergeContentionError);
    expect(store.stats.conflicts).toBe(3);
    await handler(busEventOf(inputs[3]!));
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(replay([inputs[0]!, inputs[3]!]));
  });

  it('an item over 400 KB is parked as invalid (a retry cannot fix it); a failing sink fails the invocation', async () => {
    const cluster = freshCluster('too-large');
    const inputs = podStream(cluster);
    const m = mockedDoc();
    const h = harness(m.doc, t.tableName);
    await h.handler(busEventOf(inputs[0]!));
    m.next('put', awsError('ValidationException', 'Item size has exceeded the maximum allowed size'));
    await expect(h.handler(busEventOf(inputs[1]!))).resolves.toMatchObject({
      status: 'invalid',
      kind: 'item-too-large',
    });
    expect(h.invalid).toHaveLength(1);

    const failingSink = makeIngestHandler({
      store: new PodStore(m.doc, { tableName: t.tableName }),
      invalidEvents: {
        record: async () => {
          throw awsError('ThrottlingException');
        },
      },
      logger: quietLogger(),
      metrics: silentMetrics(),
      now: () => FIXED_NOW,
      retentionDays: 30,
    });
    await expect(failingSink({ not: 'an event' })).rejects.toThrow(/ThrottlingException/);
  });

  it('any other ValidationException (a key too long) is a permanent refusal: parked with the reason, never retried', async () => {
    const cluster = freshCluster('refused');
    const inputs = podStream(cluster);
    const m = mockedDoc();
    const h = harness(m.doc, t.tableName);
    await h.handler(busEventOf(inputs[0]!));
    const message =
      'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes';
    m.next('get', awsError('ValidationException', message));
    const gets = h.store.stats.requests.GetItem;
    const refused = busEventOf(inputs[1]!);
    await expect(h.handler(refused)).resolves.toMatchObject({
      status: 'invalid',
      kind: 'store-refused',
    });
    expect(h.store.stats.requests.GetItem - gets).toBe(1);
    expect(h.invalid).toHaveLength(1);
    expect(h.invalid[0]).toMatchObject({ kind: 'store-refused', reason: expect.stringContaining(message) });
    expect(h.invalid[0]!.event).toEqual(refused);
    // The rest of the pod's history is not blocked.
    for (const input of inputs) await h.handler(busEventOf(input));
    expect(await storedRecords(t.doc, t.tableName, cluster)).toEqual(replay(inputs));
  });

  it('on DynamoDB Local, a 1,100-character sort key is refused as StoreRefusedError, not retried', async () => {
    const store = new PodStore(t.doc, { tableName: t.tableName });
    const key = podKeyOf('real-refusal', 'default', 'p', 'u'.repeat(1100));
    await expect(
      store.mergeFacts(key, [{ id: 'deleted', kind: 'deleted' }], () => ({})),
    ).rejects.toBeInstanceOf(StoreRefusedError);
    expect(store.stats.requests.GetItem).toBe(1);
    expect(store.stats.requests.PutItem).toBe(0);
  });
});
