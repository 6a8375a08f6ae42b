/**
 * GET /pods/{cluster}/{namespace}/{name}?limit=&nextToken=: the incarnations of a pod name,
 * newest first, each the full record (figures and timeline) that `podlife replay --json` prints,
 * one page at a time. One Query on the name's partition: its incarnations and the name-only
 * events, attached as replay attaches them (this needs every incarnation, so each page reads the
 * partition, at most QUERY_BOUNDS.maxHistoryItems items). A page holds at most `limit` records
 * and stops before its JSON passes QUERY_BOUNDS.maxAnswerBytes (one record at least); the token
 * names the last record answered, so a page resumes after it even if incarnations came or went.
 */

import type { PodRecord } from '../../../core/pod-record.ts';
import {
  BadParameterError,
  decodeToken,
  encodeToken,
  HistoryParams,
  type HistoryResponse,
  NotFoundError,
  parseParams,
  QUERY_BOUNDS,
} from '../../../model/api-schemas.ts';
import { podPk } from '../../../model/keys.ts';
import { recordsOfPartition } from '../../../model/pod-item.ts';
import { thresholdFor } from '../../../model/pod-rows.ts';
import { historyRequest } from '../../../store/pod-queries.ts';
import type { Route } from '../route.ts';

/** A history token: the name's partition and the last record answered (its first time and uid). */
export const HISTORY_TOKEN_ATTRIBUTES = ['pk', 'at', 'uid'] as const;

/** Where a record sits in replay's order within one name (compareRecords: first time, then uid). */
const positionOf = (r: PodRecord) => ({ at: r.timeline[0]?.at ?? '', uid: r.uid });
/** The token stores a missing first time as `-` (token values are never empty); `-` < any year. */
const NO_TIME = '-';

/** True when `r` comes after the position in the answer's order (newest first). */
function isAfter(r: PodRecord, pos: { at: string; uid: string }): boolean {
  const at = positionOf(r).at || NO_TIME;
  return at !== pos.at ? at < pos.at : r.uid < pos.uid;
}

/** Room for the answer's other fields (cluster, namespace, name, nextToken) and the brackets. */
const ENVELOPE_BYTES = 8 * 1024;

export const historyRoute: Route = {
  path: '/pods/{cluster}/{namespace}/{name}',
  async run({ params, reader, now, thresholds }): Promise<HistoryResponse> {
    const { cluster, namespace, name, limit, nextToken } = parseParams(HistoryParams, params);
    const pk = podPk(cluster, namespace, name);
    const after = decodeToken(nextToken, HISTORY_TOKEN_ATTRIBUTES, { pk });
    reader.limitItems(
      QUERY_BOUNDS.maxHistoryItems,
      () =>
        new BadParameterError(
          'name',
          `more than ${QUERY_BOUNDS.maxHistoryItems} incarnations are stored under this name: ask for one by uid (/pods/by-uid)`,
        ),
    );
    const items = await reader.queryAll(historyRequest(reader.tableName, cluster, namespace, name));
    const all = recordsOfPartition(items, { now, stuckAfterSeconds: thresholdFor(thresholds, namespace) });
    if (all.length === 0) throw new NotFoundError(`no pod ${namespace}/${name} in cluster ${cluster}`);
    const newestFirst = all.reverse();
    const start = after ? newestFirst.findIndex((r) => isAfter(r, after as { at: string; uid: string })) : 0;
    const rest = start < 0 ? [] : newestFirst.slice(start);
    const pods: PodRecord[] = [];
    let bytes = ENVELOPE_BYTES;
    for (const r of rest) {
      if (pods.length >= limit) break;
      const size = Buffer.byteLength(JSON.stringify(r)) + 1;
      if (pods.length > 0 && bytes + size > QUERY_BOUNDS.maxAnswerBytes) break;
      pods.push(r);
      bytes += size;
    }
    const answer: HistoryResponse = { cluster, namespace, name, pods };
    const lastPod = pods.at(-1);
    if (pods.length === rest.length || !lastPod) return answer;
    const last = positionOf(lastPod);
    const token = encodeToken({ pk, at: last.at || NO_TIME, uid: last.uid });
    return token ? { ...answer, nextToken: token } : answer;
  },
};
