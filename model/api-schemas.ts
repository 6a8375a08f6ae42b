/**
 * The query API's boundary: its route paths, the zod schemas of every route's parameters (a bad
 * one becomes a 400 naming the parameter and the reason), the opaque pagination token and the
 * shapes of the answers. Pure: shared by the query Lambda, the CDK construct that declares the
 * routes, the CLI that reads the answers and the OpenAPI test. No SDK, no CDK.
 */
import { z } from 'zod';
import type { PodRecord } from '../core/pod-record.ts';
import type { FigureValues, GroupStats } from '../core/stats.ts';
import { isRfc3339, parseDuration, toMillis } from '../core/time.ts';
import { CLOCK_SKEW_MS, EARLIEST_TIME_MS } from '../core/time-bounds.ts';

/** Every route of the API (all GET). The CDK construct declares exactly these. */
export const ROUTE_PATHS = [
  '/clusters',
  '/pods/{cluster}/{namespace}/{name}',
  '/pods/by-uid/{cluster}/{uid}',
  '/pending',
  '/crashloops',
  '/stats',
] as const;
export type RoutePath = (typeof ROUTE_PATHS)[number];

// ---------------------------------------------------------------------------------------------
// Errors that become 4xx answers

/** A parameter the caller got wrong: 400 `{error, parameter, reason}`. */
export class BadParameterError extends Error {
  override name = 'BadParameterError';
  constructor(
    readonly parameter: string,
    readonly reason: string,
  ) {
    super(`bad parameter ${parameter}: ${reason}`);
  }
}

/** The thing asked for does not exist: 404 `{error}`. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

// ---------------------------------------------------------------------------------------------
// Parameter types

/** Kubernetes namespace: a DNS label. */
export const Namespace = z
  .string()
  .max(63, 'at most 63 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes namespace: lower-case letters, digits and -');

/** Pod name: a DNS subdomain. */
export const PodName = z
  .string()
  .max(253, 'at most 253 characters')
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Kubernetes pod name: lower-case letters, digits, - and .');

/** A cluster name as the forwarder was given it (1–63 characters, no control characters or /). */
export const Cluster = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'at most 63 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
  .regex(/^[^\u0000-\u001f/]+$/, 'no control characters or /');

/** A pod uid: the API server's, or podlife's `synthetic:NS/NAME@CREATED` stand-in. */
export const Uid = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'at most 256 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
  .regex(/^[^\u0000-\u001f]+$/, 'no control characters');

/** `Kind/name` of a controller (Deployment/web, StatefulSet/redis, Job/migrate, ...). */
export const Owner = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9]*\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'KIND/NAME, e.g. Deployment/web')
  .transform((s) => {
    const i = s.indexOf('/');
    return { kind: s.slice(0, i), name: s.slice(i + 1) };
  });

// ---------------------------------------------------------------------------------------------
// Bounds: every limit on what a caller may ask, in one place. Each is checked before any read,
// so a request's work is bounded by them whatever its parameters (docs/query-api.md).

const DAY_SECONDS = 86_400;

export const QUERY_BOUNDS = {
  /** Query parameters a request may carry (every route has at most 6). */
  maxParameters: 16,
  /** Characters of a parameter's name. */
  maxNameLength: 64,
  /** Characters of any parameter's value (the longest legitimate one is a nextToken). */
  maxValueLength: 4096,
  /** Characters of a duration (`1h30m`, `300`). */
  maxDurationLength: 32,
  /** The longest duration any parameter accepts (olderThan, window, since/until before now). */
  maxDurationSeconds: 3660 * DAY_SECONDS,
  /** The earliest time a parameter may name: the contracts' own (core/time-bounds.ts, 2014-06-01). */
  earliestTime: EARLIEST_TIME_MS,
  /** How far past now a time may be: the contracts' clock skew (24 h). */
  clockSkewMs: CLOCK_SKEW_MS,
  /** Items a page of /pending, /crashloops or /pods/{...} holds. */
  limit: { min: 1, default: 100, max: 1000 },
  /** minRestarts at most. */
  maxMinRestarts: 1_000_000,
  /** Characters of one value inside a nextToken. */
  maxTokenValueLength: 1024,
  /** The longest /stats range, whatever the scope: bounds its per-day queries and reads. */
  maxStatsDays: 92,
  /** Items one /stats request may read (~400 B each): more is a 400 asking for a narrower range. */
  maxStatsItems: 50_000,
  /** Items of one name's partition the history route reads (its incarnations, each up to 400 KB). */
  maxHistoryItems: 5_000,
  /** Bytes of one answer's JSON (Lambda allows 6 MB): a history page stops before it. */
  maxAnswerBytes: 1_000_000,
  /** Wall-clock milliseconds a request may spend reading before it is cut short (503). */
  deadlineMs: 20_000,
} as const;

/** Kept for callers of the old names. */
export const DEFAULT_LIMIT = QUERY_BOUNDS.limit.default;
export const MAX_LIMIT = QUERY_BOUNDS.limit.max;
/** The longest /stats range: bounds the per-day queries of a cluster-wide range. */
export const MAX_STATS_DAYS = QUERY_BOUNDS.maxStatsDays;

const B = QUERY_BOUNDS;

/** A duration (`300`, `90s`, `5m`, `1h30m`, `2d`) → seconds, at most QUERY_BOUNDS.maxDurationSeconds. */
export const DurationParam = z
  .string()
  .max(B.maxDurationLength, `at most ${B.maxDurationLength} characters`)
  .transform((s, ctx) => {
    let seconds: number;
    try {
      seconds = parseDuration(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a duration: use e.g. 300, 90s, 5m, 1h30m, 2d` });
      return z.NEVER;
    }
    if (!Number.isFinite(seconds) || seconds > B.maxDurationSeconds) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${B.maxDurationSeconds / DAY_SECONDS}d (${B.maxDurationSeconds} seconds)`,
      });
      return z.NEVER;
    }
    return seconds;
  });

/** A whole number in a range, from a query-string value. */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .max(String(max).length + 8, `at most ${max}`)
    .regex(/^\d+$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `at least ${min}`).max(max, `at most ${max}`));

/** A point in time: an absolute one (epoch ms) or one relative to now (seconds before it). */
export type TimeParam = { at: number } | { ago: number };

const TIME_HELP = 'an RFC 3339 time or a duration before now (e.g. 24h)';

/** A point in time: RFC 3339, or a duration meaning "that long before now" (`24h`). */
const timeParam = z
  .string()
  .max(64, 'at most 64 characters')
  .transform((s, ctx): TimeParam => {
    if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
      const ms = isRfc3339(s) ? toMillis(s) : null;
      if (ms != null) return { at: ms };
    } else {
      const r = DurationParam.safeParse(s);
      if (r.success) return { ago: r.data };
      if (r.error.issues[0]?.message.startsWith('at most')) {
        ctx.addIssue({ code: 'custom', message: r.error.issues[0].message });
        return z.NEVER;
      }
    }
    ctx.addIssue({ code: 'custom', message: TIME_HELP });
    return z.NEVER;
  });

/**
 * The instant of a time parameter, checked against the bounds: no earlier than
 * QUERY_BOUNDS.earliestTime, no later than now plus the clock skew. Pure arithmetic: nothing
 * is built from an unchecked time.
 */
export function instantOf(parameter: string, t: TimeParam, now: number): number {
  const ms = 'at' in t ? t.at : now - t.ago * 1000;
  if (!Number.isFinite(ms) || ms < B.earliestTime)
    throw new BadParameterError(parameter, `no earlier than ${new Date(B.earliestTime).toISOString()}`);
  if (ms > now + B.clockSkewMs)
    throw new BadParameterError(parameter, 'no later than now (plus one day of skew)');
  return ms;
}

/** /stats's range [since, until), bounded (QUERY_BOUNDS.maxStatsDays for every scope) before any read. */
export function statsRangeOf(p: { since: TimeParam; until?: TimeParam }, now: number) {
  const since = instantOf('since', p.since, now);
  const until = p.until ? instantOf('until', p.until, now) : now;
  if (since >= until) throw new BadParameterError('since', 'must be before until');
  if (until - since > B.maxStatsDays * DAY_SECONDS * 1000) {
    throw new BadParameterError('since', `a range may span at most ${B.maxStatsDays} days`);
  }
  return { since, until };
}

const Limit = wholeNumber(B.limit.min, B.limit.max).default(B.limit.default);
const NextToken = z.string().max(B.maxValueLength, `at most ${B.maxValueLength} characters`).optional();

// ---------------------------------------------------------------------------------------------
// Route parameters (path and query merged; unknown query parameters are refused)

export const HistoryParams = z.strictObject({
  cluster: Cluster,
  namespace: Namespace,
  name: PodName,
  limit: Limit,
  nextToken: NextToken,
});
export const ByUidParams = z.strictObject({ cluster: Cluster, uid: Uid });
export const ClustersParams = z.strictObject({});

export const PendingParams = z.strictObject({
  cluster: Cluster,
  olderThan: DurationParam.default(0),
  namespace: Namespace.optional(),
  limit: Limit,
  nextToken: NextToken,
});

export const CrashLoopsParams = z.strictObject({
  cluster: Cluster,
  namespace: Namespace.optional(),
  /** Keep only pods with at least this many restarts in the window (default 0: every crash-looping pod). */
  minRestarts: wholeNumber(0, B.maxMinRestarts).default(0),
  window: DurationParam.default(3600),
  limit: Limit,
  nextToken: NextToken,
});

export const StatsParams = z
  .strictObject({
    cluster: Cluster,
    namespace: Namespace.optional(),
    owner: Owner.optional(),
    since: timeParam.default({ ago: 86_400 }),
    until: timeParam.optional(),
    groupBy: z.enum(['namespace', 'owner']).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.owner && !p.namespace) {
      ctx.addIssue({ code: 'custom', path: ['owner'], message: 'needs namespace: owners are namespaced' });
    }
  });

export type HistoryParams = z.infer<typeof HistoryParams>;
export type ByUidParams = z.infer<typeof ByUidParams>;
export type PendingParams = z.infer<typeof PendingParams>;
export type CrashLoopsParams = z.infer<typeof CrashLoopsParams>;
export type StatsParams = z.infer<typeof StatsParams>;

/** A parameter's name as an answer names it: never empty, at most QUERY_BOUNDS.maxNameLength. */
export const nameOfParameter = (name: string) =>
  name === '' ? '(empty name)' : name.length > B.maxNameLength ? `${name.slice(0, B.maxNameLength)}…` : name;

/** The sizes every request is held to before its parameters are parsed (QUERY_BOUNDS). */
export function checkSizes(params: Record<string, string>): void {
  const entries = Object.entries(params);
  if (entries.length > B.maxParameters)
    throw new BadParameterError('query', `at most ${B.maxParameters} parameters`);
  for (const [name, value] of entries) {
    if (name === '' || name.length > B.maxNameLength)
      throw new BadParameterError(nameOfParameter(name), 'unknown parameter for this route');
    if (value.length > B.maxValueLength)
      throw new BadParameterError(name, `at most ${B.maxValueLength} characters`);
  }
}

/** Parses a route's parameters; the first problem becomes a BadParameterError. */
export function parseParams<S extends z.ZodType>(
  schema: S,
  raw: Record<string, string | undefined>,
): z.infer<S> {
  const defined = Object.fromEntries(
    Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined),
  );
  checkSizes(defined);
  const r = schema.safeParse(defined);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    throw new BadParameterError(nameOfParameter(issue.keys[0]), 'unknown parameter for this route');
  }
  const parameter = issue.path.map(String).join('.') || 'query';
  const reason = issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
  throw new BadParameterError(parameter, reason);
}

// ---------------------------------------------------------------------------------------------
// Pagination token: DynamoDB's LastEvaluatedKey, base64url JSON, checked on the way back in

/** The opaque token for a page's LastEvaluatedKey. */
export function encodeToken(lastKey: Record<string, unknown> | undefined): string | undefined {
  return lastKey ? Buffer.from(JSON.stringify(lastKey)).toString('base64url') : undefined;
}

/**
 * The LastEvaluatedKey a token carries, or undefined for no token. It must have exactly the
 * index's key attributes, all strings, and the partition the request reads (`fixed`): a token
 * from another route, cluster or a tampered one is a 400, never a DynamoDB error.
 */
export function decodeToken(
  token: string | undefined,
  keyAttributes: readonly string[],
  fixed: Record<string, string>,
): Record<string, string> | undefined {
  if (token === undefined) return undefined;
  const bad = (reason: string) => new BadParameterError('nextToken', reason);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw bad('not a token this API issued');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a token this API issued');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('not a token this API issued');
  const entries = Object.entries(value as Record<string, unknown>);
  const keys = entries.map(([k]) => k).sort();
  if (
    keys.join('\n') !== [...keyAttributes].sort().join('\n') ||
    entries.some(([, v]) => typeof v !== 'string')
  ) {
    throw bad('not a token of this route');
  }
  // DynamoDB refuses empty or oversized key values (a ValidationException): never send one.
  if (entries.some(([, v]) => (v as string).length === 0 || (v as string).length > B.maxTokenValueLength))
    throw bad('not a token this API issued');
  for (const [k, v] of Object.entries(fixed)) {
    if ((value as Record<string, string>)[k] !== v)
      throw bad('the token belongs to another query (cluster or route)');
  }
  return value as Record<string, string>;
}

/**
 * How many of `rows` (in order) an answer can carry and stay under QUERY_BOUNDS.maxAnswerBytes
 * of JSON, room kept for the answer's other fields: one at least.
 */
export function rowsThatFit(rows: readonly unknown[], envelopeBytes = 8 * 1024): number {
  let bytes = envelopeBytes;
  for (let i = 0; i < rows.length; i++) {
    bytes += Buffer.byteLength(JSON.stringify(rows[i])) + 1;
    if (bytes > B.maxAnswerBytes) return Math.max(1, i);
  }
  return rows.length;
}

/** The ExclusiveStartKey that resumes right after `item` (its key attributes on the index). */
export function keyOfItem(
  item: Record<string, unknown>,
  keyAttributes: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(keyAttributes.map((k) => [k, item[k]]));
}

// ---------------------------------------------------------------------------------------------
// Answers

export interface ErrorBody {
  error: string;
  parameter?: string;
  reason?: string;
}

export interface ClusterEntry {
  name: string;
  lastSeenAt: string | null;
}
export interface ClustersResponse {
  clusters: ClusterEntry[];
}

export interface HistoryResponse {
  cluster: string;
  namespace: string;
  name: string;
  /** The incarnations of the name, newest first: one page (`limit`, and at most 1 MB of JSON). */
  pods: PodRecord[];
  /** Present while older incarnations follow: pass it back as `nextToken`. */
  nextToken?: string;
}

export interface PodResponse {
  pod: PodRecord;
}

export interface PodOwner {
  kind: string;
  name: string;
}

/** What every row of a pod list carries: identity, owner, node, phase and age. */
export interface PodRowBase {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  owner: PodOwner | null;
  node: string | null;
  phase: string;
  createdAt: string | null;
  /** now − created; null when the pod has no creation time. */
  ageSeconds: number | null;
}

/** A pod Pending now (in the pending index), as the /pending route and the sweep see it. */
export interface PendingPod extends PodRowBase {
  waitingReason: string | null;
  unschedulableMessage: string | null;
  /** Present while the pod is held by scheduling gates (PodScheduled=False, SchedulingGated): their names. */
  schedulingGates?: string[];
  statusReason: string | null;
  /** The stuck-Pending threshold of the pod's namespace. */
  thresholdSeconds: number;
  /** Pending longer than its namespace's threshold. */
  stuck: boolean;
}

export interface PendingResponse {
  cluster: string;
  now: string;
  olderThanSeconds: number;
  pods: PendingPod[];
  nextToken?: string;
}

/** A pod crash-looping now (its latest state is CrashLoopBackOff). */
export interface CrashLoopingPod extends PodRowBase {
  restarts: number;
  /** Restarts that started within the window before now. */
  restartsInWindow: number;
  lastRestartAt: string | null;
  lastTerminationReason: string | null;
  lastExitCode: number | null;
  crashLoopBackOffSeconds: number;
  waitingReason: string | null;
}

export interface CrashLoopsResponse {
  cluster: string;
  now: string;
  windowSeconds: number;
  minRestarts: number;
  pods: CrashLoopingPod[];
  nextToken?: string;
}

export interface StatsResponse {
  cluster: string;
  namespace?: string;
  owner?: string;
  /** The creation-time range the pods were chosen by: [since, until). */
  since: string;
  until: string;
  stats: GroupStats;
  groupBy?: 'namespace' | 'owner';
  groups?: { key: string; stats: GroupStats; values: FigureValues }[];
}

/** Each route's parameters (path and query), for the OpenAPI test and the docs. */
export const ROUTE_PARAMS: Record<RoutePath, z.ZodObject> = {
  '/clusters': ClustersParams,
  '/pods/{cluster}/{namespace}/{name}': HistoryParams,
  '/pods/by-uid/{cluster}/{uid}': ByUidParams,
  '/pending': PendingParams,
  '/crashloops': CrashLoopsParams,
  '/stats': StatsParams,
};
