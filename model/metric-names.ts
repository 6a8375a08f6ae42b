/**
 * The custom CloudWatch metrics podlife's Lambdas emit (EMF, namespace `podlife`), as shared
 * constants: the infra's alarms and the template tests name them from here instead of
 * re-typing strings. The emitters (functions/sweep/sweep.ts, functions/ingest) still write
 * them by name; test/infra/health-alarms.test.ts checks every name below appears there.
 */
export const METRIC_NAMESPACE = 'podlife';

/** The alert sweep's metrics (functions/sweep/sweep.ts), service `podlife-sweep`. */
export const SWEEP_METRICS = {
  service: 'podlife-sweep',
  /** Per cluster ({service, cluster}) and in total ({service}). */
  perClusterAndTotal: ['StuckPendingPods', 'CrashLoopingPods'],
  /** In total only ({service}). */
  totalOnly: ['AlertsOpened', 'AlertsResolved', 'AlertFailures'],
  /** The dimension sets the sweep emits (Powertools adds `service` to each). */
  dimensionSets: [['service'], ['service', 'cluster']],
} as const;

export type SweepMetricName =
  | (typeof SWEEP_METRICS.perClusterAndTotal)[number]
  | (typeof SWEEP_METRICS.totalOnly)[number];
