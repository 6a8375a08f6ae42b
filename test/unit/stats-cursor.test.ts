/**
 * The /stats pass's token (model/stats-cursor.ts) and the request of one segment's page
 * (store/pod-queries.ts statsSegmentRequest): a token goes back in as it came out, and every
 * other token is a 400 naming nextToken that says why.
 */
import { describe, expect, it } from 'vitest';
import { BadParameterError } from '../../model/api-schemas.ts';
import { queryDigestOf } from '../../model/pod-search.ts';
import { decodeStatsCursor, encodeStatsCursor, type StatsCursor } from '../../model/stats-cursor.ts';
import { statsSegmentRequest } from '../../store/pod-queries.ts';

const digest = queryDigestOf({ cluster: 'c', since: '24h', groupBy: 'node' });
const cursor: StatsCursor = {
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-11-03T00:00:00.000Z',
  segs: [
    { lo: '2026-11-01T08:00:01.000Z#uid-1', hi: '2026-11-01T12:00:00.000Z' },
    { lo: '2026-11-02T00:00:00.000Z', hi: '2026-11-03T00:00:00.000Z' },
  ],
  seen: 1234,
};

const reasonOf = (token: string) => {
  try {
    decodeStatsCursor(token, digest);
  } catch (err) {
    expect(err).toBeInstanceOf(BadParameterError);
    expect((err as BadParameterError).parameter).toBe('nextToken');
    return (err as BadParameterError).reason;
  }
  return 'accepted';
};
const tokenOf = (c: unknown) => encodeStatsCursor(c as StatsCursor, digest);

describe('the /stats token', () => {
  it('round-trips; no token is no cursor', () => {
    expect(decodeStatsCursor(encodeStatsCursor(cursor, digest), digest)).toEqual(cursor);
    expect(decodeStatsCursor(undefined, digest)).toBeUndefined();
  });

  it.each<[string, string, RegExp]>([
    ['another query', encodeStatsCursor(cursor, queryDigestOf({ cluster: 'c' })), /another query/],
    ['not base64url', 'ab+/', /not base64url/],
    ['not JSON', Buffer.from('{').toString('base64url'), /not JSON/],
    [
      'a /pods token',
      Buffer.from('{"q":"x","h":"y","from":"a"}').toString('base64url'),
      /not a token of this route/,
    ],
    [
      'altered',
      (() => {
        const o = JSON.parse(Buffer.from(encodeStatsCursor(cursor, digest), 'base64url').toString());
        o.b = o.b.replace('1234', '0');
        return Buffer.from(JSON.stringify(o)).toString('base64url');
      })(),
      /altered/,
    ],
    ['a range of 100 days', tokenOf({ ...cursor, to: '2027-02-09T00:00:00.000Z' }), /outside the bounds/],
    ['no segment', tokenOf({ ...cursor, segs: [] }), /1 to 8 parts/],
    [
      'nine segments',
      tokenOf({ ...cursor, segs: Array.from({ length: 9 }, () => cursor.segs[1]) }),
      /1 to 8 parts/,
    ],
    [
      'overlapping segments',
      tokenOf({ ...cursor, segs: [cursor.segs[1], cursor.segs[0]] }),
      /not disjoint parts of its range/,
    ],
    [
      'a segment past the range',
      tokenOf({ ...cursor, segs: [{ lo: '2026-11-02T00:00:00.000Z', hi: '2026-11-04T00:00:00.000Z' }] }),
      /not disjoint parts/,
    ],
    ['a bound that is no time', tokenOf({ ...cursor, segs: [{ lo: 'x', hi: cursor.to }] }), /not \[lo, hi\]/],
    ['a negative count', tokenOf({ ...cursor, seen: -1 }), /seen/],
  ])('%s: a 400 naming nextToken', (_name, token, reason) => {
    expect(reasonOf(token)).toMatch(reason);
  });
});

describe('the request of a segment page', () => {
  it('a cluster: the day of `lo` on byClusterDay; a namespace: byNamespace', () => {
    expect(statsSegmentRequest('T', { cluster: 'c' }, cursor.segs[0]!, 500)).toStrictEqual({
      TableName: 'T',
      ReturnConsumedCapacity: 'TOTAL',
      IndexName: 'byClusterDay',
      KeyConditionExpression: '#p = :p AND #ck BETWEEN :lo AND :hi',
      ExpressionAttributeNames: { '#p': 'dayKey', '#ck': 'createdKey' },
      ExpressionAttributeValues: {
        ':p': 'DAY#c#2026-11-01',
        ':lo': '2026-11-01T08:00:01.000Z#uid-1',
        ':hi': '2026-11-01T12:00:00.000Z',
      },
      Limit: 500,
    });
    expect(statsSegmentRequest('T', { cluster: 'c', namespace: 'web' }, cursor.segs[1]!, 100)).toMatchObject({
      IndexName: 'byNamespace',
      ExpressionAttributeNames: { '#p': 'nsKey', '#ck': 'createdKey' },
      ExpressionAttributeValues: { ':p': 'NS#c#web', ':lo': cursor.segs[1]!.lo, ':hi': cursor.segs[1]!.hi },
      Limit: 100,
    });
  });
});
