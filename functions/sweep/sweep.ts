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
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../../core/concurrency.ts';
import { PodView } from '../../core/figures.ts';
import { DEFAULT_STALE_AFTER_SECONDS, isStale } from '../../core/heartbeat.ts';
import {
  CHANNELS,
  type Channel,
  groupAlerts,
  groupKeyOf,
  isNoticeItem,
  noticeItemOf,
  noticeOf,
  noticeOfItem,
  type PodDetail,
  worstFirst,
} from '../../model/alert-groups.ts';
import {
  type AlertConfig,
  type AlertKind,
  alertItemOf,
  alertOfItem,
  crashLoopAlertOf,
  minStuckPendingSeconds,
  type OpenedAlert,
  openedAlertOfItem,
  type Resolution,
  type ResolvedAlert,
  resolvedAlertOf,
  ruleFor,
  stuckPendingAlertOf,
} from '../../model/alerts.ts';
import type { CrashLoopingPod, PendingPod } from '../../model/api-schemas.ts';
import { alertPk, alertSk, SILENCES_PK, silencedSk } from '../../model/keys.ts';
import { SWEEP_METRIC } from '../../model/metric-names.ts';
import { factsOfItem, podKeyOf, restartTimesOf } from '../../model/pod-item.ts';
import { crashLoopingPodOf, identityOf, pendingPodOf, restartTimesOfItem } from '../../model/pod-rows.ts';
import {
  isSilencedItem,
  type Silence,
  type SilencedBefore,
  silencedBeforeOf,
  silencedItemOf,
  silencedOfItem,
  silenceFor,
  silenceOfItem,
} from '../../model/silences.ts';
import { AlertStore } from '../../store/alert-store.ts';
import { heartbeatOfItem, heartbeatsRequest } from '../../store/cluster-health.ts';
import { documentClient, partitionQuery } from '../../store/dynamo.ts';
import {
  clustersRequest,
  crashLoopingRequest,
  getItemRequest,
  openAlertsRequest,
  PodReader,
  pendingRequest,
  type ReadStats,
} from '../../store/pod-queries.ts';
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
  /**
   * A cluster whose last forwarder heartbeat is older than this is stale: no new episode is
   * opened on its frozen data (default 300 s, five missed heartbeats; env STALE_AFTER_SECONDS).
   */
  staleAfterSeconds?: number | undefined;
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
  /** The cluster's last forwarder heartbeat (null: none recorded). */
  dataAsOf: string | null;
  /** The heartbeat is older than `staleAfterSeconds`: nothing new was opened. */
  stale: boolean;
  /** Episodes due that were not opened because the cluster's data is stale. */
  skippedStale: number;
  /** `kind#uid` of the new episodes a silence holds now (recorded, not announced). */
  silenced: string[];
}

export interface SweepFailure {
  cluster: string;
  alert: string;
  stage: 'open' | 'resolve' | 'deliver';
  error: string;
}

export interface SweepReport {
  now: string;
  clusters: ClusterSweep[];
  /** Episodes another sweep recorded between this one's read and write (announced twice). */
  alreadyRecorded: number;
  /** Grouped notices sent, per channel. */
  sent: Record<Channel, number>;
  /** GetItems of the pods listed in new notices (at most maxPodsListed per notice). */
  detailReads: number;
  failures: SweepFailure[];
  reads: ReadStats;
  writes: number;
  writeUnits: number;
}

/** Some alerts could not be announced or recorded: the invocation fails; the next sweep retries them. */
export class SweepFailedError extends Error {
  override name = 'SweepFailedError';
  constructor(readonly report: SweepReport) {
    const [first] = report.failures;
    super(
      `${report.failures.length} alert(s) failed, retried by the next sweep` +
        (first ? `; first: ${first.alert} in ${first.cluster}: ${first.error}` : ''),
    );
  }
}

/**
 * Which pods open an episode now (pure): per the rule of the pod's namespace and owner kind
 * (disabled: never; Job pods by default), Pending longer than its threshold, or crash-looping
 * with enough restarts in the window, the first of them at least `crashLoopForSeconds` ago.
 */
export function alertsDue(
  pending: readonly PendingPod[],
  crashLooping: readonly CrashLoopingPod[],
  config: AlertConfig,
  nowMs: number,
  firstRestartInWindow: ReadonlyMap<string, number | null> = new Map(),
): OpenedAlert[] {
  const rule = (p: PendingPod | CrashLoopingPod) => ruleFor(config, p.namespace, p.owner?.kind ?? null);
  const out: OpenedAlert[] = [];
  for (const p of pending) {
    const r = rule(p);
    if (!r.enabled || p.ageSeconds == null || p.ageSeconds <= r.stuckPendingSeconds) continue;
    out.push(stuckPendingAlertOf({ ...p, thresholdSeconds: r.stuckPendingSeconds, stuck: true }, nowMs));
  }
  for (const p of crashLooping) {
    const r = rule(p);
    if (!r.enabled || p.restartsInWindow < r.crashLoopMinRestarts) continue;
    const first = firstRestartInWindow.get(p.uid);
    if (r.crashLoopForSeconds > 0 && first != null && nowMs / 1000 - first < r.crashLoopForSeconds) continue;
    out.push(crashLoopAlertOf(p, nowMs, config.crashLoopWindowSeconds));
  }
  return out;
}

/** A listed pod's details from its item's facts: the waiting container and message, the last Warning Event. */
export function podDetailOf(item: Item): PodDetail {
  const v = new PodView(factsOfItem(item));
  const latestFact = v.get<'latest'>('latest');
  const latest = latestFact?.waiting ?? null;
  let waiting: { container: string; message?: string } | null = latest;
  if (!waiting) {
    const w = [...v.waitings].sort((a, b) => (b.t ?? -1) - (a.t ?? -1))[0];
    waiting = w ?? null;
  }
  let warn: { t: number; reason: string; message: string | null } | null = null;
  const see = (t: number, reason: string, message: string | undefined) => {
    if (!warn || t > warn.t) warn = { t, reason, message: message ?? null };
  };
  for (const e of v.events) if (e.type === 'Warning') see(e.last ?? e.first ?? -1, e.reason, e.message);
  for (const f of v.eventFolds) if (f.type === 'Warning') see(f.latest.t, f.reason, f.latest.message);
  const w = warn as { t: number; reason: string; message: string | null } | null;
  const name = waiting?.container;
  return {
    container: name ?? null,
    // An init container's crash loop shows as Init:CrashLoopBackOff: say which kind it is.
    initContainer: name !== undefined && v.waitings.some((x) => x.container === name && x.init),
    status: latestFact?.status ?? null,
    waitingMessage: waiting?.message ?? null,
    lastWarningEvent: w
      ? { reason: w.reason, message: w.message, at: w.t >= 0 ? new Date(w.t).toISOString() : null }
      : null,
  };
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
  const restarts = restartTimesOf(new PodView(factsOfItem(pod)));
  const last = restarts.at(-1);
  if (last != null && nowMs / 1000 - last < config.crashLoopQuietSeconds) return undefined;
  return 'Running';
}

export function makeSweepHandler(deps: SweepDeps): (event?: unknown) => Promise<SweepReport> {
  const doc = documentClient(deps.client);
  const { config, logger, metrics, notifier, tableName } = deps;
  const concurrency = deps.concurrency ?? 8;
  const staleAfterSeconds = deps.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS;

  return async () => {
    const nowMs = deps.now();
    const reader = new PodReader(doc, tableName);
    /** The detail reads of listed pods, counted apart (`detailReads`) from the sweep's own reads. */
    const details = new PodReader(doc, tableName);
    const store = new AlertStore(doc, tableName);
    const report: SweepReport = {
      now: new Date(nowMs).toISOString(),
      clusters: [],
      alreadyRecorded: 0,
      sent: { sns: 0, events: 0 },
      detailReads: 0,
      failures: [],
      reads: reader.stats,
      writes: 0,
      writeUnits: 0,
    };
    const createdBefore = new Date(nowMs - minStuckPendingSeconds(config) * 1000).toISOString();

    /**
     * The container, waiting message and last Warning Event of the pods a notice lists, read
     * strongly consistent: null for a pod whose item says it has left the state since the index
     * (eventually consistent) listed it, e.g. Ready just before the sweep.
     */
    async function withDetails<T extends OpenedAlert>(
      alerts: T[],
    ): Promise<((T & Partial<PodDetail>) | null)[]> {
      return mapLimit(alerts, concurrency, async (a) => {
        try {
          report.detailReads++;
          const item = await details.get(
            getItemRequest(tableName, podKeyOf(a.cluster, a.namespace, a.name, a.uid), true),
          );
          if (item && resolutionOf(a.kind, item, nowMs, config) !== undefined) return null;
          return item?.facts ? { ...a, ...podDetailOf(item) } : a;
        } catch (err) {
          logger.warn('pod details unavailable; the alert goes without them', {
            uid: a.uid,
            error: err as Error,
          });
          return a;
        }
      });
    }

    async function sweepCluster(cluster: string, dataAsOf: string | null): Promise<ClusterSweep> {
      const stale = isStale(dataAsOf, nowMs, staleAfterSeconds);
      const [openItems, pendingItems, crashItems] = await Promise.all([
        reader.queryAll(openAlertsRequest(tableName, cluster)),
        reader.queryAll(pendingRequest(tableName, { cluster, createdBefore })),
        reader.queryAll(crashLoopingRequest(tableName, { cluster })),
      ]);
      const pending = pendingItems.map((i) => pendingPodOf(i, nowMs, config.pending));
      const crashing = crashItems.map((i) => crashLoopingPodOf(i, nowMs, config.crashLoopWindowSeconds));
      const firstRestartInWindow = new Map(
        crashItems.map((i) => {
          const from = nowMs / 1000 - config.crashLoopWindowSeconds;
          return [identityOf(i).uid, restartTimesOfItem(i).find((t) => t >= from) ?? null] as const;
        }),
      );
      const due = alertsDue(pending, crashing, config, nowMs, firstRestartInWindow);
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
        dataAsOf,
        stale,
        skippedStale: 0,
        silenced: [],
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

      const notices = openItems.filter(isNoticeItem);
      const silencedItems = openItems.filter(isSilencedItem);
      const episodes = openItems.filter((i) => !isNoticeItem(i) && !isSilencedItem(i));
      const openSks = new Set(episodes.map((i) => String(i.sk)));

      /** Each channel not yet delivered is sent alone; the notice item goes once all have. */
      async function deliver(item: Item): Promise<void> {
        const { key, notice, sent } = noticeOfItem(item);
        let left = 0;
        for (const channel of CHANNELS) {
          if (sent[channel]) continue;
          try {
            await notifier.send(channel, notice);
            report.sent[channel]++;
            await store.channelSent(key, channel);
          } catch (err) {
            left++;
            fail(`${key.sk} (${channel})`, 'deliver', err);
          }
        }
        if (left === 0) await store.remove(key);
      }

      // Notices an earlier sweep recorded but could not deliver on every channel.
      for (const item of notices) await deliver(item);

      const notOpen = due.filter((a) => !openSks.has(alertSk(a.kind, a.uid)));
      // Stale data (the forwarder stopped heartbeating): a pod "still Pending" may have started or
      // gone long ago. Nothing new is opened (or silenced) on it; open episodes still resolve on what is known.
      if (stale) {
        result.skippedStale = notOpen.length;
        logger.warn('cluster data is stale: no new alert opened', {
          cluster,
          dataAsOf,
          staleAfterSeconds,
          skipped: notOpen.length,
        });
      }
      // Silences: a new episode an active silence matches is recorded as silenced and not sent;
      // once no silence holds it (ended, deleted) and it is still due, it goes out, saying so.
      const unheld = stale ? [] : notOpen;
      const silencedBefore = new Map<string, SilencedBefore>();
      const silencedKeys = new Set<string>();
      for (const i of silencedItems) {
        try {
          const r = silencedOfItem(i);
          silencedKeys.add(String(i.sk));
          silencedBefore.set(String(i.sk), silencedBeforeOf(r, nowMs));
        } catch (err) {
          logger.warn('malformed silenced record ignored', { sk: i.sk, error: err as Error });
        }
      }
      const fresh: (OpenedAlert & { silencedBefore?: SilencedBefore })[] = [];
      const held = new Set<string>();
      for (const a of unheld) {
        const sk = silencedSk(a.kind, a.uid);
        const s = silenceFor(silences, a, nowMs);
        if (s) {
          held.add(sk);
          result.silenced.push(alertSk(a.kind, a.uid));
          if (silencedKeys.has(sk)) continue;
          try {
            await store.create(silencedItemOf(a, s, alertPk(cluster)));
          } catch (err) {
            fail(sk, 'open', err);
          }
          continue;
        }
        const before = silencedBefore.get(sk);
        fresh.push(before ? { ...a, silencedBefore: before } : a);
      }
      /** Silenced records no longer held: announced below (still due) or the pod left the state. */
      // On stale data nothing is released either: what a silence held stays recorded.
      const release = stale ? [] : [...silencedKeys].filter((sk) => !held.has(sk));
      await mapLimit(groupAlerts(fresh), concurrency, async (all) => {
        const ordered = worstFirst(all);
        const first = ordered.slice(0, config.maxPodsListed);
        const read = await withDetails(first);
        const listed = read.filter((a) => a !== null);
        // A listed pod that has left the state is not announced (nor recorded): the index lagged.
        const left = new Set(first.filter((_, i) => read[i] === null).map((a) => alertSk(a.kind, a.uid)));
        const group = all.filter((a) => !left.has(alertSk(a.kind, a.uid)));
        if (group.length === 0) return;
        const notice = noticeOf('opened', [...listed, ...ordered.slice(config.maxPodsListed)], {
          nowMs,
          maxPodsListed: config.maxPodsListed,
          ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
        });
        const item = noticeItemOf(notice, config.retentionDays);
        try {
          // The notice first (an outbox: the next sweep delivers it if this one dies), then the episodes.
          if (!(await store.create(item))) return;
          await mapLimit(group, concurrency, async (alert) => {
            const sk = alertSk(alert.kind, alert.uid);
            if (await store.create({ ...alertItemOf(alert, config.retentionDays), notice: item.sk }))
              result.opened.push(sk);
            else report.alreadyRecorded++;
          });
        } catch (err) {
          fail(String(item.sk), 'open', err);
          return;
        }
        logger.info('alerts opened', { cluster, notice: item.sk, pods: group.length });
        await deliver(item);
      });
      // After the notices that announce them are recorded (a failed one keeps its record, so the
      // next sweep's alert still says which silence held it).
      await mapLimit(release, concurrency, async (sk) => {
        const a = fresh.find((x) => silencedSk(x.kind, x.uid) === sk);
        if (a && !result.opened.includes(alertSk(a.kind, a.uid))) return;
        try {
          await store.remove({ pk: alertPk(cluster), sk });
        } catch (err) {
          fail(sk, 'resolve', err);
        }
      });

      const resolvedNow: { item: Item; alert: ResolvedAlert }[] = [];
      await mapLimit(
        episodes.filter((i) => !inState.has(String(i.sk))),
        concurrency,
        async (item) => {
          const sk = String(item.sk);
          try {
            const { opened, podKey } = alertOfItem(item);
            const pod = await reader.get(getItemRequest(tableName, podKey, true));
            const resolution = resolutionOf(opened.kind, pod, nowMs, config);
            if (resolution) resolvedNow.push({ item, alert: resolvedAlertOf(opened, resolution, nowMs) });
          } catch (err) {
            fail(sk, 'resolve', err);
          }
        },
      );
      // Open after this sweep: the episodes it found open and the ones it opened (a pod re-created
      // with the same name opens under its new uid as its old one resolves, in the same group).
      const openPerGroup = new Map<string, number>();
      const openedNow = fresh.filter((a) => result.opened.includes(alertSk(a.kind, a.uid)));
      for (const a of [...episodes.map(openedAlertOfItem), ...openedNow]) {
        const k = groupKeyOf(a);
        openPerGroup.set(k, (openPerGroup.get(k) ?? 0) + 1);
      }
      for (const group of groupAlerts(resolvedNow.map((r) => ({ ...r.alert, item: r.item })))) {
        const [head] = group;
        if (!head) continue;
        const stillOpen = (openPerGroup.get(groupKeyOf(head)) ?? 0) - group.length;
        const alerts = group.map(({ item: _, ...a }) => a as ResolvedAlert);
        const notice = noticeOf('resolved', alerts, {
          nowMs,
          maxPodsListed: config.maxPodsListed,
          stillOpen,
          ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
        });
        const item = noticeItemOf(notice, config.retentionDays);
        try {
          if (!(await store.create(item))) continue;
          await mapLimit(group, concurrency, async (r) => {
            if (await store.remove({ pk: String(r.item.pk), sk: String(r.item.sk) }))
              result.resolved.push(String(r.item.sk));
          });
        } catch (err) {
          fail(String(item.sk), 'resolve', err);
          continue;
        }
        logger.info('alerts resolved', { cluster, notice: item.sk, pods: group.length });
        await deliver(item);
      }
      return result;
    }

    const silences: Silence[] = [];
    for (const i of await reader.queryAll(partitionQuery(tableName, SILENCES_PK, { consistent: true }))) {
      try {
        silences.push(silenceOfItem(i));
      } catch (err) {
        logger.warn('malformed silence ignored', { sk: i.sk, error: err as Error });
      }
    }
    const [clusterItems, heartbeatItems] = await Promise.all([
      reader.queryAll(clustersRequest(tableName)),
      reader.queryAll(heartbeatsRequest(tableName)),
    ]);
    const clusters = clusterItems.map((i) => String(i.sk));
    const lastHeartbeat = new Map<string, string>();
    for (const i of heartbeatItems) {
      const hb = heartbeatOfItem(i);
      if (hb) lastHeartbeat.set(hb.cluster, hb.lastHeartbeatAt);
    }
    for (const cluster of clusters)
      report.clusters.push(await sweepCluster(cluster, lastHeartbeat.get(cluster) ?? null));
    // A cluster that heartbeats but has no pod yet is not in the registry: counted stale all the same.
    const known = new Set(clusters);
    const staleClusters =
      report.clusters.filter((c) => c.stale).length +
      [...lastHeartbeat].filter(([c, at]) => !known.has(c) && isStale(at, nowMs, staleAfterSeconds)).length;
    report.writes = store.writes;
    report.writeUnits = store.writeUnits;

    // Per cluster: its own dimension value, so one EMF record per metric, written now
    // (`singleMetric`). The totals (dimension `service` only, what the stuck-Pending alarm
    // watches) are stored and flushed after the invocation by `logMetrics` (functions/powertools.ts).
    for (const c of report.clusters) {
      const perCluster = (name: string, value: number) => {
        const single = metrics.singleMetric();
        single.addDimensions({ cluster: c.cluster });
        single.addMetric(name, MetricUnit.Count, value);
      };
      perCluster(SWEEP_METRIC.stuckPendingPods, c.stuckPending);
      perCluster(SWEEP_METRIC.crashLoopingPods, c.crashLooping);
    }
    const sum = (f: (c: ClusterSweep) => number) => report.clusters.reduce((s, c) => s + f(c), 0);
    const totals: [string, number][] = [
      [SWEEP_METRIC.stuckPendingPods, sum((c) => c.stuckPending)],
      [SWEEP_METRIC.crashLoopingPods, sum((c) => c.crashLooping)],
      [SWEEP_METRIC.alertsOpened, sum((c) => c.opened.length)],
      [SWEEP_METRIC.alertsResolved, sum((c) => c.resolved.length)],
      [SWEEP_METRIC.alertFailures, report.failures.length],
      [SWEEP_METRIC.staleClusters, staleClusters],
    ];
    for (const [name, value] of totals) metrics.addMetric(name, MetricUnit.Count, value);

    logger.info('sweep done', {
      clusters: report.clusters.length,
      stuckPending: sum((c) => c.stuckPending),
      crashLooping: sum((c) => c.crashLooping),
      staleClusters,
      reads: report.reads,
      failures: report.failures.length,
    });
    if (report.failures.length > 0) throw new SweepFailedError(report);
    return report;
  };
}
