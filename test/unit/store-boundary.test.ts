/**
 * The store's boundary, without a database: SDK failures → named store errors (by the SDK's own
 * exception classes), consumed capacity counted per request, paging on paginateQuery, and stored
 * items parsed by their zod schemas (a malformed item names the attribute).
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { noticeOfItem } from '../../model/alert-groups.ts';
import { alertOfItem } from '../../model/alerts.ts';
import { MalformedItemError, parseItem, StoredFactsSchema } from '../../model/items.ts';
import { podPk } from '../../model/keys.ts';
import { encodeFacts, FACTS_FORMAT, factsOfItem } from '../../model/pod-item.ts';
import { crashLoopingPodOf, figureRowOf, pendingPodOf } from '../../model/pod-rows.ts';
import {
  type Consumed,
  consumedOf,
  documentClient,
  ItemTooLargeError,
  type Meter,
  type Operation,
  partitionQuery,
  queryPages,
  StoreError,
  StoreRefusedError,
  StoreUnavailableError,
  sendCommand,
  storeErrorOf,
  VersionConflictError,
} from '../../store/dynamo.ts';
import { PodStore } from '../../store/pod-store.ts';
import { dynamoError } from '../../testkit/dynamo-errors.ts';

const key = { pk: podPk('prod', 'web', 'api-0'), sk: 'uid-1' };
const meta = { message: 'm', $metadata: {} };

function recordingMeter() {
  const sent: [Operation, Consumed][] = [];
  const failed: [Operation, Error][] = [];
  const meter: Meter = { sent: (op, c) => sent.push([op, c]), failed: (op, e) => failed.push([op, e]) };
  return { meter, sent, failed };
}

/** A document client whose sends never leave the process. */
function offlineDoc() {
  const doc = documentClient(
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  return { doc, mock: mockClient(doc) };
}

describe('storeErrorOf: SDK exception classes → named store errors', () => {
  it.each([
    [
      'ConditionalCheckFailedException (with the item key)',
      new ConditionalCheckFailedException(meta),
      VersionConflictError,
    ],
    [
      'ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException(meta),
      StoreUnavailableError,
    ],
    ['ThrottlingException', new ThrottlingException(meta), StoreUnavailableError],
    ['RequestLimitExceeded', new RequestLimitExceeded(meta), StoreUnavailableError],
    ['InternalServerError', new InternalServerError(meta), StoreUnavailableError],
    ['TransactionConflictException', new TransactionConflictException(meta), StoreUnavailableError],
    [
      'an unmodelled 5xx (InternalFailure)',
      dynamoError('InternalFailure', 'boom', 'server'),
      StoreUnavailableError,
    ],
    [
      'ValidationException on item size',
      dynamoError('ValidationException', 'Item size has exceeded the maximum allowed size'),
      ItemTooLargeError,
    ],
    ['any other ValidationException', dynamoError('ValidationException', 'key too long'), StoreRefusedError],
    ['ResourceNotFoundException', new ResourceNotFoundException(meta), StoreError],
    [
      'a socket reset',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      StoreUnavailableError,
    ],
  ])('%s', (_name, err, type) => {
    const mapped = storeErrorOf('PutItem', key, err);
    expect(mapped).toBeInstanceOf(type);
    expect((mapped as { cause?: unknown }).cause ?? err).toBe(err);
  });

  it('a failed condition without an item key is no version conflict', () => {
    expect(storeErrorOf('PutItem', undefined, new ConditionalCheckFailedException(meta))).toBeInstanceOf(
      StoreError,
    );
  });

  it('an error that only borrows an exception name is not taken for it', () => {
    const impostor = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    expect(storeErrorOf('Query', undefined, impostor)).toBeInstanceOf(StoreError);
    const notService = Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' });
    expect(storeErrorOf('PutItem', key, notService)).toBeInstanceOf(StoreError);
  });

  it('the test helper builds what the SDK builds: the class when modelled, a named service exception else', () => {
    expect(dynamoError('ThrottlingException')).toBeInstanceOf(ThrottlingException);
    const v = dynamoError('ValidationException');
    expect(v).toBeInstanceOf(DynamoDBServiceException);
    expect(v.name).toBe('ValidationException');
  });
});

describe('sendCommand and queryPages: counted, mapped', () => {
  it('counts the units DynamoDB reports, per table and index, and maps a failure before counting it', async () => {
    const { doc, mock } = offlineDoc();
    mock
      .on(PutCommand)
      .resolvesOnce({
        ConsumedCapacity: {
          CapacityUnits: 3,
          Table: { CapacityUnits: 1 },
          GlobalSecondaryIndexes: { pending: { CapacityUnits: 2 } },
        },
      })
      .rejectsOnce(new ConditionalCheckFailedException(meta));
    const { meter, sent, failed } = recordingMeter();
    await sendCommand(doc, 'PutItem', new PutCommand({ TableName: 'T', Item: key }), meter, key);
    expect(sent).toEqual([['PutItem', { units: 3, byIndex: { table: 1, pending: 2 } }]]);
    await expect(
      sendCommand(doc, 'PutItem', new PutCommand({ TableName: 'T', Item: key }), meter, key),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(failed.map(([op, e]) => [op, e.name])).toEqual([['PutItem', 'VersionConflictError']]);
  });

  it('sums a batch answer’s capacity over its tables', () => {
    expect(consumedOf([{ CapacityUnits: 1.5 }, { CapacityUnits: 2 }])).toEqual({ units: 3.5, byIndex: {} });
    expect(consumedOf(undefined)).toEqual({ units: 0, byIndex: {} });
  });

  it('follows LastEvaluatedKey, checks before each request only, and maps a failed page', async () => {
    const { doc, mock } = offlineDoc();
    mock
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ n: 1 }],
        LastEvaluatedKey: { pk: 'p', sk: 'a' },
        ConsumedCapacity: { CapacityUnits: 0.5 },
      })
      .resolvesOnce({ Items: [{ n: 2 }], ConsumedCapacity: { CapacityUnits: 0.5 } });
    const { meter, sent } = recordingMeter();
    const input = partitionQuery('T', 'p', { consistent: true });
    let checks = 0;
    const items: unknown[] = [];
    for await (const page of queryPages(doc, input, meter, () => checks++)) items.push(...(page.Items ?? []));
    expect(items).toEqual([{ n: 1 }, { n: 2 }]);
    expect(checks).toBe(2);
    expect(sent.map(([, c]) => c.units)).toEqual([0.5, 0.5]);
    const calls = mock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls[1]).toMatchObject({ ExclusiveStartKey: { pk: 'p', sk: 'a' }, ConsistentRead: true });
    expect(input.ExclusiveStartKey).toBeUndefined();

    mock.reset();
    mock.on(QueryCommand).rejects(new ProvisionedThroughputExceededException(meta));
    const pages = queryPages(doc, input, recordingMeter().meter);
    await expect(pages.next()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('stored items: parsed once by their schema, a malformed one names the attribute', () => {
  const row = {
    pk: podPk('prod', 'web', 'api-0'),
    sk: 'uid-1',
    phase: 'Pending',
    createdAt: '2026-01-01T00:00:00Z',
  };
  const thresholds = { defaultSeconds: 60, overrides: {} };

  it('a well-formed row reads as before; absent figures are null', () => {
    expect(figureRowOf({ ...row, restarts: 2 })).toEqual({
      scheduledAfterSeconds: null,
      pendingSeconds: null,
      timeToReadySeconds: null,
      crashLoopBackOffSeconds: null,
      restarts: 2,
      lastTerminationReason: null,
      // Issue 11: the startup stages and SLI; an item written before them has none (null).
      sandboxReadyAfterSeconds: null,
      initializedAfterSeconds: null,
      imagePullSeconds: null,
      containersStartedAfterSeconds: null,
      containersReadyAfterSeconds: null,
      startupSliSeconds: null,
    });
    const crash = crashLoopingPodOf({ ...row, restarts: 3, restartTimes: new Set([30, 10]) }, 40_000, 3600);
    expect(crash.restartsInWindow).toBe(2);
  });

  it.each([
    ['restarts', () => crashLoopingPodOf({ ...row, restarts: '3' }, 0, 60)],
    ['createdAt', () => pendingPodOf({ ...row, createdAt: 1700000000 }, 0, thresholds)],
    ['restartTimes', () => crashLoopingPodOf({ ...row, restartTimes: ['10'] }, 0, 60)],
    ['pendingSeconds', () => figureRowOf({ ...row, pendingSeconds: { N: '5' } })],
    ['sk', () => figureRowOf({ pk: row.pk })],
    ['facts', () => factsOfItem({ ...row, v: 1, facts: 'not bytes' })],
    ['fv', () => factsOfItem({ ...row, v: 1, facts: encodeFacts(new Map()), fv: 'brotli' })],
    [
      'opened.uid',
      () =>
        alertOfItem({
          pk: 'ALERT#prod',
          sk: 'pending#u',
          kind: 'pending',
          podPk: row.pk,
          podSk: 'u',
          opened: { kind: 'pending', cluster: 'prod', namespace: 'web', name: 'api-0', openedAt: 'x' },
        }),
    ],
    [
      'sns',
      () =>
        noticeOfItem({
          pk: 'ALERT#prod',
          sk: 'notice#x',
          sns: 'maybe',
          events: 'sent',
          notice: { state: 'opened', kind: 'pending', cluster: 'prod', at: 'x', dedupKey: 'd' },
        }),
    ],
  ])('%s', (attribute, read) => {
    let err: unknown;
    try {
      read();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MalformedItemError);
    expect((err as MalformedItemError).attribute).toBe(attribute);
    expect((err as Error).message).toContain(attribute);
  });

  it('an error names the item by its key', () => {
    expect(() => parseItem(StoredFactsSchema, { v: 'one' }, 'pod', key)).toThrow(
      `malformed pod item ${key.pk} / ${key.sk}: v:`,
    );
  });

  it('PodStore parses what it reads at its boundary: a malformed version fails the merge with the attribute', async () => {
    const { doc, mock } = offlineDoc();
    mock.on(GetCommand).resolves({ Item: { v: '1', facts: encodeFacts(new Map()), fv: FACTS_FORMAT } });
    const store = new PodStore(doc, { tableName: 'T' });
    await expect(store.mergeFacts(key, [], () => ({ ...key }))).rejects.toThrow(/malformed pod item .* v:/);
    expect(mock.commandCalls(PutCommand)).toHaveLength(0);
  });
});
