/**
 * The CloudWatch metrics one successful write emits, as pure data: a function of the pod's
 * facts before and after the write. Because writes to a pod are serialised by its version, the
 * before/after pairs of all writes form one chain, so each figure is emitted once per pod
 * whatever the delivery order, and a duplicate (no write) emits nothing.
 *
 * Durations are emitted when the figure first becomes known; counts (restarts, crash-loop
 * seconds, terminations) as the increase over the stored value. Dimensions are bounded:
 * cluster, namespace, and for terminations a reason from a fixed list.
 */
import type { FactMap } from '../core/facts.ts';
import { type Figures, figuresOf, PodView } from '../core/figures.ts';

export interface MetricPoint {
  name: string;
  unit: 'Seconds' | 'Count';
  value: number;
  /** Extra dimensions beyond cluster and namespace. */
  dimensions?: Record<string, string>;
}

/** Termination reasons kept as a dimension value; any other becomes `Other`. */
export const TERMINATION_REASONS = new Set([
  'Completed',
  'Error',
  'OOMKilled',
  'ContainerCannotRun',
  'DeadlineExceeded',
  'StartError',
  'Evicted',
]);

const CTX = { now: 0, stuckAfterSeconds: Number.POSITIVE_INFINITY };

/** Figures that are emitted once, when they first become known. */
const FIRST_KNOWN: [keyof Figures, string][] = [
  ['scheduledAfterSeconds', 'SchedulingSeconds'],
  ['pendingSeconds', 'PendingSeconds'],
  ['timeToReadySeconds', 'TimeToReadySeconds'],
];

function terminationIds(v: PodView): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of v.runs) if (!r.init && r.term) out.set(r.id, r.term.reason ?? 'Unknown');
  return out;
}

/** The metric points of one write (`before` undefined: the item did not exist). */
export function lifecycleMetricsOf(before: FactMap | undefined, after: FactMap): MetricPoint[] {
  const va = new PodView(after);
  if (!va.pod) return [];
  const vb = before ? new PodView(before) : undefined;
  const fa = figuresOf(va, CTX);
  const fb = vb?.pod ? figuresOf(vb, CTX) : undefined;
  const out: MetricPoint[] = [];
  if (!fb) out.push({ name: 'PodsSeen', unit: 'Count', value: 1 });
  for (const [figure, name] of FIRST_KNOWN) {
    const now = fa[figure] as number | null;
    if (now != null && (fb?.[figure] ?? null) == null) out.push({ name, unit: 'Seconds', value: now });
  }
  const restarts = fa.restarts - (fb?.restarts ?? 0);
  if (restarts > 0) out.push({ name: 'Restarts', unit: 'Count', value: restarts });
  const crash = fa.crashLoopBackOffSeconds - (fb?.crashLoopBackOffSeconds ?? 0);
  if (crash > 0) out.push({ name: 'CrashLoopBackOffSeconds', unit: 'Seconds', value: crash });
  const seen = vb ? terminationIds(vb) : new Map<string, string>();
  for (const [id, reason] of terminationIds(va)) {
    if (seen.has(id)) continue;
    out.push({
      name: 'Terminations',
      unit: 'Count',
      value: 1,
      dimensions: { reason: TERMINATION_REASONS.has(reason) ? reason : 'Other' },
    });
  }
  return out;
}
