/**
 * GET /pods?cluster=&since=&until=&namespace=&owner=&node=&phase=&status=&terminationReason=
 * &waitingReason=&min.<figure>=&sortBy=&order=&limit=&nextToken=: pods created in [since,
 * until) that match every filter, sorted by creation or any numeric figure, a page at a time.
 *
 * Reads: the keys of the range from one index (byNamespace, for an owner too, else byClusterDay
 * per UTC day: `podSearchRequests`), in creation order, then the pod items by BatchGetItem (only
 * for keys the index does not already rule out: `ruledOutByIndex`); the figures are the
 * engine's, computed from each item's facts (`foundRowOf`). No Scan.
 *
 * Bounded: a request reads a chunk of keys at a time and starts no chunk once it has spent its
 * budget (QUERY_BOUNDS.searchBudget: read units and wall-clock ms); it answers what it found,
 * `progress` (examined and matched over every page so far) and a token that resumes the read
 * after the last key it examined. So a sparse filter over a large range costs a bounded
 * amount per request, and never runs into the deadline:
 * - sorted by creation, pages follow each other in the index's order (a page may be short, or
 *   empty, with a token);
 * - sorted by a figure, a request that reads the whole range answers the exact page (and its
 *   token starts the next page after its last pod); a range larger than one request's budget is
 *   read in a pass of pages, each answering the pods of its part that can still be among the
 *   first `limit` (`figurePageOf`, `nextBest`): the client merges them (`mergePages`).
 */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  BadParameterError,
  type FoundPod,
  PodsParams,
  type PodsResponse,
  parseParams,
  QUERY_BOUNDS,
  rowsThatFit,
  statsRangeOf,
} from '../../../model/api-schemas.ts';
import {
  decodeCursor,
  encodeCursor,
  FOUND_POD_ATTRIBUTES,
  type FoundRow,
  figurePageOf,
  foundRowOf,
  minimumsOf,
  nextBest,
  podFilterOf,
  queryDigestOf,
  ruledOutByIndex,
  type SearchCursor,
} from '../../../model/pod-search.ts';
import { type PodReader, podSearchRequests } from '../../../store/pod-queries.ts';
import type { Route } from '../route.ts';

type Item = Record<string, unknown>;

/** What one request may spend: read units (DynamoDB's count), wall-clock ms, and the chunk it checks at. */
export interface SearchBudget {
  readUnits: number;
  ms: number;
  /** Keys per index request and pod items per BatchGetItem (at most 100, BatchGetItem's maximum). */
  chunk: number;
}

const DEFAULT_BUDGET: SearchBudget = { ...QUERY_BOUNDS.searchBudget, chunk: 100 };

/** Whether a request filters on what only the pod items say (not the index: the namespace). */
function hasPostFilter(p: PodsParams): boolean {
  return (
    // An owner's pods are the namespace's that name it (no byOwner index since issue 12).
    p.owner !== undefined ||
    p.node !== undefined ||
    p.phase !== undefined ||
    p.status !== undefined ||
    p.terminationReason !== undefined ||
    p.waitingReason !== undefined ||
    minimumsOf(p).length > 0
  );
}

const isoOfKey = (createdKey: string) => createdKey.split('#')[0] ?? null;

/**
 * The keys of `requests` in their order, one index page at a time, after `skip` (the createdKey
 * a token resumes after: the key range includes it). `size()` is how many keys the next page
 * may hold; `stop()` is asked before every request. `state.done`: the last request's last page
 * was read (the range is exhausted).
 */
async function* keyPages(
  reader: PodReader,
  requests: readonly QueryCommandInput[],
  size: () => number,
  stop: () => boolean,
  state: { done: boolean },
  skip: string | undefined,
): AsyncGenerator<Item[]> {
  for (const request of requests) {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (stop()) return;
      const page = await reader.query({
        ...request,
        Limit: size(),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      startKey = page.lastKey;
      const keys = page.items.filter((k) => k.createdKey !== skip);
      if (keys.length) yield keys;
    } while (startKey);
  }
  state.done = true;
}

/** The /pods route; `budget` (default QUERY_BOUNDS.searchBudget, 100-key chunks) bounds each request. */
export function podsRouteWith(opts: { budget?: Partial<SearchBudget>; clock?: () => number } = {}): Route {
  const budget: SearchBudget = { ...DEFAULT_BUDGET, ...opts.budget };
  const chunk = Math.max(1, Math.min(100, budget.chunk));
  const clock = opts.clock ?? Date.now;
  return {
    path: '/pods',
    async run({ params, reader, now }): Promise<PodsResponse> {
      const started = clock();
      const unitsBefore = reader.stats.readUnits;
      const p = parseParams(PodsParams, params);
      const digest = queryDigestOf({ ...params });
      const cursor = decodeCursor(p.nextToken, digest);
      if (cursor?.k !== undefined && cursor.k !== p.limit)
        throw new BadParameterError(
          'limit',
          `the token's pass keeps the first ${cursor.k}: pass limit=${cursor.k} with it`,
        );
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
      const byFigure = p.sortBy !== 'created';
      const accept = podFilterOf(p) ?? (() => true);
      const scope = {
        cluster: p.cluster,
        ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        ...(p.owner ? { owner: p.owner } : {}),
      };
      const resume = cursor?.resume;
      const lo = forward ? (resume ?? from) : from;
      const hi = forward ? to : (resume ?? to);
      const [seenBefore, matchedBefore] = cursor?.seen ?? [0, 0];

      // The budget: no chunk is started once it is spent; the first chunk always is (progress).
      let examined = 0;
      let stoppedBy: 'readUnits' | 'time' | undefined;
      const spent = (): boolean => {
        if (examined === 0) return false;
        if (reader.stats.readUnits - unitsBefore >= budget.readUnits) stoppedBy = 'readUnits';
        else if (clock() - started >= budget.ms) stoppedBy = 'time';
        return stoppedBy !== undefined;
      };
      const state = { done: lo > hi };
      /** The createdKey of the last key examined: the next page resumes after it. */
      let lastExamined: string | undefined;
      const found: FoundRow[] = [];
      /** Each found row's place among the keys examined (a page cut short resumes after one). */
      const foundAt: number[] = [];
      let matched = 0;
      let full = false;
      // Keys whose pod items are still to read, each with its place among the keys examined.
      const pending: { key: Item; n: number }[] = [];
      /** Reads the pending pod items; a full page (sorted by creation) ends the read at its last pod. */
      const flush = async (): Promise<void> => {
        const batch = pending.splice(0);
        if (!batch.length) return;
        const items = await reader.batchGet(
          batch.map((b) => b.key),
          FOUND_POD_ATTRIBUTES,
        );
        const id = (k: Item) => `${String(k.pk)}\u0000${String(k.sk)}`;
        const byKey = new Map(items.map((it) => [id(it), it]));
        for (const b of batch) {
          const it = byKey.get(id(b.key));
          const row = it ? foundRowOf(it, now) : undefined;
          if (!row || !accept(row.pod)) continue;
          matched++;
          found.push(row);
          foundAt.push(b.n);
          if (!byFigure && found.length === p.limit) {
            // The keys after this pod are left for the next page: not examined by this one.
            full = true;
            examined = b.n;
            lastExamined = row.createdKey;
            return;
          }
        }
      };
      // Index pages: with no filter but the index's, a page needs `limit` keys (+1: the token's
      // own, skipped); where the index rules most keys out (node), ten chunks of keys a page.
      const prefilter = p.node !== undefined && scope.namespace === undefined;
      const pageSize = () =>
        !byFigure && !hasPostFilter(p)
          ? Math.min(chunk, p.limit + 1 - found.length)
          : prefilter
            ? chunk * 10
            : chunk;

      if (!state.done) {
        const requests = podSearchRequests(reader.tableName, scope, { lo, hi }, forward);
        read: for await (const keys of keyPages(reader, requests, pageSize, spent, state, resume)) {
          for (const key of keys) {
            examined++;
            if (typeof key.createdKey === 'string') lastExamined = key.createdKey;
            if (ruledOutByIndex(key, p)) continue;
            pending.push({ key, n: examined });
            if (pending.length >= chunk) {
              await flush();
              if (full || spent()) break read;
            }
          }
          await flush();
          if (full) break;
        }
        await flush();
      }

      const answer: PodsResponse = {
        cluster: p.cluster,
        now: new Date(now).toISOString(),
        since: from,
        until: to,
        sortBy: p.sortBy,
        order: p.order,
        pods: [],
        examined,
        progress: { examined: 0, matched: 0, rangeRead: 0, done: false },
        mergePages: false,
      };
      let next: Omit<SearchCursor, 'from' | 'to' | 'seen'> | undefined;
      const done = state.done && !full;
      if (!byFigure) {
        const fit = rowsThatFit(found.map((r) => r.pod));
        const page = found.slice(0, fit);
        answer.pods = page.map((r) => r.pod);
        const lastAnswered = page.at(-1)?.createdKey;
        if (fit < found.length && lastAnswered) {
          // The answer's size cut the page: resume after its last pod, and count only what it holds.
          next = { resume: lastAnswered };
          matched -= found.length - fit;
          examined = foundAt[fit - 1] ?? examined;
          lastExamined = lastAnswered;
        } else if (!done && lastExamined) next = { resume: lastExamined };
      } else {
        const sortBy = p.sortBy;
        // One request that read the whole range (from its start) answers the exact page.
        const whole = resume === undefined && done;
        const { page: top, more } = figurePageOf(found, {
          sortBy,
          order: p.order,
          limit: p.limit,
          ...(cursor?.after ? { after: cursor.after } : {}),
          ...(cursor?.best ? { best: cursor.best } : {}),
        });
        // An exact page is cut to the answer's size (its token goes on after its last pod); a
        // pass's page is not: a pod cut from it could not come back. 1,000 pods of ~1-2.5 KB stay
        // under Lambda's 6 MB.
        const fit = whole ? rowsThatFit(top.map((x) => x.row.pod)) : top.length;
        const page = top.slice(0, fit);
        answer.pods = page.map((x) => x.row.pod);
        const lastAt = page.at(-1)?.at;
        if (whole) {
          if ((more > 0 || fit < top.length) && lastAt) next = { after: lastAt };
        } else {
          answer.mergePages = true;
          const best = nextBest(page, p.limit, cursor?.best);
          if (!done && lastExamined)
            next = {
              resume: lastExamined,
              ...(cursor?.after ? { after: cursor.after } : {}),
              ...(best ? { best, k: p.limit } : {}),
            };
        }
      }

      const seen: [number, number] = [seenBefore + examined, matchedBefore + matched];
      answer.examined = examined;
      const reached = done ? null : lastExamined ? isoOfKey(lastExamined) : null;
      const span = Date.parse(to) - Date.parse(from);
      const at = reached ? Date.parse(reached) : Number.NaN;
      const share = done
        ? 1
        : Number.isFinite(at) && span > 0
          ? (forward ? at - Date.parse(from) : Date.parse(to) - at) / span
          : 0;
      answer.progress = {
        examined: seen[0],
        matched: seen[1],
        rangeRead: Math.min(1, Math.max(0, Math.round(share * 10_000) / 10_000)),
        done: done && next === undefined,
      };
      if (stoppedBy && !done && !full) {
        answer.capped = {
          reason: `spent this request's budget (${
            stoppedBy === 'time' ? `${budget.ms} ms` : `${budget.readUnits} read units`
          }) before the end of the range: examined ${seen[0]} pods so far, ${seen[1]} matched; nextToken goes on after readUpTo`,
          stoppedBy,
          readUpTo: reached,
        };
      }
      const token = next ? encodeCursor({ from, to, ...next, seen }, digest) : undefined;
      return token ? { ...answer, nextToken: token } : answer;
    },
  };
}

export const podsRoute: Route = podsRouteWith();

export type { FoundPod };
