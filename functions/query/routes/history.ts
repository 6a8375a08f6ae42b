/**
 * GET /pods/{cluster}/{namespace}/{name}: every incarnation of a pod name, newest first, each
 * the full record (figures and timeline) that `podlife replay --json` prints. One Query on the
 * name's partition: its incarnations and the name-only events, attached as replay attaches them.
 */
import {
  HistoryParams,
  type HistoryResponse,
  NotFoundError,
  parseParams,
} from '../../commons/api-schemas.ts';
import { recordsOfPartition } from '../../commons/pod-item.ts';
import { historyRequest } from '../../commons/pod-queries.ts';
import { thresholdFor } from '../../commons/pod-rows.ts';
import type { Route } from '../route.ts';

export const historyRoute: Route = {
  path: '/pods/{cluster}/{namespace}/{name}',
  async run({ params, reader, now, thresholds }): Promise<HistoryResponse> {
    const { cluster, namespace, name } = parseParams(HistoryParams, params);
    const items = await reader.queryAll(historyRequest(reader.tableName, cluster, namespace, name));
    const pods = recordsOfPartition(items, { now, stuckAfterSeconds: thresholdFor(thresholds, namespace) });
    if (pods.length === 0) throw new NotFoundError(`no pod ${namespace}/${name} in cluster ${cluster}`);
    return { cluster, namespace, name, pods: pods.reverse() };
  },
};
