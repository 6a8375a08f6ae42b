/**
 * GET /pods on DynamoDB Local, the demo trace loaded through the real ingest handler. The
 * oracle is `podlife replay` of the same trace: every filter, both orders of every sort key,
 * and paging (any limit, any filters) concatenated equal to one list filtered and sorted in
 * memory from the replay's records: no duplicate, no gap. Also the budget of one request (a
 * route with a tiny budget: `capped`, progress, and the token goes on; sorted by a figure, the
 * pass's pages merged are the exact first `limit`), hostile parameters and tokens, and not one
 * Scan.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodRecord } from '../../core/pod-record.ts';
import { makeQueryHandler, type QueryHandler } from '../../functions/query/query.ts';
import { podsRouteWith } from '../../functions/query/routes/pods.ts';
import {
  ErrorBody,
  type FoundPod,
  NUMERIC_FIGURES,
  type NumericFigure,
  PodsResponse,
  SORT_KEYS,
} from '../../model/api-schemas.ts';
import { createdAtOf } from '../../model/pod-rows.ts';
import { encodeCursor, mergedTop, queryDigestOf } from '../../model/pod-search.ts';
import { type LocalTable, startLocalTable } from '../../testkit/ingest-harness.ts';
import { apiEvent, type LoadedDemo, loadDemo } from '../../testkit/query-support.ts';

let t: LocalTable;
let demo: LoadedDemo;
let handler: QueryHandler;
let capped: QueryHandler;
let timed: QueryHandler;
const commands: string[] = [];
/** The tiny budget: 3 keys a chunk, and no second chunk once 1 read unit is spent (every chunk costs more). */
const TINY = { readUnits: 1, chunk: 3 };
/** The whole demo's creation range (it spans two days: one query per UTC day). */
const RANGE = { since: '2026-11-01T00:00:00Z', until: '2026-11-04T00:00:00Z' };

beforeAll(async () => {
  t = await startLocalTable('podlife-pods');
  demo = await loadDemo(t.doc, t.tableName, 'demo');
  const { localDynamoClient } = await import('../../local/dynamodb-local.ts');
  const client = localDynamoClient(t.ddb.endpoint);
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  handler = makeQueryHandler({ client, tableName: t.tableName, now: () => demo.now });
  capped = makeQueryHandler({
    client,
    tableName: t.tableName,
    now: () => demo.now,
    routes: [podsRouteWith({ budget: TINY })],
  });
  // A clock that moves 20 ms each time it is read: a 50 ms budget is spent after a chunk or two.
  let tick = 0;
  timed = makeQueryHandler({
    client,
    tableName: t.tableName,
    now: () => demo.now,
    routes: [podsRouteWith({ budget: { ms: 50, chunk: 4 }, clock: () => (tick += 20) })],
  });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

async function call(query: Record<string, string>, h: QueryHandler = handler) {
  const res = await h(apiEvent('/pods', query));
  const body = JSON.parse(res.body ?? 'null');
  const schema = res.statusCode === 200 ? PodsResponse : ErrorBody;
  const parsed = schema.safeParse(body);
  expect(parsed.error?.issues ?? [], 'the answer differs from the contract').toEqual([]);
  return { status: res.statusCode, body, headers: res.headers ?? {} };
}

async function ok(query: Record<string, string>, h: QueryHandler = handler): Promise<PodsResponse> {
  const res = await call(query, h);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as PodsResponse;
}

/** Every page; fails on a repeated token (a loop). */
async function walk(query: Record<string, string>, h: QueryHandler = handler) {
  const pods: FoundPod[] = [];
  const pages: PodsResponse[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await ok({ ...query, ...(token ? { nextToken: token } : {}) }, h);
    pods.push(...page.pods);
    pages.push(page);
    token = page.nextToken;
    if (token) {
      expect(seen.has(token), 'a token came back twice').toBe(false);
      seen.add(token);
    }
  } while (token && pages.length < 200);
  return { pods, pages };
}

// ---------------------------------------------------------------------------------------------
// The oracle: replay's records, filtered and sorted in memory

// The time a pod counts as created at: its creationTimestamp, else its first-seen time (one truth).
const createdOf = (r: PodRecord) => createdAtOf(r)?.at ?? '';
const keyOfRecord = (r: PodRecord) => `${createdOf(r)}#${r.uid}`;

interface Query {
  namespace?: string;
  node?: string;
  phase?: string;
  status?: string;
  terminationReason?: string;
  waitingReason?: string;
  min?: [NumericFigure, number];
  sortBy: (typeof SORT_KEYS)[number];
  order: 'asc' | 'desc';
}

function expected(q: Query): string[] {
  const keep = demo.records.filter(
    (r) =>
      createdOf(r) !== '' &&
      (q.namespace === undefined || r.namespace === q.namespace) &&
      (q.node === undefined || r.node === q.node) &&
      (q.phase === undefined || r.phase === q.phase) &&
      (q.status === undefined || r.status === q.status) &&
      (q.terminationReason === undefined || r.lastTerminationReason === q.terminationReason) &&
      (q.waitingReason === undefined || r.waitingReason === q.waitingReason) &&
      (q.min === undefined || ((r[q.min[0]] ?? null) !== null && (r[q.min[0]] as number) >= q.min[1])),
  );
  const sign = q.order === 'asc' ? 1 : -1;
  const sortValue = (r: PodRecord) => (q.sortBy === 'created' ? null : (r[q.sortBy] ?? null));
  return keep
    .sort((a, b) => {
      const va = sortValue(a);
      const vb = sortValue(b);
      if (va !== vb) {
        if (va === null) return 1;
        if (vb === null) return -1;
        return sign * (va - vb);
      }
      return sign * (keyOfRecord(a) < keyOfRecord(b) ? -1 : 1);
    })
    .map((r) => `${r.namespace}/${r.name}/${r.uid}`);
}

function paramsOf(q: Query): Record<string, string> {
  const out: Record<string, string> = { cluster: 'demo', ...RANGE, sortBy: q.sortBy, order: q.order };
  for (const k of ['namespace', 'node', 'phase', 'status', 'terminationReason', 'waitingReason'] as const) {
    const v = q[k];
    if (v !== undefined) out[k] = v;
  }
  if (q.min) out[`min.${q.min[0]}`] = String(q.min[1]);
  return out;
}

const idOf = (p: FoundPod) => `${p.namespace}/${p.name}/${p.uid}`;

describe('GET /pods', () => {
  it('finds every pod of the range, newest first by default, with the figures replay computes', async () => {
    const page = await ok({ cluster: 'demo', ...RANGE, limit: '1000' });
    expect(page.pods.map(idOf)).toEqual(expected({ sortBy: 'created', order: 'desc' }));
    // Every demo pod, the two without a creationTimestamp at their first-seen time (one truth).
    expect(page.pods).toHaveLength(demo.records.length);
    expect(page.pods.filter((p) => p.createdAtSource === 'firstSeen')).toHaveLength(2);
    expect(page.nextToken).toBeUndefined();
    expect(page.capped).toBeUndefined();
    for (const pod of page.pods) {
      const r = demo.records.find((x) => x.uid === pod.uid)!;
      expect(pod).toMatchObject({
        namespace: r.namespace,
        name: r.name,
        owner: r.owner,
        node: r.node,
        phase: r.phase,
        status: r.status,
        restarts: r.kubectlRestarts ?? r.restarts,
        waitingReason: r.waitingReason,
        lastTerminationReason: r.lastTerminationReason,
        deleted: r.deleted,
        createdAt: createdOf(r),
      });
      for (const f of NUMERIC_FIGURES) expect(pod.figures[f], `${idOf(pod)} ${f}`).toBe(r[f]);
    }
  });

  it('the default range is the last 24 h before now', async () => {
    const page = await ok({ cluster: 'demo', limit: '1000' });
    const since = demo.now - 86_400_000;
    expect(page.since).toBe(new Date(since).toISOString());
    expect(page.pods.map(idOf).sort()).toEqual(
      demo.records
        .filter((r) => Date.parse(createdOf(r)) >= since)
        .map((r) => `${r.namespace}/${r.name}/${r.uid}`)
        .sort(),
    );
  });

  const cases: [string, Partial<Query>][] = [
    ['namespace', { namespace: 'scraper' }],
    ['node', { node: 'minikube' }],
    ['phase', { phase: 'Failed' }],
    ['status (kubectl STATUS)', { status: 'Terminating' }],
    ['termination reason', { terminationReason: 'Completed' }],
    ['waiting reason', { waitingReason: 'CrashLoopBackOff' }],
    ['a figure minimum', { min: ['timeToReadySeconds', 60] }],
    ['a fractional minimum', { min: ['scheduledAfterSeconds', 0.5] }],
    ['namespace and reason ("Error pods in scraper")', { namespace: 'scraper', terminationReason: 'Error' }],
    ['node and minimum', { node: 'datagen-1-34', min: ['timeToReadySeconds', 50] }],
  ];
  it.each(cases)('filters by %s', async (_, f) => {
    const q: Query = { sortBy: 'created', order: 'desc', ...f };
    const want = expected(q);
    expect(want.length, 'the case selects something').toBeGreaterThan(0);
    expect(want.length, 'the case leaves something out').toBeLessThan(demo.records.length);
    const page = await ok({ ...paramsOf(q), limit: '1000' });
    expect(page.pods.map(idOf)).toEqual(want);
  });

  it('filters by owner (with its namespace): the pods of the namespace that name it (no byOwner index)', async () => {
    const page = await ok({
      cluster: 'demo',
      ...RANGE,
      namespace: 'scraper',
      owner: 'Job/e2e-failjob',
    });
    const want = demo.records.filter(
      (r) => r.namespace === 'scraper' && r.owner?.kind === 'Job' && r.owner.name === 'e2e-failjob',
    );
    expect(want.length).toBe(4);
    expect(page.pods.map((p) => p.uid).sort()).toEqual(want.map((r) => r.uid).sort());
  });

  it('an owner a page of one at a time, both orders: the same pods, no other of the namespace', async () => {
    const query = { cluster: 'demo', ...RANGE, namespace: 'scraper', owner: 'Job/e2e-failjob', limit: '1' };
    const want = demo.records
      .filter((r) => r.namespace === 'scraper' && r.owner?.kind === 'Job' && r.owner.name === 'e2e-failjob')
      .map((r) => r.uid)
      .sort();
    const others = demo.records.filter((r) => r.namespace === 'scraper').length - want.length;
    expect(others, 'the namespace holds pods of other owners').toBeGreaterThan(0);
    for (const order of ['asc', 'desc']) {
      const walked = await walk({ ...query, order });
      expect(walked.pods.map((p) => p.uid).sort()).toEqual(want);
    }
  });

  it.each(SORT_KEYS.flatMap((k) => (['asc', 'desc'] as const).map((o) => [k, o] as const)))(
    'sorts by %s %s (nulls last)',
    async (sortBy, order) => {
      const page = await ok({ cluster: 'demo', ...RANGE, sortBy, order, limit: '1000' });
      expect(page.pods.map(idOf)).toEqual(expected({ sortBy, order }));
    },
  );

  it('"the 5 slowest starts": sortBy=timeToReadySeconds, limit 5', async () => {
    const page = await ok({ cluster: 'demo', ...RANGE, sortBy: 'timeToReadySeconds', limit: '5' });
    const ready = demo.records
      .map((r) => r.timeToReadySeconds)
      .filter((v): v is number => v != null)
      .sort((a, b) => b - a);
    expect(page.pods.map((p) => p.figures.timeToReadySeconds)).toEqual(ready.slice(0, 5));
    expect(page.nextToken).toBeDefined();
  });

  it('paging, any limit and filters: the pages concatenated are the one sorted, filtered list (property)', async () => {
    const namespaces = [...new Set(demo.records.map((r) => r.namespace))];
    const nodes = [...new Set(demo.records.map((r) => r.node).filter((n): n is string => n != null))];
    const query = fc.record(
      {
        namespace: fc.constantFrom(...namespaces),
        node: fc.constantFrom(...nodes),
        phase: fc.constantFrom('Running', 'Pending', 'Failed', 'Succeeded'),
        min: fc.tuple(fc.constantFrom(...NUMERIC_FIGURES), fc.constantFrom(0, 1, 5, 60)),
        sortBy: fc.constantFrom(...SORT_KEYS),
        order: fc.constantFrom('asc' as const, 'desc' as const),
      },
      { requiredKeys: ['sortBy', 'order'] },
    );
    await fc.assert(
      fc.asyncProperty(query, fc.integer({ min: 1, max: 7 }), fc.boolean(), async (q, limit, small) => {
        const { pods, pages } = await walk(
          { ...paramsOf(q), limit: String(limit) },
          small ? capped : handler,
        );
        const last = pages.at(-1)!;
        expect(last.progress.done).toBe(true);
        if (small && q.sortBy !== 'created' && pages.length > 1) {
          // A figure sort read over many requests: one pass, its pages merged are the first `limit`.
          expect(pages.every((p) => p.mergePages && p.pods.length <= limit)).toBe(true);
          expect(mergedTop(pods, q.sortBy, q.order, limit).map(idOf)).toEqual(expected(q).slice(0, limit));
        } else {
          // Sorted by creation (the index's order), or a range one request reads: the very same list.
          expect(pods.map(idOf)).toEqual(expected(q));
          expect(last.progress.matched).toBe(expected(q).length);
        }
      }),
      { numRuns: 40, seed: 1129 },
    );
  }, 120_000);

  it('a request stops at its budget, says how far it read, and its token goes on: nothing lost, nothing twice', async () => {
    const total = demo.records.length;
    const first = await ok({ cluster: 'demo', ...RANGE, sortBy: 'restarts', limit: '2' }, capped);
    // One chunk: at most 3 keys (fewer where a UTC day's index partition ends first).
    expect(first.examined).toBeGreaterThan(0);
    expect(first.examined).toBeLessThanOrEqual(TINY.chunk);
    expect(first.capped?.stoppedBy).toBe('readUnits');
    expect(first.capped?.readUpTo).toMatch(/^2026-11-0/);
    expect(first.capped?.reason).toMatch(`examined ${first.examined} pods so far`);
    expect(first.progress).toMatchObject({ examined: first.examined, done: false });
    expect(first.mergePages).toBe(true);
    expect(first.nextToken).toBeDefined();
    // Sorted by a figure: one pass over the range, its pages merged are the exact first 2.
    const { pods, pages } = await walk({ cluster: 'demo', ...RANGE, sortBy: 'restarts', limit: '2' }, capped);
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(total / TINY.chunk));
    expect(pages.every((p) => p.examined <= TINY.chunk)).toBe(true);
    expect(mergedTop(pods, 'restarts', 'desc', 2).map(idOf)).toEqual(
      expected({ sortBy: 'restarts', order: 'desc' }).slice(0, 2),
    );
    // Progress only grows, and the last page has examined every pod of the range once.
    const read = pages.map((p) => p.progress.rangeRead);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    expect(pages.at(-1)!.progress).toEqual({ examined: total, matched: total, rangeRead: 1, done: true });
    // Sorted by creation, a capped read is a plain continuation: the same list as uncapped.
    const byCreation = await walk(
      { cluster: 'demo', ...RANGE, order: 'asc', limit: '3', phase: 'Running' },
      capped,
    );
    expect(byCreation.pods.map(idOf)).toEqual(
      expected({ sortBy: 'created', order: 'asc', phase: 'Running' }),
    );
    expect(byCreation.pages.some((p) => p.capped)).toBe(true);
  });

  it('a node filter across many pages of a tiny budget: the union of the pages is the unpaged answer, read from the index', async () => {
    const nodes = [...new Set(demo.records.map((r) => r.node).filter((n): n is string => n != null))];
    for (const node of nodes) {
      for (const order of ['asc', 'desc'] as const) {
        const query = { cluster: 'demo', ...RANGE, node, order, limit: '1000' };
        const unpaged = await ok(query);
        expect(unpaged.nextToken, 'one request reads the whole demo').toBeUndefined();
        expect(unpaged.pods.map(idOf)).toEqual(expected({ sortBy: 'created', order, node }));
        const { pods, pages } = await walk(query, capped);
        expect(pods.map(idOf), node).toEqual(unpaged.pods.map(idOf));
        expect(pages.length, node).toBeGreaterThan(1);
        expect(pages.at(-1)!.progress).toMatchObject({ examined: demo.records.length, done: true });
        expect(pages.at(-1)!.progress.matched).toBe(unpaged.pods.length);
      }
    }
    // The index (byClusterDay projects node) rules the other nodes' pods out: their items are not read.
    const node = 'minikube';
    const res = await call({ cluster: 'demo', ...RANGE, node, limit: '1000' });
    const onNode = expected({ sortBy: 'created', order: 'desc', node }).length;
    expect(onNode).toBeLessThan(demo.records.length / 2);
    // Items read: every key of the range (one index read) and the pod items of the node's pods only
    // (pods not yet scheduled when written carry no node: read too).
    const unscheduled = demo.records.filter((r) => r.node == null).length;
    expect(Number(res.headers['x-podlife-items-read'])).toBeLessThanOrEqual(
      demo.records.length + onNode + unscheduled,
    );
  });

  it('a time budget: each request stops after its first chunks, and the walk is still the whole answer', async () => {
    const query = { cluster: 'demo', ...RANGE, terminationReason: 'Error', limit: '1000' };
    const { pods, pages } = await walk(query, timed);
    expect(pods.map(idOf)).toEqual(
      expected({ sortBy: 'created', order: 'desc', terminationReason: 'Error' }),
    );
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.slice(0, -1).every((p) => p.capped?.stoppedBy === 'time')).toBe(true);
  });

  it('a page costs what the headers say: keys from one index, items by BatchGetItem, never a Scan', async () => {
    commands.length = 0;
    const res = await call({ cluster: 'demo', ...RANGE, namespace: 'scraper' });
    expect(res.status).toBe(200);
    expect(Number(res.headers['x-podlife-read-units'])).toBeGreaterThan(0);
    expect(Number(res.headers['x-podlife-items-read'])).toBeGreaterThan(0);
    expect(new Set(commands)).toEqual(new Set(['QueryCommand', 'BatchGetItemCommand']));
    commands.length = 0;
    await walk({ cluster: 'demo', ...RANGE, sortBy: 'restarts', limit: '3', node: 'minikube' });
    expect(commands.filter((c) => c !== 'QueryCommand' && c !== 'BatchGetItemCommand')).toEqual([]);
  });
});

describe('GET /pods: hostile parameters', () => {
  const bad: [Record<string, string>, string, RegExp][] = [
    [{}, 'cluster', /required/],
    [{ cluster: 'demo', sortBy: 'phase' }, 'sortBy', /./],
    [{ cluster: 'demo', sortBy: 'nope' }, 'sortBy', /./],
    [{ cluster: 'demo', order: 'up' }, 'order', /./],
    [{ cluster: 'demo', 'min.phase': '1' }, 'min.phase', /unknown parameter/],
    [{ cluster: 'demo', 'min.nope': '1' }, 'min.nope', /unknown parameter/],
    [{ cluster: 'demo', 'min.restarts': 'x' }, 'min.restarts', /a number/],
    [{ cluster: 'demo', 'min.restarts': '1e400' }, 'min.restarts', /a number/],
    [{ cluster: 'demo', 'min.restarts': '9'.repeat(40) }, 'min.restarts', /at most 16/],
    [{ cluster: 'demo', phase: 'Sleeping' }, 'phase', /./],
    [{ cluster: 'demo', node: '' }, 'node', /empty/],
    [{ cluster: 'demo', status: 'a\u0007b' }, 'status', /control/],
    [{ cluster: 'demo', waitingReason: 'x'.repeat(300) }, 'waitingReason', /at most 253/],
    [{ cluster: 'demo', owner: 'Job/x' }, 'owner', /needs namespace/],
    [{ cluster: 'demo', owner: 'job' }, 'owner', /KIND\/NAME/],
    [{ cluster: 'demo', since: '3000d' }, 'since', /at most 92 days/],
    [{ cluster: 'demo', since: '100000000d' }, 'since', /at most 3660d/],
    [{ cluster: 'demo', since: '2000-01-01T00:00:00Z' }, 'since', /no earlier than/],
    [{ cluster: 'demo', limit: '0' }, 'limit', /at least 1/],
    [{ cluster: 'demo', limit: '1001' }, 'limit', /at most 1000/],
    [{ cluster: 'demo', nextToken: 'not a token!' }, 'nextToken', /not a token/],
    [{ cluster: 'demo', nextToken: Buffer.from('[1]').toString('base64url') }, 'nextToken', /not a token/],
  ];
  it.each(bad)('%j → 400 naming %s', async (query, parameter, reason) => {
    const res = await call(query);
    expect(res.status).toBe(400);
    expect(res.body.parameter).toBe(parameter);
    expect(res.body.reason).toMatch(reason);
  });

  it("a token is for its own query: another query's, a forged range, a tampered position are 400s", async () => {
    const first = await ok({ cluster: 'demo', ...RANGE, sortBy: 'restarts', limit: '2' });
    const token = first.nextToken!;
    const other = await call({
      cluster: 'demo',
      ...RANGE,
      sortBy: 'restarts',
      limit: '2',
      namespace: 'scraper',
      nextToken: token,
    });
    expect([other.status, other.body.parameter]).toEqual([400, 'nextToken']);
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const forge = (patch: object) =>
      Buffer.from(JSON.stringify({ ...decoded, ...patch })).toString('base64url');
    for (const patch of [
      { from: '2015-01-01T00:00:00.000Z', to: '2026-11-04T00:00:00.000Z' },
      { from: '2026-11-05T00:00:00.000Z' },
      { after: ['x', 'y'] },
      { after: [1, ''] },
      { resume: 5 },
      { extra: 1 },
    ]) {
      const res = await call({
        cluster: 'demo',
        ...RANGE,
        sortBy: 'restarts',
        limit: '2',
        nextToken: forge(patch),
      });
      expect([res.status, res.body.parameter], JSON.stringify(patch)).toEqual([400, 'nextToken']);
    }
    // An edited token says it was altered.
    const edited = Buffer.from(JSON.stringify({ ...decoded, resume: '2026-11-02T00:00:00.000Z#x' })).toString(
      'base64url',
    );
    const altered = await call({
      cluster: 'demo',
      ...RANGE,
      sortBy: 'restarts',
      limit: '2',
      nextToken: edited,
    });
    expect([altered.status, altered.body.parameter]).toEqual([400, 'nextToken']);
    expect(altered.body.reason).toMatch(/altered/);
    // A well-formed token (its check right) whose resume position is outside the range reads nothing, and is no 5xx.
    const params = { cluster: 'demo', ...RANGE, sortBy: 'restarts' };
    const outside = encodeCursor(
      { from: '2026-11-01T00:00:00.000Z', to: '2026-11-04T00:00:00.000Z', resume: '0000', seen: [0, 0] },
      queryDigestOf(params),
    );
    const odd = await call({ ...params, nextToken: outside });
    expect(odd.status).toBe(200);
    // A pass's token keeps its page size: another limit with it is a 400 naming limit.
    const capFirst = await ok({ cluster: 'demo', ...RANGE, sortBy: 'restarts', limit: '2' }, capped);
    const other2 = await call(
      { cluster: 'demo', ...RANGE, sortBy: 'restarts', limit: '3', nextToken: capFirst.nextToken! },
      capped,
    );
    expect([other2.status, other2.body.parameter]).toEqual([400, 'limit']);
    expect(other2.body.reason).toMatch(/limit=2/);
  });
});
