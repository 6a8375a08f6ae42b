/**
 * /pods, pure parts: a stored pod item → the row the route answers with (every figure computed
 * from the item's facts by the engine, so the answer equals `podlife replay`'s figures), the
 * filters, the sort order and the opaque page token. No SDK: the route (functions/query/routes/
 * pods.ts) reads, this decides.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_STUCK_AFTER_SECONDS, figuresOf, PodView } from '../core/figures.ts';
import { toIso } from '../core/time.ts';
import {
  BadParameterError,
  type FoundPod,
  NUMERIC_FIGURES,
  type NumericFigure,
  type PodsParams,
  QUERY_BOUNDS,
  type SortKey,
} from './api-schemas.ts';
import { podIdentityOfKey } from './keys.ts';
import { factsOfItem } from './pod-item.ts';
import { createdOfKey } from './pod-rows.ts';

type Item = Record<string, unknown>;

/** A found pod and its index sort key (`createdKey`: creation ISO#uid, unique per cluster). */
export interface FoundRow {
  pod: FoundPod;
  createdKey: string;
}

/** The attributes of a pod item /pods reads (besides pk, sk): its facts (and the version their schema checks). */
export const FOUND_POD_ATTRIBUTES = ['v', 'facts', 'fv', 'createdKey'] as const;

/**
 * The row of a stored pod item at `nowMs`, or undefined for an item that holds no pod snapshot
 * (or no pod key). Figures come from the facts, as replay computes them: no stored copy can lag.
 */
export function foundRowOf(item: Item, nowMs: number): FoundRow | undefined {
  const pk = typeof item.pk === 'string' ? item.pk : '';
  const sk = typeof item.sk === 'string' ? item.sk : '';
  const id = podIdentityOfKey(pk, sk);
  if (!id || typeof item.createdKey !== 'string') return undefined;
  const v = new PodView(factsOfItem(item));
  if (!v.pod) return undefined;
  const f = figuresOf(v, { now: nowMs, stuckAfterSeconds: DEFAULT_STUCK_AFTER_SECONDS });
  // A pod without a creationTimestamp is indexed at its first-seen time (createdAtOf): the key says it.
  const createdAt = toIso(v.created) ?? createdOfKey(item.createdKey);
  const figures = Object.fromEntries(NUMERIC_FIGURES.map((n) => [n, f[n]])) as Record<
    NumericFigure,
    number | null
  >;
  return {
    createdKey: item.createdKey,
    pod: {
      ...id,
      owner: v.pod.owner ? { kind: v.pod.owner.kind, name: v.pod.owner.name } : null,
      node: v.get<'node'>('node')?.node ?? null,
      phase: f.phase,
      createdAt,
      createdAtSource: v.created != null ? 'creationTimestamp' : createdAt ? 'firstSeen' : null,
      ageSeconds: createdAt ? Math.max(0, (nowMs - Date.parse(createdAt)) / 1000) : null,
      status: f.status,
      ready: f.ready,
      restarts: f.kubectlRestarts ?? f.restarts,
      waitingReason: f.waitingReason,
      lastTerminationReason: f.lastTerminationReason,
      deleted: f.deleted,
      figures,
    },
  };
}

/** The figure minimums of a request (`min.<figure>` → N). */
export function minimumsOf(p: PodsParams): [NumericFigure, number][] {
  return NUMERIC_FIGURES.flatMap((f): [NumericFigure, number][] => {
    const n = p[`min.${f}`];
    return n === undefined ? [] : [[f, n]];
  });
}

/**
 * The filters a request asks for that the index does not already apply (namespace and owner
 * choose the index): a pod passes when it matches every one. A figure minimum keeps pods whose
 * figure is at least N (a pod without the figure never passes).
 */
export function podFilterOf(p: PodsParams): ((pod: FoundPod) => boolean) | undefined {
  const tests: ((pod: FoundPod) => boolean)[] = [];
  if (p.namespace !== undefined) tests.push((pod) => pod.namespace === p.namespace);
  if (p.owner) {
    const { kind, name } = p.owner;
    tests.push((pod) => pod.owner?.kind === kind && pod.owner.name === name);
  }
  if (p.node !== undefined) tests.push((pod) => pod.node === p.node);
  if (p.phase !== undefined) tests.push((pod) => pod.phase === p.phase);
  if (p.status !== undefined) tests.push((pod) => pod.status === p.status);
  if (p.terminationReason !== undefined)
    tests.push((pod) => pod.lastTerminationReason === p.terminationReason);
  if (p.waitingReason !== undefined) tests.push((pod) => pod.waitingReason === p.waitingReason);
  for (const [f, min] of minimumsOf(p)) {
    tests.push((pod) => {
      const v = pod.figures[f];
      return v != null && v >= min;
    });
  }
  return tests.length ? (pod) => tests.every((t) => t(pod)) : undefined;
}

/** Where a row sorts: its figure's value (null: it has none) and its createdKey. */
export type SortPosition = [number | null, string];

export function positionOf(row: FoundRow, sortBy: SortKey): SortPosition {
  return [sortBy === 'created' ? null : row.pod.figures[sortBy], row.createdKey];
}

/**
 * The order of a page: by the figure (nulls last, either way), then by creation in the same
 * direction; by creation alone for `created`. Total: createdKey is unique.
 */
export function comparePositions(a: SortPosition, b: SortPosition, order: 'asc' | 'desc'): number {
  const sign = order === 'asc' ? 1 : -1;
  const [va, ka] = a;
  const [vb, kb] = b;
  if (va !== vb) {
    if (va === null) return 1;
    if (vb === null) return -1;
    return sign * (va - vb);
  }
  return ka === kb ? 0 : sign * (ka < kb ? -1 : 1);
}

/**
 * Whether a pod's index item (byClusterDay projects `node`) already rules it out, so its pod
 * item need not be read: only for what never changes once known and the item names the same
 * way (the node a pod was bound to). An attribute the index does not carry rules nothing out.
 */
export function ruledOutByIndex(keyItem: Item, p: Pick<PodsParams, 'node'>): boolean {
  return p.node !== undefined && typeof keyItem.node === 'string' && keyItem.node !== p.node;
}

/** A page of a figure sort: the rows answered and how many more candidates followed them. */
export interface FigurePage {
  page: { row: FoundRow; at: SortPosition }[];
  /** Candidates (after `after`, before `best`) left out past the page. */
  more: number;
}

/**
 * The pods a figure-sorted page answers out of the rows one request read (already filtered):
 * those after `after` and before `best`, in order, the first `limit`. Over the pages of one
 * pass, with `best` carried on by `nextBest`, the merged pages hold the pass's first `limit`
 * exactly (the property test in test/unit/pod-search.test.ts).
 */
export function figurePageOf(
  rows: readonly FoundRow[],
  o: { sortBy: SortKey; order: 'asc' | 'desc'; limit: number; after?: SortPosition; best?: SortPosition },
): FigurePage {
  const { after, best } = o;
  const candidates = rows
    .map((row) => ({ row, at: positionOf(row, o.sortBy) }))
    .filter(
      (x) =>
        (after === undefined || comparePositions(x.at, after, o.order) > 0) &&
        (best === undefined || comparePositions(x.at, best, o.order) < 0),
    )
    .sort((a, b) => comparePositions(a.at, b.at, o.order));
  const page = candidates.slice(0, o.limit);
  return { page, more: candidates.length - page.length };
}

/**
 * The pass's k-th best answered so far, after a page: the page's last when it holds `k` pods
 * (every pod it holds sorts before the old one), else the old one. A pod that does not sort
 * before it cannot be among the pass's first k.
 */
export function nextBest(
  page: readonly { at: SortPosition }[],
  k: number,
  best: SortPosition | undefined,
): SortPosition | undefined {
  return page.length >= k ? page[k - 1]?.at : best;
}

/** A found pod's sort position from its row alone (createdKey: `createdAt#uid`), for a client's merge. */
export function foundPositionOf(pod: FoundPod, sortBy: SortKey): SortPosition {
  return [sortBy === 'created' ? null : pod.figures[sortBy], `${pod.createdAt ?? '0000'}#${pod.uid}`];
}

/**
 * The first `limit` of pods gathered from pages (a figure sort's merge): sorted as the API
 * sorts, each pod once (by uid), whatever the pages' order or overlap.
 */
export function mergedTop(
  pods: readonly FoundPod[],
  sortBy: SortKey,
  order: 'asc' | 'desc',
  limit: number,
): FoundPod[] {
  const byUid = new Map(pods.map((p) => [p.uid, p]));
  return [...byUid.values()]
    .map((pod) => ({ pod, at: foundPositionOf(pod, sortBy) }))
    .sort((a, b) => comparePositions(a.at, b.at, order))
    .slice(0, limit)
    .map((x) => x.pod);
}

// ---------------------------------------------------------------------------------------------
// The page token

/**
 * Where the next page starts. `from`/`to`: the creation range the first page resolved (a
 * relative `since` stays where it was); `resume`: the createdKey the read goes on after (none:
 * from the range's start); `after`: sorted by a figure, the last pod of the previous exact page
 * (pages answer only pods after it); `best` and `k`: sorted by a figure over more than one
 * request, the k-th best pod answered so far in this pass (a pod that does not sort before it
 * cannot be among the first k, so no later page answers it); `seen`: pods examined and matched
 * by the pages so far (for `progress`).
 */
export interface SearchCursor {
  from: string;
  to: string;
  resume?: string;
  after?: SortPosition;
  best?: SortPosition;
  k?: number;
  seen: [examined: number, matched: number];
}

/** A short digest of the request's parameters but its page ones: a token answers one query. */
export function queryDigestOf(raw: Record<string, string | undefined>): string {
  const kept = Object.entries(raw)
    .filter(([k, v]) => v !== undefined && k !== 'nextToken' && k !== 'limit')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(kept)).digest('base64url').slice(0, 16);
}

/**
 * The token's check: a digest of the query and the cursor. Not a secret signature (the API has
 * no key to sign with, and needs none: IAM decides who may query; a forged token can only ask
 * what its query's parameters could ask). It makes an edited or truncated token a 400 that
 * says so, before any field is trusted.
 */
const checkOf = (digest: string, body: string) =>
  createHash('sha256').update(`${digest}\u0000${body}`).digest('base64url').slice(0, 12);

const TOKEN_FIELDS = ['from', 'to', 'resume', 'after', 'best', 'k', 'seen'] as const;

export function encodeCursor(c: SearchCursor, digest: string): string {
  // A fixed field order, so the check is over the same text the decoder rebuilds.
  const fields = Object.fromEntries(
    TOKEN_FIELDS.flatMap((k) => (c[k] === undefined ? [] : [[k, c[k]]])),
  ) as Record<string, unknown>;
  const body = JSON.stringify(fields);
  return Buffer.from(JSON.stringify({ q: digest, h: checkOf(digest, body), ...fields })).toString(
    'base64url',
  );
}

const bad = (reason: string) => new BadParameterError('nextToken', reason);

/** A string field of a token: not empty, at most QUERY_BOUNDS.maxTokenValueLength. */
export const tokenString = (x: unknown): x is string =>
  typeof x === 'string' && x.length > 0 && x.length <= QUERY_BOUNDS.maxTokenValueLength;

/**
 * A token's range (ISO times, their form checked by the caller) held to the bounds a request's
 * is (api-schemas statsRangeOf), in epoch ms; else a 400 naming nextToken.
 */
export function tokenRangeOf(from: string, to: string): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (
    !Number.isFinite(fromMs) ||
    !Number.isFinite(toMs) ||
    fromMs < QUERY_BOUNDS.earliestTime ||
    fromMs >= toMs ||
    toMs - fromMs > QUERY_BOUNDS.maxStatsDays * 86_400_000
  )
    throw bad("the token's range is outside the bounds of a request's");
  return { fromMs, toMs };
}

/**
 * A token's outer JSON object (the /pods and /stats tokens share this envelope), or a 400 naming
 * nextToken: not base64url, not JSON, not an object.
 */
export function tokenObjectOf(token: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw bad('not a token this API issued (not base64url)');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a token this API issued (not JSON)');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not a token this API issued');
  return v as Record<string, unknown>;
}

/**
 * The cursor of a token this route issued for the same query; anything else is a 400 naming
 * nextToken and saying what is wrong: not a token, another query's, altered, or a field out of
 * its bounds.
 */
export function decodeCursor(token: string | undefined, digest: string): SearchCursor | undefined {
  if (token === undefined) return undefined;
  const o = tokenObjectOf(token);
  const allowed = new Set<string>(['q', 'h', ...TOKEN_FIELDS]);
  const unknown = Object.keys(o).find((k) => !allowed.has(k));
  if (unknown !== undefined)
    throw bad(`not a token of this route (unknown field ${JSON.stringify(unknown.slice(0, 32))})`);
  if (o.q !== digest)
    throw bad('the token belongs to another query: pass the same parameters as the page it came with');
  const fields = Object.fromEntries(TOKEN_FIELDS.flatMap((k) => (o[k] === undefined ? [] : [[k, o[k]]])));
  if (o.h !== checkOf(digest, JSON.stringify(fields)))
    throw bad('the token was altered: its check does not match its content');
  const str = tokenString;
  const iso = (x: unknown) => str(x) && /^\d{4}-\d{2}-\d{2}T[0-9:.]+Z$/.test(x);
  if (!iso(o.from) || !iso(o.to)) throw bad('the token has no valid range (from, to)');
  // A token's range is held to the bounds a request's is.
  tokenRangeOf(o.from as string, o.to as string);
  if (o.resume !== undefined && !str(o.resume)) throw bad("the token's read position (resume) is not a key");
  const position = (name: string, a: unknown): SortPosition | undefined => {
    if (a === undefined) return undefined;
    if (
      !Array.isArray(a) ||
      a.length !== 2 ||
      !(a[0] === null || (typeof a[0] === 'number' && Number.isFinite(a[0]))) ||
      !str(a[1])
    )
      throw bad(`the token's ${name} is not a sort position`);
    return [a[0] as number | null, a[1] as string];
  };
  const after = position('after', o.after);
  const best = position('best', o.best);
  const whole = (x: unknown, max: number) =>
    typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max;
  if (
    (best === undefined) !== (o.k === undefined) ||
    (o.k !== undefined && !whole(o.k, QUERY_BOUNDS.limit.max))
  )
    throw bad("the token's best and k go together (k: a page size)");
  const seen = o.seen;
  if (!Array.isArray(seen) || seen.length !== 2 || !seen.every((n) => whole(n, Number.MAX_SAFE_INTEGER)))
    throw bad("the token's counts (seen) are not two whole numbers");
  return {
    from: o.from as string,
    to: o.to as string,
    ...(o.resume !== undefined ? { resume: o.resume as string } : {}),
    ...(after ? { after } : {}),
    ...(best ? { best, k: o.k as number } : {}),
    seen: [seen[0] as number, seen[1] as number],
  };
}
