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
import type { FactMap } from '../../core/facts.ts';
import { type Figures, figuresOf, PodView } from '../../core/figures.ts';
import { INGEST_METRICS } from '../../model/metric-names.ts';

const M = INGEST_METRICS;

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
  ['scheduledAfterSeconds', M.durations.scheduledAfterSeconds],
  ['pendingSeconds', M.durations.pendingSeconds],
  ['timeToReadySeconds', M.durations.timeToReadySeconds],
  // The startup waterfall's stages and the pod startup SLI (issue 11).
  ['sandboxReadyAfterSeconds', M.startupStages.sandboxReadyAfterSeconds],
  ['initializedAfterSeconds', M.startupStages.initializedAfterSeconds],
  ['imagePullSeconds', M.startupStages.imagePullSeconds],
  ['containersStartedAfterSeconds', M.startupStages.containersStartedAfterSeconds],
  ['containersReadyAfterSeconds', M.startupStages.containersReadyAfterSeconds],
  ['startupSliSeconds', M.startupSli],
];

/** Terminations of app containers by reason: runs kept in full plus folded runs (core/fold.ts). */
function terminationCounts(v: PodView): Map<string, number> {
  const out = new Map<string, number>();
  const add = (reason: string, n: number) => {
    const key = TERMINATION_REASONS.has(reason) ? reason : 'Other';
    out.set(key, (out.get(key) ?? 0) + n);
  };
  for (const r of v.runs) if (!r.init && r.term) add(r.term.reason ?? 'Unknown', 1);
  for (const f of v.runFolds)
    if (!f.init) for (const [reason, n] of Object.entries(f.reasons)) add(reason || 'Unknown', n);
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
  if (!fb) out.push({ name: M.podsSeen, unit: 'Count', value: 1 });
  for (const [figure, name] of FIRST_KNOWN) {
    const now = fa[figure] as number | null;
    if (now != null && (fb?.[figure] ?? null) == null) out.push({ name, unit: 'Seconds', value: now });
  }
  const restarts = fa.restarts - (fb?.restarts ?? 0);
  if (restarts > 0) out.push({ name: M.restarts, unit: 'Count', value: restarts });
  const crash = fa.crashLoopBackOffSeconds - (fb?.crashLoopBackOffSeconds ?? 0);
  if (crash > 0) out.push({ name: M.durations.crashLoopBackOffSeconds, unit: 'Seconds', value: crash });
  // Counted, not listed: a run folded in the same write as it arrived still counts, once.
  const seen = vb ? terminationCounts(vb) : new Map<string, number>();
  for (const [reason, n] of terminationCounts(va)) {
    const value = n - (seen.get(reason) ?? 0);
    if (value > 0) out.push({ name: M.terminations, unit: 'Count', value, dimensions: { reason } });
  }
  return out;
}
