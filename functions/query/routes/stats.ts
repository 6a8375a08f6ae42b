/**
 * GET /stats?cluster=&namespace=&owner=Kind/name&since=24h&until=&groupBy=namespace|owner|node:
 * count and nearest-rank p50/p90/p99 of the duration figures and the startup waterfall's stages
 * and SLI (with the SLO met or not), restarts and terminations by reason, over
 * the pods created in [since, until). Reads every page of byNamespace (for an owner too, keeping
 * the pods whose item names it) or (a whole cluster) byClusterDay, one query per UTC day, then
 * `statsOf`: the function `podlife replay` uses, so the two always agree. The range is bounded (QUERY_BOUNDS.maxStatsDays, whatever the
 * scope) before any day is listed, and the items read by QUERY_BOUNDS.maxStatsItems.
 */

import { mapLimit } from '../../../core/concurrency.ts';
import { DEFAULT_STALE_AFTER_SECONDS } from '../../../core/heartbeat.ts';
import { groupsOf, statsOf, valuesOf } from '../../../core/stats.ts';
import {
  BadParameterError,
  parseParams,
  QUERY_BOUNDS,
  StatsParams,
  type StatsResponse,
  statsRangeOf,
} from '../../../model/api-schemas.ts';
import { daysBetween } from '../../../model/keys.ts';
import { type StatsRow, statsRowOf } from '../../../model/pod-rows.ts';
import { projectionOf, STATS_PROJECTION } from '../../../model/table-spec.ts';
import { statsRequests } from '../../../store/pod-queries.ts';
import { dataFreshnessOf } from '../data-as-of.ts';
import type { Route } from '../route.ts';

export const statsRoute: Route = {
  path: '/stats',
  async run({ params, reader, now, staleAfterSeconds }): Promise<StatsResponse> {
    const p = parseParams(StatsParams, params);
    const fresh = await dataFreshnessOf(
      reader,
      p.cluster,
      now,
      staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS,
    );
    // Bounded before anything is built from it: at most QUERY_BOUNDS.maxStatsDays days, any scope.
    const { since, until } = statsRangeOf({ since: p.since, ...(p.until ? { until: p.until } : {}) }, now);
    const days = daysBetween(since, until - 1);
    reader.limitItems(
      QUERY_BOUNDS.maxStatsItems,
      () =>
        new BadParameterError(
          'since',
          `the range holds more than ${QUERY_BOUNDS.maxStatsItems} pods: narrow it (a later since, an until, a namespace or an owner)`,
        ),
    );
    const fromIso = new Date(since).toISOString();
    const toIso = new Date(until).toISOString();
    const scope = {
      cluster: p.cluster,
      ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
      ...(p.owner ? { owner: p.owner } : {}),
      fromIso,
      toIso,
    };
    const requests = statsRequests(reader.tableName, scope, days);
    const items = (
      await mapLimit(requests, 8, async (r) => {
        const found = await reader.queryAll(r);
        // A KEYS_ONLY index (byNamespace: docs/data-model.md) gives the keys; the
        // figures come from the pod items themselves.
        return projectionOf(r.IndexName) === 'KEYS_ONLY' ? reader.batchGet(found, STATS_PROJECTION) : found;
      })
    ).flat();
    // An owner's pods: the namespace's whose item names it (no byOwner index since issue 12).
    const owner = p.owner ? `${p.namespace}/${p.owner.kind}/${p.owner.name}` : undefined;
    const rows = items.map(statsRowOf).filter((r) => owner === undefined || r.ownerGroup === owner);
    const answer: StatsResponse = {
      cluster: p.cluster,
      ...(p.namespace ? { namespace: p.namespace } : {}),
      ...(p.owner ? { owner: `${p.owner.kind}/${p.owner.name}` } : {}),
      since: fromIso,
      until: toIso,
      ...fresh,
      stats: statsOf(rows),
    };
    if (!p.groupBy) return answer;
    const KEYS: Record<NonNullable<typeof p.groupBy>, (r: StatsRow) => string | null> = {
      namespace: (r) => r.namespace,
      owner: (r) => r.ownerGroup,
      // Slow pulls and sandboxes are often one node's fault; pods never scheduled have no node.
      node: (r) => r.node,
    };
    const keyOf = KEYS[p.groupBy];
    return {
      ...answer,
      groupBy: p.groupBy,
      groups: groupsOf(rows, keyOf).map(([key, list]) => ({
        key,
        stats: statsOf(list),
        values: valuesOf(list),
      })),
    };
  },
};
