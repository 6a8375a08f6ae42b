/**
 * Stage 2, trim: a raw Pod or core/v1 Event from the API server reduced to the fields the
 * snapshot projection reads, before the informer caches it (so env, args, annotations and
 * managedFields are not even kept in memory); with `withhold`, application-written messages
 * are replaced as the snapshot would replace them (core/free-text.ts). And, once a pod has
 * been handed on, its cached object reduced to its identity (`slimPod`).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { eventMessage, terminatedMessage, waitingMessage } from '../../core/free-text.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw API objects are validated by zod downstream
export type Raw = any;

function pick(o: Raw, keys: string[]): Raw {
  if (!o || typeof o !== 'object') return undefined;
  const out: Raw = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Replaces `o.message` by what `rule(reason, message)` allows, when `o` has a string message. */
function withheld(
  o: Raw,
  rule: (reason: string | undefined, message: string | undefined) => string | undefined,
): Raw {
  if (typeof o?.message !== 'string') return o;
  return { ...o, message: rule(typeof o.reason === 'string' ? o.reason : undefined, o.message) };
}

function trimState(s: Raw, withhold: boolean): Raw {
  if (!s || typeof s !== 'object') return undefined;
  const waiting = pick(s.waiting, ['reason', 'message']);
  const terminated = pick(s.terminated, [
    'exitCode',
    'signal',
    'reason',
    'message',
    'startedAt',
    'finishedAt',
    'containerID',
  ]);
  return {
    waiting: withhold ? withheld(waiting, waitingMessage) : waiting,
    running: pick(s.running, ['startedAt']),
    terminated: withhold ? withheld(terminated, terminatedMessage) : terminated,
  };
}
function trimStatuses(list: Raw, withhold: boolean): Raw {
  if (!Array.isArray(list)) return undefined;
  return list.map((c: Raw) => ({
    ...pick(c, ['name', 'restartCount', 'ready', 'started', 'containerID']),
    state: trimState(c?.state, withhold),
    lastState: trimState(c?.lastState, withhold),
  }));
}

/** A volume reduced to the names of its keys (its source kind), values emptied. */
function volumeKinds(v: Raw): Raw {
  if (!v || typeof v !== 'object') return {};
  const out: Raw = {};
  for (const k of Object.keys(v)) if (k !== 'name') out[k] = {};
  return out;
}

/**
 * A Pod reduced to the fields the snapshot projection reads (and the informer needs:
 * name, namespace, resourceVersion). Everything else, env, envFrom, args, command, volumes,
 * annotations, labels (except pod-template-hash), managedFields, is left behind here. With
 * `withhold`, application-written messages are replaced as the snapshot would replace them
 * (core/free-text.ts), so the informer's cache does not hold them either.
 */
export function trimPod(o: Raw, withhold = false): KubernetesObject {
  const md = o?.metadata ?? {};
  const hash = md.labels?.['pod-template-hash'];
  const spec = o?.spec ?? {};
  const status = o?.status;
  return {
    apiVersion: o?.apiVersion,
    kind: o?.kind ?? 'Pod',
    metadata: {
      ...pick(md, [
        'name',
        'namespace',
        'uid',
        'resourceVersion',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
      ]),
      ...(typeof hash === 'string' ? { labels: { 'pod-template-hash': hash } } : {}),
      ...(Array.isArray(md.ownerReferences)
        ? { ownerReferences: md.ownerReferences.map((r: Raw) => pick(r, ['kind', 'name', 'controller'])) }
        : {}),
    },
    spec: {
      nodeName: spec.nodeName,
      // How many app containers (kubectl's READY total), never what they are.
      containers: Array.isArray(spec.containers) ? spec.containers.map(() => ({})) : undefined,
      initContainers: Array.isArray(spec.initContainers)
        ? spec.initContainers.map((c: Raw) => pick(c, ['name', 'restartPolicy']))
        : undefined,
      schedulingGates: Array.isArray(spec.schedulingGates)
        ? spec.schedulingGates.map((g: Raw) => pick(g, ['name']))
        : undefined,
      // Each volume's source kind only (`{ persistentVolumeClaim: {} }`), never its content.
      volumes: Array.isArray(spec.volumes) ? spec.volumes.map(volumeKinds) : undefined,
    },
    status:
      status && typeof status === 'object'
        ? {
            ...pick(status, ['phase', 'reason', 'message', 'qosClass']),
            conditions: Array.isArray(status.conditions)
              ? status.conditions.map((c: Raw) =>
                  pick(c, ['type', 'status', 'lastTransitionTime', 'reason', 'message']),
                )
              : undefined,
            initContainerStatuses: trimStatuses(status.initContainerStatuses, withhold),
            containerStatuses: trimStatuses(status.containerStatuses, withhold),
          }
        : undefined,
  } as KubernetesObject;
}

const slimmed = new WeakSet<object>();

/**
 * Reduces a (trimmed) Pod, in place, to what the informer's cache needs once the pod has been
 * handed to the forwarder: name, namespace, uid and resourceVersion (keying, relist diffs,
 * vanished pods). Its facts live in the forwarder's ledger, not in the cache: with the Pod
 * Facts payload a cached pod is never projected again. The properties are overwritten, not
 * deleted, so the object keeps its shape.
 */
export function slimPod(o: KubernetesObject): KubernetesObject {
  const md = o.metadata ?? {};
  // Absent fields stay as `undefined` properties: the same shape (hidden class) for every pod.
  const x = o as {
    metadata?: Record<'name' | 'namespace' | 'uid' | 'resourceVersion', string | undefined>;
    spec?: unknown;
    status?: unknown;
  };
  x.metadata = { name: md.name, namespace: md.namespace, uid: md.uid, resourceVersion: md.resourceVersion };
  x.spec = undefined;
  x.status = undefined;
  slimmed.add(o);
  return o;
}

/** True for a cached pod that `slimPod` reduced (it carries an identity only). */
export function isSlim(o: unknown): boolean {
  return typeof o === 'object' && o !== null && slimmed.has(o);
}

/** A core/v1 Event reduced to the fields the compact event reads (`withhold`: as trimPod). */
export function trimEvent(o: Raw, withhold = false): KubernetesObject {
  const trimmed = {
    ...pick(o, [
      'apiVersion',
      'reason',
      'message',
      'type',
      'count',
      'firstTimestamp',
      'lastTimestamp',
      'eventTime',
      'reportingComponent',
    ]),
    kind: o?.kind ?? 'Event',
    metadata: pick(o?.metadata, ['name', 'namespace', 'uid', 'resourceVersion']),
    involvedObject: pick(o?.involvedObject, ['kind', 'name', 'namespace', 'uid', 'fieldPath']),
    series: o?.series ? pick(o.series, ['count', 'lastObservedTime']) : o?.series,
    source: o?.source ? pick(o.source, ['component']) : undefined,
  };
  if (!withhold || typeof trimmed.message !== 'string') return trimmed as KubernetesObject;
  const source = o?.source?.component || o?.reportingComponent || undefined;
  const reason = typeof trimmed.reason === 'string' ? trimmed.reason : undefined;
  return { ...trimmed, message: eventMessage(reason, trimmed.message, source) } as KubernetesObject;
}
