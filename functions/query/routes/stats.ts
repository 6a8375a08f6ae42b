/**
 * GET /stats?cluster=&namespace=&owner=Kind/name&since=24h&until=&groupBy=namespace|owner|node
 * &nextToken=: count and nearest-rank p50/p90/p99 of the duration figures and the startup
 * waterfall's stages and SLI (with the SLO met or not), restarts and terminations by reason,
 * over the pods created in [since, until), exactly: `statsOf`, the function `podlife replay`
 * uses, so the two always agree.
 *
 * Reads: byNamespace (keys, then the pod items by BatchGetItem; for an owner too, keeping the
 * pods whose item names it) or, for a whole cluster, byClusterDay (its stats projection), one
 * UTC day partition at a time. The range is read as segments of creation time, up to
 * QUERY_BOUNDS.statsBudget.concurrency at once: a reader that runs out of segments splits the
 * widest one still being read at its middle (DynamoDB reads one partition's pages one after
 * another; sub-ranges of createdKey can be read side by side).
 *
 * Bounded: no page is started once the request has spent its budget (QUERY_BOUNDS.statsBudget:
 * read units, wall-clock ms, figure values answered). A request that read the whole range
 * answers its statistics (and groups). One that did not answers a page of a **pass**
 * (`mergePages: true`): its pods' mergeable states per group (`parts`: every value with its
 * count, core/stats.ts), `progress`, and a checked token naming what is left of the range; the
 * pages' parts merged (`statsOfParts`) are exactly the one-read answer, for any cut.
 */

import { DEFAULT_STALE_AFTER_SECONDS } from '../../../core/heartbeat.ts';
import { DISTRIBUTION_FIGURES, groupsOf, partsOf, statsOf, valuesOf } from '../../../core/stats.ts';
import {
  parseParams,
  QUERY_BOUNDS,
  StatsParams,
  type StatsResponse,
  statsRangeOf,
} from '../../../model/api-schemas.ts';
import { type StatsRow, statsRowOf } from '../../../model/pod-rows.ts';
import { queryDigestOf } from '../../../model/pod-search.ts';
import {
  decodeStatsCursor,
  encodeStatsCursor,
  type StatsSegment,
  timeOfBound,
} from '../../../model/stats-cursor.ts';
import { STATS_PROJECTION } from '../../../model/table-spec.ts';
import { statsSegmentRequest } from '../../../store/pod-queries.ts';
import { dataFreshnessOf } from '../data-as-of.ts';
import type { Route } from '../route.ts';

/** What one request may spend (QUERY_BOUNDS.statsBudget), and the keys an index page holds. */
export interface StatsBudget {
  readUnits: number;
  ms: number;
  values: number;
  concurrency: number;
  /** Keys per index page: byClusterDay's (figures projected) and byNamespace's (items read after). */
  clusterPage: number;
  namespacePage: number;
}

const DEFAULT_BUDGET: StatsBudget = { ...QUERY_BOUNDS.statsBudget, clusterPage: 500, namespacePage: 100 };

/** A segment is split only when at least this wide: creation times are whole seconds. */
const MIN_SPLIT_MS = 1000;
/** A split leaves the segment being read this many of its pages (by the time its last one spanned). */
const SPLIT_PAGES_AHEAD = 4;
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Group = NonNullable<StatsParams['groupBy']>;
const KEYS: Record<Group, (r: StatsRow) => string | null> = {
  namespace: (r) => r.namespace,
  owner: (r) => r.ownerGroup,
  // Slow pulls and sandboxes are often one node's fault; pods never scheduled have no node.
  node: (r) => r.node,
};

interface OpenSegment extends StatsSegment {
  done: boolean;
  /** Its last page came back full: more pods follow, worth reading side by side (a split). */
  dense: boolean;
  /** The creation time its last full page spanned (ms): how far a few pages reach. */
  pageSpan: number;
}

/** Figure values a row adds to an answer's states (its size). */
const valuesIn = (r: StatsRow) => DISTRIBUTION_FIGURES.reduce((n, f) => n + (r[f] == null ? 0 : 1), 0);

/** The /stats route; `budget` (default QUERY_BOUNDS.statsBudget) bounds each request. */
export function statsRouteWith(opts: { budget?: Partial<StatsBudget>; clock?: () => number } = {}): Route {
  const budget: StatsBudget = { ...DEFAULT_BUDGET, ...opts.budget };
  const clock = opts.clock ?? Date.now;
  return {
    path: '/stats',
    async run({ params, reader, now, staleAfterSeconds }): Promise<StatsResponse> {
      const started = clock();
      const unitsBefore = reader.stats.readUnits;
      const p = parseParams(StatsParams, params);
      const cursor = decodeStatsCursor(p.nextToken, queryDigestOf({ ...params }));
      const fresh = await dataFreshnessOf(
        reader,
        p.cluster,
        now,
        staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS,
      );
      let from: string;
      let to: string;
      if (cursor) ({ from, to } = cursor);
      else {
        // Bounded before anything is built from it: at most QUERY_BOUNDS.maxStatsDays days, any scope.
        const range = statsRangeOf({ since: p.since, ...(p.until ? { until: p.until } : {}) }, now);
        from = iso(range.since);
        to = iso(range.until);
      }
      const scope = { cluster: p.cluster, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}) };
      const keysOnly = p.namespace !== undefined; // byNamespace is KEYS_ONLY (docs/data-model.md)
      const pageSize = keysOnly ? budget.namespacePage : budget.clusterPage;

      // A first request over more than a day of a cluster starts with `concurrency` equal parts
      // (one partition per day: several days are read side by side from the start).
      const first = (): StatsSegment[] => {
        const [a, b] = [Date.parse(from), Date.parse(to)];
        const n = keysOnly || b - a <= DAY_MS ? 1 : Math.max(1, budget.concurrency);
        return Array.from({ length: n }, (_, i) => ({
          lo: i === 0 ? from : iso(a + Math.floor(((b - a) * i) / n)),
          hi: i === n - 1 ? to : iso(a + Math.floor(((b - a) * (i + 1)) / n)),
        }));
      };
      const segments: OpenSegment[] = (cursor?.segs ?? first()).map((s) => ({
        ...s,
        done: false,
        dense: false,
        pageSpan: 0,
      }));
      /** Readers waiting for a page to be read (it may show a segment dense: one to split). */
      let waiting: (() => void)[] = [];
      const wake = () => {
        const w = waiting;
        waiting = [];
        for (const resolve of w) resolve();
      };
      const rows: StatsRow[] = [];
      let pages = 0;
      let values = 0;
      let stoppedBy: 'readUnits' | 'time' | 'values' | undefined;
      /** The budget: no page is started once it is spent; the first page always is (progress). */
      const spent = (): boolean => {
        if (pages === 0 || stoppedBy) return stoppedBy !== undefined;
        if (reader.stats.readUnits - unitsBefore >= budget.readUnits) stoppedBy = 'readUnits';
        else if (clock() - started >= budget.ms) stoppedBy = 'time';
        else if (values >= budget.values) stoppedBy = 'values';
        return stoppedBy !== undefined;
      };

      /** Reads a segment page after page until it is done or the budget is spent. */
      const readSegment = async (seg: OpenSegment): Promise<void> => {
        while (!seg.done && !spent()) {
          pages++;
          // A `lo` that is a pod's key comes back first (BETWEEN includes it): one more to make progress.
          const limit = pageSize + (seg.lo.includes('#') ? 1 : 0);
          const page = await reader.query(statsSegmentRequest(reader.tableName, scope, seg, limit));
          const last = page.items.at(-1)?.createdKey;
          // BETWEEN includes `lo`'s own pod (read already); a split may have moved `hi` below
          // what this page read: the pods from `hi` on are the new segment's.
          const keys = page.items.filter((k) => {
            const ck = String(k.createdKey);
            return ck !== seg.lo && ck < seg.hi;
          });
          const cutByHi = page.items.some((k) => String(k.createdKey) >= seg.hi);
          // Where the segment goes on, settled before any other await: a split of it from now
          // on starts from here, so no pod is read by two segments.
          seg.dense = !cutByHi && page.lastKey !== undefined;
          if (seg.dense && typeof last === 'string') seg.pageSpan = timeOfBound(last) - timeOfBound(seg.lo);
          if (cutByHi) seg.done = true;
          else if (page.lastKey && typeof last === 'string') seg.lo = last;
          else if (keysOnly) seg.done = true;
          else {
            // This UTC day's partition is read up to `hi`: on to the next day's.
            const next = (Math.floor(timeOfBound(seg.lo) / DAY_MS) + 1) * DAY_MS;
            if (next >= Date.parse(seg.hi)) seg.done = true;
            else seg.lo = iso(next);
          }
          const items = keysOnly ? await reader.batchGet(keys, STATS_PROJECTION) : keys;
          for (const it of items) {
            const row = statsRowOf(it);
            values += valuesIn(row);
            rows.push(row);
          }
          wake();
        }
      };

      /** A reader out of segments takes the upper half of the widest dense one (from where it is). */
      const split = (): OpenSegment | undefined => {
        let widest: OpenSegment | undefined;
        let span = MIN_SPLIT_MS - 1;
        for (const s of segments) {
          const w = Date.parse(s.hi) - timeOfBound(s.lo);
          if (!s.done && s.dense && w > span) [widest, span] = [s, w];
        }
        if (!widest) return undefined;
        // At the middle, or a few of its pages ahead where its pods are denser than the rest of
        // it could be (a day whose pods came in one minute): the upper part starts where pods are.
        const ahead = Math.max(MIN_SPLIT_MS, SPLIT_PAGES_AHEAD * widest.pageSpan);
        const mid = iso(timeOfBound(widest.lo) + Math.min(Math.floor(span / 2), ahead));
        const upper: OpenSegment = { lo: mid, hi: widest.hi, done: false, dense: false, pageSpan: 0 };
        widest.hi = mid;
        segments.push(upper);
        return upper;
      };

      const queue = [...segments];
      await Promise.all(
        Array.from({ length: Math.max(1, budget.concurrency) }, async () => {
          for (;;) {
            if (spent()) return;
            const seg = queue.shift() ?? split();
            if (seg) {
              await readSegment(seg);
              wake();
            } else if (segments.every((x) => x.done)) return;
            // None to take yet: wait for the next page read (the readers of open segments wake us).
            else await new Promise<void>((resolve) => waiting.push(resolve));
          }
        }),
      );

      // An owner's pods: the namespace's whose item names it (no byOwner index since issue 12).
      const owner = p.owner ? `${p.namespace}/${p.owner.kind}/${p.owner.name}` : undefined;
      const kept = owner === undefined ? rows : rows.filter((r) => r.ownerGroup === owner);
      const left = segments
        .filter((s) => !s.done && timeOfBound(s.lo) < Date.parse(s.hi))
        .sort((a, b) => timeOfBound(a.lo) - timeOfBound(b.lo) || (a.lo < b.lo ? -1 : 1));
      const seen = (cursor?.seen ?? 0) + rows.length;
      const span = Date.parse(to) - Date.parse(from);
      const leftMs = left.reduce((n, s) => n + Date.parse(s.hi) - timeOfBound(s.lo), 0);
      const answer: StatsResponse = {
        cluster: p.cluster,
        ...(p.namespace ? { namespace: p.namespace } : {}),
        ...(p.owner ? { owner: `${p.owner.kind}/${p.owner.name}` } : {}),
        since: from,
        until: to,
        ...fresh,
        stats: statsOf(kept),
        ...(p.groupBy ? { groupBy: p.groupBy } : {}),
        progress: {
          pods: seen,
          rangeRead: left.length
            ? Math.min(1, Math.max(0, Math.round((1 - leftMs / span) * 10_000) / 10_000))
            : 1,
          done: left.length === 0,
        },
      };
      const keyOf = p.groupBy ? KEYS[p.groupBy] : () => null;
      if (!cursor && left.length === 0) {
        // One request read the whole range: the answer itself.
        if (!p.groupBy) return { ...answer, mergePages: false };
        return {
          ...answer,
          mergePages: false,
          groups: groupsOf(kept, keyOf).map(([key, list]) => ({
            key,
            stats: statsOf(list),
            values: valuesOf(list),
          })),
        };
      }
      const page: StatsResponse = { ...answer, mergePages: true, parts: partsOf(kept, keyOf) };
      if (left.length === 0) return page;
      return {
        ...page,
        capped: {
          reason: `spent this request's budget (${
            stoppedBy === 'time'
              ? `${budget.ms} ms`
              : stoppedBy === 'values'
                ? `${budget.values} figure values`
                : `${budget.readUnits} read units`
          }) before the end of the range: ${seen} pods read so far; nextToken goes on, merge the pages' parts`,
          stoppedBy: stoppedBy ?? 'readUnits',
        },
        nextToken: encodeStatsCursor(
          { from, to, segs: left.map(({ lo, hi }) => ({ lo, hi })), seen },
          queryDigestOf({ ...params }),
        ),
      };
    },
  };
}

export const statsRoute: Route = statsRouteWith();
