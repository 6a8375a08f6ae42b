/**
 * /stats over several requests (core/stats.ts, core/percentiles.ts): the mergeable state of a
 * part of a range's pods. Any cut of the pods into parts, in any order, merges to exactly what
 * one read of all of them answers (`statsOf`, `groupsOf` + `statsOf` + `valuesOf`: the nearest
 * ranks of docs/lifecycle-metrics.md), and a part repeated is not double counted by accident of
 * order: the merge is a sum, so the test pins what it must be (twice the counts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergedStats, statsCommand } from '../../cli/stats.ts';
import { countsOf, distributionOf, distributionOfCounts, mergeCounts } from '../../core/percentiles.ts';
import {
  DISTRIBUTION_FIGURES,
  type FigureRow,
  groupsOf,
  mergeParts,
  mergeStates,
  partsOf,
  stateOf,
  statsOf,
  statsOfParts,
  statsOfState,
  valuesOf,
  valuesOfState,
} from '../../core/stats.ts';
import { StatsResponse } from '../../model/api-schemas.ts';

// Whole and fractional seconds (pulls are given in ms), repeated often, as stored figures are.
const figure = fc.oneof(
  fc.constant(null),
  fc.integer({ min: 0, max: 30 }),
  fc.integer({ min: 0, max: 200_000 }).map((ms) => ms / 1000),
);
type Row = FigureRow & { group: string | null };
const row: fc.Arbitrary<Row> = fc.record({
  group: fc.constantFrom(null, 'a', 'b', 'c/Deployment/x'),
  restarts: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 50 })),
  lastTerminationReason: fc.constantFrom(null, 'Error', 'OOMKilled', 'Completed'),
  ...Object.fromEntries(DISTRIBUTION_FIGURES.map((f) => [f, figure])),
}) as fc.Arbitrary<Row>;

/** `rows` cut at the given places (sorted, deduplicated): consecutive parts, as pages read them. */
function cut<T>(rows: readonly T[], at: readonly number[]): T[][] {
  const places = [...new Set(at.map((i) => i % (rows.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const p of [...places, rows.length]) {
    out.push(rows.slice(from, p));
    from = p;
  }
  return out;
}

const keyOf = (r: Row) => r.group;

describe('nearest rank over value counts', () => {
  it('distributionOfCounts(countsOf(xs)) = distributionOf(xs), for any values', () => {
    fc.assert(
      fc.property(fc.array(figure, { maxLength: 300 }), (xs) => {
        expect(distributionOfCounts(countsOf(xs))).toEqual(distributionOf(xs));
      }),
    );
  });

  it('counts of a cut, merged in any order, are the counts of the whole', () => {
    fc.assert(
      fc.property(
        fc.array(figure, { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (xs, at, reverse) => {
          const parts = cut(xs, at).map(countsOf);
          expect(mergeCounts(reverse ? parts.reverse() : parts)).toEqual(countsOf(xs));
        },
      ),
    );
  });

  it('the ranks by hand: 1..100 has p50 50, p90 90, p99 99; [[1,2],[7,1]] is 1,1,7', () => {
    const hundred = countsOf(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(distributionOfCounts(hundred)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(
      distributionOfCounts([
        [1, 2],
        [7, 1],
      ]),
    ).toEqual({ count: 3, p50: 1, p90: 7, p99: 7, max: 7 });
    expect(distributionOfCounts([])).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
  });
});

describe('the stats state of parts of a range merges to the one-read answer', () => {
  it('statsOfState(stateOf(rows)) = statsOf(rows)', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 200 }), (rows) => {
        expect(statsOfState(stateOf(rows))).toEqual(statsOf(rows));
        expect(valuesOfState(stateOf(rows))).toEqual(valuesOf(rows));
      }),
    );
  });

  it('any cut of the pods, parts in any order, grouped or not: the one-read answer exactly', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 250 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer(),
        (rows, at, seed) => {
          const parts = cut(rows, at).flatMap((page) => partsOf(page, keyOf));
          // The pages may come in any order (a client may fetch them concurrently).
          const shuffled = [...parts].sort(
            (a, b) => ((parts.indexOf(a) * 7919 + seed) % 13) - ((parts.indexOf(b) * 7919 + seed) % 13),
          );
          const merged = statsOfParts(shuffled);
          expect(merged.stats).toEqual(statsOf(rows));
          expect(merged.groups).toEqual(
            groupsOf(rows, keyOf).map(([key, list]) => ({
              key,
              stats: statsOf(list),
              values: valuesOf(list),
            })),
          );
          // Ungrouped: every part's key is null, no group, the same total.
          const plain = statsOfParts(cut(rows, at).flatMap((page) => partsOf(page, () => null)));
          expect(plain).toEqual({ stats: statsOf(rows), groups: [] });
        },
      ),
    );
  });

  it('merging is a sum: a part given twice counts twice (pages must not overlap; the route’s tokens see to it)', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 50 }), (rows) => {
        const once = stateOf(rows);
        const twice = mergeStates([once, once]);
        expect(twice.pods).toBe(2 * once.pods);
        expect(statsOfState(twice)).toEqual(statsOf([...rows, ...rows]));
      }),
    );
  });

  it('mergeParts keeps one part per key, null first, then the keys in groupsOf order', () => {
    const rows: Row[] = [
      { group: 'b', timeToReadySeconds: 3 },
      { group: null, timeToReadySeconds: 1 },
      { group: 'a', timeToReadySeconds: 2 },
      { group: 'b', timeToReadySeconds: 5 },
    ];
    const merged = mergeParts([...partsOf(rows.slice(0, 2), keyOf), ...partsOf(rows.slice(2), keyOf)]);
    expect(merged.map((p) => p.key)).toEqual([null, 'a', 'b']);
    expect(merged[2]!.state.figures.timeToReadySeconds).toEqual([
      [3, 1],
      [5, 1],
    ]);
  });
});

describe('podlife stats follows a pass (cli/stats.ts)', () => {
  const rows: Row[] = Array.from({ length: 30 }, (_, i) => ({
    group: ['a', 'b', null][i % 3]!,
    pendingSeconds: i % 4,
    timeToReadySeconds: (i * 7) % 11,
    restarts: i % 2,
    lastTerminationReason: i % 5 === 0 ? 'Error' : null,
  }));
  const head = {
    cluster: 'c1',
    since: '2026-11-01T00:00:00.000Z',
    until: '2026-11-02T00:00:00.000Z',
    dataAsOf: null,
    stale: false,
  };
  const single: StatsResponse = {
    ...head,
    stats: statsOf(rows),
    groupBy: 'namespace',
    progress: { pods: 30, rangeRead: 1, done: true },
    mergePages: false,
    groups: groupsOf(rows, keyOf).map(([key, list]) => ({
      key,
      stats: statsOf(list),
      values: valuesOf(list),
    })),
  };
  const page = (part: Row[], pods: number, token?: string): StatsResponse => ({
    ...head,
    stats: statsOf(part),
    groupBy: 'namespace',
    progress: { pods, rangeRead: token ? pods / 30 : 1, done: !token },
    mergePages: true,
    parts: partsOf(part, keyOf),
    ...(token ? { capped: { reason: 'budget', stoppedBy: 'readUnits' as const }, nextToken: token } : {}),
  });
  const pass = [
    page(rows.slice(0, 12), 12, 't1'),
    page(rows.slice(12, 13), 13, 't2'),
    page(rows.slice(13), 30),
  ];

  it('mergedStats: the pages of a pass are the one-request answer; one page is itself', () => {
    expect(StatsResponse.parse(pass[0])).toEqual(pass[0]);
    expect(mergedStats(pass)).toEqual(single);
    expect(mergedStats([single])).toBe(single);
  });

  it('the command asks page after page with the token and prints the merged answer (-o json)', async () => {
    const asked: (string | null)[] = [];
    const server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const token = u.searchParams.get('nextToken');
      if (u.pathname.endsWith('/stats')) asked.push(token);
      const body = u.pathname.endsWith('/clusters')
        ? { clusters: [{ name: 'c1', lastSeenAt: '2026-11-02T08:00:00Z' }] }
        : pass[token === null ? 0 : token === 't1' ? 1 : 2];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
      const out = new PassThrough();
      const err = new PassThrough();
      let stdout = '';
      out.on('data', (c) => (stdout += c));
      const code = await statsCommand(['--cluster', 'c1', '-o', 'json', '--local', url], {
        out,
        err,
        env: {},
      } as never);
      expect(code).toBe(0);
      expect(asked).toEqual([null, 't1', 't2']);
      expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(single)));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
