/**
 * zod schemas for the Kubernetes objects podlife reads: Pods (single, in a List, in a watch
 * line) and core/v1 Events. Only the fields that a lifecycle figure needs are declared; zod
 * drops everything else (spec, env, annotations, managedFields) at the boundary, so nothing
 * downstream can even see them.
 */
import { z } from 'zod';
import { isRfc3339 } from './time.ts';

/** A Kubernetes time: RFC 3339 text (YAML loaders may hand over a Date), or null. */
const KubeTime = z
  .union([
    z.string().refine(isRfc3339, { message: 'not an RFC 3339 time' }),
    z.date().transform((d) => d.toISOString()),
    z.null(),
  ])
  .optional();

/**
 * Kubernetes' own limits (k8s.io/apimachinery validation): a name is a DNS subdomain (253), a
 * namespace and a container name a DNS label (63), a uid at most 128 here (a UUID is 36), a
 * condition type a qualified name (316). An identity past them is no object an API server
 * wrote: invalid. Reasons are CamelCase words: a longer one is cut, not refused (free text).
 */
export const KUBE_LIMITS = { name: 253, label: 63, uid: 128, qualifiedName: 316, reason: 256 } as const;
/**
 * The longest `deletionGracePeriodSeconds` the contracts carry (10 years): Kubernetes sets no
 * limit, but the request time it gives (the deadline minus it) must be a time podlife accepts.
 */
export const MAX_GRACE_PERIOD_SECONDS = 10 * 365 * 86400;
const Name = z.string().min(1).max(KUBE_LIMITS.name);
const Label = z.string().max(KUBE_LIMITS.label);

/**
 * podlife's table keys join cluster, namespace and name with `#` (model/keys.ts:
 * `POD#cluster#namespace#name`, `cluster#uid`): a `#` inside one of them would make two pods one
 * key (cluster `a#b`, namespace `c` and cluster `a`, namespace `b#c`). No Kubernetes namespace or
 * name holds one (DNS labels and subdomains), and the forwarder's `--cluster` cannot either.
 */
export const NO_KEY_SEPARATOR = /^[^#]*$/;
const noSeparator = 'must not contain "#" (no Kubernetes name does; podlife\'s keys join names with it)';
/**
 * A pod uid as the contracts carry it: it is the pod item's sort key, and podlife's own sort
 * keys in a pod name's partition start with `~` (`~events`, model/keys.ts NAME_EVENTS_SK), which
 * no uid does (the API server's are UUIDs; podlife's stand-ins start with `synthetic:`).
 */
export const podUidPart = (schema: z.ZodString) =>
  schema.regex(/^(?!~)/, 'must not start with "~" (podlife\'s own sort keys do; a pod uid never does)');
/** A namespace or pod name as the contracts carry it: within its limit, no `#`. */
export const keyPart = (schema: z.ZodString) => schema.regex(NO_KEY_SEPARATOR, noSeparator);
/**
 * A cluster name in every contract (the bus events, replay's `--cluster`): 1-63 characters, no `#`
 * (a key separator), `/` or control characters (the query API's `cluster` refuses those, so such
 * a cluster could be written and never read).
 */
export const ClusterName = z
  .string()
  .min(1)
  .max(63)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
  .regex(/^[^\u0000-\u001f\u007f#/]+$/, 'a cluster name: no "#", "/" or control characters');
const Uid = z.string().min(1).max(KUBE_LIMITS.uid);
const Reason = z
  .string()
  .transform((s) => (s.length > KUBE_LIMITS.reason ? `${s.slice(0, KUBE_LIMITS.reason - 1)}…` : s));

const ContainerStateWaiting = z.object({
  reason: Reason.optional(),
  message: z.string().optional(),
});
const ContainerStateRunning = z.object({ startedAt: KubeTime });
const ContainerStateTerminated = z.object({
  exitCode: z.number().int(),
  signal: z.number().int().optional(),
  reason: Reason.optional(),
  message: z.string().optional(),
  startedAt: KubeTime,
  finishedAt: KubeTime,
  containerID: z.string().max(KUBE_LIMITS.name).optional(),
});
const KubeContainerState = z.object({
  waiting: ContainerStateWaiting.optional(),
  running: ContainerStateRunning.optional(),
  terminated: ContainerStateTerminated.optional(),
});

const KubeContainerStatus = z.object({
  name: Label.min(1),
  restartCount: z.number().int().nonnegative().optional().default(0),
  ready: z.boolean().optional(),
  /** Whether the startup probe passed (or the container is running without one); KEP-753 reads it for sidecars. */
  started: z.boolean().nullable().optional(),
  containerID: z.string().max(KUBE_LIMITS.name).optional(),
  state: KubeContainerState.optional(),
  lastState: KubeContainerState.optional(),
});

const KubePodCondition = z.object({
  type: z.string().min(1).max(KUBE_LIMITS.qualifiedName),
  status: Label,
  lastTransitionTime: KubeTime,
  reason: Reason.optional(),
  message: z.string().optional(),
});

/** Kubernetes' pod phases. */
export const PodPhase = z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);
export type PodPhase = z.infer<typeof PodPhase>;

const OwnerReference = z.object({
  kind: Label,
  name: z.string().max(KUBE_LIMITS.name),
  controller: z.boolean().optional(),
});

export const KubePod = z.object({
  kind: z.literal('Pod').optional(),
  metadata: z.object({
    name: Name,
    namespace: Label.min(1).optional().default('default'),
    /** Always set by an API server; hand-written objects may lack it (see `podUidOf`). */
    uid: Uid.optional(),
    resourceVersion: z.string().max(64).optional(),
    creationTimestamp: KubeTime,
    deletionTimestamp: KubeTime,
    /**
     * The grace period of the deletion: `deletionTimestamp` is the request time plus it. Out of
     * range (negative, over MAX_GRACE_PERIOD_SECONDS) reads as absent: never a reason to refuse a Pod.
     */
    deletionGracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_PERIOD_SECONDS)
      .optional()
      .catch(undefined),
    labels: z.record(z.string().max(KUBE_LIMITS.name + 1 + KUBE_LIMITS.label), Label).optional(),
    ownerReferences: z.array(OwnerReference).optional(),
  }),
  spec: z
    .object({
      nodeName: z.string().max(KUBE_LIMITS.name).optional(),
      /** The app containers: only how many there are (kubectl's READY counts them); every field is dropped. */
      containers: z.array(z.object({})).nullable().optional(),
      /** `restartPolicy: Always` makes an init container a native sidecar (KEP-753, stable in 1.29). */
      initContainers: z
        .array(z.object({ name: Label, restartPolicy: Label.nullable().optional() }))
        .optional(),
      /** Gates that hold the pod back from scheduling (KEP-3521, stable in 1.30); only ever removed. */
      schedulingGates: z
        .array(z.object({ name: z.string().min(1).max(KUBE_LIMITS.qualifiedName) }))
        .nullable()
        .optional(),
      /** Only which source each volume has (its one key besides `name`): the startup SLI's "stateless". */
      volumes: z
        .array(z.record(z.string().max(64), z.unknown()))
        .nullable()
        .optional(),
    })
    .optional(),
  status: z
    .object({
      phase: PodPhase.optional(),
      reason: Reason.optional(),
      message: z.string().optional(),
      qosClass: Label.optional(),
      conditions: z.array(KubePodCondition).optional(),
      initContainerStatuses: z.array(KubeContainerStatus).optional(),
      containerStatuses: z.array(KubeContainerStatus).optional(),
    })
    .optional(),
});
export type KubePod = z.infer<typeof KubePod>;

/** `kubectl get pods --watch --output-watch-events -o json` and the raw API watch. */
export const WatchType = z.enum(['ADDED', 'MODIFIED', 'DELETED']);
export type WatchType = z.infer<typeof WatchType>;

/** A core/v1 Event (old style with first/lastTimestamp, or new style with eventTime). */
export const KubeEvent = z.object({
  kind: z.literal('Event').optional(),
  metadata: z.object({ name: Name, namespace: Label.optional(), uid: Uid.optional() }),
  involvedObject: z.object({
    kind: Label.optional(),
    name: z.string().max(KUBE_LIMITS.name).optional(),
    namespace: Label.optional(),
    uid: z.string().max(KUBE_LIMITS.uid).optional(),
    fieldPath: z.string().max(1024).optional(),
  }),
  reason: Reason.optional(),
  message: z.string().optional(),
  type: Label.optional(),
  count: z.number().int().nullable().optional(),
  firstTimestamp: KubeTime,
  lastTimestamp: KubeTime,
  eventTime: KubeTime,
  series: z.object({ count: z.number().int().optional(), lastObservedTime: KubeTime }).nullable().optional(),
  source: z.object({ component: z.string().max(KUBE_LIMITS.name).optional() }).optional(),
  reportingComponent: z.string().max(KUBE_LIMITS.name).nullable().optional(),
});
export type KubeEvent = z.infer<typeof KubeEvent>;
