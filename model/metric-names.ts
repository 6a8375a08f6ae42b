/**
 * The custom CloudWatch metrics podlife's Lambdas emit (EMF, namespace `podlife`), as shared
 * constants: the emitters (functions/ingest, functions/sweep, functions/query), the alarms
 * (infra/alerts.ts, infra/pipeline.ts) and the dashboard (infra/dashboard.ts) all name them from
 * here, so a renamed metric cannot leave an alarm or a graph without data.
 * test/infra/metric-names.test.ts checks that no other file spells a name out and that every
 * name is emitted. (`ColdStart` is Powertools' own, emitted by `logMetrics({ captureColdStartMetric })`.)
 */
export const METRIC_NAMESPACE = 'podlife';

/** Each Lambda's service name: Powertools' `service` dimension and POWERTOOLS_SERVICE_NAME. */
export const SERVICES = {
  ingest: 'podlife-ingest',
  query: 'podlife-query',
  sweep: 'podlife-sweep',
  widget: 'podlife-widget',
  /** The operations routes (silences, purge: functions/query/ops.ts). */
  ops: 'podlife-ops',
} as const;

/** What the ingest emits (functions/ingest), service `podlife-ingest`. */
export const INGEST_METRICS = {
  namespace: METRIC_NAMESPACE,
  service: SERVICES.ingest,
  /** figure → metric, in the order the dashboard shows them (functions/ingest/lifecycle-metrics.ts). */
  durations: {
    scheduledAfterSeconds: 'SchedulingSeconds',
    pendingSeconds: 'PendingSeconds',
    timeToReadySeconds: 'TimeToReadySeconds',
    crashLoopBackOffSeconds: 'CrashLoopBackOffSeconds',
  },
  /**
   * The startup waterfall's stages (issue 11, core/waterfall.ts): figure → metric, emitted once
   * per pod when the figure first becomes known, like `durations`; the dashboard's startup row.
   */
  startupStages: {
    sandboxReadyAfterSeconds: 'SandboxReadySeconds',
    initializedAfterSeconds: 'InitializedSeconds',
    imagePullSeconds: 'ImagePullSeconds',
    containersStartedAfterSeconds: 'ContainersStartedSeconds',
    containersReadyAfterSeconds: 'ContainersReadySeconds',
  },
  /** The Kubernetes pod startup SLI per pod (figure `startupSliSeconds`); the optional SLO alarm reads it. */
  startupSli: 'PodStartupSliSeconds',
  restarts: 'Restarts',
  /** With a `reason` dimension from a fixed list. */
  terminations: 'Terminations',
  podsSeen: 'PodsSeen',
  factsWritten: 'FactsWritten',
  duplicateEvents: 'DuplicateEvents',
  writeConflicts: 'WriteConflicts',
  /** With a `kind` dimension. */
  invalidEvents: 'InvalidEvents',
  /** Per cluster ({service, cluster}): forwarder heartbeats received (functions/ingest/heartbeat.ts). */
  heartbeats: 'ForwarderHeartbeats',
  /** Per cluster: 1 when the latest heartbeat said ready, else 0. */
  forwarderReady: 'ForwarderReady',
  /** Per cluster: stored pods a `Pod Inventory` found gone and marked deleted (functions/ingest/inventory.ts). */
  podsVanished: 'PodsVanished',
} as const;

/** The query API's metrics (functions/query/query.ts), service `podlife-query`. */
export const QUERY_METRICS = {
  service: SERVICES.query,
  /** DynamoDB read capacity one request consumed (also its `x-podlife-read-units` header). */
  readUnits: 'QueryReadUnits',
} as const;

/** The alert sweep's metric names (functions/sweep/sweep.ts). */
export const SWEEP_METRIC = {
  stuckPendingPods: 'StuckPendingPods',
  crashLoopingPods: 'CrashLoopingPods',
  alertsOpened: 'AlertsOpened',
  alertsResolved: 'AlertsResolved',
  alertFailures: 'AlertFailures',
  /** Clusters whose last forwarder heartbeat is older than the staleness threshold (total). */
  staleClusters: 'StaleClusters',
} as const;

/** The alert sweep's metrics, service `podlife-sweep`, and the dimension sets they carry. */
export const SWEEP_METRICS = {
  service: SERVICES.sweep,
  /** Per cluster ({service, cluster}) and in total ({service}). */
  perClusterAndTotal: [SWEEP_METRIC.stuckPendingPods, SWEEP_METRIC.crashLoopingPods],
  /** In total only ({service}). */
  totalOnly: [
    SWEEP_METRIC.alertsOpened,
    SWEEP_METRIC.alertsResolved,
    SWEEP_METRIC.alertFailures,
    SWEEP_METRIC.staleClusters,
  ],
  /** The dimension sets the sweep emits (Powertools adds `service` to each). */
  dimensionSets: [['service'], ['service', 'cluster']],
} as const;

export type SweepMetricName = (typeof SWEEP_METRIC)[keyof typeof SWEEP_METRIC];

/** Every custom metric name above (for the checks that each is emitted and spelled nowhere else). */
export const ALL_METRIC_NAMES: readonly string[] = [
  ...Object.values(INGEST_METRICS.durations),
  ...Object.values(INGEST_METRICS.startupStages),
  INGEST_METRICS.startupSli,
  INGEST_METRICS.restarts,
  INGEST_METRICS.terminations,
  INGEST_METRICS.podsSeen,
  INGEST_METRICS.factsWritten,
  INGEST_METRICS.duplicateEvents,
  INGEST_METRICS.writeConflicts,
  INGEST_METRICS.invalidEvents,
  INGEST_METRICS.heartbeats,
  INGEST_METRICS.forwarderReady,
  INGEST_METRICS.podsVanished,
  QUERY_METRICS.readUnits,
  ...Object.values(SWEEP_METRIC),
];
