/**
 * The ingest's heartbeat hook: a `Forwarder Heartbeat` (core/heartbeat.ts) is recorded as the
 * cluster's latest (store/cluster-health.ts: one conditional write, only forward in time) and
 * counted per cluster (EMF, INGEST_METRICS.heartbeats and .forwarderReady), so "no heartbeat"
 * is a metric with no data, and the sweep's stale-cluster count (docs/ingest.md).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ForwarderHeartbeat } from '../../core/heartbeat.ts';
import { INGEST_METRICS } from '../../model/metric-names.ts';
import type { HeartbeatStore } from '../../store/cluster-health.ts';

export interface HeartbeatDeps {
  /** Absent: heartbeats are counted but not recorded (a store without the heartbeat partition). */
  heartbeats?: HeartbeatStore | undefined;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  retentionDays: number;
}

/** What recording one heartbeat did. */
export type HeartbeatOutcome = 'recorded' | 'older' | 'not-recorded';

export function makeHeartbeatIngest(
  deps: HeartbeatDeps,
): (hb: ForwarderHeartbeat) => Promise<HeartbeatOutcome> {
  return async (hb) => {
    let outcome: HeartbeatOutcome = 'not-recorded';
    if (deps.heartbeats) {
      outcome = (await deps.heartbeats.record(hb, deps.now(), deps.retentionDays)) ? 'recorded' : 'older';
    }
    // A single metric is flushed at its first addMetric: one per metric, each with the cluster.
    const perCluster = (name: string, value: number) => {
      const single = deps.metrics.singleMetric();
      single.addDimensions({ cluster: hb.cluster });
      single.addMetric(name, MetricUnit.Count, value);
    };
    perCluster(INGEST_METRICS.heartbeats, 1);
    perCluster(INGEST_METRICS.forwarderReady, hb.ready ? 1 : 0);
    deps.logger.debug('forwarder heartbeat', {
      cluster: hb.cluster,
      instance: hb.instance,
      ready: hb.ready,
      bufferEntries: hb.bufferEntries,
      dropped: hb.dropped,
      podsWatched: hb.podsWatched,
      outcome,
    });
    return outcome;
  };
}
