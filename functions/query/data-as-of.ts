/**
 * How fresh a cluster's data is, for the answers about "now" (/pending, /crashloops, /stats):
 * `dataAsOf`, the cluster's last forwarder heartbeat (null: none recorded, e.g. an older
 * forwarder or the event exporter), and `stale`, true when it is older than the threshold
 * (the sweep's: then it opens no new alert for the cluster). One GetItem of 0.5 read units.
 */
import { isStale } from '../../core/heartbeat.ts';
import { HEARTBEATS_PK } from '../../model/keys.ts';
import { heartbeatOfItem } from '../../store/cluster-health.ts';
import { getItemRequest, type PodReader } from '../../store/pod-queries.ts';

export interface DataFreshness {
  dataAsOf: string | null;
  stale: boolean;
}

export async function dataFreshnessOf(
  reader: PodReader,
  cluster: string,
  nowMs: number,
  staleAfterSeconds: number,
): Promise<DataFreshness> {
  const item = await reader.get(getItemRequest(reader.tableName, { pk: HEARTBEATS_PK, sk: cluster }));
  const dataAsOf = item ? (heartbeatOfItem(item)?.lastHeartbeatAt ?? null) : null;
  return { dataAsOf, stale: isStale(dataAsOf, nowMs, staleAfterSeconds) };
}
