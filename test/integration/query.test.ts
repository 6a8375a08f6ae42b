/**
 * The query API's handler on DynamoDB Local, with the demo trace loaded through the real ingest
 * handler. The oracle is `podlife replay` of the same trace (same cluster, same "now"): the
 * history and uid routes must return its records exactly, the pending and crash-loop routes its
 * pods in those states, the stats route `statsOf`/`statsBy` over its records. Also: every page
 * of a paginated walk, no duplicate and no loss; a 400 naming the parameter for each bad one;
 * and not one Scan (every request the handler sends is recorded).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerKeyOf } from '../../cli/replay.ts';
import { PHASE_RANK } from '../../core/facts.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { statsBy, statsOf, valuesOf } from '../../core/stats.ts';
import { makeQueryHandler, type QueryHandler } from '../../functions/query/query.ts';
import { matchRoute } from '../../functions/query/router.ts';
import {
  type ClustersResponse,
  type CrashLoopsResponse,
  ErrorBody,
  type HistoryResponse,
  type PendingResponse,
  type PodResponse,
  type PodsResponse,
  ROUTE_PATHS,
  ROUTE_RESPONSES,
  type StatsResponse,
  type TraceResponse,
} from '../../model/api-schemas.ts';
import { otlpTraceOf } from '../../model/otlp.ts';
import { isCrashLooping } from '../../model/pod-item.ts';
import { createdAtOf } from '../../model/pod-rows.ts';
import { engineOf } from '../../testkit/fixtures.ts';
import {
  busEventOf,
  harness,
  type Input,
  type LocalTable,
  startLocalTable,
} from '../../testkit/ingest-harness.ts';
import {
  apiEvent,
  deleted,
  type LoadedDemo,
  loadDemo,
  running,
  unschedulable,
} from '../../testkit/query-support.ts';

const documented = new Set<string>();
let t: LocalTable;
let demo: LoadedDemo;
let handler: QueryHandler;
const commands: string[] = [];

/** Records every command the client sends (the handler's requests). */
function recordCommands(client: DynamoDBClient) {
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
}

beforeAll(async () => {
  t = await startLocalTable('podlife-query');
  demo = await loadDemo(t.doc, t.tableName, 'demo');
  const { localDynamoClient } = await import('../../local/dynamodb-local.ts');
  const client = localDynamoClient(t.ddb.endpoint);
  recordCommands(client);
  handler = makeQueryHandler({ client, tableName: t.tableName, now: () => demo.now });
});
afterAll(async () => {
  await t?.stop();
});

/** Calls the handler; every answer is parsed with the contract's schema (model/api-schemas.ts) on the way. */
async function get<T>(path: string, query: Record<string, string> = {}) {
  const res = await handler(apiEvent(path, query));
  const body = JSON.parse(res.body ?? 'null');
  const route = matchRoute(path);
  const schema = res.statusCode === 200 && route ? ROUTE_RESPONSES[route.route.path] : ErrorBody;
  const parsed = schema.safeParse(body);
  expect(parsed.error?.issues ?? [], `${path}: the answer differs from the contract`).toEqual([]);
  documented.add(`${route?.route.path ?? path} ${res.statusCode}`);
  return { status: res.statusCode, body: body as T, headers: res.headers ?? {} };
}

async function ok<T>(path: string, query: Record<string, string> = {}): Promise<T> {
  const res = await get<T>(path, query);
  expect(res.status, `${path} ${JSON.stringify(query)}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

/** Every page of a paginated route. */
async function walk<T extends { pods: unknown[]; nextToken?: string }>(
  path: string,
  query: Record<string, string>,
) {
  const pods: T['pods'] = [];
  let pages = 0;
  let token: string | undefined;
  do {
    const page = await ok<T>(path, { ...query, ...(token ? { nextToken: token } : {}) });
    pods.push(...page.pods);
    token = page.nextToken;
    pages++;
  } while (token && pages < 100);
  return { pods, pages };
}

/** The time a pod counts as created at: its creationTimestamp, or its first-seen stand-in (issue 14). */
const createdOf = (r: PodRecord) => createdAtOf(r)?.at ?? null;
/** Ranges select pods by that time: a pod without creationTimestamp is in the range of its first-seen time. */
const createdIn = (from: string, to: string) => (r: PodRecord) => {
  const c = createdOf(r);
  return c != null && c >= from && c < to;
};
const stillPending = (r: PodRecord) =>
  r.pendingSeconds == null && !r.deleted && (PHASE_RANK[r.phase] ?? 0) <= PHASE_RANK.Pending!;
const ids = (xs: { namespace: string; name: string; uid: string }[]) =>
  xs.map((x) => `${x.namespace}/${x.name}/${x.uid}`);

describe('history and uid routes: the replay records, exactly', () => {
  it('/clusters lists the demo cluster', async () => {
    const body = await ok<ClustersResponse>('/clusters');
    expect(body.clusters).toContainEqual({ name: 'demo', lastSeenAt: expect.any(String) });
  });

  it('/pods/{cluster}/{namespace}/{name}: every incarnation, newest first, deep-equal to replay', async () => {
    const names = [...new Set(demo.records.map((r) => `${r.namespace}/${r.name}`))];
    expect(names.length).toBeGreaterThan(30);
    for (const n of names) {
      const [namespace, name] = n.split('/');
      const res = await get<HistoryResponse>(`/pods/demo/${namespace}/${encodeURIComponent(name!)}`);
      expect(res.status, n).toBe(200);
      const want = demo.records.filter((r) => r.namespace === namespace && r.name === name).reverse();
      expect(res.body, n).toEqual({ cluster: 'demo', namespace, name, pods: want });
      expect(res.headers['x-podlife-requests'], n).toBe('1');
    }
    // argocd/my-pod has two incarnations (uids): both come back, the newer first.
    const myPod = await ok<HistoryResponse>('/pods/demo/argocd/my-pod');
    expect(myPod.pods).toHaveLength(2);
    expect(createdOf(myPod.pods[0]!)! >= createdOf(myPod.pods[1]!)!).toBe(true);
  });

  it('/pods/by-uid/{cluster}/{uid}: each record by its uid, deep-equal to replay', async () => {
    for (const r of demo.records) {
      const res = await get<PodResponse>(`/pods/by-uid/demo/${encodeURIComponent(r.uid)}`);
      expect(res.status, r.uid).toBe(200);
      expect(res.body.pod, `${r.namespace}/${r.name}`).toEqual(r);
    }
  });

  it('/pods/by-uid/{cluster}/{uid}/trace: the OTLP trace of the record replay gives, open spans ending at now', async () => {
    for (const r of demo.records) {
      const body = await ok<TraceResponse>(`/pods/by-uid/demo/${encodeURIComponent(r.uid)}/trace`);
      expect(body, `${r.namespace}/${r.name}`).toEqual(otlpTraceOf([r], { now: demo.now }));
    }
    const missing = await get<{ error: string }>('/pods/by-uid/demo/00000000-0000/trace');
    expect(missing.status).toBe(404);
  });

  it('uid-less Events of a name: the uid route attaches them as history and replay do', async () => {
    const cluster = 'uidless';
    const T = Date.parse('2026-11-10T10:00:00Z');
    const first = { cluster, namespace: 'db', name: 'pg-0', uid: 'pg-0-a', created: T };
    const second = { ...first, uid: 'pg-0-b', created: T + 3_600_000 };
    const event = (at: number): Input => ({
      kind: 'event',
      cluster,
      event: {
        uid: `ev-${at}`,
        namespace: 'db',
        podName: 'pg-0',
        reason: 'FailedScheduling',
        message: '0/2 nodes are available: 2 node(s) had volume node affinity conflict.',
        type: 'Warning',
        count: 1,
        firstTimestamp: new Date(at).toISOString(),
        lastTimestamp: new Date(at).toISOString(),
      },
    });
    const inputs = [
      unschedulable(first),
      running(first, T + 5000),
      deleted(first, T + 60_000),
      unschedulable(second),
      event(T + 3_610_000),
    ];
    const h = harness(t.doc, t.tableName);
    for (const i of inputs) await h.handler(busEventOf(i));
    const want = engineOf(inputs).records({ now: demo.now, stuckAfterSeconds: 300 });
    expect(want.map((r) => r.timeline.some((e) => e.type === 'Event'))).toEqual([false, true]);
    for (const r of want) {
      const res = await get<PodResponse>(`/pods/by-uid/${cluster}/${r.uid}`);
      expect(res.body.pod).toEqual(r);
      // byUid, the pod, the name-only events item found, then the name's partition.
      expect(res.headers['x-podlife-requests']).toBe('4');
    }
    expect((await ok<HistoryResponse>(`/pods/${cluster}/db/pg-0`)).pods).toEqual([...want].reverse());
    const plain = await get<PodResponse>(`/pods/by-uid/demo/${demo.records[0]!.uid}`);
    expect(plain.headers['x-podlife-requests']).toBe('3');
  });

  it('404 for a name or uid that is not stored, with the reason', async () => {
    const a = await get<{ error: string }>('/pods/demo/default/no-such-pod');
    expect(a).toMatchObject({ status: 404, body: { error: 'no pod default/no-such-pod in cluster demo' } });
    const b = await get<{ error: string }>('/pods/by-uid/demo/00000000-0000');
    expect(b).toMatchObject({
      status: 404,
      body: { error: 'no pod with uid 00000000-0000 in cluster demo' },
    });
    const c = await get<{ error: string }>('/pods/other/default/redis-1');
    expect(c.status).toBe(404);
  });
});

describe('pending and crash-loop routes: the replay pods in those states', () => {
  it('/pending: pods still Pending, oldest first, with message, waiting reason, owner and age', async () => {
    const want = demo.records.filter(stillPending).sort((a, b) => (createdOf(a)! < createdOf(b)! ? -1 : 1));
    expect(want.length).toBeGreaterThanOrEqual(5);
    const body = await ok<PendingResponse>('/pending', { cluster: 'demo' });
    expect(ids(body.pods)).toEqual(ids(want));
    for (const [i, p] of body.pods.entries()) {
      const r = want[i];
      expect(p).toEqual({
        cluster: 'demo',
        namespace: r!.namespace,
        name: r!.name,
        uid: r!.uid,
        owner: r!.owner,
        node: r!.node,
        phase: r!.phase,
        createdAt: createdOf(r!),
        createdAtSource: createdAtOf(r!)!.source,
        ageSeconds: (demo.now - Date.parse(createdOf(r!)!)) / 1000,
        // kubectl's READY from the pending index equals replay's (issue 14).
        ready: r!.ready,
        waitingReason: r!.waitingReason,
        unschedulableMessage: r!.unschedulableMessage,
        // Only while the pod is gated (issue 11; the demo's constructed/test-pod): its gates.
        ...(r!.schedulingGates ? { schedulingGates: r!.schedulingGates } : {}),
        statusReason: r!.statusReason,
        thresholdSeconds: 300,
        stuck: r!.stuckPending,
      });
    }
    expect(
      body.pods.find((p) => p.namespace === 'constructed' && p.name === 'test-pod')?.schedulingGates,
    ).toEqual(['example.com/bar']);
    const router = body.pods.find((p) => p.name.startsWith('router-default'))!;
    expect(router.unschedulableMessage).toMatch(/nodes are available/);
  });

  it('/pending?olderThan: only pods created more than that long ago', async () => {
    const olderThan = 3600;
    const want = demo.records.filter(
      (r) => stillPending(r) && (demo.now - Date.parse(createdOf(r)!)) / 1000 > olderThan,
    );
    const body = await ok<PendingResponse>('/pending', { cluster: 'demo', olderThan: '1h' });
    expect(body.olderThanSeconds).toBe(olderThan);
    expect(ids(body.pods).sort()).toEqual(ids(want).sort());
    expect(body.pods.length).toBeLessThan(demo.records.filter(stillPending).length);
    const ns = await ok<PendingResponse>('/pending', { cluster: 'demo', namespace: 'default' });
    expect(ids(ns.pods).sort()).toEqual(
      ids(demo.records.filter((r) => stillPending(r) && r.namespace === 'default')).sort(),
    );
  });

  it('/crashloops: pods in CrashLoopBackOff now, restarts in the window, last termination and exit code', async () => {
    const want = demo.records.filter(isCrashLooping);
    expect(want.length).toBeGreaterThanOrEqual(2);
    const window = 40 * 86_400;
    const body = await ok<CrashLoopsResponse>('/crashloops', { cluster: 'demo', window: '40d' });
    expect(ids(body.pods).sort()).toEqual(ids(want).sort());
    for (const p of body.pods) {
      const r = want.find((x) => x.uid === p.uid)!;
      const terms = r.timeline.filter((e) => e.type === 'ContainerTerminated');
      // The item's restartTimes: the start of every run the timeline calls a restart
      // (pod-item.ts restartTimesOf), a first seen run that is itself a restart included.
      const restartsAt = r.timeline
        .filter((e) => e.type === 'ContainerRestarted' && !e.init)
        .map((e) => Date.parse(e.at!));
      expect(p).toMatchObject({
        ready: r.ready,
        restarts: r.restarts,
        lastTerminationReason: r.lastTerminationReason,
        lastExitCode: terms.at(-1)?.exitCode ?? null,
        crashLoopBackOffSeconds: r.crashLoopBackOffSeconds,
        waitingReason: 'CrashLoopBackOff',
        restartsInWindow: restartsAt.filter((at) => at >= demo.now - window * 1000).length,
      });
    }
    const myPod = body.pods.find((p) => p.name === 'my-pod')!;
    expect(myPod).toMatchObject({
      restarts: 3,
      lastTerminationReason: 'Error',
      lastExitCode: 1,
      restartsInWindow: 3,
    });
    // The window counts restarts before now only: my-pod's were hours before the trace's end.
    const recent = await ok<CrashLoopsResponse>('/crashloops', { cluster: 'demo', window: '1h' });
    expect(recent.pods.find((p) => p.name === 'my-pod')!.restartsInWindow).toBe(0);
    const min2 = await ok<CrashLoopsResponse>('/crashloops', {
      cluster: 'demo',
      window: '40d',
      minRestarts: '2',
    });
    expect(ids(min2.pods).sort()).toEqual(ids(body.pods.filter((p) => p.restartsInWindow >= 2)).sort());
  });
});

describe('stats route: statsOf over the replay records', () => {
  const since = '2026-11-01T00:00:00Z';
  const until = '2026-11-04T00:00:00Z';
  let dated: PodRecord[];
  beforeAll(() => {
    dated = demo.records.filter(createdIn(since, until));
    // Two demo pods have no creation time (issue 14): their first-seen time stands in, so the
    // range holds every demo pod, as replay does.
    expect(demo.records.filter((r) => createdAtOf(r)?.source === 'firstSeen')).toHaveLength(2);
    expect(dated).toHaveLength(demo.records.length);
  });

  it('a whole cluster over a range (one query per day), per namespace and per owner', async () => {
    const body = await ok<StatsResponse>('/stats', { cluster: 'demo', since, until });
    expect(body.stats).toEqual(statsOf(dated));
    expect(body.stats.pods).toBe(dated.length);
    const byNs = await ok<StatsResponse>('/stats', { cluster: 'demo', since, until, groupBy: 'namespace' });
    const groupsOf = (keyOf: (r: PodRecord) => string | null) =>
      statsBy(dated, keyOf).map(([key, stats]) => ({
        key,
        stats,
        values: valuesOf(dated.filter((r) => keyOf(r) === key)),
      }));
    expect(byNs.groups).toEqual(groupsOf((r) => r.namespace));
    const byOwner = await ok<StatsResponse>('/stats', { cluster: 'demo', since, until, groupBy: 'owner' });
    expect(byOwner.groups).toEqual(groupsOf(ownerKeyOf));
    // Issue 11: per node (pods never scheduled have no node and are left out of the groups).
    const byNode = await ok<StatsResponse>('/stats', { cluster: 'demo', since, until, groupBy: 'node' });
    expect(byNode.groups).toEqual(groupsOf((r) => r.node));
    expect(byNode.groups!.length).toBeGreaterThan(1);
    // The startup waterfall's stages reach the route: the demo has pods with each stage.
    expect(body.stats.containersStartedAfterSeconds.count).toBeGreaterThan(0);
    expect(body.stats.sandboxReadyAfterSeconds.count).toBeGreaterThan(0);
  });

  it("one namespace (byNamespace), one owner (the namespace's pods that name it), a range that cuts the trace", async () => {
    const ns = await ok<StatsResponse>('/stats', { cluster: 'demo', namespace: 'scraper', since, until });
    expect(ns.stats).toEqual(statsOf(dated.filter((r) => r.namespace === 'scraper')));
    const owner = await ok<StatsResponse>('/stats', {
      cluster: 'demo',
      namespace: 'default',
      owner: 'StatefulSet/redis',
      since,
      until,
    });
    const redis = demo.records.filter(
      (r) => r.namespace === 'default' && r.owner?.kind === 'StatefulSet' && r.owner.name === 'redis',
    );
    expect(redis).toHaveLength(2);
    expect(owner.stats).toEqual(statsOf(redis));
    expect(owner.owner).toBe('StatefulSet/redis');
    const cut = '2026-11-02T08:20:00.000Z';
    const early = await ok<StatsResponse>('/stats', { cluster: 'demo', since, until: cut });
    const want = dated.filter((r) => createdOf(r)! < cut);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(dated.length);
    expect(early.stats).toEqual(statsOf(want));
    // since as a duration before now: the trace spans less than a day before its end.
    const day = await ok<StatsResponse>('/stats', { cluster: 'demo', since: '2d' });
    expect(day.stats).toEqual(statsOf(dated));
  });
});

describe('pagination', () => {
  it('limit=2 walks every pending pod once: no duplicate, no loss', async () => {
    const all = await ok<PendingResponse>('/pending', { cluster: 'demo' });
    const walked = await walk<PendingResponse>('/pending', { cluster: 'demo', limit: '2' });
    expect(ids(walked.pods)).toEqual(ids(all.pods));
    expect(walked.pages).toBe(Math.ceil(all.pods.length / 2) + (all.pods.length % 2 === 0 ? 1 : 0));
    expect(new Set(ids(walked.pods)).size).toBe(walked.pods.length);
  });

  it('with a namespace filter (pages filled across requests) and for crash loops', async () => {
    const all = await ok<PendingResponse>('/pending', { cluster: 'demo', namespace: 'default' });
    const walked = await walk<PendingResponse>('/pending', {
      cluster: 'demo',
      namespace: 'default',
      limit: '1',
    });
    expect(ids(walked.pods)).toEqual(ids(all.pods));
    const loops = await ok<CrashLoopsResponse>('/crashloops', { cluster: 'demo' });
    const loopWalk = await walk<CrashLoopsResponse>('/crashloops', { cluster: 'demo', limit: '1' });
    expect(ids(loopWalk.pods)).toEqual(ids(loops.pods));
  });

  it('a token is checked on the way back in: other route, other cluster, tampered → 400', async () => {
    const page = await ok<PendingResponse>('/pending', { cluster: 'demo', limit: '1' });
    expect(page.nextToken).toMatch(/^[A-Za-z0-9_-]+$/);
    const cases: [string, Record<string, string>][] = [
      ['/crashloops', { cluster: 'demo', nextToken: page.nextToken! }],
      ['/pending', { cluster: 'prod', nextToken: page.nextToken! }],
      ['/pending', { cluster: 'demo', nextToken: 'not-a-token' }],
      ['/pending', { cluster: 'demo', nextToken: Buffer.from('{"pk":1}').toString('base64url') }],
      ['/pending', { cluster: 'demo', nextToken: 'a+b/c=' }],
    ];
    for (const [path, query] of cases) {
      const res = await get<{ parameter: string }>(path, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.parameter).toBe('nextToken');
    }
  });
});

describe('bad requests: 400 naming the parameter and why, 404, 405', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['/pending', {}, 'cluster', /required/],
    ['/pending', { cluster: 'demo', olderThan: '5x' }, 'olderThan', /not a duration/],
    ['/pending', { cluster: 'demo', limit: '0' }, 'limit', /at least 1/],
    ['/pending', { cluster: 'demo', limit: '5000' }, 'limit', /at most 1000/],
    ['/pending', { cluster: 'demo', limit: 'ten' }, 'limit', /whole number/],
    ['/pending', { cluster: 'demo', namespace: 'Bad_NS' }, 'namespace', /Kubernetes namespace/],
    ['/pending', { cluster: 'demo', color: 'blue' }, 'color', /unknown parameter/],
    ['/crashloops', { cluster: 'demo', minRestarts: '-1' }, 'minRestarts', /whole number/],
    ['/crashloops', { cluster: 'demo', window: 'soon' }, 'window', /not a duration/],
    ['/stats', { cluster: 'demo', owner: 'Deployment/web' }, 'owner', /needs namespace/],
    ['/stats', { cluster: 'demo', namespace: 'default', owner: 'web' }, 'owner', /KIND\/NAME/],
    ['/stats', { cluster: 'demo', since: 'yesterday' }, 'since', /RFC 3339 time or a duration/],
    [
      '/stats',
      { cluster: 'demo', since: '2026-11-03T00:00:00Z', until: '2026-11-02T00:00:00Z' },
      'since',
      /before until/,
    ],
    ['/stats', { cluster: 'demo', since: '400d' }, 'since', /at most 92 days/],
    ['/stats', { cluster: 'demo', groupBy: 'phase' }, 'groupBy', /namespace|owner/],
    ['/pods/demo/default/redis-1', { cluster: 'other' }, 'cluster', /unknown parameter/],
    ['/pods/demo/Default/redis-1', {}, 'namespace', /Kubernetes namespace/],
    ['/pods/demo/default/Redis_1', {}, 'name', /pod name/],
    ['/clusters', { all: 'true' }, 'all', /unknown parameter/],
  ];
  it.each(cases)('%s %j → 400 %s', async (path, query, parameter, reason) => {
    const res = await get<{ error: string; parameter: string; reason: string }>(path, query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'bad parameter', parameter, reason: expect.stringMatching(reason) });
  });

  it('an unknown route is a 404, a method other than GET a 405', async () => {
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/pods/demo')).status).toBe(404);
    const post = await handler(apiEvent('/pending', { cluster: 'demo' }, 'POST'));
    expect(post.statusCode).toBe(405);
    expect(post.headers?.allow).toBe('GET');
  });
});

describe('GET /pods (test/integration/query-pods.test.ts has every filter, sort and page)', () => {
  it("finds the replay's pods by their termination reason", async () => {
    const page = await ok<PodsResponse>('/pods', {
      cluster: 'demo',
      since: '2026-11-01T00:00:00Z',
      terminationReason: 'Error',
      until: '2026-11-04T00:00:00Z',
    });
    const want = demo.records.filter((r) => r.lastTerminationReason === 'Error' && createdOf(r) !== null);
    expect(want.length).toBeGreaterThan(0);
    expect(page.pods.map((p) => p.uid).sort()).toEqual(want.map((r) => r.uid).sort());
  });
});

describe('GET /silences (test/integration/silences.test.ts creates, holds and ends them)', () => {
  it('a read-only query route: the demo has none, for every cluster or one', async () => {
    expect(await ok('/silences')).toMatchObject({ now: new Date(demo.now).toISOString(), silences: [] });
    expect(await ok('/silences', { cluster: 'demo' })).toMatchObject({ silences: [] });
    expect((await get('/silences', { cluster: 'a/b' })).status).toBe(400);
  });
});

describe('cost', () => {
  it('every answer reports requests, read units and items read; never a Scan', async () => {
    const res = await get<PendingResponse>('/pending', { cluster: 'demo' });
    // The page of the pending index, and the cluster's heartbeat item (dataAsOf / stale).
    expect(Number(res.headers['x-podlife-requests'])).toBe(2);
    expect(Number(res.headers['x-podlife-items-read'])).toBe(res.body.pods.length);
    expect(Number(res.headers['x-podlife-read-units'])).toBeGreaterThan(0);
    expect(commands.length).toBeGreaterThan(100);
    // BatchGetItem: /stats on a namespace or owner reads the figures of the keys a KEYS_ONLY index gave.
    expect([...new Set(commands)].sort()).toEqual(['BatchGetItemCommand', 'GetItemCommand', 'QueryCommand']);
  });

  it('every route answered 200 (parsed with its contract schema) in this file', () => {
    for (const path of ROUTE_PATHS) expect(documented, path).toContain(`${path} 200`);
  });
});
