/**
 * GET /pods?cluster=&since=&until=&namespace=&owner=&node=&phase=&status=&terminationReason=
 * &waitingReason=&min.<figure>=&sortBy=&order=&limit=&nextToken=: pods created in [since,
 * until) that match every filter, sorted by creation or any numeric figure, a page at a time.
 *
 * Reads: the keys of the range from one index (byOwner, byNamespace, else byClusterDay per
 * UTC day: `podSearchRequests`), in creation order, then the pod items by BatchGetItem; the
 * figures are the engine's, computed from each item's facts (`foundRowOf`). No Scan. At most
 * QUERY_BOUNDS.maxSearchPods pods are read per request:
 * - sorted by creation, the read stops as soon as the page is full, and the token resumes
 *   after the last pod answered;
 * - sorted by a figure, a page needs every pod of the range (no index is sorted by a figure):
 *   the pods read (the whole range, or the first maxSearchPods of it: a "window") are sorted,
 *   and the token says where in that order the next page starts; a capped window's last pages
 *   hand on to the next window, and the answer says `capped` with how far the read reached.
 */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  type FoundPod,
  PodsParams,
  type PodsResponse,
  parseParams,
  QUERY_BOUNDS,
  rowsThatFit,
  statsRangeOf,
} from '../../../model/api-schemas.ts';
import {
  comparePositions,
  decodeCursor,
  encodeCursor,
  FOUND_POD_ATTRIBUTES,
  type FoundRow,
  foundRowOf,
  minimumsOf,
  podFilterOf,
  positionOf,
  queryDigestOf,
  type SearchCursor,
} from '../../../model/pod-search.ts';
import { type PodReader, podSearchRequests } from '../../../store/pod-queries.ts';
import type { Route } from '../route.ts';

type Item = Record<string, unknown>;

/** Keys read per index request and pod items per BatchGetItem (its own maximum). */
const CHUNK = 100;

/**
 * The index items of `requests`, in their order, a chunk at a time, leaving out `skip` (the
 * createdKey a token resumes after: the key range includes it). `want()` says how many more
 * keys may be read; the generator stops at 0. `more` after the loop: keys may follow.
 */
async function* keyChunks(
  reader: PodReader,
  requests: readonly QueryCommandInput[],
  want: () => number,
  state: { more: boolean },
  skip: string | undefined,
  size = CHUNK,
): AsyncGenerator<Item[]> {
  for (const [i, request] of requests.entries()) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const n = Math.min(size, want());
      if (n <= 0) {
        state.more = true;
        return;
      }
      const page = await reader.query({
        ...request,
        Limit: n,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      startKey = page.lastKey;
      const keys = page.items.filter((k) => k.createdKey !== skip);
      if (keys.length) yield keys;
    } while (startKey);
    if (i === requests.length - 1) state.more = false;
  }
}

/** The rows of a chunk of keys: their pod items (BatchGetItem), in key order; gone items left out. */
async function rowsOf(reader: PodReader, keys: readonly Item[], now: number): Promise<FoundRow[]> {
  const items = await reader.batchGet(keys, FOUND_POD_ATTRIBUTES);
  return items.flatMap((it) => {
    const row = foundRowOf(it, now);
    return row ? [row] : [];
  });
}

/** Whether a request filters on what only the pod items say (not the index: namespace, owner). */
function hasPostFilter(p: PodsParams): boolean {
  return (
    p.node !== undefined ||
    p.phase !== undefined ||
    p.status !== undefined ||
    p.terminationReason !== undefined ||
    p.waitingReason !== undefined ||
    minimumsOf(p).length > 0
  );
}

const isoOfKey = (createdKey: string) => createdKey.split('#')[0] ?? null;

/** The /pods route; `maxPods` (default QUERY_BOUNDS.maxSearchPods) is the cap on pods read per request. */
export function podsRouteWith(opts: { maxPods?: number } = {}): Route {
  const cap = opts.maxPods ?? QUERY_BOUNDS.maxSearchPods;
  return {
    path: '/pods',
    async run({ params, reader, now }): Promise<PodsResponse> {
      const p = parseParams(PodsParams, params);
      const digest = queryDigestOf({ ...params });
      const cursor = decodeCursor(p.nextToken, digest);
      let from: string;
      let to: string;
      if (cursor) {
        ({ from, to } = cursor);
      } else {
        const range = statsRangeOf({ since: p.since, ...(p.until ? { until: p.until } : {}) }, now);
        from = new Date(range.since).toISOString();
        to = new Date(range.until).toISOString();
      }
      const forward = p.sortBy === 'created' && p.order === 'asc';
      const accept = podFilterOf(p) ?? (() => true);
      const scope = {
        cluster: p.cluster,
        ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        ...(p.owner ? { owner: p.owner } : {}),
      };
      // The key range still to read: [from, to) narrowed by the token (resume: exclusive, end: inclusive).
      const resume = cursor?.resume;
      const end = cursor?.end;
      const lo = forward ? (resume ?? from) : (end ?? from);
      const hi = forward ? (end ?? to) : (resume ?? to);
      const answer: PodsResponse = {
        cluster: p.cluster,
        now: new Date(now).toISOString(),
        since: from,
        until: to,
        sortBy: p.sortBy,
        order: p.order,
        pods: [],
        examined: 0,
      };
      if (lo > hi) return answer;
      const requests = podSearchRequests(reader.tableName, scope, { lo, hi }, forward);
      let examined = 0;
      const state = { more: false };
      const want = () => cap - examined;
      const base = { from, to };
      let next: SearchCursor | undefined;
      let lastRead: string | undefined;
      /** The createdKey a capped read stopped at (this request's or, paging a window, its token's). */
      let capReached: string | undefined;

      if (p.sortBy === 'created') {
        // Creation order is the index's: read on until the page is full, the range ends or the cap.
        const found: FoundRow[] = [];
        let full = false;
        // With no filter but the index's, a page needs `limit` keys (+1: the token's own, skipped).
        const size = hasPostFilter(p) ? CHUNK : Math.min(CHUNK, p.limit + 1);
        for await (const keys of keyChunks(reader, requests, want, state, resume, size)) {
          examined += keys.length;
          const last = keys.at(-1)?.createdKey;
          if (typeof last === 'string') lastRead = last;
          for (const row of await rowsOf(reader, keys, now)) {
            if (!accept(row.pod)) continue;
            found.push(row);
            if (found.length === p.limit) break;
          }
          if (found.length === p.limit) {
            full = true;
            break;
          }
        }
        const fit = rowsThatFit(found.map((r) => r.pod));
        const page = found.slice(0, fit);
        answer.pods = page.map((r) => r.pod);
        const lastAnswered = page.at(-1)?.createdKey;
        if ((full || fit < found.length) && lastAnswered) next = { ...base, resume: lastAnswered };
        else if (state.more && lastRead) next = { ...base, resume: lastRead };
        if (state.more) capReached = lastRead;
      } else {
        // A figure's order needs the whole window: read it (at most `cap` pods), sort, take a page.
        const rows: FoundRow[] = [];
        for await (const keys of keyChunks(reader, requests, want, state, resume)) {
          examined += keys.length;
          const last = keys.at(-1)?.createdKey;
          if (typeof last === 'string') lastRead = last;
          rows.push(...(await rowsOf(reader, keys, now)));
        }
        const sortBy = p.sortBy;
        const sorted = rows
          .filter((r) => accept(r.pod))
          .map((r) => ({ r, at: positionOf(r, sortBy) }))
          .sort((a, b) => comparePositions(a.at, b.at, p.order));
        const after = cursor?.after;
        const rest = after ? sorted.filter((x) => comparePositions(x.at, after, p.order) > 0) : sorted;
        const fit = rowsThatFit(rest.slice(0, p.limit).map((x) => x.r.pod));
        const page = rest.slice(0, Math.min(p.limit, fit));
        answer.pods = page.map((x) => x.r.pod);
        // The window: up to `end` (a token's), or up to where the cap stopped this read.
        const windowEnd = state.more ? lastRead : end;
        capReached = windowEnd;
        const lastAt = page.at(-1)?.at;
        if (page.length < rest.length && lastAt)
          next = {
            ...base,
            ...(resume ? { resume } : {}),
            ...(windowEnd ? { end: windowEnd } : {}),
            after: lastAt,
          };
        else if (windowEnd && (state.more || end)) next = { ...base, resume: windowEnd };
      }
      answer.examined = examined;
      if (capReached) {
        answer.capped = {
          reason: `read the limit of ${cap} pods per request before the end of the range: ${
            p.sortBy === 'created' ? 'the pods after' : 'sorted among the pods up to'
          } readUpTo; nextToken goes on`,
          readUpTo: capReached ? isoOfKey(capReached) : null,
        };
      }
      const token = next ? encodeCursor(next, digest) : undefined;
      return token ? { ...answer, nextToken: token } : answer;
    },
  };
}

export const podsRoute: Route = podsRouteWith();

export type { FoundPod };
