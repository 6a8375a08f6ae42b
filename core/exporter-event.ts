/**
 * core/v1 Events sent to the podlife bus by kubernetes-event-exporter (its `eventbridge`
 * receiver) with the layout documented in docs/forwarder.md, for users who already run it.
 *
 * The exporter renders every value of its `details` layout through a Go template, so every
 * value arrives as a string: counts are digits, times are RFC 3339, an absent uid or field path
 * is "". This module validates that shape and maps it onto the contract's CompactEvent, so an
 * exporter's Event and the forwarder's `--events` give the ingest the same fact.
 */
import { z } from 'zod';
import { ClusterName, KUBE_LIMITS, keyPart } from './kube-schemas.ts';
import { type CompactEvent, containerOfFieldPath, cut } from './snapshot.ts';

export const EXPORTER_SOURCE = 'kubernetes-event-exporter';
export const DETAIL_TYPE_EXPORTER = 'Kubernetes Event';

const Str = z.string().max(64 * 1024);
/** A rendered optional value: "" (or "<no value>", Go's rendering of a missing map key) is absent. */
const Opt = Str.optional().transform((s) =>
  s === undefined || s === '' || s === '<no value>' ? undefined : s,
);

/**
 * A rendered optional value with the limit the forwarder's Pod Event contract puts on the same
 * field (core/snapshot.ts CompactEvent): the exporter's values go into the same stored event, so
 * a 20 KB `type` would otherwise fill the pod's bounded item and park its later events.
 */
const OptMax = (max: number, what: string) =>
  Opt.refine((s) => s === undefined || s.length <= max, `longer than ${what} (${max})`);

/** The documented layout. Keys the layout adds beyond these are ignored. */
export const ExporterEventDetail = z.object({
  cluster: ClusterName,
  uid: z.string().min(1).max(KUBE_LIMITS.name),
  kind: Opt.refine(
    (k) => k === undefined || k === 'Pod',
    'not about a Pod (route only kind: Pod to podlife)',
  ),
  namespace: keyPart(z.string().min(1).max(KUBE_LIMITS.label)),
  podName: keyPart(z.string().min(1).max(KUBE_LIMITS.name)),
  podUid: Opt.refine((u) => u === undefined || u.length <= KUBE_LIMITS.uid, 'longer than a uid (128)').refine(
    (u) => u === undefined || !u.startsWith('~'),
    'must not start with "~" (podlife\'s own sort keys do; a pod uid never does)',
  ),
  fieldPath: OptMax(1024, 'a field path').refine(
    (p) => (containerOfFieldPath(p)?.length ?? 0) <= KUBE_LIMITS.label,
    `names a container longer than a container name (${KUBE_LIMITS.label})`,
  ),
  reason: Str.max(256),
  message: Opt,
  type: OptMax(KUBE_LIMITS.label, 'an Event type'),
  count: z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,9}$/, 'digits')])
    .optional()
    .transform((c) => (c === undefined ? undefined : Number(c))),
  firstTimestamp: OptMax(64, 'a time'),
  lastTimestamp: OptMax(64, 'a time'),
  source: OptMax(KUBE_LIMITS.name, 'a component name'),
});
export type ExporterEventDetail = z.infer<typeof ExporterEventDetail>;

/** An RFC 3339 time as the contract keeps it, or null: unparsable, or Go's zero time (year 1). */
function timeOf(s: string | undefined): string | null {
  if (!s) return null;
  const ms = Date.parse(s);
  return Number.isFinite(ms) && ms > 0 ? s : null;
}

/** The exporter's detail as the contract's compact Event. */
export function compactEventOfExporter(d: ExporterEventDetail): CompactEvent {
  const first = timeOf(d.firstTimestamp) ?? timeOf(d.lastTimestamp);
  const ev: CompactEvent = {
    uid: d.uid,
    namespace: d.namespace,
    podName: d.podName,
    reason: d.reason,
    count: Math.max(1, d.count ?? 1),
    firstTimestamp: first,
    lastTimestamp: timeOf(d.lastTimestamp) ?? first,
  };
  if (d.podUid) ev.podUid = d.podUid;
  if (d.message !== undefined) ev.message = cut(d.message);
  if (d.type) ev.type = d.type;
  const container = containerOfFieldPath(d.fieldPath);
  if (container) ev.container = container;
  if (d.source) ev.source = d.source;
  return ev;
}
