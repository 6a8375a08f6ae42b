/**
 * The compact pod snapshot: podlife's wire contract between the forwarder (or a replayed
 * file) and the ingest. A versioned projection of a Pod that keeps only what a lifecycle
 * figure needs: identity, owner, node, phase, status reason, conditions with their times and
 * messages, container and init-container states. Never env, args, command, annotations, labels
 * or managedFields: the projection is built field by field, never by copying an object.
 */
import { z } from 'zod';
import {
  ClusterName,
  KUBE_LIMITS,
  KubeEvent,
  KubePod,
  keyPart,
  MAX_GRACE_PERIOD_SECONDS,
  PodPhase,
  podUidPart,
  type WatchType,
} from './kube-schemas.ts';

export const SCHEMA_VERSION = 1;
/** Messages (scheduler, kubelet, termination) are cut to this many characters. */
export const MAX_MESSAGE_CHARS = 1024;

const Time = z.string().max(64).nullable().optional();
const Message = z.string().max(MAX_MESSAGE_CHARS).optional();
/** Kubernetes' own limits (see KUBE_LIMITS): identities past them are invalid. */
const Name = z.string().min(1).max(KUBE_LIMITS.name);
const Label = z.string().max(KUBE_LIMITS.label);
const Uid = z.string().min(1).max(KUBE_LIMITS.uid);
const Reason = z.string().max(KUBE_LIMITS.reason);
const ContainerId = z.string().max(KUBE_LIMITS.name);

const SnapState = z
  .object({
    waiting: z.object({ reason: Reason.optional(), message: Message }).strict().optional(),
    running: z.object({ startedAt: Time }).strict().optional(),
    terminated: z
      .object({
        exitCode: z.number().int(),
        signal: z.number().int().optional(),
        reason: Reason.optional(),
        message: Message,
        startedAt: Time,
        finishedAt: Time,
        containerID: ContainerId.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SnapState = z.infer<typeof SnapState>;

const SnapContainer = z
  .object({
    name: Label.min(1),
    restartCount: z.number().int().nonnegative(),
    /** Init containers only: the spec's `restartPolicy` (`Always`: a native sidecar, KEP-753). */
    restartPolicy: Label.min(1).optional(),
    ready: z.boolean().optional(),
    /** Native sidecars only: whether the kubelet counts it started (its startup probe passed). */
    started: z.boolean().optional(),
    containerID: ContainerId.optional(),
    state: SnapState.optional(),
    lastState: SnapState.optional(),
  })
  .strict();
export type SnapContainer = z.infer<typeof SnapContainer>;

const SnapCondition = z
  .object({
    type: z.string().min(1).max(KUBE_LIMITS.qualifiedName),
    status: Label,
    lastTransitionTime: Time,
    reason: Reason.optional(),
    message: Message,
  })
  .strict();

export const CompactPod = z
  .object({
    uid: podUidPart(Uid),
    namespace: keyPart(Label.min(1)),
    name: keyPart(Name),
    resourceVersion: z.string().max(64).optional(),
    creationTimestamp: Time,
    deletionTimestamp: Time,
    /**
     * With a deletionTimestamp: the deletion's grace period, so the request time is
     * deletionTimestamp − it. Absent from snapshots of older forwarders.
     */
    deletionGracePeriodSeconds: z.number().int().min(0).max(MAX_GRACE_PERIOD_SECONDS).optional(),
    owner: z
      .object({ kind: Label, name: z.string().max(KUBE_LIMITS.name) })
      .strict()
      .optional(),
    nodeName: z.string().max(KUBE_LIMITS.name).optional(),
    qosClass: Label.optional(),
    phase: PodPhase.optional(),
    reason: Reason.optional(),
    message: Message,
    initContainerCount: z.number().int().nonnegative(),
    /**
     * `spec.containers`' length and the spec's native sidecars (init containers with
     * `restartPolicy: Always`): kubectl's READY total. Absent from snapshots of older forwarders.
     */
    containerCount: z.number().int().nonnegative().optional(),
    sidecarCount: z.number().int().nonnegative().optional(),
    /** The names of `spec.schedulingGates`, when there are any (KEP-3521). */
    schedulingGates: z.array(z.string().min(1).max(KUBE_LIMITS.qualifiedName)).max(64).optional(),
    /**
     * Present when the pod mounts a volume whose source is not a secret, config map, downward
     * API, emptyDir or projected volume: not "stateless" as the pod startup SLI defines it.
     */
    stateful: z.literal(true).optional(),
    conditions: z.array(SnapCondition),
    initContainerStatuses: z.array(SnapContainer),
    containerStatuses: z.array(SnapContainer),
  })
  .strict();
export type CompactPod = z.infer<typeof CompactPod>;

/** `detail` of a `Pod Snapshot` event on the bus. */
export const PodSnapshot = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    cluster: ClusterName,
    observedAt: z.string().max(64).optional(),
    type: z.enum(['ADDED', 'MODIFIED', 'DELETED']),
    pod: CompactPod,
  })
  .strict();
export type PodSnapshot = z.infer<typeof PodSnapshot>;

export const CompactEvent = z
  .object({
    uid: z.string().min(1).max(KUBE_LIMITS.name),
    podUid: podUidPart(z.string().max(KUBE_LIMITS.uid)).optional(),
    namespace: keyPart(Label.min(1)),
    podName: keyPart(Name),
    reason: Reason,
    message: Message,
    type: Label.optional(),
    container: Label.optional(),
    count: z.number().int().nonnegative(),
    firstTimestamp: Time,
    lastTimestamp: Time,
    source: z.string().max(KUBE_LIMITS.name).optional(),
  })
  .strict();
export type CompactEvent = z.infer<typeof CompactEvent>;

/** `detail` of a `Pod Event` event on the bus: a core/v1 Event about a pod, compacted. */
export const PodEventSnapshot = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    cluster: ClusterName,
    observedAt: z.string().max(64).optional(),
    event: CompactEvent,
  })
  .strict();
export type PodEventSnapshot = z.infer<typeof PodEventSnapshot>;

/** The EventBridge names of podlife's events. */
export const EVENT_SOURCE = 'podlife.forwarder';
export const DETAIL_TYPE_SNAPSHOT = 'Pod Snapshot';
export const DETAIL_TYPE_EVENT = 'Pod Event';

/** A free-text message cut to MAX_MESSAGE_CHARS (with an ellipsis when cut). */
export function cut(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

/**
 * The owning workload: the controller reference (or the first owner), with a ReplicaSet
 * resolved to its Deployment by dropping the pod-template-hash suffix.
 */
export function ownerOf(pod: KubePod): { kind: string; name: string } | undefined {
  const refs = pod.metadata.ownerReferences ?? [];
  const ref = refs.find((r) => r.controller) ?? refs[0];
  if (!ref) return undefined;
  if (ref.kind === 'ReplicaSet') {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash && ref.name.endsWith(`-${hash}`)) {
      return { kind: 'Deployment', name: ref.name.slice(0, -(hash.length + 1)) };
    }
    // Without a matching label (Kubernetes before 1.11 used a different hash in the label),
    // the suffix is recognised by the alphabet of Kubernetes' SafeEncodeString.
    const m = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}$/.exec(ref.name);
    if (m?.[1] !== undefined) return { kind: 'Deployment', name: m[1] };
  }
  return { kind: ref.kind, name: ref.name };
}

type KubeState = NonNullable<NonNullable<KubePod['status']>['containerStatuses']>[number]['state'];

function projectState(state: KubeState): SnapState | undefined {
  if (!state) return undefined;
  const out: SnapState = {};
  if (state.waiting)
    out.waiting = strip({ reason: state.waiting.reason, message: cut(state.waiting.message) });
  if (state.running) out.running = { startedAt: state.running.startedAt ?? null };
  if (state.terminated) {
    const t = state.terminated;
    out.terminated = strip({
      exitCode: t.exitCode,
      signal: t.signal,
      reason: t.reason,
      message: cut(t.message),
      startedAt: t.startedAt ?? null,
      finishedAt: t.finishedAt ?? null,
      containerID: shortId(t.containerID),
    });
  }
  return out.waiting || out.running || out.terminated ? out : undefined;
}

type KubeStatuses = NonNullable<KubePod['status']>['containerStatuses'];

function projectContainers(list: KubeStatuses, policies?: ReadonlyMap<string, string>): SnapContainer[] {
  return (list ?? []).map((c) => {
    const restartPolicy = policies?.get(c.name);
    return strip({
      name: c.name,
      restartCount: c.restartCount ?? 0,
      restartPolicy,
      // What kubectl's READY counts: an app container's or a sidecar's `ready` (a plain init container's never counts).
      ready:
        (policies === undefined || restartPolicy === 'Always') && typeof c.ready === 'boolean'
          ? c.ready
          : undefined,
      started: restartPolicy === 'Always' && c.started != null ? c.started : undefined,
      containerID: shortId(c.containerID),
      state: projectState(c.state),
      lastState: projectState(c.lastState),
    });
  });
}

/** Each init container's `restartPolicy`, by name, as the spec gives it (a later duplicate wins, as in Go). */
function initPolicies(pod: KubePod): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy) out.set(c.name, c.restartPolicy);
  return out;
}

/** Volume sources of a "stateless" pod (kubernetes/community sig-scalability/slos/pod_startup_latency.md). */
const STATELESS_SOURCES = new Set(['secret', 'configMap', 'downwardAPI', 'emptyDir', 'projected']);

/** True when a volume has a source outside STATELESS_SOURCES (see `CompactPod.stateful`). */
export function isStateful(pod: KubePod): boolean {
  return (pod.spec?.volumes ?? []).some((v) =>
    Object.keys(v).some((k) => k !== 'name' && !STATELESS_SOURCES.has(k)),
  );
}

/** The conditions a figure reads (docs/lifecycle-metrics.md); the others are not forwarded. */
export const FIGURE_CONDITIONS = new Set([
  'PodScheduled',
  'Initialized',
  'Ready',
  // The startup waterfall's stages (issue 11): the sandbox and network ready (KEP-3085), containers ready.
  'PodReadyToStartContainers',
  'ContainersReady',
]);

/**
 * A container ID cut to its runtime and first 16 hex digits (64 bits): it only has to tell the
 * runs of one container apart, and the full 64-digit ID would be a third of a small snapshot.
 */
export function shortId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const m = /^([a-z0-9-]+:\/\/)?([0-9a-f]{16})[0-9a-f]*$/.exec(id);
  return m ? `${m[1] ?? ''}${m[2]}` : id;
}

/** Drops keys whose value is undefined, so snapshots are canonical and compact on the wire. */
function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * The pod's uid. An API server always sets one; a hand-written object (docs samples, test
 * fixtures) may not, and then its namespace, name and creation time stand in for it, marked
 * `synthetic:` so it can never collide with a real uid.
 */
export function podUidOf(pod: KubePod): string {
  const m = pod.metadata;
  return m.uid ?? `synthetic:${m.namespace}/${m.name}@${m.creationTimestamp ?? ''}`;
}

/** Projects a validated Pod to the compact snapshot contract. */
export function compactPod(pod: KubePod): CompactPod {
  const status = pod.status ?? {};
  return strip({
    uid: podUidOf(pod),
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    resourceVersion: pod.metadata.resourceVersion,
    creationTimestamp: pod.metadata.creationTimestamp ?? null,
    deletionTimestamp: pod.metadata.deletionTimestamp ?? undefined,
    deletionGracePeriodSeconds: pod.metadata.deletionTimestamp
      ? pod.metadata.deletionGracePeriodSeconds
      : undefined,
    owner: ownerOf(pod),
    nodeName: pod.spec?.nodeName || undefined,
    qosClass: status.qosClass,
    phase: status.phase,
    reason: status.reason,
    message: cut(status.message),
    initContainerCount: Math.max(
      pod.spec?.initContainers?.length ?? 0,
      status.initContainerStatuses?.length ?? 0,
    ),
    // The spec's own count, as kubectl reads it; none without a spec (a fragment): no READY then.
    containerCount: pod.spec?.containers?.length,
    sidecarCount: pod.spec?.containers
      ? (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').length
      : undefined,
    schedulingGates: pod.spec?.schedulingGates?.length
      ? pod.spec.schedulingGates.slice(0, 64).map((g) => g.name)
      : undefined,
    stateful: isStateful(pod) ? true : undefined,
    conditions: (status.conditions ?? [])
      .filter((c) => FIGURE_CONDITIONS.has(c.type))
      .map((c) =>
        strip({
          type: c.type,
          status: c.status,
          lastTransitionTime: c.lastTransitionTime ?? null,
          reason: c.reason,
          // Only the scheduler's message is a figure (unschedulableMessage); the others repeat
          // "containers with unready status: [...]" on every update.
          message: c.type === 'PodScheduled' && c.status !== 'True' ? cut(c.message) : undefined,
        }),
      ),
    initContainerStatuses: projectContainers(status.initContainerStatuses, initPolicies(pod)),
    containerStatuses: projectContainers(status.containerStatuses),
  });
}

export interface SnapshotContext {
  cluster: string;
  type: WatchType;
  observedAt?: string;
}

/** A raw Pod (any shape) → validated compact snapshot; throws a zod error on a bad Pod. */
export function snapshotOf(rawPod: unknown, ctx: SnapshotContext): PodSnapshot {
  const pod = KubePod.parse(rawPod);
  return strip({
    schemaVersion: SCHEMA_VERSION,
    cluster: ctx.cluster,
    observedAt: ctx.observedAt,
    type: ctx.type,
    pod: compactPod(pod),
  }) as PodSnapshot;
}

/** Which container a `spec.containers{name}` field path names, if any. */
export function containerOfFieldPath(fieldPath: string | undefined): string | undefined {
  const m = fieldPath
    ? /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/.exec(fieldPath)
    : null;
  return m ? m[1] : undefined;
}

/** A core/v1 Event about a Pod → compact event; undefined if the event is not about a Pod. */
export function compactEventOf(raw: unknown): CompactEvent | undefined {
  const ev = KubeEvent.parse(raw);
  const obj = ev.involvedObject;
  if (obj.kind !== 'Pod' || !obj.name) return undefined;
  const first = ev.firstTimestamp ?? ev.eventTime ?? ev.lastTimestamp ?? null;
  const last = ev.series?.lastObservedTime ?? ev.lastTimestamp ?? ev.eventTime ?? first;
  return strip({
    uid: ev.metadata.uid ?? `${ev.metadata.namespace ?? obj.namespace}/${ev.metadata.name}`,
    podUid: obj.uid || undefined,
    namespace: obj.namespace ?? ev.metadata.namespace ?? 'default',
    podName: obj.name,
    reason: ev.reason ?? '',
    message: cut(ev.message),
    type: ev.type,
    container: containerOfFieldPath(obj.fieldPath),
    count: Math.max(1, ev.series?.count ?? ev.count ?? 1),
    firstTimestamp: first,
    lastTimestamp: last,
    source: ev.source?.component || ev.reportingComponent || undefined,
  });
}
