/**
 * GET /pending?cluster=&olderThan=&namespace=&limit=&nextToken=: pods Pending now and created
 * more than `olderThan` ago, oldest first, with the scheduler's message, waiting reason, age,
 * owner and whether they are stuck (older than their namespace's threshold). One page of the
 * sparse `pending` index: its cost follows the Pending pods read, never the pods stored.
 */
import {
  decodeToken,
  encodeToken,
  PendingParams,
  type PendingResponse,
  parseParams,
} from '../../commons/api-schemas.ts';
import { pendingKey } from '../../commons/keys.ts';
import { PAGE_KEY_ATTRIBUTES, pendingRequest } from '../../commons/pod-queries.ts';
import { pendingPodOf } from '../../commons/pod-rows.ts';
import type { Route } from '../route.ts';

export const pendingRoute: Route = {
  path: '/pending',
  async run({ params, reader, now, thresholds }): Promise<PendingResponse> {
    const p = parseParams(PendingParams, params);
    const startKey = decodeToken(p.nextToken, PAGE_KEY_ATTRIBUTES.pending, {
      pendingKey: pendingKey(p.cluster),
    });
    const createdBefore = new Date(now - p.olderThan * 1000).toISOString();
    const answer: PendingResponse = {
      cluster: p.cluster,
      now: new Date(now).toISOString(),
      olderThanSeconds: p.olderThan,
      pods: [],
    };
    // A token from a call with a smaller olderThan may point past this call's range: nothing is left.
    if (startKey && startKey.createdKey >= createdBefore) return answer;
    const page = await reader.queryUpTo(
      pendingRequest(reader.tableName, {
        cluster: p.cluster,
        namespace: p.namespace,
        createdBefore,
        startKey,
      }),
      p.limit,
    );
    answer.pods = page.items.map((i) => pendingPodOf(i, now, thresholds));
    const nextToken = encodeToken(page.lastKey);
    return nextToken ? { ...answer, nextToken } : answer;
  },
};
