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
  type FoundRow,
  figurePageOf,
  foundPositionOf,
  mergedTop,
  nextBest,
  queryDigestOf,
  ruledOutByIndex,
  type SearchCursor,
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
  const cursor: SearchCursor = {
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-11-02T00:00:00.000Z',
    resume: '2026-11-01T10:00:00.000Z#u1',
    after: [12.5, '2026-11-01T09:00:00.000Z#u2'] as SortPosition,
    best: [30, '2026-11-01T08:00:00.000Z#u3'] as SortPosition,
    k: 20,
    seen: [4200, 3],
  };
  /** The token with its body edited but its check kept: what a hand-edited token looks like. */
  const edited = (patch: object) => {
    const o = JSON.parse(Buffer.from(encodeCursor(cursor, digest), 'base64url').toString('utf8'));
    return Buffer.from(JSON.stringify({ ...o, ...patch })).toString('base64url');
  };
  /** A token with a correct check over a body no route issues (a forger who computed the check). */
  const forged = (fields: Record<string, unknown>) => encodeCursor(fields as unknown as SearchCursor, digest);
  const digest = queryDigestOf({ cluster: 'c', sortBy: 'restarts', limit: '5', nextToken: 'x' });
  it('round-trips, and the digest ignores limit and nextToken but not the filters', () => {
    expect(decodeCursor(encodeCursor(cursor, digest), digest)).toEqual(cursor);
    expect(queryDigestOf({ sortBy: 'restarts', cluster: 'c' })).toBe(digest);
    expect(queryDigestOf({ cluster: 'c', sortBy: 'restarts', node: 'n' })).not.toBe(digest);
  });
  it.each([
    ['another query', encodeCursor(cursor, 'other'), /another query/],
    ['a range over 92 days', forged({ ...cursor, from: '2020-01-01T00:00:00.000Z' }), /range/],
    ['an empty range', forged({ ...cursor, to: cursor.from }), /range/],
    ['a bad position', forged({ ...cursor, after: ['1', 'x'] }), /after is not a sort position/],
    ['best without k', forged({ ...cursor, k: undefined }), /best and k/],
    ['counts that are not whole numbers', forged({ ...cursor, seen: [1.5, 0] }), /counts/],
    ['an unknown field', edited({ x: 1 }), /unknown field/],
    ['an edited read position', edited({ resume: '2026-11-01T23:59:59.000Z#u9' }), /altered/],
    ['edited counts', edited({ seen: [0, 0] }), /altered/],
    ['a removed check', edited({ h: undefined }), /altered/],
    ['not base64url', 'a b', /not a token/],
    ['not JSON', Buffer.from('{').toString('base64url'), /not a token/],
  ])('%s is a 400 naming nextToken that says what', (_, token, reason) => {
    expect(() => decodeCursor(token, digest)).toThrow(BadParameterError);
    try {
      decodeCursor(token, digest);
    } catch (e) {
      expect((e as BadParameterError).parameter).toBe('nextToken');
      expect((e as BadParameterError).reason).toMatch(reason);
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
  it('byNamespace for an owner (no byOwner index); one byClusterDay Query per UTC day, in the scan order', () => {
    const [owner] = podSearchRequests(
      'T',
      { cluster: 'c', namespace: 'ns', owner: { kind: 'Job', name: 'j' } },
      { lo: 'A', hi: 'B' },
      true,
    );
    expect(owner?.IndexName).toBe('byNamespace');
    expect(owner?.ExpressionAttributeValues?.[':p']).toBe('NS#c#ns');
    const range = { lo: '2026-11-01T23:00:00.000Z', hi: '2026-11-03T01:00:00.000Z#uid' };
    const days = (fwd: boolean) =>
      podSearchRequests('T', { cluster: 'c' }, range, fwd).map((r) => r.ExpressionAttributeValues?.[':p']);
    expect(days(true)).toEqual(['DAY#c#2026-11-01', 'DAY#c#2026-11-02', 'DAY#c#2026-11-03']);
    expect(days(false)).toEqual(['DAY#c#2026-11-03', 'DAY#c#2026-11-02', 'DAY#c#2026-11-01']);
  });
});

// ---------------------------------------------------------------------------------------------
// A figure sort over more than one request: the pass's pages, merged, are the exact first k

/** A found row with only what the sort reads (a figure and the createdKey). */
const rowOf = (value: number | null, key: string): FoundRow =>
  ({
    createdKey: key,
    pod: {
      uid: key.split('#')[1],
      createdAt: key.split('#')[0],
      figures: { timeToReadySeconds: value },
    },
  }) as unknown as FoundRow;

const rows = fc
  .uniqueArray(
    fc.tuple(
      fc.option(fc.constantFrom(0, 1, 2.5, 60, 61, 300), { nil: null }),
      fc.integer({ min: 0, max: 500 }),
    ),
    { selector: (x) => x[1], maxLength: 60 },
  )
  .map((xs) =>
    xs.map(([v, i]) =>
      rowOf(
        v,
        `2026-11-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z#u${i}`,
      ),
    ),
  );

/** A pass over `chunks` (the parts successive requests read), as the route runs it. */
function pass(
  chunks: readonly (readonly FoundRow[])[],
  o: { order: 'asc' | 'desc'; k: number; after?: SortPosition },
) {
  let best: SortPosition | undefined;
  const pages: FoundRow[][] = [];
  for (const chunk of chunks) {
    const { page } = figurePageOf(chunk, {
      sortBy: 'timeToReadySeconds',
      order: o.order,
      limit: o.k,
      ...(o.after ? { after: o.after } : {}),
      ...(best ? { best } : {}),
    });
    pages.push(page.map((x) => x.row));
    best = nextBest(page, o.k, best);
  }
  return pages;
}

/** `xs` cut into consecutive parts at the given points. */
const cut = <T>(xs: readonly T[], points: readonly number[]): T[][] => {
  const at = [...new Set(points.map((p) => p % (xs.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const p of [...at, xs.length]) {
    out.push(xs.slice(from, p));
    from = p;
  }
  return out;
};

describe('a figure sort over many requests (figurePageOf, nextBest, mergedTop)', () => {
  const sortAll = (xs: readonly FoundRow[], order: 'asc' | 'desc') =>
    [...xs].sort((a, b) =>
      comparePositions(
        [a.pod.figures.timeToReadySeconds, a.createdKey],
        [b.pod.figures.timeToReadySeconds, b.createdKey],
        order,
      ),
    );

  it('the pages of a pass, merged, hold the exact first k, however the range is cut (property)', () => {
    fc.assert(
      fc.property(
        rows,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom('asc' as const, 'desc' as const),
        (xs, points, k, order) => {
          const pages = pass(cut(xs, points), { order, k });
          const merged = mergedTop(
            pages.flat().map((r) => r.pod),
            'timeToReadySeconds',
            order,
            k,
          );
          expect(merged.map((p) => p.uid)).toEqual(
            sortAll(xs, order)
              .slice(0, k)
              .map((r) => r.pod.uid),
          );
          // Each page answers at most k pods, and no pod twice over the pass.
          expect(pages.every((p) => p.length <= k)).toBe(true);
          const answered = pages.flat().map((r) => r.createdKey);
          expect(new Set(answered).size).toBe(answered.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('after a position: the merged pass is the next k of the whole order (property)', () => {
    fc.assert(
      fc.property(
        rows.filter((xs) => xs.length > 0),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('asc' as const, 'desc' as const),
        (xs, i, points, k, order) => {
          const sorted = sortAll(xs, order);
          const a = sorted[i % sorted.length]!;
          const after: SortPosition = [a.pod.figures.timeToReadySeconds, a.createdKey];
          const pages = pass(cut(xs, points), { order, k, after });
          const merged = mergedTop(
            pages.flat().map((r) => r.pod),
            'timeToReadySeconds',
            order,
            k,
          );
          const from = (i % sorted.length) + 1;
          expect(merged.map((p) => p.uid)).toEqual(sorted.slice(from, from + k).map((r) => r.pod.uid));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a page and the merge do not depend on the order rows come in, nor on duplicates (property)', () => {
    fc.assert(
      fc.property(
        rows,
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('asc' as const, 'desc' as const),
        (xs, k, order) => {
          const o = { sortBy: 'timeToReadySeconds' as const, order, limit: k };
          const ids = (xs2: readonly FoundRow[]) => figurePageOf(xs2, o).page.map((x) => x.row.createdKey);
          expect(ids([...xs].reverse())).toEqual(ids(xs));
          const pods = xs.map((r) => r.pod);
          const top = mergedTop(pods, 'timeToReadySeconds', order, k).map((p) => p.uid);
          expect(
            mergedTop([...pods, ...pods].reverse(), 'timeToReadySeconds', order, k).map((p) => p.uid),
          ).toEqual(top);
        },
      ),
    );
  });

  it('the client sorts a row where the route did: its position from createdAt and uid', () => {
    const r = rowOf(12, '2026-11-01T00:00:01.000Z#u7');
    expect(foundPositionOf(r.pod, 'timeToReadySeconds')).toEqual([12, r.createdKey]);
    expect(foundPositionOf(r.pod, 'created')).toEqual([null, r.createdKey]);
  });
});

describe('ruledOutByIndex', () => {
  it.each([
    [{ node: 'a' }, { node: 'b' }, true],
    [{ node: 'a' }, { node: 'a' }, false],
    [{}, { node: 'a' }, false], // not projected (or not scheduled when written): read the item
    [{ node: 'a' }, {}, false],
  ])('index item %j, query %j → %s', (key, p, out) => {
    expect(ruledOutByIndex(key, p)).toBe(out);
  });
});
