/**
 * The page's one API module: lenient schemas, the adaptation point, paging, errors and where
 * the API's base URL comes from. Answers come from the engine-backed stand-in (the query API's
 * shapes) and from the shapes the dashboard brief listed, so either lands without a change.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayFiles } from '../../cli/replay.ts';
import { groupsOf, partsOf, statsOf, valuesOf } from '../../core/stats.ts';
import { ApiError, apiBaseFrom, createApi, serverNowOf } from '../../web/src/api.ts';
import { answer, type EngineState } from './engine-api.ts';

const TRACE = join(import.meta.dirname, '..', '..', 'demo', 'trace.jsonl');
let engine: EngineState;

beforeAll(async () => {
  engine = await replayFiles([TRACE], { cluster: 'demo', stuckAfterSeconds: 300 });
});

/** A fetch that answers like the engine-backed API, and records the URLs asked. */
function engineFetch(seen: string[] = []) {
  return async (href: string) => {
    seen.push(href);
    const url = new URL(href);
    try {
      return Response.json(answer(url, 'demo', engine));
    } catch (err) {
      return Response.json(
        { error: (err as Error).message },
        { status: (err as { status?: number }).status ?? 500 },
      );
    }
  };
}

describe('the API module against the engine-backed API', () => {
  const api = () => createApi('http://127.0.0.1:1/', engineFetch());

  it('lists clusters (entries with names)', async () => {
    expect(await api().clusters()).toEqual(['demo']);
  });

  it('reads pending pods with the stuck flag, the scheduler message and the API now', async () => {
    const pending = await api().pending('demo');
    const router = pending.items.find((r) => r.name === 'router-default-7bbdcfcf9b-7xdln')!;
    expect(router).toMatchObject({
      cluster: 'demo',
      namespace: 'openshift-ingress',
      owner: 'Deployment/router-default',
      stuck: true,
      waitingReason: null,
    });
    expect(router.unschedulableMessage).toMatch(/^0\/2 nodes are available/);
    expect(pending.rejected).toBe(0);
    expect(pending.now).toBe(engine.now);
    expect(serverNowOf(pending)).toBe(engine.now);
    const expected = engine.records.filter((r) => r.phase === 'Pending' && !r.deleted).map((r) => r.uid);
    expect(pending.items.map((r) => r.uid).sort()).toEqual(expected.sort());
  });

  it('reads crash-looping pods: my-pod with 3 restarts, last Error exit 1, 44 s of back-off', async () => {
    const crash = await api().crashloops('demo');
    expect(crash.items.find((r) => r.name === 'my-pod')).toMatchObject({
      namespace: 'argocd',
      restarts: 3,
      lastTerminationReason: 'Error',
      lastExitCode: 1,
      waitingReason: 'CrashLoopBackOff',
      crashLoopBackOffSeconds: 44,
    });
  });

  it('reads every incarnation of a pod name with its timeline, newest first', async () => {
    const pod = await api().pod('demo', 'argocd', 'my-pod');
    expect(pod.items.map((p) => [p.phase, p.restarts])).toEqual([
      ['Failed', 0],
      ['Running', 3],
    ]);
    expect(pod.items[1]!.restartGapsSeconds).toEqual([15, 29]);
    expect(pod.items[1]!.timeline.filter((e) => e.type === 'ContainerTerminated')).toHaveLength(3);
  });

  it('reads statistics per namespace with the per-pod values', async () => {
    const groups = await api().stats('demo', 'namespace');
    const argocd = groups.find((g) => g.key === 'argocd')!;
    expect(argocd.pods).toBe(4);
    expect(argocd.figures.crashLoopBackOffSeconds).toMatchObject({ count: 4, p50: 0, p90: 44, p99: 44 });
    expect(argocd.figures.crashLoopBackOffSeconds.values.sort((a, b) => a - b)).toEqual([0, 0, 0, 44]);
    expect(argocd.terminationsByReason).toEqual({ Error: 2 });
  });

  it('sends only parameters the strict query API accepts', async () => {
    const seen: string[] = [];
    const a = createApi('http://127.0.0.1:1/', engineFetch(seen));
    await a.pending('demo');
    await a.crashloops('demo');
    await a.stats('demo', 'owner', '24h');
    await a.pod('demo', 'argocd', 'my-pod');
    // engineFetch answers 400 to an unknown parameter; none was refused.
    expect(seen.map((u) => new URL(u).pathname)).toEqual([
      '/pending',
      '/crashloops',
      '/stats',
      '/pods/demo/argocd/my-pod',
    ]);
  });

  it('says 404 for a pod that does not exist', async () => {
    await expect(api().pod('demo', 'argocd', 'nope')).rejects.toMatchObject({
      name: 'ApiError',
      status: 404,
    });
  });
});

describe('leniency and the other shapes', () => {
  const fixed = (bodies: Record<string, unknown>) => async (href: string) => {
    const u = new URL(href);
    const key = u.pathname + (u.searchParams.get('nextToken') ? `?${u.searchParams.get('nextToken')}` : '');
    return key in bodies ? Response.json(bodies[key]) : Response.json({ error: 'no' }, { status: 404 });
  };

  it('accepts `items`, cluster names as strings, unknown fields, and drops unreadable items', async () => {
    const api = createApi(
      'http://x/',
      fixed({
        '/clusters': { clusters: ['a', 'b'] },
        '/pending': {
          items: [
            { namespace: 'ns', name: 'p', ageSeconds: 12, stuckPending: true, brandNew: { x: 1 } },
            { namespace: 'ns' },
            'garbage',
          ],
        },
      }),
    );
    expect(await api.clusters()).toEqual(['a', 'b']);
    const pending = await api.pending('a');
    expect(pending.items).toEqual([
      {
        cluster: 'a',
        namespace: 'ns',
        name: 'p',
        uid: null,
        owner: null,
        createdAt: null,
        ageSeconds: 12,
        node: null,
        waitingReason: null,
        unschedulableMessage: null,
        schedulingGates: null,
        stuck: true,
        status: 'Pending',
        ready: null,
      },
    ]);
    expect(pending.rejected).toBe(2);
    expect(serverNowOf(pending)).toBeNull();
  });

  it("STATUS: the API's `status` when a row has it, else what kubectl prints for the row's facts", async () => {
    const api = createApi(
      'http://x/',
      fixed({
        '/pending': {
          pods: [
            { namespace: 'n', name: 'a', status: 'Init:0/2', waitingReason: 'PodInitializing' },
            { namespace: 'n', name: 'b', waitingReason: 'ImagePullBackOff' },
            { namespace: 'n', name: 'c', phase: 'Pending', unschedulableMessage: '0/2 nodes' },
          ],
        },
        '/crashloops': {
          pods: [
            { namespace: 'n', name: 'd', status: 'Init:CrashLoopBackOff', waitingReason: 'CrashLoopBackOff' },
            { namespace: 'n', name: 'e', waitingReason: 'CrashLoopBackOff' },
          ],
        },
      }),
    );
    expect((await api.pending('c')).items.map((r) => r.status)).toEqual([
      'Init:0/2',
      'ImagePullBackOff',
      'Pending',
    ]);
    expect((await api.crashloops('c')).items.map((r) => r.status)).toEqual([
      'Init:CrashLoopBackOff',
      'CrashLoopBackOff',
    ]);
  });

  it('follows nextToken, and stops after five pages', async () => {
    const page = (n: number, next?: string) => ({
      pods: [{ namespace: 'n', name: `p${n}` }],
      nextToken: next,
    });
    const three = createApi(
      'http://x/',
      fixed({ '/crashloops': page(1, 't2'), '/crashloops?t2': page(2, 't3'), '/crashloops?t3': page(3) }),
    );
    const r = await three.crashloops('c');
    expect(r.items.map((i) => i.name)).toEqual(['p1', 'p2', 'p3']);
    expect(r.truncated).toBe(false);
    const endless = createApi('http://x/', async () => Response.json(page(0, 'again')));
    const e = await endless.crashloops('c');
    expect(e.items).toHaveLength(5);
    expect(e.truncated).toBe(true);
  });

  it('a /stats pass (mergePages): follows the pages, merges their parts to the one-request groups, reports progress', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({
      ns: ['a', 'b', 'c'][i % 3]!,
      pendingSeconds: i % 7,
      timeToReadySeconds: i % 5 === 0 ? null : (i * 13) % 31,
      restarts: i % 4,
      lastTerminationReason: i % 6 === 0 ? 'OOMKilled' : null,
    }));
    const keyOf = (r: (typeof rows)[number]) => r.ns;
    const single = createApi(
      'http://x/',
      fixed({
        '/stats': {
          groups: groupsOf(rows, keyOf).map(([key, list]) => ({
            key,
            stats: statsOf(list),
            values: valuesOf(list),
          })),
        },
      }),
    );
    const page = (part: typeof rows, rangeRead: number, nextToken?: string) => ({
      stats: statsOf(part),
      mergePages: true,
      parts: partsOf(part, keyOf),
      progress: { pods: part.length, rangeRead, done: !nextToken },
      ...(nextToken ? { nextToken } : {}),
    });
    const pass = createApi(
      'http://x/',
      fixed({
        '/stats': page(rows.slice(0, 9), 0.2, 't1'),
        '/stats?t1': page(rows.slice(9, 30), 0.7, 't2'),
        '/stats?t2': page(rows.slice(30), 1),
      }),
    );
    const heard: number[] = [];
    const merged = await pass.stats('c', 'namespace', undefined, (r) => heard.push(r));
    expect(merged).toEqual(await single.stats('c', 'namespace'));
    expect(merged.map((g) => g.pods)).toEqual([14, 13, 13]);
    expect(heard).toEqual([0.2, 0.7, 1]);
  });

  it('stats without per-pod values still give the percentiles', async () => {
    const api = createApi(
      'http://x/',
      fixed({
        '/stats': {
          groups: [{ key: 'k', stats: { pods: 2, pendingSeconds: { count: 2, p50: 1, p90: 3, p99: 3 } } }],
        },
      }),
    );
    const [g] = await api.stats('c', 'namespace');
    expect(g!.figures.pendingSeconds).toEqual({ count: 2, p50: 1, p90: 3, p99: 3, values: [] });
    expect(g!.figures.timeToReadySeconds).toEqual({ count: 0, p50: null, p90: null, p99: null, values: [] });
  });

  it('turns failures into ApiErrors that say what happened', async () => {
    const down = createApi('http://x/', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(down.clusters()).rejects.toThrow(/API unreachable \(fetch failed\)/);
    const broken = createApi(
      'http://x/',
      async () => new Response('oops', { status: 502, statusText: 'Bad Gateway' }),
    );
    await expect(broken.pending('c')).rejects.toBeInstanceOf(ApiError);
    await expect(broken.pending('c')).rejects.toMatchObject({ status: 502 });
    const html = createApi('http://x/', async () => new Response('<html>', { status: 200 }));
    await expect(html.clusters()).rejects.toThrow(/not JSON/);
    const wrong = createApi('http://x/', async () => Response.json({ clusters: 'no' }));
    await expect(wrong.clusters()).rejects.toThrow(/unexpected answer/);
  });
});

describe('apiBaseFrom', () => {
  it('prefers ?api=, then config.json, then the page directory', () => {
    const page =
      'http://127.0.0.1:8080/dash/index.html?api=https%3A%2F%2Fabc.execute-api.eu-west-1.amazonaws.com%2Fprod';
    expect(apiBaseFrom(page, { apiBaseUrl: 'https://other/' })).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
    );
    expect(apiBaseFrom('http://h/dash/index.html', { apiBaseUrl: 'https://api.example/v1' })).toBe(
      'https://api.example/v1/',
    );
    expect(apiBaseFrom('http://h/dash/index.html', { apiBaseUrl: '../api' })).toBe('http://h/api/');
    expect(apiBaseFrom('http://h/dash/index.html', null)).toBe('http://h/dash/');
    expect(apiBaseFrom('http://h/', { apiBaseUrl: 42 })).toBe('http://h/');
  });

  it('builds route URLs under the base, path segments encoded', async () => {
    const seen: string[] = [];
    const api = createApi('https://api.example/prod/', async (u) => {
      seen.push(u);
      return Response.json({ pods: [] });
    });
    await api.pod('c', 'ns', 'a/b?c');
    expect(seen).toEqual(['https://api.example/prod/pods/c/ns/a%2Fb%3Fc?limit=200']);
  });
});
