/**
 * zod schemas for the Kubernetes objects podlife reads: Pods (single, in a List, in a watch
 * line) and core/v1 Events. Only the fields that a lifecycle figure needs are declared; zod
 * drops everything else (spec, env, annotations, managedFields) at the boundary, so nothing
 * downstream can even see them.
 */
import { z } from 'zod';
import { isRfc3339 } from './time.ts';

/** A Kubernetes time: RFC 3339 text (YAML loaders may hand over a Date), or null. */
export const KubeTime = z
  .union([
    z.string().refine(isRfc3339, { message: 'not an RFC 3339 time' }),
    z.date().transform((d) => d.toISOString()),
    z.null(),
  ])
  .optional();

const ContainerStateWaiting = z.object({
  reason: z.string().optional(),
  message: z.string().optional(),
});
const ContainerStateRunning = z.object({ startedAt: KubeTime });
const ContainerStateTerminated = z.object({
  exitCode: z.number().int(),
  signal: z.number().int().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  startedAt: KubeTime,
  finishedAt: KubeTime,
  containerID: z.string().optional(),
});
export const KubeContainerState = z.object({
  waiting: ContainerStateWaiting.optional(),
  running: ContainerStateRunning.optional(),
  terminated: ContainerStateTerminated.optional(),
});

export const KubeContainerStatus = z.object({
  name: z.string().min(1),
  restartCount: z.number().int().nonnegative().optional().default(0),
  ready: z.boolean().optional(),
  containerID: z.string().optional(),
  state: KubeContainerState.optional(),
  lastState: KubeContainerState.optional(),
});

export const KubePodCondition = z.object({
  type: z.string().min(1),
  status: z.string(),
  lastTransitionTime: KubeTime,
  reason: z.string().optional(),
  message: z.string().optional(),
});

/** Kubernetes' pod phases. */
export const PodPhase = z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);
export type PodPhase = z.infer<typeof PodPhase>;

const OwnerReference = z.object({
  kind: z.string(),
  name: z.string(),
  controller: z.boolean().optional(),
});

export const KubePod = z.object({
  kind: z.literal('Pod').optional(),
  metadata: z.object({
    name: z.string().min(1),
    namespace: z.string().min(1).optional().default('default'),
    /** Always set by an API server; hand-written objects may lack it (see `podUidOf`). */
    uid: z.string().min(1).optional(),
    resourceVersion: z.string().optional(),
    creationTimestamp: KubeTime,
    deletionTimestamp: KubeTime,
    labels: z.record(z.string(), z.string()).optional(),
    ownerReferences: z.array(OwnerReference).optional(),
  }),
  spec: z
    .object({
      nodeName: z.string().optional(),
      initContainers: z.array(z.object({ name: z.string() })).optional(),
    })
    .optional(),
  status: z
    .object({
      phase: PodPhase.optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      qosClass: z.string().optional(),
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
  metadata: z.object({ name: z.string(), namespace: z.string().optional(), uid: z.string().optional() }),
  involvedObject: z.object({
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    fieldPath: z.string().optional(),
  }),
  reason: z.string().optional(),
  message: z.string().optional(),
  type: z.string().optional(),
  count: z.number().int().nullable().optional(),
  firstTimestamp: KubeTime,
  lastTimestamp: KubeTime,
  eventTime: KubeTime,
  series: z.object({ count: z.number().int().optional(), lastObservedTime: KubeTime }).nullable().optional(),
  source: z.object({ component: z.string().optional() }).optional(),
  reportingComponent: z.string().nullable().optional(),
});
export type KubeEvent = z.infer<typeof KubeEvent>;
