/**
 * A stand-in for local mode in the dashboard's browser test: one node:http server on
 * 127.0.0.1 that serves the built page and answers the query API's routes, every answer
 * computed by the real engine (`replayFiles`, `statsBy`) from JSON lines (the demo trace).
 * The answers have the query API's shapes (model/api-schemas.ts), plus the
 * per-pod `values` of /stats groups that the histograms draw.
 *
 * "Live" is a list of stages: each stage's text is replayed from scratch, and `advance()`
 * moves to the next one, as a replay in local mode moves on.
 *
 * When local mode lands, the browser test swaps `startEngineApi` for it (same `url`,
 * `advance`, `close`); nothing else in the test depends on this file.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { Readable } from 'node:stream';
import { ownerKeyOf, replayFiles } from '../../cli/replay.ts';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../../core/figures.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { statsBy, valuesOf } from '../../core/stats.ts';
import { parseDuration, toMillis } from '../../core/time.ts';
import type {
  ClustersResponse,
  CrashLoopingPod,
  CrashLoopsResponse,
  HistoryResponse,
  PendingPod,
  PendingResponse,
  PodRowBase,
  StatsResponse,
} from '../../model/api-schemas.ts';
import { createdAtOf } from '../../model/pod-rows.ts';
import type { SilencesResponse } from '../../model/silences.ts';

/** A replay has no forwarder heartbeat: its data's age is unknown (dataAsOf null), never stale. */
const NO_HEARTBEAT = { dataAsOf: null, stale: false } as const;

export interface EngineApiOptions {
  /** The built page (buildWeb's outDir). */
  webDir: string;
  /** JSON lines per stage; the server starts at stage 0. */
  stages: string[];
  cluster?: string;
  stuckAfterSeconds?: number;
}

export interface EngineState {
  records: PodRecord[];
  /** The replay's "now": the latest Kubernetes time of the stage. */
  now: number;
}

export interface EngineApi {
  /** The page's URL. */
  url: string;
  cluster: string;
  stage: number;
  /** The engine's answer at the current stage, for expected values. */
  state(): EngineState;
  /** Moves to the next stage (the replay goes on). */
  advance(): Promise<void>;
  /** Every answer the server gave (path with query, status), in order: 304s show conditional polling. */
  answers: { path: string; status: number }[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The creation time, or its first-seen stand-in, as the real API's rows give it (model/pod-rows.ts). */
const createdOf = (r: PodRecord) => createdAtOf(r)?.at ?? null;
const ageOf = (r: PodRecord, now: number) => {
  const c = toMillis(createdOf(r));
  return c == null ? null : Math.max(0, (now - c) / 1000);
};
/** The fields every pod row of the API shares, from a replayed record. */
const rowBase = (r: PodRecord, now: number): PodRowBase => ({
  cluster: r.cluster,
  namespace: r.namespace,
  name: r.name,
  uid: r.uid,
  owner: r.owner,
  node: r.node,
  phase: r.phase,
  createdAt: createdOf(r),
  createdAtSource: createdAtOf(r)?.source ?? null,
  ageSeconds: ageOf(r, now),
});

/** The query API refuses unknown parameters; so does this stand-in, to keep the page honest. */
function params(url: URL, allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (!allowed.includes(k)) throw new HttpError(400, `unknown parameter ${k}`);
    out[k] = v;
  }
  return out;
}

/** One page of a list; the token is the offset (the real API's is opaque). */
function page<T>(all: T[], p: Record<string, string>): { pods: T[]; nextToken?: string } {
  const limit = Number(p.limit ?? 100);
  const offset = p.nextToken ? Number(Buffer.from(p.nextToken, 'base64url').toString()) : 0;
  const pods = all.slice(offset, offset + limit);
  const next =
    offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
  return next ? { pods, nextToken: next } : { pods };
}

function lastTermination(r: PodRecord) {
  return [...r.timeline].reverse().find((e) => e.type === 'ContainerTerminated');
}

export function answer(url: URL, cluster: string, { records, now }: EngineState): unknown {
  const nowIso = new Date(now).toISOString();
  const mine = records.filter((r) => r.cluster === cluster);
  if (url.pathname === '/clusters') {
    params(url, []);
    const names = [...new Set(records.map((r) => r.cluster))].sort();
    return { clusters: names.map((name) => ({ name, lastSeenAt: nowIso })) } satisfies ClustersResponse;
  }
  if (url.pathname === '/silences') {
    // No sweep, so no silence: local mode's browser test (silences.browser.test.ts) has them.
    params(url, ['cluster']);
    return { now: nowIso, silences: [] } satisfies SilencesResponse;
  }
  if (url.pathname === '/pending') {
    const p = params(url, ['cluster', 'olderThan', 'namespace', 'limit', 'nextToken']);
    const olderThan = parseDuration(p.olderThan ?? '0');
    const pods: PendingPod[] = mine
      .filter((r) => r.phase === 'Pending' && !r.deleted && (ageOf(r, now) ?? 0) >= olderThan)
      .sort((a, b) => (createdOf(a) ?? '').localeCompare(createdOf(b) ?? ''))
      .map((r) => ({
        ...rowBase(r, now),
        waitingReason: r.waitingReason,
        unschedulableMessage: r.unschedulableMessage,
        // As the query API (model/pod-rows.ts): present only while the pod is gated.
        ...(r.schedulingGates ? { schedulingGates: r.schedulingGates } : {}),
        statusReason: r.statusReason,
        thresholdSeconds: DEFAULT_STUCK_AFTER_SECONDS,
        stuck: r.stuckPending,
      }));
    return {
      cluster,
      now: nowIso,
      olderThanSeconds: olderThan,
      ...NO_HEARTBEAT,
      ...page(pods, p),
    } satisfies PendingResponse;
  }
  if (url.pathname === '/crashloops') {
    const p = params(url, ['cluster', 'namespace', 'minRestarts', 'window', 'limit', 'nextToken']);
    const windowSeconds = parseDuration(p.window ?? '3600');
    const pods: CrashLoopingPod[] = mine
      .filter((r) => r.waitingReason === 'CrashLoopBackOff' && !r.deleted)
      .map((r) => {
        const restartsAt = r.timeline
          .filter((e) => e.type === 'ContainerRestarted' && e.at)
          .map((e) => Date.parse(e.at!));
        const last = lastTermination(r);
        return {
          ...rowBase(r, now),
          restarts: r.restarts,
          restartsInWindow: restartsAt.filter((t) => t >= now - windowSeconds * 1000 && t <= now).length,
          lastRestartAt: restartsAt.length ? new Date(Math.max(...restartsAt)).toISOString() : null,
          kubectlLastRestartAt: r.kubectlLastRestartAt,
          kubectlRestarts: r.kubectlRestarts,
          lastTerminationReason: r.lastTerminationReason,
          lastExitCode: last?.exitCode ?? null,
          crashLoopBackOffSeconds: r.crashLoopBackOffSeconds,
          backOffOpenSince: last?.at ?? null,
          openBackOffSeconds: last?.at ? Math.max(0, (now - Date.parse(last.at)) / 1000) : null,
          waitingReason: r.waitingReason,
        };
      });
    return {
      cluster,
      now: nowIso,
      windowSeconds,
      minRestarts: Number(p.minRestarts ?? 0),
      ...NO_HEARTBEAT,
      ...page(pods, p),
    } satisfies CrashLoopsResponse;
  }
  const pod = /^\/pods\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (pod) {
    const p = params(url, ['limit', 'nextToken']);
    const [c = '', namespace = '', name = ''] = pod.slice(1).map(decodeURIComponent);
    const pods = records
      .filter((r) => r.cluster === c && r.namespace === namespace && r.name === name)
      .sort((a, b) => (createdOf(b) ?? '').localeCompare(createdOf(a) ?? ''));
    if (!pods.length) throw new HttpError(404, `no pod ${namespace}/${name} in cluster ${c}`);
    return { cluster: c, namespace, name, ...page(pods, p) } satisfies HistoryResponse;
  }
  if (url.pathname === '/stats') {
    const p = params(url, ['cluster', 'namespace', 'owner', 'since', 'until', 'groupBy']);
    const since = p.since ? (toMillis(p.since) ?? now - parseDuration(p.since) * 1000) : now - 86_400_000;
    const rows = mine.filter((r) => {
      const c = toMillis(createdOf(r));
      return c == null || (c >= since && c < now + 1);
    });
    const keyOf = p.groupBy === 'owner' ? ownerKeyOf : (r: PodRecord) => r.namespace;
    const groups = statsBy(rows, keyOf).map(([key, stats]) => {
      const members = rows.filter((r) => keyOf(r) === key);
      return { key, stats, values: valuesOf(members) };
    });
    const [, all] = statsBy(rows, () => 'all')[0] ?? [null, null];
    return {
      cluster,
      since: new Date(since).toISOString(),
      until: nowIso,
      ...NO_HEARTBEAT,
      stats: all!,
      groupBy: p.groupBy === 'owner' ? 'owner' : 'namespace',
      groups,
    } satisfies StatsResponse;
  }
  throw new HttpError(404, `no route ${url.pathname}`);
}

async function replayText(text: string, cluster: string, stuckAfterSeconds: number): Promise<EngineState> {
  const { records, now } = await replayFiles(['-'], {
    cluster,
    stuckAfterSeconds,
    stdin: Readable.from([text]),
  });
  return { records, now };
}

export async function startEngineApi(opts: EngineApiOptions): Promise<EngineApi> {
  const cluster = opts.cluster ?? 'demo';
  const stuckAfter = opts.stuckAfterSeconds ?? DEFAULT_STUCK_AFTER_SECONDS;
  let stage = 0;
  let current = await replayText(opts.stages[0]!, cluster, stuckAfter);
  const answers: { path: string; status: number }[] = [];

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: string | Buffer,
    type: string,
  ) => {
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    res.setHeader('content-type', type);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-cache');
    if (status === 200) res.setHeader('etag', etag);
    const code = status === 200 && req.headers['if-none-match'] === etag ? 304 : status;
    answers.push({ path: req.url ?? '/', status: code });
    res.writeHead(code).end(code === 304 ? undefined : body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void (async () => {
      const ext = extname(url.pathname);
      if (url.pathname === '/' || TYPES[ext]) {
        const file = normalize(url.pathname === '/' ? '/index.html' : url.pathname);
        try {
          send(
            req,
            res,
            200,
            await readFile(join(opts.webDir, file)),
            TYPES[extname(file)] ?? 'application/octet-stream',
          );
        } catch {
          send(req, res, 404, '{"error":"not found"}', 'application/json');
        }
        return;
      }
      try {
        send(req, res, 200, JSON.stringify(answer(url, cluster, current)), 'application/json');
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 500;
        send(req, res, status, JSON.stringify({ error: (err as Error).message }), 'application/json');
      }
    })();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    cluster,
    get stage() {
      return stage;
    },
    state: () => current,
    async advance() {
      if (stage + 1 >= opts.stages.length) throw new Error('no further stage');
      stage++;
      current = await replayText(opts.stages[stage]!, cluster, stuckAfter);
    },
    answers,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
