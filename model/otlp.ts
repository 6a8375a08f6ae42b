/**
 * A pod's life as an OpenTelemetry trace: a pod record (figures and timeline, core/pod-record.ts)
 * → an OTLP/JSON `ExportTraceServiceRequest` (opentelemetry-proto's JSON encoding: camelCase
 * fields, ids in hex, times as decimal strings of Unix nanoseconds, enums as numbers), ready to
 * POST to any collector's `/v1/traces` (Jaeger, Grafana Tempo, the ADOT collector for X-Ray).
 *
 * One trace per incarnation: its trace id is a hash of the cluster and the pod uid, and each
 * span id a hash of the trace id and the span's place in the pod's life (its kind, container
 * and start time), so exporting the same pod again, with more of its story, gives the same ids
 * to the spans it had. Every time comes from the record's own timestamps; `now` only ends the
 * spans still open (a pod still Pending, a run still running, a back-off not over yet).
 *
 * Attribute names are the OpenTelemetry semantic conventions for Kubernetes where one exists
 * (k8s.*, container.image.name, service.name); podlife's own figures are `podlife.*`.
 */
import { createHash } from 'node:crypto';
import {
  ATTR_CONTAINER_IMAGE_NAME,
  ATTR_K8S_CLUSTER_NAME,
  ATTR_K8S_CONTAINER_NAME,
  ATTR_K8S_CONTAINER_RESTART_COUNT,
  ATTR_K8S_CRONJOB_NAME,
  ATTR_K8S_DAEMONSET_NAME,
  ATTR_K8S_DEPLOYMENT_NAME,
  ATTR_K8S_JOB_NAME,
  ATTR_K8S_NAMESPACE_NAME,
  ATTR_K8S_NODE_NAME,
  ATTR_K8S_POD_NAME,
  ATTR_K8S_POD_STATUS_PHASE,
  ATTR_K8S_POD_STATUS_REASON,
  ATTR_K8S_POD_UID,
  ATTR_K8S_REPLICASET_NAME,
  ATTR_K8S_STATEFULSET_NAME,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions/incubating';
import type { PodRecord } from '../core/pod-record.ts';
import type { TimelineEntry } from '../core/timeline.ts';

// ---------------------------------------------------------------------------------------------
// The OTLP/JSON shapes (opentelemetry-proto trace/v1, common/v1; the subset podlife writes)

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64: a decimal string, as the proto3 JSON mapping writes 64-bit integers. */
  intValue?: string;
  doubleValue?: number;
}
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}
export interface OtlpStatus {
  /** STATUS_CODE_UNSET 0, STATUS_CODE_OK 1, STATUS_CODE_ERROR 2. */
  code: 0 | 1 | 2;
  message?: string;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** SPAN_KIND_INTERNAL: a pod's phases are neither requests nor messages. */
  kind: 1;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  status: OtlpStatus;
}
export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
}
export interface ExportTraceServiceRequest {
  resourceSpans: OtlpResourceSpans[];
}

export const STATUS_UNSET = 0;
export const STATUS_ERROR = 2;
export const SPAN_KIND_INTERNAL = 1;
/** The instrumentation scope of every span podlife writes. */
export const OTLP_SCOPE = 'podlife';

/** podlife's own attributes (no semantic convention names these). */
export const PODLIFE_ATTR = {
  open: 'podlife.open',
  reason: 'podlife.reason',
  message: 'podlife.message',
  count: 'podlife.count',
  exitCode: 'podlife.exit_code',
  signal: 'podlife.signal',
  init: 'podlife.container.init',
  startUnknown: 'podlife.start_unknown',
  endUnknown: 'podlife.end_unknown',
  restarts: 'podlife.restarts',
  crashLoopBackOffSeconds: 'podlife.crash_loop_back_off_seconds',
  lastTerminationReason: 'podlife.last_termination_reason',
  createdAtSource: 'podlife.created_at_source',
} as const;

// ---------------------------------------------------------------------------------------------
// Ids and values

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A nonzero hex id of `hexChars` characters (all zeros is invalid in OTLP). */
function idOf(seed: string, hexChars: number): string {
  const id = sha256(seed).slice(0, hexChars);
  return /^0+$/.test(id) ? `${id.slice(0, -1)}1` : id;
}

/** The trace id of a pod incarnation: 16 bytes, hex. */
export const traceIdOf = (cluster: string, uid: string) => idOf(`podlife/${cluster}/${uid}`, 32);
/** The span id of a span of the trace: 8 bytes, hex. */
export const spanIdOf = (traceId: string, key: string) => idOf(`${traceId}/${key}`, 16);

const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

const str = (key: string, v: string): OtlpKeyValue => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): OtlpKeyValue => ({ key, value: { intValue: String(Math.trunc(v)) } });
const bool = (key: string, v: boolean): OtlpKeyValue => ({ key, value: { boolValue: v } });
const dbl = (key: string, v: number): OtlpKeyValue => ({ key, value: { doubleValue: v } });

// ---------------------------------------------------------------------------------------------
// Owners

/** `name-<pod-template-hash>`: a ReplicaSet a Deployment made (as the collector's k8sattributes processor reads it). */
const DEPLOYMENT_RS = /^(.+)-[0-9bcdfghjklmnpqrstvwxz]{6,10}$/;
/** `name-<scheduled time in minutes>`: a Job a CronJob made. */
const CRONJOB_JOB = /^(.+)-\d{8,10}$/;

/** The owner's attributes: its own kind's name, and the Deployment or CronJob above it when its name says so. */
export function ownerAttributes(owner: PodRecord['owner']): OtlpKeyValue[] {
  if (!owner) return [];
  switch (owner.kind) {
    case 'ReplicaSet': {
      const d = DEPLOYMENT_RS.exec(owner.name)?.[1];
      return [str(ATTR_K8S_REPLICASET_NAME, owner.name), ...(d ? [str(ATTR_K8S_DEPLOYMENT_NAME, d)] : [])];
    }
    case 'Job': {
      const c = CRONJOB_JOB.exec(owner.name)?.[1];
      return [str(ATTR_K8S_JOB_NAME, owner.name), ...(c ? [str(ATTR_K8S_CRONJOB_NAME, c)] : [])];
    }
    case 'StatefulSet':
      return [str(ATTR_K8S_STATEFULSET_NAME, owner.name)];
    case 'DaemonSet':
      return [str(ATTR_K8S_DAEMONSET_NAME, owner.name)];
    case 'Deployment':
      return [str(ATTR_K8S_DEPLOYMENT_NAME, owner.name)];
    case 'CronJob':
      return [str(ATTR_K8S_CRONJOB_NAME, owner.name)];
    default:
      // No convention names a pod's other owners (a Node for a static pod, a custom controller).
      return [str('podlife.owner.kind', owner.kind), str('podlife.owner.name', owner.name)];
  }
}

// ---------------------------------------------------------------------------------------------
// The spans

/** A timeline entry with its time in ms (entries without a time carry no span and no event). */
type Timed = TimelineEntry & { t: number };

interface Run {
  container: string;
  init: boolean;
  start: number | null;
  end: number | null;
  restartCount: number | null;
  term?: Timed;
  /** Ended by the next run's start, its termination never seen. */
  endUnknown?: boolean;
}

/**
 * The runs of one container, from its timeline entries (time order). Entries of one instant are
 * paired whatever their order there: a termination closes the run already open before a start
 * opens the next (so `Restarted #2, Terminated` of one second, after run 1 was open, reads as run
 * 1 ending and run 2 starting; with no run open, as a run of zero seconds).
 */
function runsOf(entries: readonly Timed[], container: string, init: boolean): Run[] {
  const runs: Run[] = [];
  let open: Run | undefined;
  const close = (term: Timed) => {
    if (open) {
      open.end = term.t;
      open.term = term;
      runs.push(open);
      open = undefined;
    } else runs.push({ container, init, start: null, end: term.t, restartCount: null, term });
  };
  let i = 0;
  while (i < entries.length) {
    const t = entries[i]!.t;
    let j = i;
    while (j < entries.length && entries[j]!.t === t) j++;
    const starts = entries.slice(i, j).filter((e) => e.type !== 'ContainerTerminated');
    const terms = entries.slice(i, j).filter((e) => e.type === 'ContainerTerminated');
    while (starts.length > 0 || terms.length > 0) {
      if (open && terms.length > 0) close(terms.shift()!);
      else if (starts.length > 0) {
        const s = starts.shift()!;
        if (open) {
          open.end = s.t;
          open.endUnknown = true;
          runs.push(open);
        }
        open = { container, init, start: s.t, end: null, restartCount: s.count ?? 0 };
      } else close(terms.shift()!);
    }
    i = j;
  }
  if (open) runs.push(open);
  return runs;
}

export interface OtlpOptions {
  /** Epoch ms: where the spans still open end (default: the record's latest time). */
  now?: number;
}

/** The status of a run: ERROR when it failed (a non-zero exit, or Kubernetes' reason says so). */
function runStatus(term: Timed | undefined): OtlpStatus {
  if (!term) return { code: STATUS_UNSET };
  const failedReason = term.reason && term.reason !== 'Completed' ? term.reason : undefined;
  if (
    (term.exitCode ?? 0) === 0 &&
    !['Error', 'OOMKilled', 'StartError', 'ContainerCannotRun'].includes(term.reason ?? '')
  )
    return { code: STATUS_UNSET };
  return { code: STATUS_ERROR, message: `${failedReason ?? 'Error'} (exit code ${term.exitCode ?? '?'})` };
}

function eventOf(e: Timed): OtlpEvent {
  const attributes: OtlpKeyValue[] = [];
  if (e.container !== undefined) attributes.push(str(ATTR_K8S_CONTAINER_NAME, e.container));
  if (e.init) attributes.push(bool(PODLIFE_ATTR.init, true));
  if (e.reason !== undefined) attributes.push(str(PODLIFE_ATTR.reason, e.reason));
  if (e.exitCode !== undefined) attributes.push(int(PODLIFE_ATTR.exitCode, e.exitCode));
  if (e.signal !== undefined) attributes.push(int(PODLIFE_ATTR.signal, e.signal));
  if (e.count !== undefined) attributes.push(int(PODLIFE_ATTR.count, e.count));
  if (e.message !== undefined) attributes.push(str(PODLIFE_ATTR.message, e.message));
  return {
    timeUnixNano: nanos(e.t),
    name: e.reason && e.type !== 'ContainerTerminated' ? `${e.type} ${e.reason}` : e.type,
    attributes,
  };
}

const IMAGE_IN_MESSAGE = /image "([^"]+)"/;

/** The spans of one pod record, root first. */
export function spansOf(rec: PodRecord, opts: OtlpOptions = {}): OtlpSpan[] {
  const traceId = traceIdOf(rec.cluster, rec.uid);
  const timed: Timed[] = [];
  for (const e of rec.timeline) {
    const t = e.at == null ? Number.NaN : Date.parse(e.at);
    if (Number.isFinite(t)) timed.push({ ...e, t });
  }
  const first = (type: TimelineEntry['type']) => timed.find((e) => e.type === type)?.t ?? null;
  const created = first('Created');
  const scheduled = first('Scheduled');
  const ready = first('Ready');
  const latest = timed.reduce((m, e) => Math.max(m, e.t), Number.NEGATIVE_INFINITY);
  const earliest = timed.reduce((m, e) => Math.min(m, e.t), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(latest)) return [];
  const over = rec.deleted || rec.phase === 'Succeeded' || rec.phase === 'Failed';
  const end = !over && opts.now != null && opts.now > latest ? opts.now : latest;

  const rootId = spanIdOf(traceId, 'pod');
  const spans: OtlpSpan[] = [];
  const used = new Set<string>(['pod']);
  const span = (
    key: string,
    name: string,
    start: number,
    stop: number,
    attributes: OtlpKeyValue[],
    parent = rootId,
    status: OtlpStatus = { code: STATUS_UNSET },
  ) => {
    // Two spans of one place and instant (never seen, but ids must stay unique): numbered.
    let k = key;
    for (let n = 2; used.has(k); n++) k = `${key}#${n}`;
    used.add(k);
    const spanId = spanIdOf(traceId, k);
    spans.push({
      traceId,
      spanId,
      parentSpanId: parent,
      name,
      kind: SPAN_KIND_INTERNAL,
      startTimeUnixNano: nanos(start),
      endTimeUnixNano: nanos(Math.max(start, stop)),
      attributes,
      events: [],
      status,
    });
    return spanId;
  };
  const openAttr = (isOpen: boolean) => (isOpen ? [bool(PODLIFE_ATTR.open, true)] : []);

  // The root: the whole incarnation, every timeline point an event on it.
  const rootAttrs: OtlpKeyValue[] = [
    str(ATTR_K8S_POD_STATUS_PHASE, rec.phase),
    int(PODLIFE_ATTR.restarts, rec.restarts),
    dbl(PODLIFE_ATTR.crashLoopBackOffSeconds, rec.crashLoopBackOffSeconds),
    ...(rec.statusReason ? [str(ATTR_K8S_POD_STATUS_REASON, rec.statusReason)] : []),
    ...(rec.lastTerminationReason
      ? [str(PODLIFE_ATTR.lastTerminationReason, rec.lastTerminationReason)]
      : []),
    // The creation time, or (none given) the first thing seen standing in for it.
    str(PODLIFE_ATTR.createdAtSource, created != null ? 'creationTimestamp' : 'firstSeen'),
    ...openAttr(!over),
  ];
  spans.push({
    traceId,
    spanId: rootId,
    name: `pod ${rec.namespace}/${rec.name}`,
    kind: SPAN_KIND_INTERNAL,
    startTimeUnixNano: nanos(earliest),
    endTimeUnixNano: nanos(end),
    attributes: rootAttrs,
    events: timed.map(eventOf),
    status:
      rec.phase === 'Failed'
        ? { code: STATUS_ERROR, message: rec.statusReason ?? 'Failed' }
        : { code: STATUS_UNSET },
  });

  // Scheduling: creation → Scheduled (open while the scheduler has not placed it).
  if (created != null && (scheduled != null || rec.phase === 'Pending')) {
    const unsched = timed.find((e) => e.type === 'Unschedulable');
    span('scheduling', 'scheduling', created, scheduled ?? end, [
      ...(unsched?.message ? [str(PODLIFE_ATTR.message, unsched.message)] : []),
      ...openAttr(scheduled == null && !over),
    ]);
  }

  // Initializing: Scheduled → Initialized, for a pod with init containers; their runs inside.
  let initParent = rootId;
  const initialized = first('Initialized');
  if (rec.initSeconds != null && scheduled != null && initialized != null)
    initParent = span('initializing', 'initializing', scheduled, initialized, []);

  // Image pulls: each Pulling event to the next Pulled of the same container.
  const pulls = timed.filter((e) => e.type === 'Event' && (e.reason === 'Pulling' || e.reason === 'Pulled'));
  for (const p of pulls) {
    if (p.reason !== 'Pulling') continue;
    const done = pulls.find((q) => q.reason === 'Pulled' && q.container === p.container && q.t >= p.t);
    const image = IMAGE_IN_MESSAGE.exec(p.message ?? '')?.[1];
    span(
      `pull/${p.container ?? ''}/${p.t}`,
      `pull image${p.container ? ` ${p.container}` : ''}`,
      p.t,
      done?.t ?? p.t,
      [
        ...(p.container ? [str(ATTR_K8S_CONTAINER_NAME, p.container)] : []),
        ...(image ? [str(ATTR_CONTAINER_IMAGE_NAME, image)] : []),
        ...(done ? [] : [bool(PODLIFE_ATTR.endUnknown, true)]),
      ],
    );
  }

  // Runs and back-offs per container (init containers first, then app containers; by name).
  const byContainer = new Map<string, Timed[]>();
  for (const e of timed) {
    if (e.container === undefined) continue;
    if (e.type !== 'ContainerStarted' && e.type !== 'ContainerRestarted' && e.type !== 'ContainerTerminated')
      continue;
    const key = `${e.init ? 'i' : 'c'}:${e.container}`;
    byContainer.set(key, [...(byContainer.get(key) ?? []), e]);
  }
  const keys = [...byContainer.keys()].sort();
  for (const key of keys) {
    const init = key.startsWith('i:');
    const container = key.slice(2);
    const runs = runsOf(byContainer.get(key)!, container, init);
    const parent = init ? initParent : rootId;
    const base = [str(ATTR_K8S_CONTAINER_NAME, container), ...(init ? [bool(PODLIFE_ATTR.init, true)] : [])];
    runs.forEach((r, i) => {
      const start = r.start ?? r.end!;
      const stillOpen = r.end == null;
      const attrs = [...base];
      if (r.restartCount != null) attrs.push(int(ATTR_K8S_CONTAINER_RESTART_COUNT, r.restartCount));
      if (r.term?.reason) attrs.push(str(PODLIFE_ATTR.reason, r.term.reason));
      if (r.term?.exitCode !== undefined) attrs.push(int(PODLIFE_ATTR.exitCode, r.term.exitCode));
      if (r.term?.signal !== undefined) attrs.push(int(PODLIFE_ATTR.signal, r.term.signal));
      if (r.term?.message) attrs.push(str(PODLIFE_ATTR.message, r.term.message));
      if (r.start == null) attrs.push(bool(PODLIFE_ATTR.startUnknown, true));
      if (r.endUnknown) attrs.push(bool(PODLIFE_ATTR.endUnknown, true));
      attrs.push(...openAttr(stillOpen && !over));
      span(
        `run/${key}/${r.start ?? `end${r.end}`}`,
        `${init ? 'init container' : 'container'} ${container}`,
        start,
        r.end ?? end,
        attrs,
        parent,
        runStatus(r.term),
      );
      // The back-off after a run that ended: to the next run's start, or (a CrashLoopBackOff
      // seen after it, no run since) open until now.
      const next = runs[i + 1];
      if (r.end == null || r.endUnknown) return;
      const backingOff =
        !next &&
        !over &&
        timed.some(
          (e) =>
            e.type === 'ContainerWaiting' &&
            e.container === container &&
            (e.init ?? false) === init &&
            e.reason === 'CrashLoopBackOff' &&
            e.t >= r.end!,
        );
      if (next?.start != null || backingOff)
        span(
          `backoff/${key}/${r.end}`,
          `back-off ${container}`,
          r.end,
          next?.start ?? end,
          [...base, str(PODLIFE_ATTR.reason, 'CrashLoopBackOff'), ...openAttr(backingOff)],
          parent,
        );
    });
  }

  // Waiting for Ready: the first app container's start → Ready.
  const running = first('Running');
  if (running != null && ready != null && ready >= running)
    span('ready', 'waiting for Ready', running, ready, []);
  return spans;
}

/** The resource of a pod's trace: who it is, in the semantic conventions' names. */
export function resourceAttributesOf(rec: PodRecord): OtlpKeyValue[] {
  return [
    str(ATTR_SERVICE_NAME, 'podlife'),
    str(ATTR_K8S_CLUSTER_NAME, rec.cluster),
    str(ATTR_K8S_NAMESPACE_NAME, rec.namespace),
    str(ATTR_K8S_POD_NAME, rec.name),
    str(ATTR_K8S_POD_UID, rec.uid),
    ...(rec.node ? [str(ATTR_K8S_NODE_NAME, rec.node)] : []),
    ...ownerAttributes(rec.owner),
  ];
}

/** Pod records → one OTLP/JSON ExportTraceServiceRequest: a resource (and a trace) per incarnation. */
export function otlpTraceOf(
  records: readonly PodRecord[],
  opts: OtlpOptions = {},
): ExportTraceServiceRequest {
  return {
    resourceSpans: records.map((rec) => ({
      resource: { attributes: resourceAttributesOf(rec) },
      scopeSpans: [{ scope: { name: OTLP_SCOPE }, spans: spansOf(rec, opts) }],
    })),
  };
}
