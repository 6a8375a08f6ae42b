/**
 * The time bounds of every contract, in one place: each time a contract carries must be a valid
 * instant no earlier than 2014-06-01 (Kubernetes' first commit) and no later than the time it is
 * received plus a clock-skew allowance of 24 h. A time outside would be a figure decades long or
 * a "now" moved to the year 9999, and one past what a JS Date holds would make every figure of
 * the pod throw: such an input is invalid, with the field named, never stored.
 *
 * Why a second pass and not zod: the upper bound depends on when the input is received, and
 * zod schemas are static (and generate the JSON Schemas). So each contract lists where its times
 * are (`TIME_PATHS`), and `checkTimes(value, paths, now)` returns the first offending field, or
 * null. The decoder (replay, local mode) and the bus contract (the ingest) call it right after a
 * schema succeeds; nothing downstream ever sees an unchecked time.
 */

/** The earliest time any contract accepts (Kubernetes' first commit was on 2014-06-06). */
export const EARLIEST_TIME_MS = Date.UTC(2014, 5, 1);
/** How far past its receive time an input's clock may run (node and API-server clock skew). */
export const CLOCK_SKEW_MS = 24 * 3600 * 1000;
/**
 * Kubernetes' "no time" values: Go's zero time (year 1) and the Unix epoch (the kubelet writes
 * `1970-01-01T00:00:00Z` on a StartError). Text times before this are read as absent, as
 * core/time.ts does, not rejected.
 */
const ZERO_TIME_BEFORE_MS = Date.UTC(1970, 0, 2);

/** Where each contract keeps its times: dotted paths, `[]` for every array item, `*` for every value of a record. */
export const TIME_PATHS = {
  /** A raw Kubernetes Pod (a watch line's `object`, a List item, a single Pod). */
  kubePod: [
    'metadata.creationTimestamp',
    'metadata.deletionTimestamp',
    'status.conditions[].lastTransitionTime',
    ...['initContainerStatuses', 'containerStatuses'].flatMap((list) =>
      ['state', 'lastState'].flatMap((s) => [
        `status.${list}[].${s}.running.startedAt`,
        `status.${list}[].${s}.terminated.startedAt`,
        `status.${list}[].${s}.terminated.finishedAt`,
      ]),
    ),
  ],
  /** A raw core/v1 Event. */
  kubeEvent: ['firstTimestamp', 'lastTimestamp', 'eventTime', 'series.lastObservedTime'],
  /** The `Pod Snapshot` detail. */
  podSnapshot: [
    'observedAt',
    'pod.creationTimestamp',
    'pod.deletionTimestamp',
    'pod.conditions[].lastTransitionTime',
    ...['initContainerStatuses', 'containerStatuses'].flatMap((list) =>
      ['state', 'lastState'].flatMap((s) => [
        `pod.${list}[].${s}.running.startedAt`,
        `pod.${list}[].${s}.terminated.startedAt`,
        `pod.${list}[].${s}.terminated.finishedAt`,
      ]),
    ),
  ],
  /** The `Pod Event` detail. */
  podEvent: ['observedAt', 'event.firstTimestamp', 'event.lastTimestamp'],
  /** kubernetes-event-exporter's `Kubernetes Event` detail. */
  exporterEvent: ['firstTimestamp', 'lastTimestamp'],
  /** The `facts` of a `Pod Facts` detail: seconds after `t0`. */
  wireFacts: [
    'pod.created',
    'marks.*',
    'phases.*',
    'containers[].runs[].start',
    'containers[].runs[].end',
    'containers[].waiting[].t',
    'latest.t',
    'latest.lastRestart',
    'status.t',
    'unschedulable.t',
    'unschedulable.at',
    'events[].first',
    'events[].last',
  ],
} as const satisfies Record<string, readonly string[]>;

/** Why epoch ms `ms` is out of range for an input received at `now`, or null when it is fine. */
function timeRangeProblem(ms: number, now: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'not a representable time';
  if (ms < EARLIEST_TIME_MS) return `${new Date(ms).toISOString()} is before 2014-06-01`;
  if (ms > now + CLOCK_SKEW_MS)
    return `${new Date(ms).toISOString()} is more than 24 h after it was received (${new Date(now).toISOString()})`;
  return null;
}

/** A text time (or a YAML loader's Date) → its problem, or null; Kubernetes' zero times pass as absent. */
function textTimeProblem(value: unknown, now: number): string | null {
  if (value == null || value === '') return null;
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) return typeof value === 'string' ? 'not a time' : null;
  if (ms < ZERO_TIME_BEFORE_MS) return null;
  return timeRangeProblem(ms, now);
}

type Visit = (value: unknown, path: string) => string | null;

function walk(value: unknown, segments: readonly string[], path: string, visit: Visit): string | null {
  if (segments.length === 0) return visit(value, path);
  if (value == null || typeof value !== 'object') return null;
  const [head = '', ...rest] = segments;
  const here = (p: string) => (path ? `${path}.${p}` : p);
  if (head === '*') {
    for (const [k, v] of Object.entries(value)) {
      const r = walk(v, rest, here(k), visit);
      if (r) return r;
    }
    return null;
  }
  const list = head.endsWith('[]');
  const key = list ? head.slice(0, -2) : head;
  const child = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  if (!list) return walk(child, rest, here(key), visit);
  if (!Array.isArray(child)) return null;
  for (let i = 0; i < child.length; i++) {
    const r = walk(child[i], rest, `${here(key)}[${i}]`, visit);
    if (r) return r;
  }
  return null;
}

function firstProblem(value: unknown, paths: readonly string[], visit: Visit): string | null {
  for (const p of paths) {
    const r = walk(value, p.split('.'), '', visit);
    if (r) return r;
  }
  return null;
}

/**
 * The first text time at `paths` of `value` that is out of range for an input received at
 * `now` (epoch ms), as `path: reason`; null when every time is in range. Pure and total.
 */
export function checkTimes(value: unknown, paths: readonly string[], now: number): string | null {
  return firstProblem(value, paths, (v, path) => {
    const r = textTimeProblem(v, now);
    return r ? `${path}: ${r}` : null;
  });
}

/**
 * The same for a `Pod Facts` detail: `t0` (epoch seconds) and every time of its facts (seconds
 * after t0, resolved as the decoder does: t0·1000 + round(s·1000) ms).
 */
export function checkFactTimes(t0: number, facts: unknown, now: number): string | null {
  if (!Number.isFinite(t0) || t0 * 1000 > now + CLOCK_SKEW_MS)
    return `t0: ${timeRangeProblem(t0 * 1000, now) ?? 'out of range'}`;
  return firstProblem(facts, TIME_PATHS.wireFacts, (v, path) => {
    if (typeof v !== 'number') return null;
    const r = timeRangeProblem(t0 * 1000 + Math.round(v * 1000), now);
    return r ? `facts.${path}: ${r}` : null;
  });
}

/**
 * A copy of `value` with every text time at `paths` that `checkTimes` would refuse set to null,
 * and the `path: reason` of each. For a sender that must not lose a whole object to one absurd
 * time (the forwarder: a status patched with a year-9999 condition would otherwise get the pod's
 * delta, and with it its other facts, parked at the ingest): the time becomes unknown, as
 * Kubernetes' zero times are, and the rest still counts. `value` itself is never changed.
 */
export function withoutBadTimes<T>(
  value: T,
  paths: readonly string[],
  now: number,
): { value: T; dropped: string[] } {
  const dropped: string[] = [];
  let out = value;
  for (const p of paths) {
    const segments = p.split('.');
    const visit = (parent: Record<string, unknown>, key: string, path: string) => {
      const r = textTimeProblem(parent[key], now);
      if (!r) return;
      if (out === value) out = structuredClone(value);
      dropped.push(`${path}: ${r}`);
      // Set on the copy: the same path walked in `out`.
      setAt(out, path, null);
    };
    eachLeaf(value, segments, '', visit);
  }
  return { value: out, dropped };
}

function eachLeaf(
  value: unknown,
  segments: readonly string[],
  path: string,
  visit: (parent: Record<string, unknown>, key: string, path: string) => void,
): void {
  if (value == null || typeof value !== 'object') return;
  const [head = '', ...rest] = segments;
  const here = (p: string) => (path ? `${path}.${p}` : p);
  if (head === '*') {
    for (const k of Object.keys(value)) {
      if (rest.length === 0) visit(value as Record<string, unknown>, k, here(k));
      else eachLeaf((value as Record<string, unknown>)[k], rest, here(k), visit);
    }
    return;
  }
  const list = head.endsWith('[]');
  const key = list ? head.slice(0, -2) : head;
  if (!Object.hasOwn(value, key)) return;
  const child = (value as Record<string, unknown>)[key];
  if (!list) {
    if (rest.length === 0) visit(value as Record<string, unknown>, key, here(key));
    else eachLeaf(child, rest, here(key), visit);
    return;
  }
  if (!Array.isArray(child)) return;
  for (let i = 0; i < child.length; i++) eachLeaf(child[i], rest, `${here(key)}[${i}]`, visit);
}

/** Sets the value at a path as `eachLeaf` names it (`a.b[2].c`), in place. */
function setAt(root: unknown, path: string, v: unknown): void {
  const parts = path.split('.').flatMap((s) => {
    const m = /^(.*)\[(\d+)\]$/.exec(s);
    return m ? [m[1] ?? '', Number(m[2])] : [s];
  });
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < parts.length - 1; i++)
    node = node[parts[i] as string | number] as Record<string | number, unknown>;
  node[parts[parts.length - 1] as string | number] = v;
}
