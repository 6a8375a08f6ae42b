/**
 * /stats over several requests on DynamoDB Local (functions/query/routes/stats.ts): with a
 * budget that stops every request after a page or two, a multi-day range is a pass of pages;
 * their parts merged (core/stats.ts statsOfParts, as the CLI and the dashboard merge them) are
 * exactly the one-request answer, for every scope and grouping, and for random budgets (any
 * cut of the range). Every pod is read once: the pages' pod count is the one request's. The
 * token is checked on the way back in (a 400 naming nextToken, never a read).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statsOfParts } from '../../core/stats.ts';
import { makeQueryHandler, type QueryHandler } from '../../functions/query/query.ts';
import { type StatsBudget, statsRouteWith } from '../../functions/query/routes/stats.ts';
import { ErrorBody, StatsResponse } from '../../model/api-schemas.ts';
import { queryDigestOf } from '../../model/pod-search.ts';
import { encodeStatsCursor } from '../../model/stats-cursor.ts';
import { type LocalTable, startLocalTable } from '../../testkit/ingest-harness.ts';
import { apiEvent, type LoadedDemo, loadDemo } from '../../testkit/query-support.ts';

let t: LocalTable;
let demo: LoadedDemo;
let handler: QueryHandler;

/** The whole demo's creation range: two UTC days of pods in a three-day range. */
const RANGE = { since: '2026-11-01T00:00:00Z', until: '2026-11-04T00:00:00Z' };

beforeAll(async () => {
  t = await startLocalTable('podlife-stats-pass');
  demo = await loadDemo(t.doc, t.tableName, 'demo');
  handler = makeQueryHandler({ client: t.client, tableName: t.tableName, now: () => demo.now });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const handlerWith = (budget: Partial<StatsBudget>, clock?: () => number) =>
  makeQueryHandler({
    client: t.client,
    tableName: t.tableName,
    now: () => demo.now,
    routes: [statsRouteWith({ budget, ...(clock ? { clock } : {}) })],
  });

async function call(h: QueryHandler, query: Record<string, string>) {
  const res = await h(apiEvent('/stats', query));
  const body = JSON.parse(res.body ?? 'null');
  const parsed = (res.statusCode === 200 ? StatsResponse : ErrorBody).safeParse(body);
  expect(parsed.error?.issues ?? [], 'the answer differs from the contract').toEqual([]);
  return { status: res.statusCode, body, requests: Number(res.headers?.['x-podlife-requests'] ?? 0) };
}

/** Every page of the pass, as `podlife stats` follows them. */
async function walk(h: QueryHandler, query: Record<string, string>): Promise<StatsResponse[]> {
  const pages: StatsResponse[] = [];
  let token: string | undefined;
  do {
    const { status, body } = await call(h, { ...query, ...(token ? { nextToken: token } : {}) });
    expect(status, JSON.stringify(body)).toBe(200);
    pages.push(body as StatsResponse);
    token = (body as StatsResponse).nextToken;
    expect(pages.length).toBeLessThan(500);
  } while (token);
  return pages;
}

/** The pages of a pass merged: what one request answers (stats, groups, pods read). */
function merged(pages: readonly StatsResponse[]) {
  if (pages.length === 1 && !pages[0]!.mergePages)
    return { stats: pages[0]!.stats, groups: pages[0]!.groups ?? [], pods: pages[0]!.progress!.pods };
  const { stats, groups } = statsOfParts(pages.flatMap((p) => p.parts ?? []));
  return { stats, groups, pods: pages.at(-1)!.progress!.pods };
}

const SCOPES: [string, Record<string, string>][] = [
  ['a cluster', {}],
  ['a namespace', { namespace: 'default' }],
  ['an owner', { namespace: 'default', owner: 'StatefulSet/redis' }],
];
const GROUPINGS = [undefined, 'namespace', 'owner', 'node'] as const;

describe('a pass of pages merges to the one-request answer', () => {
  it.each(SCOPES)(
    '%s, every grouping, a page or two a request',
    async (_name, scope) => {
      for (const groupBy of GROUPINGS) {
        const query = { cluster: 'demo', ...RANGE, ...scope, ...(groupBy ? { groupBy } : {}) };
        const one = await walk(handler, query);
        expect(one).toHaveLength(1);
        expect(one[0]!.mergePages).toBe(false);
        expect(one[0]!.progress).toEqual({ pods: expect.any(Number), rangeRead: 1, done: true });
        const pages = await walk(handlerWith({ readUnits: 0.5, clusterPage: 2, namespacePage: 2 }), query);
        expect(pages.length).toBeGreaterThan(2);
        expect(pages.every((p) => p.mergePages)).toBe(true);
        expect(pages.slice(0, -1).every((p) => p.capped?.stoppedBy === 'readUnits')).toBe(true);
        expect(pages.at(-1)!.progress).toMatchObject({ rangeRead: 1, done: true });
        // Progress only goes forward.
        const read = pages.map((p) => p.progress!.rangeRead);
        expect(read).toEqual([...read].sort((a, b) => a - b));
        expect(merged(pages)).toEqual(merged(one));
      }
      expect((await walk(handler, { cluster: 'demo', ...RANGE })).at(0)!.stats.pods).toBe(
        demo.records.length,
      );
    },
    120_000,
  );

  it('any budget, any concurrency, cuts the range anywhere: the same answer (fast-check)', async () => {
    const query = { cluster: 'demo', ...RANGE, groupBy: 'node' };
    const want = merged(await walk(handler, query));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          readUnits: fc.constantFrom(0.5, 1, 3, 8),
          clusterPage: fc.integer({ min: 1, max: 7 }),
          namespacePage: fc.integer({ min: 1, max: 7 }),
          concurrency: fc.integer({ min: 1, max: 4 }),
        }),
        fc.constantFrom<Record<string, string>>({}, { namespace: 'default' }),
        async (budget, scope) => {
          const q = { ...query, ...scope };
          const expected = scope.namespace ? merged(await walk(handler, q)) : want;
          expect(merged(await walk(handlerWith(budget), q))).toEqual(expected);
        },
      ),
      { numRuns: 6, seed: 11 },
    );
  }, 180_000);

  it('a time budget stops a request too (a clock that moves 20 ms a read): capped by time', async () => {
    let tick = 0;
    const timed = handlerWith({ ms: 50, clusterPage: 3, concurrency: 1 }, () => (tick += 20));
    const pages = await walk(timed, { cluster: 'demo', ...RANGE });
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]!.capped?.stoppedBy).toBe('time');
    expect(merged(pages)).toEqual(merged(await walk(handler, { cluster: 'demo', ...RANGE })));
  }, 60_000);
});

describe('the token is checked on the way back in', () => {
  const query = { cluster: 'demo', ...RANGE, groupBy: 'namespace' };
  let token: string;
  beforeAll(async () => {
    const first = await call(handlerWith({ readUnits: 0.5, clusterPage: 2 }), query);
    token = first.body.nextToken;
    expect(token).toEqual(expect.any(String));
  });

  it.each<[string, () => Record<string, string>, RegExp]>([
    ['another grouping', () => ({ ...query, groupBy: 'node', nextToken: token }), /another query/],
    ['another cluster', () => ({ ...query, cluster: 'other', nextToken: token }), /another query/],
    ['not base64url', () => ({ ...query, nextToken: 'a+b/c' }), /not base64url/],
    ['not a token', () => ({ ...query, nextToken: Buffer.from('[1]').toString('base64url') }), /not a token/],
    [
      'altered',
      () => {
        const o = JSON.parse(Buffer.from(token, 'base64url').toString());
        o.b = o.b.replace(/"seen":\d+/, '"seen":999');
        return { ...query, nextToken: Buffer.from(JSON.stringify(o)).toString('base64url') };
      },
      /altered/,
    ],
    [
      'a segment outside its range (a well-formed token of the same query)',
      () => ({
        ...query,
        nextToken: encodeStatsCursor(
          {
            from: '2026-11-01T00:00:00.000Z',
            to: '2026-11-04T00:00:00.000Z',
            segs: [{ lo: '2026-10-01T00:00:00.000Z', hi: '2026-11-02T00:00:00.000Z' }],
            seen: 0,
          },
          queryDigestOf(query),
        ),
      }),
      /not disjoint parts of its range/,
    ],
  ])('%s: 400 naming nextToken', async (_name, params, reason) => {
    const { status, body, requests } = await call(handler, params());
    expect(status).toBe(400);
    expect(body.parameter).toBe('nextToken');
    expect(body.reason).toMatch(reason);
    expect(requests, 'a refused token reaches no DynamoDB request').toBe(0);
  });
});
