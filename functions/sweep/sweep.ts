/**
 * The alert sweep, run every minute: for each cluster in the registry, the pods Pending longer
 * than their namespace's threshold (sparse `pending` index) and the pods crash-looping with
 * enough restarts in the window (sparse `crashLooping` index) each open one alert episode; an
 * open episode whose pod left the state (Running, finished, deleted) is resolved once. Its
 * reads follow the pods Pending and crash-looping and the open alerts, never the pods stored.
 *
 * Delivery is at least once: an episode is announced (SNS + EventBridge) first and recorded
 * second. If announcing fails nothing is recorded and the next sweep announces it again; if
 * the sweep dies between the two, the next one announces it a second time. The other order
 * (record, then announce) could lose an alert for good, which is worse than a duplicate.
 * Resolutions work the same way: announce, then delete the alert item.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type AlertConfig,
  type AlertKind,
  alertItemOf,
  crashLoopAlertOf,
  type OpenedAlert,
  openedAlertOfItem,
  type Resolution,
  resolvedAlertOf,
  stuckPendingAlertOf,
} from '../commons/alerts.ts';
import type { CrashLoopingPod, PendingPod } from '../commons/api-schemas.ts';
import { mapLimit } from '../commons/concurrency.ts';
import { alertSk } from '../commons/keys.ts';
import { decodeFacts, restartTimesOf } from '../commons/pod-item.ts';
import {
  clustersRequest,
  crashLoopingRequest,
  getItemRequest,
  openAlertsRequest,
  PodReader,
  pendingRequest,
  type ReadStats,
} from '../commons/pod-queries.ts';
import { crashLoopingPodOf, minThreshold, pendingPodOf } from '../commons/pod-rows.ts';
import { PodView } from '../core/figures.ts';
import { AlertStore } from './alert-store.ts';
import type { AlertNotifier } from './notifier.ts';

type Item = Record<string, unknown>;

export interface SweepDeps {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  notifier: AlertNotifier;
  config: AlertConfig;
  /** Epoch ms; read once per sweep. */
  now: () => number;
  logger: Logger;
  metrics: Metrics;
  /** Alerts announced at once (default 8). */
  concurrency?: number;
}

export interface ClusterSweep {
  cluster: string;
  /** Pods Pending longer than their namespace's threshold now. */
  stuckPending: number;
  /** Pods crash-looping with at least the minimum restarts in the window now. */
  crashLooping: number;
  /** `kind#uid` of the episodes opened and resolved by this sweep. */
  opened: string[];
  resolved: string[];
}

export interface SweepFailure {
  cluster: string;
  alert: string;
  stage: 'open' | 'resolve';
  error: string;
}

export interface SweepReport {
  now: string;
  clusters: ClusterSweep[];
  /** Episodes another sweep recorded between this one's read and write (announced twice). */
  alreadyRecorded: number;
  failures: SweepFailure[];
  reads: ReadStats;
  writes: number;
  writeUnits: number;
}

/** Some alerts could not be announced or recorded: the invocation fails; the next sweep retries them. */
export class SweepFailedError extends Error {
  override name = 'SweepFailedError';
  constructor(readonly report: SweepReport) {
    const f = report.failures;
    super(
      `${f.length} alert(s) failed, retried by the next sweep; first: ${f[0].alert} in ${f[0].cluster}: ${f[0].error}`,
    );
  }
}

/** Which pods open an episode now (pure). */
export function alertsDue(
  pending: readonly PendingPod[],
  crashLooping: readonly CrashLoopingPod[],
  config: AlertConfig,
  nowMs: number,
): OpenedAlert[] {
  return [
    ...pending.filter((p) => p.stuck).map((p) => stuckPendingAlertOf(p, nowMs)),
    ...crashLooping
      .filter((p) => p.restartsInWindow >= config.crashLoopMinRestarts)
      .map((p) => crashLoopAlertOf(p, nowMs, config.crashLoopWindowSeconds)),
  ];
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/**
 * Whether an episode's pod has left the state, read from its item (strongly consistent, since
 * the indexes lag): undefined while it is still in it. A crash-looping pod is briefly Running
 * between crashes, so that episode ends only after `crashLoopQuietSeconds` without a restart.
 */
export function resolutionOf(
  kind: AlertKind,
  pod: Item | undefined,
  nowMs: number,
  config: AlertConfig,
): Resolution | undefined {
  if (!pod) return 'Gone';
  if (pod.deleted === true) return 'Deleted';
  const phase = String(pod.phase);
  if (kind === 'pending') {
    if (pod.pendingKey) return undefined;
    return TERMINAL.has(phase) ? (phase as Resolution) : 'Running';
  }
  if (TERMINAL.has(phase)) return phase as Resolution;
  if (pod.crashKey) return undefined;
  const restarts = restartTimesOf(new PodView(decodeFacts(pod.facts as Uint8Array)));
  const last = restarts.at(-1);
  if (last != null && nowMs / 1000 - last < config.crashLoopQuietSeconds) return undefined;
  return 'Running';
}

export function makeSweepHandler(deps: SweepDeps): (event?: unknown) => Promise<SweepReport> {
  const doc =
    deps.client instanceof DynamoDBDocumentClient
      ? deps.client
      : DynamoDBDocumentClient.from(deps.client, { marshallOptions: { removeUndefinedValues: true } });
  const { config, logger, metrics, notifier, tableName } = deps;
  const concurrency = deps.concurrency ?? 8;

  return async () => {
    const nowMs = deps.now();
    const reader = new PodReader(doc, tableName);
    const store = new AlertStore(doc, tableName);
    const report: SweepReport = {
      now: new Date(nowMs).toISOString(),
      clusters: [],
      alreadyRecorded: 0,
      failures: [],
      reads: reader.stats,
      writes: 0,
      writeUnits: 0,
    };
    const createdBefore = new Date(nowMs - minThreshold(config.pending) * 1000).toISOString();

    async function sweepCluster(cluster: string): Promise<ClusterSweep> {
      const [openItems, pendingItems, crashItems] = await Promise.all([
        reader.queryAll(openAlertsRequest(tableName, cluster)),
        reader.queryAll(pendingRequest(tableName, { cluster, createdBefore })),
        reader.queryAll(crashLoopingRequest(tableName, { cluster })),
      ]);
      const pending = pendingItems.map((i) => pendingPodOf(i, nowMs, config.pending));
      const crashing = crashItems.map((i) => crashLoopingPodOf(i, nowMs, config.crashLoopWindowSeconds));
      const due = alertsDue(pending, crashing, config, nowMs);
      const open = new Map(openItems.map((i) => [String(i.sk), i]));
      const inState = new Set([
        ...pending.map((p) => alertSk('pending', p.uid)),
        ...crashing.map((p) => alertSk('crashloop', p.uid)),
      ]);
      const result: ClusterSweep = {
        cluster,
        stuckPending: due.filter((a) => a.kind === 'pending').length,
        crashLooping: due.filter((a) => a.kind === 'crashloop').length,
        opened: [],
        resolved: [],
      };
      const fail = (alert: string, stage: SweepFailure['stage'], err: unknown) => {
        logger.error('alert failed; the next sweep retries it', {
          cluster,
          alert,
          stage,
          error: err as Error,
        });
        report.failures.push({
          cluster,
          alert,
          stage,
          error: `${(err as Error).name}: ${(err as Error).message}`,
        });
      };

      await mapLimit(
        due.filter((a) => !open.has(alertSk(a.kind, a.uid))),
        concurrency,
        async (alert) => {
          const sk = alertSk(alert.kind, alert.uid);
          try {
            await notifier.opened(alert);
            if (await store.create(alertItemOf(alert, config.retentionDays))) result.opened.push(sk);
            else report.alreadyRecorded++;
            logger.info('alert opened', { cluster, namespace: alert.namespace, pod: alert.name, alert: sk });
          } catch (err) {
            fail(sk, 'open', err);
          }
        },
      );

      await mapLimit(
        [...open.values()].filter((i) => !inState.has(String(i.sk))),
        concurrency,
        async (item) => {
          const sk = String(item.sk);
          try {
            const opened = openedAlertOfItem(item);
            const pod = await reader.get(
              getItemRequest(tableName, { pk: String(item.podPk), sk: String(item.podSk) }, true),
            );
            const resolution = resolutionOf(opened.kind, pod, nowMs, config);
            if (!resolution) return;
            await notifier.resolved(resolvedAlertOf(opened, resolution, nowMs));
            if (await store.remove({ pk: String(item.pk), sk })) result.resolved.push(sk);
            logger.info('alert resolved', {
              cluster,
              namespace: opened.namespace,
              pod: opened.name,
              alert: sk,
              resolution,
            });
          } catch (err) {
            fail(sk, 'resolve', err);
          }
        },
      );
      return result;
    }

    const clusters = (await reader.queryAll(clustersRequest(tableName))).map((i) => String(i.sk));
    for (const cluster of clusters) report.clusters.push(await sweepCluster(cluster));
    report.writes = store.writes;
    report.writeUnits = store.writeUnits;

    for (const c of report.clusters) {
      metrics.addDimensions({ cluster: c.cluster });
      metrics.addMetric('StuckPendingPods', MetricUnit.Count, c.stuckPending);
      metrics.addMetric('CrashLoopingPods', MetricUnit.Count, c.crashLooping);
      metrics.publishStoredMetrics();
    }
    // Totals over all clusters (dimension `service` only): what the stuck-Pending alarm watches.
    const sum = (f: (c: ClusterSweep) => number) => report.clusters.reduce((s, c) => s + f(c), 0);
    metrics.addMetric(
      'StuckPendingPods',
      MetricUnit.Count,
      sum((c) => c.stuckPending),
    );
    metrics.addMetric(
      'CrashLoopingPods',
      MetricUnit.Count,
      sum((c) => c.crashLooping),
    );
    metrics.addMetric(
      'AlertsOpened',
      MetricUnit.Count,
      sum((c) => c.opened.length),
    );
    metrics.addMetric(
      'AlertsResolved',
      MetricUnit.Count,
      sum((c) => c.resolved.length),
    );
    metrics.addMetric('AlertFailures', MetricUnit.Count, report.failures.length);
    metrics.publishStoredMetrics();

    logger.info('sweep done', {
      clusters: report.clusters.length,
      stuckPending: sum((c) => c.stuckPending),
      crashLooping: sum((c) => c.crashLooping),
      reads: report.reads,
      failures: report.failures.length,
    });
    if (report.failures.length > 0) throw new SweepFailedError(report);
    return report;
  };
}
