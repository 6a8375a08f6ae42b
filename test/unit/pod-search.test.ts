/**
 * /pods' pure parts: the derived list of sortable figures, the page order (a total order, so
 * paging never repeats or skips a pod whatever order the rows were read in), the page token
 * (round trip; anything else a 400 naming nextToken) and the index requests (toStrictEqual).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIGURE_NAMES } from '../../core/figures.ts';
import { BadParameterError, NUMERIC_FIGURES, PodRecordSchema } from '../../model/api-schemas.ts';
import {
  comparePositions,
  decodeCursor,
  encodeCursor,
  queryDigestOf,
  type SortPosition,
} from '../../model/pod-search.ts';
import { podSearchRequests } from '../../store/pod-queries.ts';

describe('NUMERIC_FIGURES', () => {
  it('is every figure whose contract type is a number (or null), derived from the schema', () => {
    // The waterfall's figures (issue 11 item 2, merged after /pods was written) joined by themselves.
    expect(NUMERIC_FIGURES).toEqual(
      expect.arrayContaining([
        'scheduledAfterSeconds',
        'timeToReadySeconds',
        'restarts',
        'crashLoopBackOffSeconds',
        'kubectlRestarts',
        'imagePullSeconds',
        'startupSliSeconds',
      ]),
    );
    for (const f of FIGURE_NAMES) {
      const numeric =
        PodRecordSchema.shape[f].safeParse(1.5).success || PodRecordSchema.shape[f].safeParse(1).success;
      expect(NUMERIC_FIGURES.includes(f as never), f).toBe(
        numeric && !PodRecordSchema.shape[f].safeParse('x').success,
      );
    }
  });
});

const position = fc.tuple(
  fc.option(fc.constantFrom(0, 1, 2.5, 60, 61), { nil: null }),
  fc.constantFrom(
    '2026-11-01T00:00:00.000Z#a',
    '2026-11-01T00:00:00.000Z#b',
    '2026-11-02T00:00:00.000Z#a',
    '2026-11-03T00:00:00.000Z#c',
  ),
) as fc.Arbitrary<SortPosition>;

describe('comparePositions', () => {
  it('sorts the same whatever the input order, duplicates adjacent; nulls last both ways (property)', () => {
    fc.assert(
      fc.property(
        fc.array(position, { maxLength: 30 }),
        fc.constantFrom('asc' as const, 'desc' as const),
        (xs, order) => {
          const a = [...xs].sort((x, y) => comparePositions(x, y, order));
          const b = [...xs].reverse().sort((x, y) => comparePositions(x, y, order));
          expect(a).toEqual(b);
          const firstNull = a.findIndex((x) => x[0] === null);
          if (firstNull >= 0) expect(a.slice(firstNull).every((x) => x[0] === null)).toBe(true);
          for (let i = 1; i < a.length; i++)
            expect(comparePositions(a[i - 1]!, a[i]!, order)).toBeLessThanOrEqual(0);
        },
      ),
    );
  });
  it('"after" splits a sorted list exactly: before ∪ after = all, nothing in both (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(position, { selector: (p) => p[1], maxLength: 4 }),
        fc.nat(),
        fc.constantFrom('asc' as const, 'desc' as const),
        (xs, i, order) => {
          const sorted = [...xs].sort((x, y) => comparePositions(x, y, order));
          if (!sorted.length) return;
          const cut = sorted[i % sorted.length]!;
          const after = sorted.filter((x) => comparePositions(x, cut, order) > 0);
          expect(after).toEqual(sorted.slice((i % sorted.length) + 1));
        },
      ),
    );
  });
});

describe('the page token', () => {
  const cursor = {
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-11-02T00:00:00.000Z',
    resume: '2026-11-01T10:00:00.000Z#u1',
    after: [12.5, '2026-11-01T09:00:00.000Z#u2'] as SortPosition,
  };
  const digest = queryDigestOf({ cluster: 'c', sortBy: 'restarts', limit: '5', nextToken: 'x' });
  it('round-trips, and the digest ignores limit and nextToken but not the filters', () => {
    expect(decodeCursor(encodeCursor(cursor, digest), digest)).toEqual(cursor);
    expect(queryDigestOf({ sortBy: 'restarts', cluster: 'c' })).toBe(digest);
    expect(queryDigestOf({ cluster: 'c', sortBy: 'restarts', node: 'n' })).not.toBe(digest);
  });
  it.each([
    ['another query', encodeCursor(cursor, 'other')],
    ['a range over 92 days', encodeCursor({ ...cursor, from: '2020-01-01T00:00:00.000Z' }, digest)],
    ['an empty range', encodeCursor({ ...cursor, to: cursor.from }, digest)],
    [
      'a bad position',
      Buffer.from(JSON.stringify({ q: digest, ...cursor, after: ['1', 'x'] })).toString('base64url'),
    ],
    ['an unknown field', Buffer.from(JSON.stringify({ q: digest, ...cursor, x: 1 })).toString('base64url')],
    ['not base64url', 'a b'],
    ['not JSON', Buffer.from('{').toString('base64url')],
  ])('%s is a 400 naming nextToken', (_, token) => {
    expect(() => decodeCursor(token, digest)).toThrow(BadParameterError);
    try {
      decodeCursor(token, digest);
    } catch (e) {
      expect((e as BadParameterError).parameter).toBe('nextToken');
    }
  });
});

describe('podSearchRequests', () => {
  it('one byNamespace Query for a namespace, newest first', () => {
    expect(
      podSearchRequests('T', { cluster: 'c', namespace: 'ns' }, { lo: 'A', hi: 'B' }, false),
    ).toStrictEqual([
      {
        TableName: 'T',
        ReturnConsumedCapacity: 'TOTAL',
        IndexName: 'byNamespace',
        KeyConditionExpression: '#p = :p AND #ck BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#p': 'nsKey', '#ck': 'createdKey' },
        ExpressionAttributeValues: { ':p': 'NS#c#ns', ':lo': 'A', ':hi': 'B' },
        ScanIndexForward: false,
      },
    ]);
  });
  it('byOwner for an owner; one byClusterDay Query per UTC day, in the scan order', () => {
    const [owner] = podSearchRequests(
      'T',
      { cluster: 'c', namespace: 'ns', owner: { kind: 'Job', name: 'j' } },
      { lo: 'A', hi: 'B' },
      true,
    );
    expect(owner?.IndexName).toBe('byOwner');
    expect(owner?.ExpressionAttributeValues?.[':p']).toBe('OWNER#c#ns#Job/j');
    const range = { lo: '2026-11-01T23:00:00.000Z', hi: '2026-11-03T01:00:00.000Z#uid' };
    const days = (fwd: boolean) =>
      podSearchRequests('T', { cluster: 'c' }, range, fwd).map((r) => r.ExpressionAttributeValues?.[':p']);
    expect(days(true)).toEqual(['DAY#c#2026-11-01', 'DAY#c#2026-11-02', 'DAY#c#2026-11-03']);
    expect(days(false)).toEqual(['DAY#c#2026-11-03', 'DAY#c#2026-11-02', 'DAY#c#2026-11-01']);
  });
});
