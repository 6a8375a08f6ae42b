/**
 * Everything the page knows about the query API, in one module: the routes, the response
 * schemas (zod, lenient: unknown fields pass, missing ones default) and ONE adaptation point
 * per shape (`adapt*`), which turns what the API sends into the rows the page draws. When the
 * API's field names move, only the `adapt*` functions change.
 *
 * Every byte from the API is untrusted: it is validated here and escaped by render.ts.
 */
import * as z from 'zod/mini';
import { DURATION_FIGURES, type StatsPart, statsOfParts } from '../../core/stats.ts';
import type {
  CrashLoopingPod,
  DistributionBody,
  DurationFigure,
  GroupStatsBody,
  PendingPod,
  PodRecordBody,
  TimelineEntryBody,
} from '../../model/api-schemas.ts';
import type { ListedSilence } from '../../model/silences.ts';
import type { GanttEntry } from './gantt.ts';

// ---------------------------------------------------------------- schemas (lenient)
// The API's own schemas (model/api-schemas.ts) are full zod and strict; the page keeps a
// lenient zod/mini reading of them (small bundle, tolerant of other podlife versions), whose
// field names are checked against the API's types: renaming a field in the contract is a
// compile error here.

/** Fields of a lenient schema: each one the API type `T` has. */
type FieldsOf<T> = { [K in keyof T]?: z.ZodMiniType };

const optStr = z.optional(z.nullable(z.string()));
const optNum = z.optional(z.nullable(z.number()));
const optBool = z.optional(z.nullable(z.boolean()));
/** kubectl's READY as the API sends it: `{ready, total}`. */
const Ready = z.optional(z.nullable(z.object({ ready: z.number(), total: z.number() })));
/** kubectl's READY as kubectl prints it (`1/2`), or null. */
export const readyText = (r: { ready: number; total: number } | null | undefined): string | null =>
  r ? `${r.ready}/${r.total}` : null;
const Owner = z.optional(z.nullable(z.looseObject({ kind: z.string(), name: z.string() })));

const Identity = {
  cluster: optStr,
  namespace: z.string(),
  name: z.string(),
  uid: optStr,
  owner: Owner,
} satisfies FieldsOf<PodRecordBody & PendingPod & CrashLoopingPod>;

export const PendingItemSchema = z.looseObject({
  ...Identity,
  createdAt: optStr,
  ageSeconds: optNum,
  node: optStr,
  waitingReason: optStr,
  unschedulableMessage: optStr,
  /** A gated pod's scheduling gates (PodScheduled=False, reason SchedulingGated). */
  schedulingGates: z.optional(z.nullable(z.array(z.string()))),
  statusReason: optStr,
  stuck: optBool,
  /** A pod record's flag (a list of records rather than of Pending pods). */
  stuckPending: optBool,
  /** kubectl's STATUS, when the API's row carries it (a pod record's `status`). */
  status: optStr,
  phase: optStr,
  ready: Ready,
} satisfies FieldsOf<PendingPod & Pick<PodRecordBody, 'stuckPending' | 'status'>>);

export const CrashItemSchema = z.looseObject({
  ...Identity,
  restarts: optNum,
  restartsInWindow: optNum,
  lastTerminationReason: optStr,
  lastExitCode: optNum,
  waitingReason: optStr,
  crashLoopBackOffSeconds: optNum,
  status: optStr,
  ready: Ready,
} satisfies FieldsOf<CrashLoopingPod & Pick<PodRecordBody, 'status'>>);

export const TimelineEntrySchema = z.looseObject({
  at: optStr,
  type: z.string(),
  container: optStr,
  init: optBool,
  reason: optStr,
  exitCode: optNum,
  signal: optNum,
  message: optStr,
  count: optNum,
} satisfies FieldsOf<TimelineEntryBody>);

export const PodRecordSchema = z.looseObject({
  ...Identity,
  node: optStr,
  phase: optStr,
  scheduledAfterSeconds: optNum,
  initSeconds: optNum,
  pendingSeconds: optNum,
  timeToReadySeconds: optNum,
  restarts: optNum,
  restartGapsSeconds: z.optional(z.nullable(z.array(z.number()))),
  crashLoopBackOffSeconds: optNum,
  lastTerminationReason: optStr,
  waitingReason: optStr,
  unschedulableMessage: optStr,
  schedulingGates: z.optional(z.nullable(z.array(z.string()))),
  statusReason: optStr,
  status: optStr,
  kubectlRestarts: optNum,
  kubectlLastRestartAt: optStr,
  ready: Ready,
  deleted: optBool,
  deletedBy: z.optional(z.nullable(z.enum(['kubernetes', 'inventory']))),
  stuckPending: optBool,
  sandboxReadyAfterSeconds: optNum,
  initializedAfterSeconds: optNum,
  imagePullSeconds: optNum,
  containersStartedAfterSeconds: optNum,
  containersReadyAfterSeconds: optNum,
  containerStartups: z.optional(
    z.nullable(
      z.array(
        z.object({
          container: z.string(),
          role: z.enum(['app', 'init', 'sidecar']),
          image: z.nullable(z.string()),
          pullSeconds: z.nullable(z.number()),
          pullWaitSeconds: z.nullable(z.number()),
          imageSizeBytes: z.nullable(z.number()),
          startedAfterSeconds: z.nullable(z.number()),
        }),
      ),
    ),
  ),
  startupSliSeconds: optNum,
  startupSliExcludedReason: z.optional(
    z.nullable(
      z.enum(['initContainers', 'stateful', 'unschedulable', 'schedulingGated', 'notStarted', 'pullUnknown']),
    ),
  ),
  timeline: z.optional(z.nullable(z.array(z.unknown()))),
} satisfies FieldsOf<PodRecordBody>);

const DistributionSchema = z.optional(
  z.nullable(
    z.looseObject({
      count: optNum,
      p50: optNum,
      p90: optNum,
      p99: optNum,
      max: optNum,
    } satisfies FieldsOf<DistributionBody>),
  ),
);

export const StatsGroupSchema = z.looseObject({
  key: z.string(),
  stats: z.looseObject({
    pods: optNum,
    scheduledAfterSeconds: DistributionSchema,
    pendingSeconds: DistributionSchema,
    timeToReadySeconds: DistributionSchema,
    crashLoopBackOffSeconds: DistributionSchema,
    restarts: optNum,
    terminationsByReason: z.optional(z.nullable(z.record(z.string(), z.number()))),
    sandboxReadyAfterSeconds: DistributionSchema,
    initializedAfterSeconds: DistributionSchema,
    imagePullSeconds: DistributionSchema,
    containersStartedAfterSeconds: DistributionSchema,
    containersReadyAfterSeconds: DistributionSchema,
    startupSliSeconds: DistributionSchema,
    startupSlo: z.optional(z.nullable(z.looseObject({ objectiveSeconds: optNum, met: optBool }))),
  } satisfies Required<FieldsOf<GroupStatsBody>>),
  values: z.optional(z.nullable(z.record(z.string(), z.nullable(z.array(z.nullable(z.number())))))),
});

/** Pages of a /stats pass the dashboard follows before it gives up (a 92-day range of a big cluster). */
const MAX_STATS_PAGES = 200;

/** A /stats answer: its groups, or a page of a pass (its parts: merged as given; a malformed one fails the merge). */
const StatsPageSchema = z.looseObject({
  groups: z.optional(z.array(z.unknown())),
  mergePages: z.optional(z.boolean()),
  parts: z.optional(z.array(z.unknown())),
  progress: z.optional(z.looseObject({ rangeRead: optNum })),
  nextToken: optStr,
});

/** A page of a list: `pods` (the query API) or `items`, an opaque `nextToken`, the API's `now`. */
const ListSchema = z.looseObject({
  pods: z.optional(z.nullable(z.array(z.unknown()))),
  items: z.optional(z.nullable(z.array(z.unknown()))),
  nextToken: optStr,
  now: optStr,
});

export const SilenceSchema = z.looseObject({
  id: z.string(),
  cluster: optStr,
  namespace: optStr,
  owner: optStr,
  reason: optStr,
  comment: optStr,
  createdBy: optStr,
  endsAt: z.string(),
  active: optBool,
  silenced: z.optional(
    z.nullable(z.array(z.looseObject({ namespace: z.string(), name: z.string(), uid: z.string() }))),
  ),
} satisfies FieldsOf<ListedSilence>);

/** `/silences`: the API's now and every stored silence. */
const SilencesSchema = z.looseObject({ now: optStr, silences: z.array(z.unknown()) });

/** `/clusters`: names, or `{name, lastSeenAt}` entries. */
const ClustersSchema = z.looseObject({
  clusters: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])),
});

// ---------------------------------------------------------------- what the page draws
// The API's types, as the page holds them: the owner as one string, and what a lenient read
// may lack as null.

export type PodRef = Pick<PendingPod, 'cluster' | 'namespace' | 'name'> & {
  uid: string | null;
  /** "Deployment/web", or null. */
  owner: string | null;
};

export type PendingRow = PodRef &
  Pick<PendingPod, 'ageSeconds' | 'node' | 'waitingReason' | 'unschedulableMessage' | 'stuck'> & {
    /** The gates holding a gated pod back (names), or null when it is not gated. */
    schedulingGates: string[] | null;
    /** Epoch ms. */
    createdAt: number | null;
    /** kubectl's STATUS: the API's when it sends one, else what kubectl prints for these facts. */
    status: string;
    /** kubectl's READY (`0/1`), or null. */
    ready: string | null;
  };

type Nullable<T, K extends keyof T> = { [P in K]: T[P] | null };

export type CrashRow = PodRef &
  Pick<CrashLoopingPod, 'restarts' | 'lastTerminationReason' | 'lastExitCode' | 'waitingReason'> &
  Nullable<CrashLoopingPod, 'restartsInWindow' | 'crashLoopBackOffSeconds'> & {
    /** kubectl's STATUS: the API's when it sends one, else the waiting reason (CrashLoopBackOff). */
    status: string;
    /** kubectl's READY (`0/1`), or null. */
    ready: string | null;
  };

/** A timeline entry as the API sends it (the Gantt's input type). */
export type TimelineRow = GanttEntry;

export type PodDetail = PodRef &
  Omit<PodRecordBody, keyof PodRef | 'crashLoopBackOffSeconds' | 'timeline'> &
  Nullable<PodRecordBody, 'crashLoopBackOffSeconds'> & { timeline: TimelineRow[] };

/** A silence as the page shows it: its scope, who and why, until when (epoch ms), what it holds. */
export type SilenceRow = Pick<ListedSilence, 'id' | 'comment'> &
  Nullable<ListedSilence, 'namespace' | 'owner' | 'reason' | 'createdBy'> & {
    cluster: string;
    endsAt: number;
    active: boolean;
    /** The episodes it holds: pods recorded as silenced instead of alerted. */
    held: { namespace: string; name: string; uid: string }[];
  };

export interface Silences {
  items: SilenceRow[];
  /** The API's now (epoch ms), for "ends in …". */
  now: number | null;
  /** False when the API has no /silences route (an older podlife): nothing to show. */
  available: boolean;
}

/** The duration figures (the engine's own list). */
export const FIGURES = DURATION_FIGURES;
export type Figure = DurationFigure;

export type FigureStats = Pick<DistributionBody, 'count' | 'p50' | 'p90' | 'p99'> & {
  /** The raw per-pod values, for the histogram. */
  values: number[];
};

export type StatsGroup = Pick<GroupStatsBody, 'pods' | 'restarts' | 'terminationsByReason'> & {
  key: string;
  figures: Record<Figure, FigureStats>;
};

// ---------------------------------------------------------------- the adaptation point

type Raw<S extends z.ZodMiniType> = z.infer<S>;
const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v);

function refOf(r: Raw<typeof PendingItemSchema> | Raw<typeof CrashItemSchema>, cluster: string): PodRef {
  return {
    cluster: r.cluster ?? cluster,
    namespace: r.namespace,
    name: r.name,
    uid: orNull(r.uid),
    owner: r.owner ? `${r.owner.kind}/${r.owner.name}` : null,
  };
}

export function adaptPending(r: Raw<typeof PendingItemSchema>, cluster: string): PendingRow {
  const createdAt = r.createdAt ? Date.parse(r.createdAt) : Number.NaN;
  return {
    ...refOf(r, cluster),
    createdAt: Number.isFinite(createdAt) ? createdAt : null,
    ageSeconds: orNull(r.ageSeconds),
    node: orNull(r.node),
    waitingReason: orNull(r.waitingReason ?? r.statusReason),
    unschedulableMessage: orNull(r.unschedulableMessage),
    schedulingGates: orNull(r.schedulingGates),
    stuck: Boolean(r.stuck ?? r.stuckPending),
    // kubectl prints SchedulingGated for a gated pod (the API sends its gates only then), the
    // waiting reason of a container (ContainerCreating, ImagePullBackOff) or the phase
    // (Pending, also for an unschedulable pod).
    status:
      r.status ??
      (r.schedulingGates ? 'SchedulingGated' : (r.waitingReason ?? r.statusReason ?? r.phase ?? 'Pending')),
    ready: readyText(r.ready),
  };
}

export function adaptCrash(r: Raw<typeof CrashItemSchema>, cluster: string): CrashRow {
  return {
    ...refOf(r, cluster),
    restarts: r.restarts ?? 0,
    restartsInWindow: orNull(r.restartsInWindow),
    lastTerminationReason: orNull(r.lastTerminationReason),
    lastExitCode: orNull(r.lastExitCode),
    waitingReason: orNull(r.waitingReason),
    crashLoopBackOffSeconds: orNull(r.crashLoopBackOffSeconds),
    status: r.status ?? r.waitingReason ?? 'CrashLoopBackOff',
    ready: readyText(r.ready),
  };
}

export function adaptTimelineEntry(raw: unknown): TimelineRow | null {
  const p = TimelineEntrySchema.safeParse(raw);
  if (!p.success) return null;
  const e = p.data;
  const out: TimelineRow = { at: orNull(e.at), type: e.type };
  if (e.container != null) out.container = e.container;
  if (e.init) out.init = true;
  if (e.reason != null) out.reason = e.reason;
  if (e.exitCode != null) out.exitCode = e.exitCode;
  if (e.signal != null) out.signal = e.signal;
  if (e.message != null) out.message = e.message;
  if (e.count != null) out.count = e.count;
  return out;
}

export function adaptPod(r: Raw<typeof PodRecordSchema>, cluster: string): PodDetail {
  return {
    ...refOf(r, cluster),
    node: orNull(r.node),
    phase: r.phase ?? 'Unknown',
    scheduledAfterSeconds: orNull(r.scheduledAfterSeconds),
    initSeconds: orNull(r.initSeconds),
    pendingSeconds: orNull(r.pendingSeconds),
    timeToReadySeconds: orNull(r.timeToReadySeconds),
    restarts: r.restarts ?? 0,
    restartGapsSeconds: r.restartGapsSeconds ?? [],
    crashLoopBackOffSeconds: orNull(r.crashLoopBackOffSeconds),
    lastTerminationReason: orNull(r.lastTerminationReason),
    waitingReason: orNull(r.waitingReason),
    unschedulableMessage: orNull(r.unschedulableMessage),
    schedulingGates: orNull(r.schedulingGates),
    statusReason: orNull(r.statusReason),
    status: orNull(r.status),
    kubectlRestarts: orNull(r.kubectlRestarts),
    kubectlLastRestartAt: orNull(r.kubectlLastRestartAt),
    ready: r.ready ? { ready: r.ready.ready, total: r.ready.total } : null,
    deleted: Boolean(r.deleted),
    deletedBy: orNull(r.deletedBy),
    stuckPending: Boolean(r.stuckPending),
    sandboxReadyAfterSeconds: orNull(r.sandboxReadyAfterSeconds),
    initializedAfterSeconds: orNull(r.initializedAfterSeconds),
    imagePullSeconds: orNull(r.imagePullSeconds),
    containersStartedAfterSeconds: orNull(r.containersStartedAfterSeconds),
    containersReadyAfterSeconds: orNull(r.containersReadyAfterSeconds),
    containerStartups: r.containerStartups ?? [],
    startupSliSeconds: orNull(r.startupSliSeconds),
    startupSliExcludedReason: orNull(r.startupSliExcludedReason),
    timeline: (r.timeline ?? []).map(adaptTimelineEntry).filter((e): e is TimelineRow => e != null),
  };
}

export function adaptSilence(r: Raw<typeof SilenceSchema>, cluster: string): SilenceRow | null {
  const endsAt = Date.parse(r.endsAt);
  if (!Number.isFinite(endsAt)) return null;
  return {
    id: r.id,
    cluster: r.cluster ?? cluster,
    namespace: orNull(r.namespace),
    owner: orNull(r.owner),
    reason: orNull(r.reason),
    comment: r.comment ?? '',
    createdBy: orNull(r.createdBy),
    endsAt,
    active: Boolean(r.active),
    held: r.silenced ?? [],
  };
}

/** Where a silence holds a pod: uid → the active silence (the one that ends last, as the sweep picks). */
export function heldBy(silences: readonly SilenceRow[]): Map<string, SilenceRow> {
  const out = new Map<string, SilenceRow>();
  for (const s of silences) {
    if (!s.active) continue;
    for (const h of s.held) {
      const had = out.get(h.uid);
      if (!had || s.endsAt > had.endsAt || (s.endsAt === had.endsAt && s.id < had.id)) out.set(h.uid, s);
    }
  }
  return out;
}

export function adaptStatsGroup(g: Raw<typeof StatsGroupSchema>): StatsGroup {
  const figure = (f: Figure): FigureStats => {
    const d = g.stats[f];
    const values = (g.values?.[f] ?? []).filter((v): v is number => typeof v === 'number');
    return {
      count: d?.count ?? values.length,
      p50: orNull(d?.p50),
      p90: orNull(d?.p90),
      p99: orNull(d?.p99),
      values,
    };
  };
  return {
    key: g.key,
    pods: g.stats.pods ?? 0,
    figures: Object.fromEntries(FIGURES.map((f) => [f, figure(f)])) as Record<Figure, FigureStats>,
    restarts: g.stats.restarts ?? 0,
    terminationsByReason: g.stats.terminationsByReason ?? {},
  };
}

// ---------------------------------------------------------------- requests

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

/** Items that failed validation are dropped, not fatal; the page says how many. */
export interface Listed<T> {
  items: T[];
  rejected: number;
  /** True when the API had more pages than the page fetches. */
  truncated: boolean;
  /** The API's "now" (epoch ms) when it says so. */
  now: number | null;
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** Pages fetched per list at most (a laptop screen shows far fewer rows anyway). */
const MAX_PAGES = 5;
const PAGE_LIMIT = 200;

/**
 * The API base URL: `?api=` on the page's URL, else `apiBaseUrl` from config.json next to
 * index.html, else the page's own directory (same origin). Always ends with '/'.
 */
export function apiBaseFrom(pageUrl: string, config: unknown): string {
  const fromQuery = new URL(pageUrl).searchParams.get('api');
  const fromConfig =
    config &&
    typeof config === 'object' &&
    typeof (config as { apiBaseUrl?: unknown }).apiBaseUrl === 'string'
      ? (config as { apiBaseUrl: string }).apiBaseUrl
      : null;
  const base = new URL(fromQuery || fromConfig || '.', pageUrl).href;
  return base.endsWith('/') ? base : `${base}/`;
}

export function createApi(base: string, fetchImpl: Fetch = (u, i) => fetch(u, i)) {
  const url = (path: string, query: Record<string, string | number | undefined> = {}) => {
    const u = new URL(path, base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.href;
  };

  async function get(href: string): Promise<unknown> {
    let res: Response;
    try {
      // no-cache: revalidate every time; with an ETag the server answers 304 and the browser
      // serves its copy (If-None-Match is sent for us).
      res = await fetchImpl(href, { cache: 'no-cache', headers: { accept: 'application/json' } });
    } catch (err) {
      throw new ApiError(0, href, `API unreachable (${(err as Error).message})`);
    }
    if (!res.ok)
      throw new ApiError(res.status, href, `${res.status} ${res.statusText || 'error'} from ${href}`);
    try {
      return await res.json();
    } catch {
      throw new ApiError(res.status, href, `not JSON: ${href}`);
    }
  }

  async function list<T, S extends z.ZodMiniType>(
    path: string,
    query: Record<string, string | number | undefined>,
    schema: S,
    adapt: (raw: z.infer<S>) => T,
  ): Promise<Listed<T>> {
    const out: Listed<T> = { items: [], rejected: 0, truncated: false, now: null };
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = ListSchema.safeParse(await get(url(path, { ...query, nextToken: token })));
      if (!body.success) throw new ApiError(200, path, `unexpected answer from ${path}`);
      for (const raw of body.data.pods ?? body.data.items ?? []) {
        const p = schema.safeParse(raw);
        if (p.success) out.items.push(adapt(p.data as z.infer<S>));
        else out.rejected++;
      }
      const now = body.data.now ? Date.parse(body.data.now) : Number.NaN;
      if (Number.isFinite(now)) out.now = now;
      token = body.data.nextToken ?? undefined;
      if (!token) return out;
    }
    out.truncated = true;
    return out;
  }

  return {
    base,
    async clusters(): Promise<string[]> {
      const p = ClustersSchema.safeParse(await get(url('clusters')));
      if (!p.success) throw new ApiError(200, 'clusters', 'unexpected answer from /clusters');
      return p.data.clusters.map((c) => (typeof c === 'string' ? c : c.name));
    },
    pending: (cluster: string) =>
      list('pending', { cluster, olderThan: '0s', limit: PAGE_LIMIT }, PendingItemSchema, (r) =>
        adaptPending(r, cluster),
      ),
    crashloops: (cluster: string) =>
      list('crashloops', { cluster, limit: PAGE_LIMIT }, CrashItemSchema, (r) => adaptCrash(r, cluster)),
    /** Every incarnation of a pod name, newest first (the route's pages followed). */
    pod: (cluster: string, namespace: string, name: string) =>
      list(
        ['pods', cluster, namespace, name].map(encodeURIComponent).join('/'),
        { limit: PAGE_LIMIT },
        PodRecordSchema,
        (r) => adaptPod(r, cluster),
      ),
    /** The cluster's silences (read-only); an API without the route has none to show. */
    async silences(cluster: string): Promise<Silences> {
      let body: unknown;
      try {
        body = await get(url('silences', { cluster }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return { items: [], now: null, available: false };
        throw err;
      }
      const p = SilencesSchema.safeParse(body);
      if (!p.success) throw new ApiError(200, 'silences', 'unexpected answer from /silences');
      const now = p.data.now ? Date.parse(p.data.now) : Number.NaN;
      return {
        items: p.data.silences.flatMap((raw) => {
          const q = SilenceSchema.safeParse(raw);
          const row = q.success ? adaptSilence(q.data, cluster) : null;
          return row ? [row] : [];
        }),
        now: Number.isFinite(now) ? now : null,
        available: true,
      };
    },
    /**
     * Groups by namespace or owner; `since` (e.g. `24h`, RFC 3339) is the API's default when
     * absent. A range larger than one request reads is a pass of pages (`mergePages`): they are
     * followed and their parts merged (core/stats.ts statsOfParts: the one-request answer
     * exactly); `onProgress` hears the share of the range read after each page.
     */
    async stats(
      cluster: string,
      groupBy: 'namespace' | 'owner',
      since?: string,
      onProgress?: (rangeRead: number) => void,
    ): Promise<StatsGroup[]> {
      const parts: StatsPart[] = [];
      let token: string | undefined;
      for (let pages = 0; ; pages++) {
        const body = await get(url('stats', { cluster, groupBy, since, nextToken: token }));
        const p = StatsPageSchema.safeParse(body);
        if (!p.success) throw new ApiError(200, 'stats', 'unexpected answer from /stats');
        if (p.data.mergePages !== true) {
          return (p.data.groups ?? []).flatMap((g) => {
            const q = StatsGroupSchema.safeParse(g);
            return q.success ? [adaptStatsGroup(q.data)] : [];
          });
        }
        parts.push(...(p.data.parts as StatsPart[]));
        onProgress?.(p.data.progress?.rangeRead ?? 0);
        token = p.data.nextToken ?? undefined;
        if (!token || pages >= MAX_STATS_PAGES) break;
      }
      let merged: ReturnType<typeof statsOfParts>;
      try {
        merged = statsOfParts(parts);
      } catch {
        throw new ApiError(200, 'stats', 'unexpected parts in the pages of /stats');
      }
      return merged.groups.flatMap((g) => {
        const q = StatsGroupSchema.safeParse(g);
        return q.success ? [adaptStatsGroup(q.data)] : [];
      });
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/**
 * "Now" as the API sees it: its own `now` if it sends one, else creation + age of the pending
 * pods (a replay's now is the trace's end, not the wall clock), else null.
 */
export function serverNowOf(pending: Listed<PendingRow>): number | null {
  if (pending.now != null) return pending.now;
  let best: number | null = null;
  for (const r of pending.items) {
    if (r.createdAt == null || r.ageSeconds == null) continue;
    const t = r.createdAt + r.ageSeconds * 1000;
    if (best == null || t > best) best = t;
  }
  return best;
}
