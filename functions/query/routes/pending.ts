/**
 * GET /pending?cluster=&olderThan=&namespace=&limit=&nextToken=: pods Pending now and created
 * more than `olderThan` ago, oldest first, with the scheduler's message, waiting reason, age,
 * owner and whether they are stuck (older than their namespace's threshold). One page of the
 * sparse `pending` index: its cost follows the Pending pods read, never the pods stored.
 */

import { DEFAULT_STALE_AFTER_SECONDS } from '../../../core/heartbeat.ts';
import {
  decodeToken,
  encodeToken,
  keyOfItem,
  PendingParams,
  type PendingResponse,
  parseParams,
  rowsThatFit,
} from '../../../model/api-schemas.ts';
import { pendingKey } from '../../../model/keys.ts';
import { pendingPodOf } from '../../../model/pod-rows.ts';
import { PAGE_KEY_ATTRIBUTES, pendingRequest } from '../../../store/pod-queries.ts';
import { dataFreshnessOf } from '../data-as-of.ts';
import type { Route } from '../route.ts';

export const pendingRoute: Route = {
  path: '/pending',
  async run({ params, reader, now, thresholds, staleAfterSeconds }): Promise<PendingResponse> {
    const p = parseParams(PendingParams, params);
    const fresh = await dataFreshnessOf(
      reader,
      p.cluster,
      now,
      staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS,
    );
    const startKey = decodeToken(p.nextToken, PAGE_KEY_ATTRIBUTES.pending, {
      pendingKey: pendingKey(p.cluster),
    });
    const createdBefore = new Date(now - p.olderThan * 1000).toISOString();
    const answer: PendingResponse = {
      cluster: p.cluster,
      now: new Date(now).toISOString(),
      olderThanSeconds: p.olderThan,
      ...fresh,
      pods: [],
    };
    // A token from a call with a smaller olderThan may point past this call's range: nothing is left.
    const resumeAt = startKey?.createdKey;
    if (resumeAt !== undefined && resumeAt >= createdBefore) return answer;
    const page = await reader.queryUpTo(
      pendingRequest(reader.tableName, {
        cluster: p.cluster,
        ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        createdBefore,
        ...(startKey ? { startKey } : {}),
      }),
      p.limit,
    );
    const rows = page.items.map((i) => pendingPodOf(i, now, thresholds));
    // At most 1 MB of JSON: a page cut short resumes right after its last pod.
    const fit = rowsThatFit(rows);
    answer.pods = rows.slice(0, fit);
    const cut = fit < rows.length ? page.items[fit - 1] : undefined;
    const lastKey = cut ? keyOfItem(cut, PAGE_KEY_ATTRIBUTES.pending) : page.lastKey;
    const nextToken = encodeToken(lastKey);
    return nextToken ? { ...answer, nextToken } : answer;
  },
};
