/**
 * The ingest's pure edges, no database: requests as data (what a merge sends DynamoDB), SDK
 * errors as named domain errors, the entry point failing fast on a missing variable, and the
 * invalid-event report staying inside one EventBridge entry.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { invalidEventReport, MAX_REPORT_BYTES } from '../../model/invalid-event.ts';
import { podIdentityOfKey, podPk } from '../../model/keys.ts';
import {
  getPodRequest,
  ItemTooLargeError,
  putPodRequest,
  StoreError,
  StoreRefusedError,
  StoreUnavailableError,
  storeErrorOf,
  VersionConflictError,
} from '../../store/pod-store.ts';
import { dynamoError } from '../../testkit/dynamo-errors.ts';

const key = { pk: podPk('prod', 'web', 'api-0'), sk: 'uid-1' };

describe('pod store requests and errors', () => {
  it('a merge reads strongly consistently and writes conditionally on the version it read', () => {
    expect(getPodRequest('T', key)).toMatchObject({ TableName: 'T', Key: key, ConsistentRead: true });
    expect(putPodRequest('T', { ...key, v: 1 }, undefined)).toMatchObject({
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    expect(putPodRequest('T', { ...key, v: 4 }, 3)).toMatchObject({
      ConditionExpression: '#v = :expected',
      ExpressionAttributeValues: { ':expected': 3 },
      // Per table and per index: the bench's WCU breakdown (docs/data-model.md).
      ReturnConsumedCapacity: 'INDEXES',
    });
  });

  it('a conditional write asks for the winning item on a lost race (ALL_OLD: no read units), new or not', () => {
    for (const expected of [undefined, 3])
      expect(putPodRequest('T', { ...key, v: 4 }, expected)).toMatchObject({
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
  });

  it('a lost race carries the item its condition saw: scalar attributes, plain values', () => {
    const facts = new Uint8Array([1, 2, 3]);
    const err = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: {
        ...{ pk: { S: key.pk }, sk: { S: key.sk } },
        v: { N: '7' },
        facts: { B: facts },
        fv: { N: '3' },
        deleted: { BOOL: false },
        startup: { M: { ready: { N: '1' } } },
      },
    });
    const mapped = storeErrorOf('PutItem', key, err);
    expect(mapped).toBeInstanceOf(VersionConflictError);
    expect((mapped as VersionConflictError).current).toEqual({
      ...key,
      v: 7,
      facts,
      fv: 3,
      deleted: false,
    });
    // Without the item (not asked for, or a mock): nothing, and the merge reads again.
    expect(
      (storeErrorOf('PutItem', key, dynamoError('ConditionalCheckFailedException')) as VersionConflictError)
        .current,
    ).toBeUndefined();
  });

  it.each([
    ['ConditionalCheckFailedException', '', VersionConflictError],
    ['ProvisionedThroughputExceededException', '', StoreUnavailableError],
    ['ThrottlingException', '', StoreUnavailableError],
    ['InternalServerError', '', StoreUnavailableError],
    ['ValidationException', 'Item size has exceeded the maximum allowed size', ItemTooLargeError],
    [
      'ValidationException',
      'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes',
      StoreRefusedError,
    ],
    [
      'ValidationException',
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
      StoreRefusedError,
    ],
    ['ResourceNotFoundException', 'Requested resource not found', StoreError],
  ])('%s → %s', (name, message, type) => {
    expect(storeErrorOf('PutItem', key, dynamoError(name, message))).toBeInstanceOf(type);
  });

  it('the table keys encode the identity the indexes no longer project', () => {
    expect(podIdentityOfKey(podPk('eu#1', 'web', 'api-0'), 'uid-1')).toEqual({
      cluster: 'eu#1',
      namespace: 'web',
      name: 'api-0',
      uid: 'uid-1',
    });
    expect(podIdentityOfKey('CLUSTERS', 'prod')).toBeUndefined();
  });
});

describe('the Lambda entry and the invalid-event report', () => {
  it('fails the cold start with the missing variable’s name', async () => {
    const saved = { ...process.env };
    delete process.env.TABLE_NAME;
    try {
      await expect(import('../../functions/ingest/handler.ts')).rejects.toThrow(/TABLE_NAME/);
    } finally {
      process.env = saved;
    }
  });

  it('keeps the original event whole when it fits, a summary when it does not', () => {
    const small = { id: '1', source: 's', 'detail-type': 'd', detail: { a: 1 } };
    expect(invalidEventReport(small, 'schema', 'detail.a: bad', 0)).toEqual({
      kind: 'schema',
      reason: 'detail.a: bad',
      rejectedAt: '1970-01-01T00:00:00.000Z',
      event: small,
    });
    const big = { ...small, detail: { blob: 'x'.repeat(300_000) } };
    const report = invalidEventReport(big, 'oversized', 'too big', 0);
    expect(report.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(report))).toBeLessThan(MAX_REPORT_BYTES);
    expect(report.event).toMatchObject({
      id: '1',
      detailBytes: Buffer.byteLength(JSON.stringify(big.detail)),
    });
  });
});
