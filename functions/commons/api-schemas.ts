/**
 * The query API's boundary: its route paths, the zod schemas of every route's parameters (a bad
 * one becomes a 400 naming the parameter and the reason), the opaque pagination token and the
 * shapes of the answers. Pure: shared by the query Lambda, the CDK construct that declares the
 * routes, the CLI that reads the answers and the OpenAPI test. No SDK, no CDK.
 */
import { z } from 'zod';
import type { PodRecord } from '../core/pod-record.ts';
import type { FigureValues, GroupStats } from '../core/stats.ts';
import { parseDuration, toMillis } from '../core/time.ts';

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

/** A duration (`300`, `90s`, `5m`, `1h30m`, `2d`) → seconds. */
export const DurationParam = z.string().transform((s, ctx) => {
  try {
    return parseDuration(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a duration: use e.g. 300, 90s, 5m, 1h30m, 2d` });
    return z.NEVER;
  }
});

/** A whole number in a range, from a query-string value. */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `at least ${min}`).max(max, `at most ${max}`));

/** A point in time: an absolute one (epoch ms) or one relative to now (seconds before it). */
export type TimeParam = { at: number } | { ago: number };

/** A point in time: RFC 3339, or a duration meaning "that long before now" (`24h`). */
const timeParam = z.string().transform((s, ctx): TimeParam => {
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const ms = toMillis(s);
    if (ms != null) return { at: ms };
  } else {
    try {
      return { ago: parseDuration(s) };
    } catch {
      // fall through
    }
  }
  ctx.addIssue({ code: 'custom', message: 'an RFC 3339 time or a duration before now (e.g. 24h)' });
  return z.NEVER;
});

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** The longest /stats range: bounds the per-day queries of a cluster-wide range. */
export const MAX_STATS_DAYS = 92;

const Limit = wholeNumber(1, MAX_LIMIT).default(DEFAULT_LIMIT);
const NextToken = z.string().max(4096, 'at most 4096 characters').optional();

// ---------------------------------------------------------------------------------------------
// Route parameters (path and query merged; unknown query parameters are refused)

export const HistoryParams = z.strictObject({ cluster: Cluster, namespace: Namespace, name: PodName });
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
  minRestarts: wholeNumber(0, 1_000_000).default(0),
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

/** Parses a route's parameters; the first problem becomes a BadParameterError. */
export function parseParams<S extends z.ZodType>(
  schema: S,
  raw: Record<string, string | undefined>,
): z.infer<S> {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const r = schema.safeParse(defined);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    throw new BadParameterError(issue.keys[0], 'unknown parameter for this route');
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
  for (const [k, v] of Object.entries(fixed)) {
    if ((value as Record<string, string>)[k] !== v)
      throw bad('the token belongs to another query (cluster or route)');
  }
  return value as Record<string, string>;
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
  /** Every incarnation of the name, newest first. */
  pods: PodRecord[];
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
