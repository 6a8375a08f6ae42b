/**
 * `Pod Facts`: the forwarder's default wire form. Instead of a pod's whole compact snapshot,
 * an event carries only the lifecycle facts the forwarder has not sent for that pod yet (a
 * delta of the pod's fact set), plus the pod's identity.
 *
 * Why this is safe: the ingest merges facts with a join (core/facts.ts) that is
 * commutative, associative and idempotent. A fact set is a state-based CRDT, and a batch of new
 * facts is a delta of it: deltas can arrive in any order, twice, or merged with each other, and
 * the pod's fact set — every figure and the timeline — comes out the same as if every full
 * snapshot had been sent. Why it is small: a pod update usually adds one or two facts (a
 * condition turned True, a container started) where a snapshot repeats everything.
 *
 * The encoding is grouped by what a fact is about (marks, phases, containers...) with every
 * time as seconds after `t0`, and is a lossless bijection with the engine's facts: decoding an
 * encoding gives back the same facts, ids included (pinned by a property test). The facts go as
 * readable JSON (`facts`) or, by default, as that same JSON compressed with DEFLATE and a preset
 * dictionary of the words podlife's facts are made of, in base64 (`factsDeflate`).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { containerIdOfRun, markId, phaseId, readyId, restartsId, runId, waitingId } from './fact-ids.ts';
import { eventFact, type Fact, factTimeRange, type MarkName, type Termination } from './facts.ts';
import { ClusterName, KUBE_LIMITS, keyPart, PodPhase, podUidPart } from './kube-schemas.ts';
import { MAX_MESSAGE_CHARS, SCHEMA_VERSION } from './snapshot.ts';

export const DETAIL_TYPE_FACTS = 'Pod Facts';

/** Decompressed `factsDeflate` larger than this is refused (a zip bomb is not a pod). */
const MAX_INFLATED_BYTES = 256 * 1024;

const MARKS = [
  'scheduled',
  'initialized',
  'ready',
  'deletedAt',
  'finished',
  'sandboxReady',
  'containersReady',
  'deletionRequested',
] as const satisfies readonly MarkName[];

/** Seconds after t0; fractions carry millisecond precision. */
const Secs = z.number().finite();
const Name = z.string().min(1).max(KUBE_LIMITS.name);
/** A namespace or container name: a DNS label. */
const Label = z.string().min(1).max(KUBE_LIMITS.label);
const Reason = z.string().max(256);
const Message = z.string().max(MAX_MESSAGE_CHARS).optional();
const Count = z.number().int().nonnegative();
/** resourceVersion: decimal digits (or '' when not numeric), compared as numbers of any length. */
const Rv = z
  .string()
  .max(64)
  .regex(/^(\d*)$/);

const WireRun = z
  .object({
    /** Container ID (runtime://first 16 hex digits); absent when the kubelet gave none. */
    id: z.string().min(1).max(128).optional(),
    /** Which run of the container (0 = first), from restartCount. */
    n: Count.optional(),
    start: Secs.optional(),
    end: Secs.nullable().optional(),
    exit: z.number().int().optional(),
    reason: Reason.optional(),
    signal: z.number().int().optional(),
    message: Message,
  })
  .strict();

const WireWaiting = z.object({ reason: Reason, t: Secs.nullable(), message: Message }).strict();

const WireContainer = z
  .object({
    name: Label,
    init: z.literal(true).optional(),
    /** An init container with `restartPolicy: Always` (a native sidecar); sent with its `restarts`. */
    sidecar: z.literal(true).optional(),
    restarts: Count.optional(),
    runs: z.array(WireRun).max(1000).optional(),
    waiting: z.array(WireWaiting).max(1000).optional(),
    /** kubectl's READY counts it in the latest snapshot that showed it (`t`, `rv`: that snapshot's order); an app container or a sidecar (`init`). */
    ready: z.object({ ready: z.boolean(), t: Secs.nullable(), rv: Rv }).strict().optional(),
  })
  .strict();

const At = { t: Secs.nullable(), rv: Rv };

const WireEvent = z
  .object({
    uid: z.string().min(1).max(253),
    reason: Reason,
    message: Message,
    type: z.string().max(64).optional(),
    container: Label.optional(),
    count: Count,
    first: Secs.nullable(),
    last: Secs.nullable(),
  })
  .strict();

/** The facts of one delta, grouped. Every key is optional: a delta holds only what is new. */
const WireFacts = z
  .object({
    /** Creation time, owner (`Kind/name`, names hold no '/'), QoS class. */
    pod: z
      .object({
        created: Secs.nullable(),
        owner: z
          .string()
          .max(400)
          .regex(/^[^/]+\/.+$/)
          .optional(),
        qos: z.string().max(32).optional(),
      })
      .strict()
      .optional(),
    node: Name.optional(),
    /** First time each condition turned True (deletedAt: the deletion deadline; deletionRequested: its request time; finished: last container end). */
    marks: z.partialRecord(z.enum(MARKS), Secs).optional(),
    /** Each phase seen, with the time it was first seen. */
    phases: z.partialRecord(PodPhase, Secs.nullable()).optional(),
    initCount: Count.optional(),
    /** The spec's app containers and native sidecars: kubectl's READY total. */
    spec: z.object({ containers: Count, sidecars: Count }).strict().optional(),
    // Kubernetes sets no limit; the ingest's 64 KB per detail is what bounds these lists.
    containers: z.array(WireContainer).max(1000).optional(),
    /** The newest snapshot's phase and waiting reason; `waiting` as `container/reason` when it repeats a waiting entry of this delta. */
    latest: z
      .object({
        ...At,
        phase: PodPhase.optional(),
        /** kubectl's STATUS (`Init:0/2`, `CrashLoopBackOff`, ...) and RESTARTS for that snapshot. */
        status: z
          .string()
          .max(KUBE_LIMITS.reason + 16)
          .optional(),
        restarts: z.number().int().nonnegative().optional(),
        /** What RESTARTS' "(5m ago)" counts from: the latest last-state termination of the containers it counts. */
        lastRestart: Secs.optional(),
        waiting: z
          .union([
            z.string().regex(/^[^/]+\/.+$/),
            z.object({ container: Label, reason: Reason, message: Message }).strict(),
          ])
          .optional(),
      })
      .strict()
      .optional(),
    status: z
      .object({ ...At, reason: Reason, message: Message })
      .strict()
      .optional(),
    unschedulable: z
      .object({
        t: Secs.nullable(),
        at: At.t,
        rv: Rv,
        message: Message,
        reason: Reason.optional(),
        /** SchedulingGated: the pod's scheduling gates (KEP-3521). */
        gates: z.array(z.string().min(1).max(KUBE_LIMITS.qualifiedName)).max(64).optional(),
      })
      .strict()
      .optional(),
    deleted: z.literal(true).optional(),
    /** The pod mounts a volume that is not stateless (the pod startup SLI leaves it out). */
    stateful: z.literal(true).optional(),
    events: z.array(WireEvent).max(1000).optional(),
  })
  .strict();
type WireFacts = z.infer<typeof WireFacts>;

/** `detail` of a `Pod Facts` event: a pod's identity and the facts new since the last one. */
export const PodFactsDetail = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    cluster: ClusterName,
    namespace: keyPart(Label),
    name: keyPart(Name),
    uid: podUidPart(z.string().min(1).max(KUBE_LIMITS.uid)),
    t0: z
      .number()
      .int()
      .nonnegative()
      .describe(
        'Epoch seconds that every time in the facts counts from; every time (t0 + seconds) must fall between 2014-06-01 and 24 h after the event is received',
      ),
    facts: WireFacts.optional().describe(
      'The facts new since the pod’s last event, grouped; times are seconds after t0',
    ),
    factsDeflate: z
      .string()
      .max(128 * 1024)
      .optional()
      .describe('The facts JSON, raw DEFLATE with podlife’s preset dictionary (DEFLATE_DICTIONARY), base64'),
  })
  .strict()
  .refine((d) => (d.facts === undefined) !== (d.factsDeflate === undefined), {
    message: 'exactly one of facts and factsDeflate',
  });
export type PodFactsDetail = z.infer<typeof PodFactsDetail>;

export interface PodIdentity {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
}

/**
 * The preset dictionary: the keys, reasons and phrases podlife's facts are made of, most
 * frequent last (DEFLATE finds the nearest match cheapest). Part of the contract: an event
 * compressed with it can only be read with it, so it never changes within a schemaVersion.
 */
export const DEFLATE_DICTIONARY = Buffer.from(
  [
    'Unschedulable","message":"0/3 nodes are available: Insufficient cpu. Insufficient memory. node(s) had untolerated taint',
    '"status":{"t":0,"rv":"","reason":"Evicted","message":"The node was low on resource: memory. ',
    '"events":[{"uid":"","reason":"FailedScheduling","type":"Warning","count":1,"first":0,"last":0,"message":"',
    'Scheduled","type":"Normal","message":"Successfully assigned default/ to node-',
    'Pulling","message":"Pulling image \\"","Pulled","message":"Successfully pulled image \\"',
    'Created","message":"Created container ","Started","message":"Started container ',
    'Killing","message":"Stopping container ","Unhealthy","message":"Readiness probe failed: ',
    'BackOff","message":"Back-off restarting failed container ',
    '"reason":"ErrImagePull","reason":"ImagePullBackOff","message":"Back-off pulling image \\"',
    '"reason":"OOMKilled","exit":137,"reason":"StartError","exit":128,"reason":"ContainerCannotRun"',
    '"deleted":true,"phases":{"Failed":0,"Succeeded":0},"marks":{"finished":0,"deletedAt":0',
    '"pod":{"created":0,"owner":"Job/","qos":"BestEffort"},"owner":"StatefulSet/","owner":"DaemonSet/',
    '"initCount":1,"containers":[{"name":"","init":true,"runs":[{"id":"cri-o://","n":0,"start":0,"end":0,"exit":0,"reason":"Completed"}]},',
    '"pod":{"created":0,"owner":"ReplicaSet/","owner":"Deployment/","qos":"Burstable"},"node":"ip-10-0-',
    '.compute.internal","phases":{"Pending":0,"Running":0},"marks":{"scheduled":0,"initialized":0,"ready":0},',
    '"waiting":[{"reason":"ContainerCreating","t":0}]},"waiting":[{"reason":"PodInitializing","t":0}]},',
    '"waiting":[{"reason":"CrashLoopBackOff","t":0,"message":"back-off 5m0s restarting failed container=',
    ' pod=_(","runs":[{"id":"containerd://","n":0,"start":0,"end":0,"exit":1,"reason":"Error"}],',
    '{"name":"","restarts":0,"runs":[{"id":"containerd://","n":0,"start":0}]}],',
    '"latest":{"t":0,"rv":"","phase":"Pending","waiting":"/ContainerCreating"}}',
    '"latest":{"t":0,"rv":"","phase":"Running"}}',
  ].join(''),
  'utf8',
);

// ---------------------------------------------------------------------------------------------
// Facts → wire

type WireContainerT = z.infer<typeof WireContainer>;

const READING_ORDER = [
  'pod',
  'node',
  'phases',
  'marks',
  'initCount',
  'spec',
  'containers',
  'latest',
  'status',
  'unschedulable',
  'deleted',
  'stateful',
  'events',
] as const satisfies readonly (keyof WireFacts)[];

/** Encodes facts of one pod (any subset: a delta) into the grouped wire form. */
export function encodeFacts(facts: readonly Fact[]): { t0: number; facts: WireFacts } {
  const min = factTimeRange(facts)?.min;
  const t0s = min == null ? 0 : Math.floor(min / 1000);
  const t0 = t0s * 1000;
  const secs = (t: number) => (t - t0) / 1000;
  const nsecs = (t: number | null) => (t == null ? null : secs(t));
  const out: WireFacts = {};
  const containers = new Map<string, WireContainerT>();
  const container = (name: string, init: boolean): WireContainerT => {
    const key = `${init ? 'i' : 'c'}:${name}`;
    let c = containers.get(key);
    if (!c) {
      c = init ? { name, init: true } : { name };
      containers.set(key, c);
    }
    return c;
  };
  /** Waiting messages in this delta, by `container/reason`, for the latest's shorthand. */
  const waitingMessages = new Map<string, string | undefined>();
  const marks: Partial<Record<MarkName, number>> = {};
  const phases: Partial<Record<PodPhase, number | null>> = {};
  const sorted = [...facts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const f of sorted) {
    switch (f.kind) {
      case 'pod': {
        const p: NonNullable<WireFacts['pod']> = { created: nsecs(f.created) };
        if (f.owner) p.owner = `${f.owner.kind}/${f.owner.name}`;
        if (f.qos) p.qos = f.qos;
        out.pod = p;
        break;
      }
      case 'node':
        out.node = f.node;
        break;
      case 'mark':
        marks[f.mark] = secs(f.t);
        break;
      case 'phase':
        phases[f.phase as PodPhase] = nsecs(f.t);
        break;
      case 'initCount':
        out.initCount = f.n;
        break;
      case 'containers':
        out.spec = { containers: f.n, sidecars: f.sidecars };
        break;
      case 'ready': {
        const c = container(f.container, f.init);
        c.ready = { ready: f.ready, t: f.at.t < 0 ? null : secs(f.at.t), rv: f.at.rv };
        break;
      }
      case 'restarts': {
        const c = container(f.container, f.role !== undefined);
        c.restarts = f.n;
        if (f.role === 'sidecar') c.sidecar = true;
        break;
      }
      case 'run': {
        const cid = containerIdOfRun(f);
        const r: z.infer<typeof WireRun> = {};
        if (cid) r.id = cid;
        if (f.ordinal != null) r.n = f.ordinal;
        if (f.startedAt != null) r.start = secs(f.startedAt);
        if (f.term) {
          r.end = nsecs(f.term.finishedAt);
          r.exit = f.term.exitCode;
          if (f.term.reason != null) r.reason = f.term.reason;
          if (f.term.signal !== undefined) r.signal = f.term.signal;
          if (f.term.message !== undefined) r.message = f.term.message;
        }
        const c = container(f.container, f.init);
        c.runs = [...(c.runs ?? []), r];
        break;
      }
      case 'waiting': {
        const w: z.infer<typeof WireWaiting> = { reason: f.reason, t: nsecs(f.t) };
        if (f.message !== undefined) w.message = f.message;
        const c = container(f.container, f.init);
        c.waiting = [...(c.waiting ?? []), w];
        waitingMessages.set(`${f.container}/${f.reason}`, f.message);
        break;
      }
      case 'latest': {
        const l: NonNullable<WireFacts['latest']> = { t: f.at.t < 0 ? null : secs(f.at.t), rv: f.at.rv };
        if (f.phase != null) l.phase = f.phase as PodPhase;
        if (f.status !== undefined) l.status = f.status;
        if (f.restarts !== undefined) l.restarts = f.restarts;
        if (f.lastRestart !== undefined) l.lastRestart = secs(f.lastRestart);
        if (f.waiting) l.waiting = { ...f.waiting };
        out.latest = l;
        break;
      }
      case 'status': {
        const s: NonNullable<WireFacts['status']> = {
          t: f.at.t < 0 ? null : secs(f.at.t),
          rv: f.at.rv,
          reason: f.reason,
        };
        if (f.message !== undefined) s.message = f.message;
        out.status = s;
        break;
      }
      case 'unschedulable': {
        const u: NonNullable<WireFacts['unschedulable']> = {
          t: nsecs(f.t),
          at: f.at.t < 0 ? null : secs(f.at.t),
          rv: f.at.rv,
        };
        if (f.message !== undefined) u.message = f.message;
        if (f.reason !== undefined) u.reason = f.reason;
        if (f.gates !== undefined) u.gates = [...f.gates];
        out.unschedulable = u;
        break;
      }
      case 'deleted':
        out.deleted = true;
        break;
      case 'stateful':
        out.stateful = true;
        break;
      case 'event': {
        const e: z.infer<typeof WireEvent> = {
          uid: f.uid,
          reason: f.reason,
          count: f.count,
          first: nsecs(f.first),
          last: nsecs(f.last),
        };
        if (f.message !== undefined) e.message = f.message;
        if (f.type !== undefined) e.type = f.type;
        if (f.container !== undefined) e.container = f.container;
        out.events = [...(out.events ?? []), e];
        break;
      }
    }
  }
  if (Object.keys(marks).length) out.marks = marks;
  if (Object.keys(phases).length) out.phases = phases;
  if (containers.size) out.containers = [...containers.values()];
  const lw = out.latest?.waiting;
  if (lw && typeof lw === 'object') {
    const k = `${lw.container}/${lw.reason}`;
    if (waitingMessages.has(k) && waitingMessages.get(k) === lw.message && !lw.container.includes('/'))
      out.latest!.waiting = k;
  }
  // In reading order: who and where, what happened, how it stands now.
  const ordered: Record<string, unknown> = {};
  for (const k of READING_ORDER) if (out[k] !== undefined) ordered[k] = out[k];
  return { t0: t0s, facts: { ...ordered, ...out } };
}

/** The wire facts' JSON as the compressed `factsDeflate` string. */
function deflateJson(json: string): string {
  return deflateRawSync(json, { level: 9, dictionary: DEFLATE_DICTIONARY }).toString('base64');
}

/** A `Pod Facts` detail for a pod's identity and facts. */
export function podFactsDetail(
  id: PodIdentity,
  facts: readonly Fact[],
  opts: { compress?: boolean } = {},
): PodFactsDetail {
  const enc = encodeFacts(facts);
  const head = {
    schemaVersion: SCHEMA_VERSION,
    cluster: id.cluster,
    namespace: id.namespace,
    name: id.name,
    uid: id.uid,
    t0: enc.t0,
  } as const;
  if (!opts.compress) return { ...head, facts: enc.facts };
  const json = JSON.stringify(enc.facts);
  const z = deflateJson(json);
  // DEFLATE and base64 cost more than they save on a tiny delta: the smaller form goes.
  return z.length < json.length ? { ...head, factsDeflate: z } : { ...head, facts: enc.facts };
}

// ---------------------------------------------------------------------------------------------
// Wire → facts

export class PodFactsError extends Error {
  override name = 'PodFactsError';
}

/** The `facts` of a detail, inflated and validated when they come compressed. */
export function wireFactsOf(detail: PodFactsDetail): WireFacts {
  if (detail.facts) return detail.facts;
  let text: string;
  try {
    const buf = Buffer.from(detail.factsDeflate!, 'base64');
    text = inflateRawSync(buf, {
      dictionary: DEFLATE_DICTIONARY,
      maxOutputLength: MAX_INFLATED_BYTES,
    }).toString('utf8');
  } catch (err) {
    // A bomb (or a pod of thousands of containers) stops at the cap: say so, not Node's buffer error.
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new PodFactsError(
        `factsDeflate: inflates to more than ${MAX_INFLATED_BYTES / 1024} KiB, the most a Pod Facts event may carry`,
      );
    throw new PodFactsError(`factsDeflate: not DEFLATE data podlife can read (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PodFactsError('factsDeflate: inflated text is not JSON');
  }
  const parsed = WireFacts.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new PodFactsError(`factsDeflate → facts.${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Decodes a detail's facts back into the engine's facts. The identity fact (`pod`) is rebuilt
 * from the header when the delta carries the `pod` group: a forwarder sends it with a pod's
 * first delta, so a pod seen only through its Events stays an events-only item, as with snapshots.
 */
export function factsOfDetail(detail: PodFactsDetail): Fact[] {
  const w = wireFactsOf(detail);
  const t0 = detail.t0 * 1000;
  const ms = (s: number) => t0 + Math.round(s * 1000);
  const nms = (s: number | null | undefined) => (s == null ? null : ms(s));
  const out: Fact[] = [];
  if (w.pod) {
    let owner: { kind: string; name: string } | null = null;
    if (w.pod.owner) {
      const slash = w.pod.owner.indexOf('/');
      owner = { kind: w.pod.owner.slice(0, slash), name: w.pod.owner.slice(slash + 1) };
    }
    out.push({
      id: 'pod',
      kind: 'pod',
      cluster: detail.cluster,
      namespace: detail.namespace,
      name: detail.name,
      uid: detail.uid,
      created: nms(w.pod.created),
      owner,
      qos: w.pod.qos ?? null,
    });
  }
  if (w.node !== undefined) out.push({ id: 'node', kind: 'node', node: w.node });
  for (const [mark, t] of Object.entries(w.marks ?? {}) as [MarkName, number][])
    out.push({ id: markId(mark), kind: 'mark', mark, t: ms(t) });
  for (const [phase, t] of Object.entries(w.phases ?? {}))
    out.push({ id: phaseId(phase), kind: 'phase', phase, t: nms(t) });
  if (w.initCount !== undefined) out.push({ id: 'initCount', kind: 'initCount', n: w.initCount });
  if (w.spec !== undefined)
    out.push({ id: 'containers', kind: 'containers', n: w.spec.containers, sidecars: w.spec.sidecars });
  const waitingMessages = new Map<string, string | undefined>();
  for (const c of w.containers ?? []) {
    const init = c.init === true;
    if (c.sidecar && (!init || c.restarts === undefined))
      throw new PodFactsError(
        `facts.containers.${c.name}: sidecar marks an init container, with its restarts`,
      );
    if (c.restarts !== undefined) {
      const f: Fact = { id: restartsId(c.name), kind: 'restarts', container: c.name, n: c.restarts };
      if (init) f.role = c.sidecar ? 'sidecar' : 'init';
      out.push(f);
    }
    for (const r of c.runs ?? []) {
      const startedAt = nms(r.start);
      let term: Termination | null = null;
      if (r.exit !== undefined) {
        term = { finishedAt: nms(r.end), reason: r.reason ?? null, exitCode: r.exit };
        if (r.signal !== undefined) term.signal = r.signal;
        if (r.message !== undefined) term.message = r.message;
      } else if (
        r.end !== undefined ||
        r.reason !== undefined ||
        r.signal !== undefined ||
        r.message !== undefined
      ) {
        throw new PodFactsError(`facts.containers.${c.name}.runs: a termination needs its exit code`);
      }
      if (startedAt == null && term?.finishedAt == null)
        throw new PodFactsError(`facts.containers.${c.name}.runs: a run needs a start or an end`);
      out.push({
        id: runId(init, c.name, r.id, startedAt, term?.finishedAt ?? null),
        kind: 'run',
        container: c.name,
        init,
        ordinal: r.n ?? null,
        startedAt,
        term,
      });
    }
    if (c.ready) {
      const r = c.ready;
      out.push({
        id: readyId(init, c.name),
        kind: 'ready',
        container: c.name,
        init,
        ready: r.ready,
        at: { t: r.t == null ? -1 : ms(r.t), rv: r.rv },
      });
    }
    for (const wt of c.waiting ?? []) {
      const f: Fact = {
        id: waitingId(init, c.name, wt.reason),
        kind: 'waiting',
        container: c.name,
        init,
        reason: wt.reason,
        t: nms(wt.t),
      };
      if (wt.message !== undefined) f.message = wt.message;
      out.push(f);
      waitingMessages.set(`${c.name}/${wt.reason}`, wt.message);
    }
  }
  if (w.latest) {
    let waiting: { container: string; reason: string; message?: string } | null = null;
    const lw = w.latest.waiting;
    if (typeof lw === 'string') {
      if (!waitingMessages.has(lw))
        throw new PodFactsError(`facts.latest.waiting: "${lw}" names no waiting entry of this event`);
      const slash = lw.indexOf('/');
      waiting = { container: lw.slice(0, slash), reason: lw.slice(slash + 1) };
      const message = waitingMessages.get(lw);
      if (message !== undefined) waiting.message = message;
    } else if (lw) {
      waiting = { container: lw.container, reason: lw.reason };
      if (lw.message !== undefined) waiting.message = lw.message;
    }
    const latest: Fact = {
      id: 'latest',
      kind: 'latest',
      at: { t: w.latest.t == null ? -1 : ms(w.latest.t), rv: w.latest.rv },
      phase: w.latest.phase ?? null,
      waiting,
    };
    if (w.latest.status !== undefined) latest.status = w.latest.status;
    if (w.latest.restarts !== undefined) latest.restarts = w.latest.restarts;
    if (w.latest.lastRestart !== undefined) latest.lastRestart = ms(w.latest.lastRestart);
    out.push(latest);
  }
  if (w.status) {
    const f: Fact = {
      id: 'status',
      kind: 'status',
      at: { t: w.status.t == null ? -1 : ms(w.status.t), rv: w.status.rv },
      reason: w.status.reason,
    };
    if (w.status.message !== undefined) f.message = w.status.message;
    out.push(f);
  }
  if (w.unschedulable) {
    const u = w.unschedulable;
    const f: Fact = {
      id: 'unschedulable',
      kind: 'unschedulable',
      t: nms(u.t),
      at: { t: u.at == null ? -1 : ms(u.at), rv: u.rv },
    };
    if (u.message !== undefined) f.message = u.message;
    if (u.reason !== undefined) f.reason = u.reason;
    if (u.gates !== undefined) f.gates = [...u.gates];
    out.push(f);
  }
  if (w.deleted) out.push({ id: 'deleted', kind: 'deleted' });
  if (w.stateful) out.push({ id: 'stateful', kind: 'stateful' });
  for (const e of w.events ?? []) out.push(eventFact({ ...e, first: nms(e.first), last: nms(e.last) }));
  return out;
}
