/**
 * The query API's boundary: its route paths, the zod schemas of every route's parameters (a bad
 * one becomes a 400 naming the parameter and the reason), the opaque pagination token and the
 * shapes of the answers. Pure: shared by the query Lambda, the CDK construct that declares the
 * routes, the CLI that reads the answers and the OpenAPI test. No SDK, no CDK.
 */
import { z } from 'zod';
import { FIGURE_NAMES } from '../core/figures.ts';
import { PodPhase } from '../core/kube-schemas.ts';
import type { Distribution } from '../core/percentiles.ts';
import type { PodRecord } from '../core/pod-record.ts';
import {
  DISTRIBUTION_FIGURES,
  DURATION_FIGURES,
  type FigureValues,
  type GroupStats,
  type StatsPart,
} from '../core/stats.ts';
import { isRfc3339, parseDuration, toMillis } from '../core/time.ts';
import { CLOCK_SKEW_MS, EARLIEST_TIME_MS } from '../core/time-bounds.ts';
import type { TimelineEntry } from '../core/timeline.ts';
import { STARTUP_SLI_EXCLUSIONS } from '../core/waterfall.ts';
import type { ExportTraceServiceRequest } from './otlp.ts';
import { SilencesResponse } from './silences.ts';

/** Every route of the API (all GET). The CDK construct declares exactly these. */
export const ROUTE_PATHS = [
  '/clusters',
  '/pods/{cluster}/{namespace}/{name}',
  '/pods/by-uid/{cluster}/{uid}',
  '/pending',
  '/crashloops',
  '/stats',
  '/pods/by-uid/{cluster}/{uid}/trace',
  '/pods',
  '/silences',
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

/** A cluster name as the forwarder was given it (1–63 characters, no control characters, / or #). */
export const Cluster = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'at most 63 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
  .regex(/^[^\u0000-\u001f/]+$/, 'no control characters or /')
  // The ingest refuses a cluster with `#` (a separator of the table's keys: core/kube-schemas.ts).
  .regex(/^[^#]+$/, 'no # (no cluster has one: it separates the parts of podlife’s keys)');

/** A pod uid: the API server's, or podlife's `synthetic:NS/NAME@CREATED` stand-in. */
export const Uid = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'at most 256 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
  .regex(/^[^\u0000-\u001f]+$/, 'no control characters')
  // podlife's own sort keys start with `~` (`~events`); the ingest refuses such a uid.
  .regex(/^(?!~)/, 'must not start with ~ (no pod uid does)');

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
  /**
   * What one /stats request may spend before it answers the part of the range it read (a
   * mergeable state) with a token to go on: read units, wall-clock ms (a quarter of the
   * deadline), and figure values answered (bounds the answer's size: ~12 B each). Checked
   * between index pages (500 keys of byClusterDay, 100 of byNamespace with their
   * items); `concurrency` sub-ranges of the range are read at once.
   */
  statsBudget: { readUnits: 500, ms: 5_000, values: 60_000, concurrency: 4 },
  /** Items of one name's partition the history route reads (its incarnations, each up to 400 KB). */
  maxHistoryItems: 5_000,
  /** Bytes of one answer's JSON (Lambda allows 6 MB): a history page stops before it. */
  maxAnswerBytes: 1_000_000,
  /**
   * What one /pods request may spend before it answers what it found with a token to go on:
   * read units as DynamoDB reports them (~0.5 a pod item, ~0.02-0.05 an index key) and
   * wall-clock ms (a quarter of the deadline). Checked between chunks of at most 100 keys.
   */
  searchBudget: { readUnits: 500, ms: 5_000 },
  /** Characters of a /pods filter value (status, reasons, node). */
  maxFilterLength: 253,
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

/** GET /silences: every stored silence, or one cluster's (read-only; writes are the ops function's). */
export const SilencesParams = z.strictObject({ cluster: Cluster.optional() });

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
    groupBy: z.enum(['namespace', 'owner', 'node']).optional(),
    nextToken: NextToken,
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
  if (!issue) throw new BadParameterError('query', 'invalid');
  if (issue.code === 'unrecognized_keys') {
    throw new BadParameterError(nameOfParameter(issue.keys[0] ?? ''), 'unknown parameter for this route');
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
// Answers: the zod schemas of every route's body (200) and of the errors. The TS types are
// inferred from them; docs/openapi.yaml is generated from them (scripts/gen-openapi.ts); the
// CLI parses every answer with them and the integration tests parse the real handler's. Strict
// objects: a field the contract does not list is a mismatch, as a missing one is.

/** An RFC 3339 instant as the API writes it (`2026-11-02T08:03:05Z`, `…05.123Z`). */
const Instant = z.iso.datetime({ offset: true });
/** A count: a whole number, never negative. */
const Count = z.int().min(0);

/** The body of every answer that is not a 200: 400 (bad parameter), 404, 405, 500, 503. */
export const ErrorBody = z
  .strictObject({
    error: z.string(),
    parameter: z.string().exactOptional().describe('the parameter at fault (400)'),
    reason: z.string().exactOptional().describe('why (400), or the request id (500)'),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** API Gateway's own refusal (403 from the IAM authorizer): `{message}`. */
export const ForbiddenBody = z.strictObject({ message: z.string() }).meta({ id: 'Forbidden' });

export const ClusterEntry = z.strictObject({
  name: z.string(),
  lastSeenAt: Instant.nullable().describe('when the ingest last wrote for the cluster'),
});
export type ClusterEntry = z.infer<typeof ClusterEntry>;

export const ClustersResponse = z
  .strictObject({ clusters: z.array(ClusterEntry) })
  .meta({ id: 'ClustersResponse' });
export type ClustersResponse = z.infer<typeof ClustersResponse>;

/** The owner of a pod: its controller (a ReplicaSet's Deployment), or null for a bare pod. */
export const PodOwner = z.strictObject({ kind: z.string(), name: z.string() }).meta({ id: 'Owner' });
export type PodOwner = z.infer<typeof PodOwner>;

/** A duration figure's name: the ones statistics and histograms are drawn for. */
export type DurationFigure = (typeof DURATION_FIGURES)[number];

/** A pod phase: one of Kubernetes' five (typed `string`, as the engine's figures are). */
const Phase = z
  .string()
  .refine((s) => PodPhase.safeParse(s).success, `one of ${PodPhase.options.join(', ')}`)
  .meta({ enum: [...PodPhase.options] });

/** Timeline entry types (core/timeline.ts TimelineType, checked equal below). */
export const TIMELINE_TYPES = [
  'Created',
  'Unschedulable',
  'Scheduled',
  'Initialized',
  'ContainerWaiting',
  'ContainerStarted',
  'ContainerTerminated',
  'ContainerRestarted',
  'Running',
  'Ready',
  'Phase',
  'Event',
  'Finished',
  'Deleted',
  'Folded',
] as const;

export const TimelineEntrySchema = z
  .strictObject({
    at: Instant.nullable().describe(
      'null when Kubernetes gave no time (a deletion without deletionTimestamp)',
    ),
    type: z.enum(TIMELINE_TYPES),
    container: z.string().exactOptional(),
    init: z.boolean().exactOptional(),
    reason: z.string().exactOptional().describe('phase name, waiting/termination/event reason'),
    exitCode: z.int().exactOptional(),
    signal: z.int().exactOptional(),
    message: z.string().exactOptional(),
    count: z
      .int()
      .exactOptional()
      .describe(
        "restart ordinal (ContainerRestarted); occurrences (Event); runs folded, or an Event's highest count (Folded)",
      ),
  })
  .meta({ id: 'TimelineEntry' });

export const ContainerStartupSchema = z
  .strictObject({
    container: z.string(),
    role: z.enum(['app', 'init', 'sidecar']),
    image: z.string().nullable(),
    pullSeconds: z.number().nullable().describe('the pull itself (0: already present on the node)'),
    pullWaitSeconds: z.number().nullable().describe("time waiting in the kubelet's pull queue"),
    imageSizeBytes: z.number().nullable(),
    startedAfterSeconds: z.number().nullable().describe("creation → the container's first start"),
  })
  .meta({
    id: 'ContainerStartup',
    description: "One container's image pull (its first Pulled Event) and first start.",
  });

/** kubectl's READY as numbers: sortable and summable, where `1/2` would need parsing. */
export const ReadySchema = z
  .strictObject({
    ready: Count.describe('containers kubectl counts ready: app containers and native sidecars'),
    total: Count.describe(
      "the spec's app containers plus native sidecars (init containers with restartPolicy: Always)",
    ),
  })
  .meta({ id: 'Ready', description: "kubectl's READY column (`ready/total`)." });

export const PodRecordSchema = z
  .strictObject({
    cluster: z.string(),
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    owner: PodOwner.nullable(),
    node: z.string().nullable(),
    phase: Phase,
    scheduledAfterSeconds: z.number().nullable(),
    initSeconds: z.number().nullable(),
    pendingSeconds: z.number().nullable(),
    timeToReadySeconds: z.number().nullable(),
    restarts: Count,
    restartGapsSeconds: z.array(z.number()),
    crashLoopBackOffSeconds: z.number(),
    lastTerminationReason: z.string().nullable(),
    waitingReason: z.string().nullable(),
    unschedulableMessage: z.string().nullable(),
    schedulingGates: z
      .array(z.string())
      .nullable()
      .describe(
        'the gates holding the pod back while it is not scheduled and its PodScheduled=False condition says SchedulingGated; else null',
      ),
    statusReason: z.string().nullable(),
    status: z
      .string()
      .nullable()
      .describe(
        "kubectl's STATUS for the pod's latest state (Init:0/2, Init:CrashLoopBackOff, CrashLoopBackOff, Completed, Terminating, SchedulingGated, ...); null for a pod stored before it was kept",
      ),
    kubectlRestarts: z.int().nullable().describe("kubectl's RESTARTS for the latest state; null likewise"),
    kubectlLastRestartAt: z
      .string()
      .nullable()
      .describe(
        'what kubectl\'s RESTARTS "(5m ago)" counts from in the latest state: the latest lastState.terminated.finishedAt of the containers it counts; null when none, or for a pod stored before it was kept',
      ),
    ready: ReadySchema.nullable().describe(
      "kubectl's READY for the pod's latest state (`1/2` is {ready: 1, total: 2}); null for a pod stored or forwarded before it was kept",
    ),
    deleted: z.boolean(),
    deletedBy: z
      .enum(['kubernetes', 'inventory'])
      .nullable()
      .describe(
        "who said the pod is gone: kubernetes (a DELETED event or a deletionTimestamp) or inventory (absent from a forwarder's complete list after a gap: deleted no later than the list); null while not deleted",
      ),
    stuckPending: z.boolean(),
    sandboxReadyAfterSeconds: z
      .number()
      .nullable()
      .describe('startup waterfall: creation → PodReadyToStartContainers=True (sandbox and network ready)'),
    initializedAfterSeconds: z.number().nullable().describe('creation → Initialized=True'),
    imagePullSeconds: z
      .number()
      .nullable()
      .describe(
        "every container's image pull summed (kubelet's Pulled Events); null unless every one is known",
      ),
    containersStartedAfterSeconds: z.number().nullable().describe('creation → every app container started'),
    containersReadyAfterSeconds: z.number().nullable().describe('creation → ContainersReady=True'),
    containerStartups: z.array(ContainerStartupSchema),
    startupSliSeconds: z
      .number()
      .nullable()
      .describe(
        'the Kubernetes pod startup SLI (SIG Scalability): creation → all containers started, minus image pulls; null when excluded or unknown',
      ),
    startupSliExcludedReason: z
      .enum(STARTUP_SLI_EXCLUSIONS)
      .nullable()
      .describe('why startupSliSeconds is null; null when it has a value'),
    timeline: z.array(TimelineEntrySchema),
  })
  .meta({
    id: 'PodRecord',
    description: "A pod incarnation's figures (docs/lifecycle-metrics.md) and timeline.",
  });

export const HistoryResponse = z
  .strictObject({
    cluster: z.string(),
    namespace: z.string(),
    name: z.string(),
    pods: z
      .array(PodRecordSchema)
      .describe('the incarnations of the name, newest first: one page (`limit`, and at most 1 MB of JSON)'),
    nextToken: z.string().exactOptional().describe('present while older incarnations follow'),
  })
  .meta({ id: 'HistoryResponse' });
export type HistoryResponse = z.infer<typeof HistoryResponse>;

export const PodResponse = z.strictObject({ pod: PodRecordSchema }).meta({ id: 'PodResponse' });
export type PodResponse = z.infer<typeof PodResponse>;

/** What every row of a pod list carries: identity, owner, node, phase and age. */
const PodRowBase = z.strictObject({
  cluster: z.string(),
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  owner: PodOwner.nullable(),
  node: z.string().nullable(),
  phase: z.string(),
  createdAt: Instant.nullable().describe(
    'the creationTimestamp, or (the pod has none) the first time its facts show, standing in: see createdAtSource',
  ),
  // Always sent; optional so that a CLI reads the answers of an API deployed before it.
  createdAtSource: z
    .enum(['creationTimestamp', 'firstSeen'])
    .nullable()
    .optional()
    .describe('where createdAt comes from; null when the pod has no time at all (absent: an older API)'),
  ageSeconds: z.number().min(0).nullable().describe('now − createdAt; null when the pod has no time at all'),
});
export type PodRowBase = z.infer<typeof PodRowBase>;

/** A pod Pending now (in the pending index), as the /pending route and the sweep see it. */
export const PendingPod = PodRowBase.extend({
  ready: ReadySchema.nullable()
    .optional()
    .describe("kubectl's READY; null for a pod stored before it was kept (absent: an older API)"),
  waitingReason: z
    .string()
    .nullable()
    .meta({ examples: ['ContainerCreating', 'ImagePullBackOff'] }),
  unschedulableMessage: z.string().nullable().describe("the scheduler's message"),
  schedulingGates: z
    .array(z.string())
    .exactOptional()
    .describe(
      "present while the pod is held by scheduling gates (PodScheduled=False, reason SchedulingGated): the gates' names",
    ),
  statusReason: z.string().nullable(),
  thresholdSeconds: z.number().describe("the stuck-Pending threshold of the pod's namespace"),
  stuck: z.boolean().describe("Pending longer than its namespace's threshold: ageSeconds > thresholdSeconds"),
}).meta({ id: 'PendingPod' });
export type PendingPod = z.infer<typeof PendingPod>;

/**
 * How fresh a cluster's data is (the forwarder's heartbeat): every answer about "now" carries
 * both. Optional in the schema only so that a client still reads an API deployed before them.
 */
const DataAsOf = Instant.nullable()
  .exactOptional()
  .describe(
    "the cluster's last forwarder heartbeat; null when none was recorded (an older forwarder, the event exporter)",
  );
const Stale = z
  .boolean()
  .exactOptional()
  .describe('the last heartbeat is older than the threshold (default 300 s): the data may be frozen');

export const PendingResponse = z
  .strictObject({
    cluster: z.string(),
    now: Instant,
    olderThanSeconds: z.number(),
    dataAsOf: DataAsOf,
    stale: Stale,
    pods: z.array(PendingPod),
    nextToken: z.string().exactOptional().describe('present when more pages follow'),
  })
  .meta({ id: 'PendingResponse' });
export type PendingResponse = z.infer<typeof PendingResponse>;

/** A pod crash-looping now (its latest state is CrashLoopBackOff). */
export const CrashLoopingPod = PodRowBase.extend({
  ready: ReadySchema.nullable()
    .optional()
    .describe("kubectl's READY; null for a pod stored before it was kept (absent: an older API)"),
  restarts: Count,
  restartsInWindow: Count.describe('restarts that started within the window before now'),
  lastRestartAt: Instant.nullable(),
  kubectlRestarts: Count.nullable()
    .optional()
    .describe(
      "kubectl's RESTARTS number (the pod figure kubectlRestarts: a finished init container's restarts drop out); null for a pod stored before it was kept (absent: an older API)",
    ),
  kubectlLastRestartAt: Instant.nullable()
    .optional()
    .describe(
      'what kubectl\'s RESTARTS "(5m ago)" counts from (the pod figure kubectlLastRestartAt); null for a pod stored before it was kept (absent: an older API)',
    ),
  lastTerminationReason: z
    .string()
    .nullable()
    .meta({ examples: ['OOMKilled', 'Error'] }),
  lastExitCode: z
    .int()
    .nullable()
    .meta({ examples: [137, 1] }),
  crashLoopBackOffSeconds: z
    .number()
    .describe(
      'the back-offs between the runs seen, closed ones only (the figure of docs/lifecycle-metrics.md)',
    ),
  backOffOpenSince: Instant.nullable().describe(
    'when the open back-off began: the last termination of the container waiting in CrashLoopBackOff; null when unknown',
  ),
  openBackOffSeconds: z
    .number()
    .min(0)
    .nullable()
    .describe(
      'the open back-off: now − backOffOpenSince, counting up while the pod waits; null when unknown',
    ),
  waitingReason: z.string().nullable(),
}).meta({ id: 'CrashLoopingPod' });
export type CrashLoopingPod = z.infer<typeof CrashLoopingPod>;

export const CrashLoopsResponse = z
  .strictObject({
    cluster: z.string(),
    now: Instant,
    windowSeconds: z.number(),
    minRestarts: Count,
    dataAsOf: DataAsOf,
    stale: Stale,
    pods: z.array(CrashLoopingPod),
    nextToken: z.string().exactOptional().describe('present when more pages follow'),
  })
  .meta({ id: 'CrashLoopsResponse' });
export type CrashLoopsResponse = z.infer<typeof CrashLoopsResponse>;

export const DistributionSchema = z
  .strictObject({
    count: Count,
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
  })
  .meta({ id: 'Distribution', description: 'Nearest-rank percentiles over the pods that have the figure.' });

export const GroupStatsSchema = z
  .strictObject({
    pods: Count,
    scheduledAfterSeconds: DistributionSchema,
    pendingSeconds: DistributionSchema,
    timeToReadySeconds: DistributionSchema,
    crashLoopBackOffSeconds: DistributionSchema,
    restarts: Count,
    terminationsByReason: z.record(z.string(), Count).describe('pods per last termination reason'),
    sandboxReadyAfterSeconds: DistributionSchema,
    initializedAfterSeconds: DistributionSchema,
    imagePullSeconds: DistributionSchema,
    containersStartedAfterSeconds: DistributionSchema,
    containersReadyAfterSeconds: DistributionSchema,
    startupSliSeconds: DistributionSchema,
    startupSlo: z
      .strictObject({
        objectiveSeconds: z.number(),
        met: z
          .boolean()
          .nullable()
          .describe('p99 of startupSliSeconds ≤ objectiveSeconds; null when no pod has the SLI'),
      })
      .describe('the pod startup SLO (SIG Scalability): p99 of the SLI ≤ 5 s per cluster-day'),
  })
  .meta({ id: 'GroupStats' });

export const FigureValuesSchema = z
  .strictObject(
    Object.fromEntries(DURATION_FIGURES.map((f) => [f, z.array(z.number())])) as Record<
      DurationFigure,
      z.ZodArray<z.ZodNumber>
    >,
  )
  .describe(
    "The group's per-pod duration figures, ascending, pods without the figure left out: what the dashboard draws its histograms from.",
  );

const ValueCountsSchema = z
  .array(z.tuple([z.number(), z.int().min(1)]))
  .describe('[value, how many pods have it], ascending by value');

export const StatsStateSchema = z
  .strictObject({
    pods: Count,
    restarts: Count,
    terminationsByReason: z.record(z.string(), Count),
    figures: z.strictObject(
      Object.fromEntries(DISTRIBUTION_FIGURES.map((f) => [f, ValueCountsSchema])) as Record<
        (typeof DISTRIBUTION_FIGURES)[number],
        typeof ValueCountsSchema
      >,
    ),
  })
  .meta({
    id: 'StatsState',
    description:
      "A part of a range's pods, exactly and mergeably (core/stats.ts StatsState): their count, restarts, terminations per reason and every figure value with its count; the states of a pass's pages add up to the range's.",
  });

export const StatsPartSchema = z
  .strictObject({
    key: z.string().nullable().describe('the group (null: pods of no group, or no groupBy)'),
    state: StatsStateSchema,
  })
  .meta({ id: 'StatsPart' });

export const StatsResponse = z
  .strictObject({
    cluster: z.string(),
    namespace: z.string().exactOptional(),
    owner: z.string().exactOptional(),
    since: Instant.describe('the creation-time range the pods were chosen by: [since, until)'),
    until: Instant,
    dataAsOf: DataAsOf,
    stale: Stale,
    stats: GroupStatsSchema,
    groupBy: z.enum(['namespace', 'owner', 'node']).exactOptional(),
    groups: z
      .array(z.strictObject({ key: z.string(), stats: GroupStatsSchema, values: FigureValuesSchema }))
      .exactOptional()
      .describe('per group (groupBy), sorted by key; absent on the pages of a pass (mergePages): see parts'),
    mergePages: z
      .boolean()
      .exactOptional()
      .describe(
        "true: this answer is one page of a pass over a range larger than one request reads; its `stats` are its own pods only: merge every page's `parts` (core/stats.ts statsOfParts) for the range's statistics and groups",
      ),
    parts: z
      .array(StatsPartSchema)
      .exactOptional()
      .describe("the page's pods per group as mergeable states (present when mergePages)"),
    progress: z
      .strictObject({
        pods: Count.describe('pods read by this and every earlier page of the pass'),
        rangeRead: z
          .number()
          .min(0)
          .max(1)
          .describe('the share of [since, until) read so far (by creation time)'),
        done: z.boolean().describe('the whole range is read: no page follows'),
      })
      .exactOptional(),
    capped: z
      .strictObject({
        reason: z.string(),
        stoppedBy: z
          .enum(['readUnits', 'time', 'values'])
          .describe('which budget of QUERY_BOUNDS.statsBudget stopped the read'),
      })
      .exactOptional()
      .describe(
        "present when one request's budget stopped the read before the end of the range: nextToken goes on",
      ),
    nextToken: z.string().exactOptional().describe('present when more pages of the pass follow'),
  })
  .meta({ id: 'StatsResponse' });
export type StatsResponse = z.infer<typeof StatsResponse>;

// The OTLP/JSON ExportTraceServiceRequest of /pods/by-uid/{cluster}/{uid}/trace (model/otlp.ts):
// opentelemetry-proto's JSON encoding, the subset podlife writes.
const OtlpAnyValue = z
  .strictObject({
    stringValue: z.string().exactOptional(),
    boolValue: z.boolean().exactOptional(),
    intValue: z.string().exactOptional().describe('int64, as a decimal string'),
    doubleValue: z.number().exactOptional(),
  })
  .meta({ id: 'OtlpAnyValue', description: 'one of the fields is set' });
const OtlpKeyValue = z.strictObject({ key: z.string(), value: OtlpAnyValue }).meta({ id: 'OtlpKeyValue' });
const OtlpSpanSchema = z
  .strictObject({
    traceId: z.string().describe('16 bytes, hex: a hash of the cluster and the pod uid'),
    spanId: z
      .string()
      .describe("8 bytes, hex: a hash of the trace id and the span's place in the pod's life"),
    parentSpanId: z.string().exactOptional(),
    name: z.string(),
    kind: z.literal(1).describe('SPAN_KIND_INTERNAL'),
    startTimeUnixNano: z.string().describe('Unix nanoseconds, as a decimal string'),
    endTimeUnixNano: z.string(),
    attributes: z.array(OtlpKeyValue),
    events: z.array(
      z.strictObject({ timeUnixNano: z.string(), name: z.string(), attributes: z.array(OtlpKeyValue) }),
    ),
    status: z.strictObject({
      code: z.union([z.literal(0), z.literal(1), z.literal(2)]).describe('0 unset, 1 ok, 2 error'),
      message: z.string().exactOptional(),
    }),
  })
  .meta({ id: 'OtlpSpan' });
export const TraceResponse = z
  .strictObject({
    resourceSpans: z.array(
      z.strictObject({
        resource: z.strictObject({ attributes: z.array(OtlpKeyValue) }),
        scopeSpans: z.array(
          z.strictObject({ scope: z.strictObject({ name: z.string() }), spans: z.array(OtlpSpanSchema) }),
        ),
      }),
    ),
  })
  .meta({
    id: 'TraceResponse',
    description:
      "A pod incarnation's life as an OpenTelemetry trace: an OTLP/JSON ExportTraceServiceRequest, to POST as it is to a collector's /v1/traces (docs/query-api.md).",
  });
export type TraceResponse = z.infer<typeof TraceResponse>;
// ---------------------------------------------------------------------------------------------
// /pods: find pods by what happened to them

/** The unwrapped zod type name of a schema (`nullable` and `optional` looked through). */
function baseTypeOf(schema: z.core.$ZodType): string {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType };
  return (def.type === 'nullable' || def.type === 'optional') && def.innerType
    ? baseTypeOf(def.innerType)
    : def.type;
}

/**
 * The figures /pods can sort and filter by: every figure (FIGURE_NAMES) whose contract type
 * (PodRecordSchema, kept equal to the engine's Figures by the compile-time check below) is a
 * number, or a number or null. Derived, so a numeric figure added to both becomes sortable and
 * `min.<figure>` with no change here.
 */
export const NUMERIC_FIGURES: readonly NumericFigure[] = FIGURE_NAMES.filter((f) => {
  const field = (PodRecordSchema.shape as Record<string, z.core.$ZodType | undefined>)[f];
  return field !== undefined && baseTypeOf(field) === 'number';
}) as NumericFigure[];
/** A figure whose value is a number (or null): `restarts`, `timeToReadySeconds`, ... */
export type NumericFigure = {
  [K in (typeof FIGURE_NAMES)[number]]: PodRecord[K] extends number | null ? K : never;
}[(typeof FIGURE_NAMES)[number]];

/** What /pods sorts by: creation (`created`, the default) or any numeric figure. */
export const SORT_KEYS = ['created', ...NUMERIC_FIGURES] as const;
export type SortKey = 'created' | NumericFigure;

/** A figure's minimum, `min.<figure>=N`: a finite number, at most 16 characters. */
const FigureMinimum = z
  .string()
  .max(16, 'at most 16 characters')
  .regex(/^-?\d+(\.\d+)?$/, 'a number, e.g. 60 or 0.5')
  .transform(Number);

/** An exact-match filter value (a node name, a kubectl STATUS, a reason). */
const FilterValue = z
  .string()
  .min(1, 'must not be empty')
  .max(B.maxFilterLength, `at most ${B.maxFilterLength} characters`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
  .regex(/^[^\u0000-\u001f]+$/, 'no control characters');

export const PodsParams = z
  .strictObject({
    cluster: Cluster,
    since: timeParam.default({ ago: 86_400 }),
    until: timeParam.optional(),
    namespace: Namespace.optional(),
    owner: Owner.optional(),
    node: FilterValue.optional(),
    phase: PodPhase.optional(),
    status: FilterValue.optional(),
    terminationReason: FilterValue.optional(),
    waitingReason: FilterValue.optional(),
    ...(Object.fromEntries(NUMERIC_FIGURES.map((f) => [`min.${f}`, FigureMinimum.optional()])) as Record<
      `min.${NumericFigure}`,
      z.ZodOptional<typeof FigureMinimum>
    >),
    sortBy: z
      .enum(SORT_KEYS as unknown as [SortKey, ...SortKey[]])
      .default('created')
      .describe('`created` or a numeric figure'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: Limit,
    nextToken: NextToken,
  })
  .superRefine((p, ctx) => {
    if (p.owner && !p.namespace) {
      ctx.addIssue({ code: 'custom', path: ['owner'], message: 'needs namespace: owners are namespaced' });
    }
  });
export type PodsParams = z.infer<typeof PodsParams>;

/** One pod found by /pods: what kubectl's table shows, plus every numeric figure. */
export const FoundPod = PodRowBase.extend({
  status: z.string().nullable().describe("kubectl's STATUS for the latest state"),
  ready: ReadySchema.nullable().describe("kubectl's READY for the latest state; null when not kept"),
  restarts: Count.describe("kubectl's RESTARTS (every container, init included)"),
  waitingReason: z.string().nullable(),
  lastTerminationReason: z.string().nullable(),
  deleted: z.boolean(),
  figures: z
    .strictObject(
      Object.fromEntries(NUMERIC_FIGURES.map((f) => [f, z.number().nullable()])) as Record<
        NumericFigure,
        z.ZodNullable<z.ZodNumber>
      >,
    )
    .describe('every numeric figure of the pod (docs/lifecycle-metrics.md); null where it has none'),
}).meta({ id: 'FoundPod' });
export type FoundPod = z.infer<typeof FoundPod>;

export const PodsResponse = z
  .strictObject({
    cluster: z.string(),
    now: Instant,
    since: Instant.describe('the creation-time range the pods were chosen by: [since, until)'),
    until: Instant,
    sortBy: z.string(),
    order: z.enum(['asc', 'desc']),
    pods: z.array(FoundPod),
    examined: Count.describe(
      'pods of the range this request examined (its index keys; their items only where the index did not rule them out)',
    ),
    capped: z
      .strictObject({
        reason: z.string(),
        stoppedBy: z
          .enum(['readUnits', 'time'])
          .describe('which budget stopped the read: QUERY_BOUNDS.searchBudget.readUnits or .ms'),
        readUpTo: Instant.nullable().describe(
          'the creation time the read reached: the pods of the range up to it were searched',
        ),
      })
      .exactOptional()
      .describe(
        'present when the budget of one request (QUERY_BOUNDS.searchBudget) stopped the read before the end of the range: nextToken goes on from readUpTo',
      ),
    progress: z
      .strictObject({
        examined: Count.describe(
          'pods examined by this and every earlier page of the query (the exact pages of a figure sort read the range again each)',
        ),
        matched: Count.describe('pods that matched every filter, over the same pages'),
        rangeRead: z
          .number()
          .min(0)
          .max(1)
          .describe('the share of [since, until) read so far (by creation time; 1 when done)'),
        done: z.boolean().describe('the query is finished: the whole range read and no page follows'),
      })
      .describe('how far the query has gone, over all its pages up to this one'),
    mergePages: z
      .boolean()
      .describe(
        "sorted by a figure over a range larger than one request reads: this page holds the pods of the part read that can still be among the first `limit` (after the token's position); merge the pages up to the one without nextToken, sort, keep `limit` (docs/query-api.md). false: pages follow each other in order",
      ),
    nextToken: z.string().exactOptional().describe('present while more pods (or more of the range) follow'),
  })
  .meta({ id: 'PodsResponse' });
export type PodsResponse = z.infer<typeof PodsResponse>;

/** Each route's parameters (path and query), for the OpenAPI generator and its test. */
export const ROUTE_PARAMS: Record<RoutePath, z.ZodObject> = {
  '/clusters': ClustersParams,
  '/pods/{cluster}/{namespace}/{name}': HistoryParams,
  '/pods/by-uid/{cluster}/{uid}': ByUidParams,
  '/pending': PendingParams,
  '/crashloops': CrashLoopsParams,
  '/stats': StatsParams,
  '/pods/by-uid/{cluster}/{uid}/trace': ByUidParams,
  '/pods': PodsParams,
  '/silences': SilencesParams,
};

/** Each route's 200 answer: the handler's body, parsed by the CLI and the tests. */
export const ROUTE_RESPONSES = {
  '/clusters': ClustersResponse,
  '/pods/{cluster}/{namespace}/{name}': HistoryResponse,
  '/pods/by-uid/{cluster}/{uid}': PodResponse,
  '/pending': PendingResponse,
  '/crashloops': CrashLoopsResponse,
  '/stats': StatsResponse,
  '/pods/by-uid/{cluster}/{uid}/trace': TraceResponse,
  '/pods': PodsResponse,
  '/silences': SilencesResponse,
} as const satisfies Record<RoutePath, z.ZodType>;

export type TimelineEntryBody = z.infer<typeof TimelineEntrySchema>;
export type PodRecordBody = z.infer<typeof PodRecordSchema>;
export type DistributionBody = z.infer<typeof DistributionSchema>;
export type GroupStatsBody = z.infer<typeof GroupStatsSchema>;

// ---------------------------------------------------------------------------------------------
// The engine's types and the contract's are one: each fits the other (a compile error otherwise).

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <_ extends true>() => undefined;
same<Same<z.infer<typeof PodRecordSchema>, PodRecord>>();
same<Same<z.infer<typeof TraceResponse>, ExportTraceServiceRequest>>();
same<Same<z.infer<typeof TimelineEntrySchema>, TimelineEntry>>();
same<Same<z.infer<typeof GroupStatsSchema>, GroupStats>>();
same<Same<z.infer<typeof DistributionSchema>, Distribution>>();
same<Same<z.infer<typeof FigureValuesSchema>, FigureValues>>();
same<Same<z.infer<typeof StatsPartSchema>, StatsPart>>();
