/**
 * A pod's full report: identity, figures and timeline. This is the object `podlife replay
 * --json` prints, the query API returns and the stored item holds: one shape everywhere.
 */
import type { FactMap, Owner } from './facts.ts';
import { type FigureContext, type Figures, figuresOf, PodView } from './figures.ts';
import { type TimelineEntry, timelineOf } from './timeline.ts';

export interface PodRecord extends Figures {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  owner: Owner | null;
  node: string | null;
  timeline: TimelineEntry[];
}

/** The record of one pod, or undefined if no snapshot of the pod itself was seen (events only). */
export function podRecordOf(facts: FactMap, ctx: FigureContext): PodRecord | undefined {
  const v = new PodView(facts);
  if (!v.pod) return undefined;
  return {
    cluster: v.pod.cluster,
    namespace: v.pod.namespace,
    name: v.pod.name,
    uid: v.pod.uid,
    owner: v.pod.owner,
    node: v.get<'node'>('node')?.node ?? null,
    ...figuresOf(v, ctx),
    timeline: timelineOf(v),
  };
}

/** Sort order for reports: cluster, namespace, name, then creation (incarnations of one name). */
export function compareRecords(a: PodRecord, b: PodRecord): number {
  for (const k of ['cluster', 'namespace', 'name'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  const ca = a.timeline[0]?.at ?? '';
  const cb = b.timeline[0]?.at ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  return a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;
}
