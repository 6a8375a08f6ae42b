/**
 * GET /crashloops?cluster=&namespace=&minRestarts=&window=&limit=&nextToken=: pods whose latest
 * state is CrashLoopBackOff, oldest first, with restarts (all, and within the window before
 * now), the last termination's reason and exit code. One page of the sparse `crashLooping`
 * index; `minRestarts` counts restarts in the window and is applied to the items read.
 */

import { DEFAULT_STALE_AFTER_SECONDS } from '../../../core/heartbeat.ts';
import {
  CrashLoopsParams,
  type CrashLoopsResponse,
  decodeToken,
  encodeToken,
  keyOfItem,
  parseParams,
  rowsThatFit,
} from '../../../model/api-schemas.ts';
import { crashKey } from '../../../model/keys.ts';
import { crashLoopingPodOf } from '../../../model/pod-rows.ts';
import { crashLoopingRequest, PAGE_KEY_ATTRIBUTES } from '../../../store/pod-queries.ts';
import { dataFreshnessOf } from '../data-as-of.ts';
import type { Route } from '../route.ts';

export const crashLoopsRoute: Route = {
  path: '/crashloops',
  async run({ params, reader, now, staleAfterSeconds }): Promise<CrashLoopsResponse> {
    const p = parseParams(CrashLoopsParams, params);
    const fresh = await dataFreshnessOf(
      reader,
      p.cluster,
      now,
      staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS,
    );
    const startKey = decodeToken(p.nextToken, PAGE_KEY_ATTRIBUTES.crashLooping, {
      crashKey: crashKey(p.cluster),
    });
    const rowOf = (i: Record<string, unknown>) => crashLoopingPodOf(i, now, p.window);
    const page = await reader.queryUpTo(
      crashLoopingRequest(reader.tableName, {
        cluster: p.cluster,
        ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        ...(startKey ? { startKey } : {}),
      }),
      p.limit,
      (i) => rowOf(i).restartsInWindow >= p.minRestarts,
    );
    const answer: CrashLoopsResponse = {
      cluster: p.cluster,
      now: new Date(now).toISOString(),
      windowSeconds: p.window,
      minRestarts: p.minRestarts,
      ...fresh,
      pods: [],
    };
    const rows = page.items.map(rowOf);
    // At most 1 MB of JSON: a page cut short resumes right after its last pod.
    const fit = rowsThatFit(rows);
    answer.pods = rows.slice(0, fit);
    const cut = fit < rows.length ? page.items[fit - 1] : undefined;
    const lastKey = cut ? keyOfItem(cut, PAGE_KEY_ATTRIBUTES.crashLooping) : page.lastKey;
    const nextToken = encodeToken(lastKey);
    return nextToken ? { ...answer, nextToken } : answer;
  },
};
