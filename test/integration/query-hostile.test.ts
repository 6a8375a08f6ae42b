/**
 * The query API under hostile and careless input, on DynamoDB Local with the demo trace and a
 * pod name with 3,000 incarnations: every parameter bounded before any work (a 400 naming it,
 * answered at once, never a 500), the history route paginated so no answer passes 1 MB and the
 * pages together are the whole history, the reader's item budget and deadline, and a seeded,
 * bounded fuzz over every route's parameters: 200 or 4xx naming a parameter, never 5xx, never
 * slow.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodRecord } from '../../core/pod-record.ts';
import { makeQueryHandler, type QueryHandler } from '../../functions/query/query.ts';
import { type HistoryResponse, QUERY_BOUNDS } from '../../model/api-schemas.ts';
import { crashKey, pendingKey, podPk } from '../../model/keys.ts';
import { podItemOf, recordsOfPartition } from '../../model/pod-item.ts';
import { historyRequest, PodReader } from '../../store/pod-queries.ts';
import { engineOf } from '../../testkit/fixtures.ts';
import { type Input, type LocalTable, startLocalTable } from '../../testkit/ingest-harness.ts';
import {
  apiEvent,
  batchWrite,
  deleted,
  type LoadedDemo,
  loadDemo,
  running,
  unschedulable,
} from '../../testkit/query-support.ts';

let t: LocalTable;
let demo: LoadedDemo;
let handler: QueryHandler;

/** 3,000 incarnations of one StatefulSet pod name, one a minute, each scheduled, run, deleted. */
const MANY = { cluster: 'many', namespace: 'db', name: 'pg-0', count: 3000 };
const MANY_START = Date.parse('2026-10-01T00:00:00Z');
let manyRecords: PodRecord[];
const BIG = { cluster: 'big', count: 1200 };

beforeAll(async () => {
  t = await startLocalTable('podlife-hostile');
  demo = await loadDemo(t.doc, t.tableName, 'demo');
  const inputs: Input[] = [];
  for (let i = 0; i < MANY.count; i++) {
    const p = { ...MANY, uid: `pg-0-${String(i).padStart(5, '0')}`, created: MANY_START + i * 60_000 };
    inputs.push(unschedulable(p), running(p, p.created + 5000), deleted(p, p.created + 50_000));
  }
  const engine = engineOf(inputs);
  const items = engine.factMaps().map((m) => podItemOf(m, 1, { now: demo.now, retentionDays: 30 })!);
  await batchWrite(t.doc, t.tableName, items);
  manyRecords = engine.records({ now: demo.now, stuckAfterSeconds: 300 });
  // 1,200 Pending pods, each with a 1,000-character scheduler message: 1,000 rows pass 1 MB.
  const pendingInputs: Input[] = [];
  for (let i = 0; i < BIG.count; i++) {
    const p = {
      cluster: BIG.cluster,
      namespace: 'batch',
      name: `job-${i}`,
      uid: `job-${String(i).padStart(5, '0')}`,
      created: MANY_START + i * 1000,
    };
    pendingInputs.push(unschedulable(p, `0/500 nodes are available: ${'x'.repeat(960)}`.slice(0, 1000)));
  }
  const big = engineOf(pendingInputs).factMaps();
  await batchWrite(
    t.doc,
    t.tableName,
    big.map((m) => podItemOf(m, 1, { now: demo.now, retentionDays: 30 })!),
  );
  handler = makeQueryHandler({ client: t.client, tableName: t.tableName, now: () => demo.now });
}, 240_000);
afterAll(async () => {
  await t?.stop();
});

async function call(path: string, query: Record<string, string> = {}) {
  const started = performance.now();
  const res = await handler(apiEvent(path, query));
  const ms = performance.now() - started;
  return {
    status: res.statusCode ?? 0,
    body: JSON.parse(res.body ?? 'null'),
    bytes: Buffer.byteLength(res.body ?? ''),
    ms,
  };
}

describe('every parameter is bounded before any work: a 400 naming it, at once', () => {
  const huge = '1'.repeat(24); // 1e23 seconds: past what a Date holds
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['/pending', { cluster: 'demo', olderThan: huge }, 'olderThan', /at most 3660d/],
    ['/pending', { cluster: 'demo', olderThan: '1e23' }, 'olderThan', /not a duration/],
    ['/pending', { cluster: 'demo', olderThan: `${'9'.repeat(400)}d` }, 'olderThan', /at most 32 characters/],
    ['/crashloops', { cluster: 'demo', window: `${huge}d` }, 'window', /at most 3660d/],
    ['/crashloops', { cluster: 'demo', minRestarts: '9'.repeat(5000) }, 'minRestarts', /at most 4096/],
    ['/crashloops', { cluster: 'demo', minRestarts: '9'.repeat(40) }, 'minRestarts', /at most 1000000/],
    // The reported stall: one day listed per day of a 100,000,000-day range, before any check.
    ['/stats', { cluster: 'demo', since: '100000000d' }, 'since', /at most 3660d/],
    ['/stats', { cluster: 'demo', namespace: 'default', since: '100000000d' }, 'since', /at most 3660d/],
    ['/stats', { cluster: 'demo', since: `${huge}d` }, 'since', /at most 3660d/],
    // The 92-day bound holds for every scope, not only a whole cluster.
    ['/stats', { cluster: 'demo', namespace: 'default', since: '3000d' }, 'since', /at most 92 days/],
    [
      '/stats',
      { cluster: 'demo', namespace: 'default', owner: 'StatefulSet/redis', since: '1000d' },
      'since',
      /at most 92 days/,
    ],
    ['/stats', { cluster: 'demo', since: '2000-01-01T00:00:00Z' }, 'since', /no earlier than 2014-06-01/],
    [
      '/stats',
      { cluster: 'demo', since: '9999-01-01T00:00:00Z', until: '9999-02-01T00:00:00Z' },
      'since',
      /no later than now/,
    ],
    [
      '/stats',
      { cluster: 'demo', since: '2026-11-01T00:00:00Z', until: '2099-01-01T00:00:00Z' },
      'until',
      /no later than now/,
    ],
    ['/stats', { cluster: 'demo', since: '2026-11-01T00:00:00Zjunk' }, 'since', /RFC 3339/],
    ['/stats', { cluster: 'demo', since: '2026-13-45T99:99:99Z' }, 'since', /RFC 3339/],
    ['/stats', { cluster: 'demo', since: 'x'.repeat(100) }, 'since', /at most 64 characters/],
    ['/pods/demo/default/redis-1', { limit: '0' }, 'limit', /at least 1/],
    ['/pods/demo/default/redis-1', { limit: '100000' }, 'limit', /at most 1000/],
    ['/pods/demo/default/redis-1', { nextToken: 'not-a-token' }, 'nextToken', /not a token/],
    ['/pending', { cluster: 'demo', color: 'x'.repeat(5000) }, 'color', /at most 4096 characters/],
    ['/pending', { cluster: 'demo', ['p'.repeat(200)]: '1' }, `${'p'.repeat(64)}…`, /unknown parameter/],
    ['/pending', { cluster: 'demo', '': '1' }, '(empty name)', /unknown parameter/],
    [
      '/pending',
      { cluster: 'demo', ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, '1'])) },
      'query',
      /at most 16 parameters/,
    ],
  ];
  const labelled = cases.map((c) => [JSON.stringify([c[0], c[1]]).slice(0, 120), ...c] as const);
  it.each(labelled)('%s → 400', async (_, path, query, parameter, reason) => {
    const res = await call(path, query);
    expect(res.body).toEqual({ error: 'bad parameter', parameter, reason: expect.stringMatching(reason) });
    expect(res.status).toBe(400);
    expect(res.ms).toBeLessThan(1000);
  });

  it('a token whose values DynamoDB would refuse (empty, oversized) never reaches it', async () => {
    const token = (o: Record<string, string>) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tokens = [
      token({ pk: '', sk: 'x', pendingKey: pendingKey('demo'), createdKey: 'a' }),
      token({ pk: 'p', sk: '', pendingKey: pendingKey('demo'), createdKey: '' }),
      token({ pk: 'p'.repeat(2000), sk: 'x', pendingKey: pendingKey('demo'), createdKey: 'a' }),
    ];
    for (const nextToken of tokens) {
      const res = await call('/pending', { cluster: 'demo', nextToken });
      expect(res.status).toBe(400);
      expect(res.body.parameter).toBe('nextToken');
    }
  });
});

describe('the history route is paginated: no answer over 1 MB, the pages together are the whole', () => {
  const path = `/pods/${MANY.cluster}/${MANY.namespace}/${MANY.name}`;
  const want = () => [...manyRecords].reverse();

  /** Every page of the history route with these parameters. */
  async function walk(query: Record<string, string>) {
    const pages: { bytes: number; count: number; ms: number }[] = [];
    const pods: PodRecord[] = [];
    let token: string | undefined;
    do {
      const res = await call(path, { ...query, ...(token ? { nextToken: token } : {}) });
      expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBe(200);
      const body = res.body as HistoryResponse;
      pages.push({ bytes: res.bytes, count: body.pods.length, ms: res.ms });
      pods.push(...body.pods);
      token = body.nextToken;
    } while (token && pages.length < 200);
    return { pages, pods };
  }

  it('3,000 incarnations (3 MB unpaginated): pages of at most 1 MB, together the unpaginated answer', async () => {
    const whole = want();
    expect(whole).toHaveLength(MANY.count);
    const unpaginated = Buffer.byteLength(
      JSON.stringify({ cluster: MANY.cluster, namespace: MANY.namespace, name: MANY.name, pods: whole }),
    );
    expect(unpaginated).toBeGreaterThan(2.5 * QUERY_BOUNDS.maxAnswerBytes);
    const max = await walk({ limit: String(QUERY_BOUNDS.limit.max) });
    expect(max.pods).toEqual(whole);
    for (const p of max.pages) expect(p.bytes).toBeLessThan(QUERY_BOUNDS.maxAnswerBytes);
    // The byte bound, not the limit, cut these pages.
    expect(max.pages[0]!.count).toBeLessThan(QUERY_BOUNDS.limit.max);
    // By default, the newest 100; the next page resumes right after them.
    const first = await call(path);
    expect(first.body.pods).toEqual(whole.slice(0, QUERY_BOUNDS.limit.default));
    const second = await call(path, { nextToken: first.body.nextToken });
    expect(second.body.pods).toEqual(whole.slice(QUERY_BOUNDS.limit.default, 2 * QUERY_BOUNDS.limit.default));
    console.info(
      `history of ${MANY.count} incarnations: ${unpaginated} B unpaginated; limit=1000 → ${max.pages.length} pages, largest ${Math.max(...max.pages.map((p) => p.bytes))} B, ${Math.round(Math.max(...max.pages.map((p) => p.ms)))} ms the slowest; a default page ${Math.round(first.ms)} ms`,
    );
  }, 120_000);

  it('small pages: limit=1 walks every demo name, no loss, no duplicate', async () => {
    const names = [...new Set(demo.records.map((r) => `${r.namespace}/${r.name}`))];
    for (const n of names) {
      const [namespace, name] = n.split('/');
      const all: PodRecord[] = [];
      let token: string | undefined;
      do {
        const res = await call(`/pods/demo/${namespace}/${encodeURIComponent(name!)}`, {
          limit: '1',
          ...(token ? { nextToken: token } : {}),
        });
        expect(res.status).toBe(200);
        all.push(...res.body.pods);
        token = res.body.nextToken;
      } while (token);
      expect(all).toEqual(demo.records.filter((r) => r.namespace === namespace && r.name === name).reverse());
    }
  });

  it('a token of another pod name, or a tampered one, is a 400 naming nextToken', async () => {
    const first = await call(path, { limit: '5' });
    const token = first.body.nextToken as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const other = await call('/pods/demo/default/redis-1', { nextToken: token });
    expect(other).toMatchObject({ status: 400, body: { parameter: 'nextToken' } });
    const pending = await call('/pending', { cluster: MANY.cluster, nextToken: token });
    expect(pending).toMatchObject({ status: 400, body: { parameter: 'nextToken' } });
    const forged = Buffer.from(
      JSON.stringify({ pk: podPk(MANY.cluster, MANY.namespace, MANY.name) }),
    ).toString('base64url');
    expect(await call(path, { nextToken: forged })).toMatchObject({
      status: 400,
      body: { parameter: 'nextToken' },
    });
  });
});

describe('the list routes: no page over 1 MB either', () => {
  it('/pending?limit=1000 over 1,200 pods with long messages: pages < 1 MB, together every pod once', async () => {
    const uids: string[] = [];
    const counts: number[] = [];
    let token: string | undefined;
    do {
      const res = await call('/pending', {
        cluster: BIG.cluster,
        limit: '1000',
        ...(token ? { nextToken: token } : {}),
      });
      expect(res.status).toBe(200);
      expect(res.bytes).toBeLessThan(QUERY_BOUNDS.maxAnswerBytes);
      uids.push(...res.body.pods.map((p: { uid: string }) => p.uid));
      counts.push(res.body.pods.length);
      token = res.body.nextToken;
    } while (token && counts.length < 20);
    expect(uids).toEqual(Array.from({ length: BIG.count }, (_, i) => `job-${String(i).padStart(5, '0')}`));
    // The byte bound, not the limit, cut the first page.
    expect(counts[0]).toBeLessThan(1000);
  });
});

describe('the reader: an item budget and a deadline bound every request', () => {
  it('limitItems stops reading past the budget with the route’s error', async () => {
    const reader = new PodReader(t.doc, t.tableName);
    reader.limitItems(100, () => new Error('over budget'));
    await expect(
      reader.queryAll(historyRequest(t.tableName, MANY.cluster, MANY.namespace, MANY.name)),
    ).rejects.toThrow('over budget');
    // One page (1 MB) read, not the 3,000 items.
    expect(reader.stats.requests).toBe(1);
    expect(reader.stats.itemsRead).toBeLessThan(MANY.count);
  });

  it('a request past its deadline is cut short: 503, no further read', async () => {
    let reads = 0;
    const slow = makeQueryHandler({
      client: t.client,
      tableName: t.tableName,
      now: () => demo.now,
      deadlineMs: 1000,
      // The start and the first read at 0 ms, then 10 s later: the next read is never sent.
      clock: () => (reads++ < 2 ? 0 : 10_000),
    });
    const res = await slow(apiEvent(`/pods/by-uid/demo/${encodeURIComponent(demo.records[0]!.uid)}`));
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body!).error).toMatch(/took too long/);
    expect(res.headers?.['x-podlife-requests']).toBe('1');
  });

  it('the records of a page are the partition’s, exactly (recordsOfPartition over the whole)', async () => {
    const reader = new PodReader(t.doc, t.tableName);
    const items = await reader.queryAll(historyRequest(t.tableName, MANY.cluster, MANY.namespace, MANY.name));
    expect(recordsOfPartition(items, { now: demo.now, stuckAfterSeconds: 300 })).toEqual(manyRecords);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz

const PARAM_NAMES = [
  'cluster',
  'namespace',
  'name',
  'uid',
  'olderThan',
  'window',
  'minRestarts',
  'limit',
  'nextToken',
  'owner',
  'since',
  'until',
  'groupBy',
];

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Values a careless or hostile caller sends: valid ones, edge numbers, odd times, tokens, junk. */
const value = fc.oneof(
  fc.constantFrom('demo', 'many', 'default', 'db', 'pg-0', 'redis-1', 'argocd', 'namespace', 'owner'),
  fc.constantFrom('0', '1', '2', '100', '1000', '1001', '-1', '1e23', '1.5', 'NaN', 'Infinity', '', ' '),
  fc.constantFrom('5m', '1h30m', '92d', '93d', '3660d', '3661d', '0.001ms', '1'.repeat(30), '9'.repeat(40)),
  fc.constantFrom(
    '2026-11-01T00:00:00Z',
    '2026-11-03T00:00:00.123+02:00',
    '2014-06-01T00:00:00Z',
    '2014-05-31T23:59:59Z',
    '9999-12-31T23:59:59Z',
    '0001-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '2026-02-30T00:00:00Z',
  ),
  fc.constantFrom('Deployment/web', 'StatefulSet/redis', 'a/b', '/', 'Deployment/'),
  fc.integer({ min: 0, max: 10 ** 6 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ minLength: 4090, maxLength: 4200 }),
  // Tokens: the right keys with odd values, the wrong keys, and random JSON.
  fc
    .record({
      pk: fc.string({ maxLength: 30 }),
      sk: fc.string({ maxLength: 30 }),
      createdKey: fc.string({ maxLength: 30 }),
      k: fc.constantFrom(['pendingKey', pendingKey('demo')], ['crashKey', crashKey('demo')]),
    })
    .map(({ k, ...o }) => b64({ ...o, [k[0]]: k[1] })),
  fc
    .record({ at: fc.string({ maxLength: 30 }), uid: fc.string({ maxLength: 30 }) })
    .map((o) => b64({ ...o, pk: podPk('demo', 'default', 'redis-1') })),
  fc.jsonValue({ maxDepth: 2 }).map(b64),
);

const segment = fc.oneof(value, fc.string({ unit: 'grapheme', maxLength: 300 }));

const request = fc.record({
  route: fc.constantFrom('clusters', 'pending', 'crashloops', 'stats', 'history', 'uid', 'other'),
  a: segment,
  b: segment,
  c: segment,
  params: fc.dictionary(fc.oneof(fc.constantFrom(...PARAM_NAMES), fc.string({ maxLength: 80 })), value, {
    maxKeys: 20,
  }),
});

const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s; // a lone surrogate: sent raw
  }
};

describe('fuzz (fast-check, seeded, bounded): every answer is 200 or 4xx naming a parameter, never 5xx', () => {
  it('any parameters to any route, on the demo data and a 3,000-incarnation name', async () => {
    const statuses = new Map<number, number>();
    let slowest = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const path =
          r.route === 'history'
            ? `/pods/${enc(r.a)}/${enc(r.b)}/${enc(r.c)}`
            : r.route === 'uid'
              ? `/pods/by-uid/${enc(r.a)}/${enc(r.b)}`
              : r.route === 'other'
                ? `/${enc(r.a)}`
                : `/${r.route}`;
        const res = await call(path, r.params);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        slowest = Math.max(slowest, res.ms);
        const what = `${path} ${JSON.stringify(r.params).slice(0, 300)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        expect([200, 400, 404], what).toContain(res.status);
        if (res.status === 400) {
          expect(res.body.parameter, what).toEqual(expect.any(String));
          expect(res.body.parameter.length, what).toBeGreaterThan(0);
          expect(res.body.reason, what).toEqual(expect.any(String));
        }
        expect(res.bytes, what).toBeLessThan(QUERY_BOUNDS.maxAnswerBytes);
        expect(res.ms, what).toBeLessThan(10_000);
      }),
      { seed: 20261129, numRuns: 600, endOnFailure: true },
    );
    console.info(
      `fuzz: statuses ${JSON.stringify(Object.fromEntries(statuses))}, slowest ${slowest.toFixed(0)} ms`,
    );
    // The fuzz reached past validation too.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
  }, 240_000);

  it('valid parameters (pending, crashloops, stats, history), mostly 200', async () => {
    const valid = fc.record({
      route: fc.constantFrom('pending', 'crashloops', 'stats', 'history'),
      cluster: fc.constantFrom('demo', 'many', 'nope'),
      namespace: fc.option(fc.constantFrom('default', 'db', 'argocd', 'kube-system'), { nil: undefined }),
      duration: fc.integer({ min: 0, max: QUERY_BOUNDS.maxDurationSeconds }).map(String),
      since: fc.integer({ min: 1, max: 92 * 86_400 }).map((s) => `${s}s`),
      limit: fc.integer({ min: 1, max: 1000 }).map(String),
    });
    await fc.assert(
      fc.asyncProperty(valid, async (v) => {
        const ns: Record<string, string> = v.namespace ? { namespace: v.namespace } : {};
        const [path, query]: [string, Record<string, string>] =
          v.route === 'pending'
            ? ['/pending', { cluster: v.cluster, olderThan: v.duration, limit: v.limit, ...ns }]
            : v.route === 'crashloops'
              ? ['/crashloops', { cluster: v.cluster, window: v.duration, limit: v.limit, ...ns }]
              : v.route === 'stats'
                ? ['/stats', { cluster: v.cluster, since: v.since, ...ns }]
                : [`/pods/${v.cluster}/${v.namespace ?? 'db'}/pg-0`, { limit: v.limit }];
        const res = await call(path, query);
        const what = `${path} ${JSON.stringify(query)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
        expect(v.route === 'history' ? [200, 404] : [200], what).toContain(res.status);
        expect(res.bytes, what).toBeLessThan(QUERY_BOUNDS.maxAnswerBytes);
      }),
      { seed: 7, numRuns: 80 },
    );
  }, 240_000);
});
