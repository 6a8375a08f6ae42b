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

// ---------------------------------------------------------------------------------------------
// The page token

/**
 * Where the next page starts. `from`/`to`: the creation range the first page resolved (a
 * relative `since` stays where it was); `resume`: the createdKey the read goes on after; `end`:
 * the last createdKey of the window a capped read stopped at (inclusive), while its pods are
 * still being paged; `after`: the last pod answered, in sort order.
 */
export interface SearchCursor {
  from: string;
  to: string;
  resume?: string;
  end?: string;
  after?: SortPosition;
}

/** A short digest of the request's parameters but its page ones: a token answers one query. */
export function queryDigestOf(raw: Record<string, string | undefined>): string {
  const kept = Object.entries(raw)
    .filter(([k, v]) => v !== undefined && k !== 'nextToken' && k !== 'limit')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(kept)).digest('base64url').slice(0, 16);
}

export function encodeCursor(c: SearchCursor, digest: string): string {
  return Buffer.from(JSON.stringify({ q: digest, ...c })).toString('base64url');
}

const bad = (reason: string) => new BadParameterError('nextToken', reason);

/** The cursor of a token this route issued for the same query; anything else is a 400 naming nextToken. */
export function decodeCursor(token: string | undefined, digest: string): SearchCursor | undefined {
  if (token === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw bad('not a token this API issued');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a token this API issued');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not a token this API issued');
  const o = v as Record<string, unknown>;
  const allowed = new Set(['q', 'from', 'to', 'resume', 'end', 'after']);
  if (Object.keys(o).some((k) => !allowed.has(k))) throw bad('not a token of this route');
  if (o.q !== digest) throw bad('the token belongs to another query: pass the same parameters');
  const str = (x: unknown) =>
    typeof x === 'string' && x.length > 0 && x.length <= QUERY_BOUNDS.maxTokenValueLength;
  const iso = (x: unknown) => str(x) && /^\d{4}-\d{2}-\d{2}T[0-9:.]+Z$/.test(x as string);
  if (!iso(o.from) || !iso(o.to)) throw bad('not a token of this route');
  // A token's range is held to the bounds a request's is (api-schemas statsRangeOf).
  const fromMs = Date.parse(o.from as string);
  const toMs = Date.parse(o.to as string);
  if (
    !Number.isFinite(fromMs) ||
    !Number.isFinite(toMs) ||
    fromMs < QUERY_BOUNDS.earliestTime ||
    fromMs >= toMs ||
    toMs - fromMs > QUERY_BOUNDS.maxStatsDays * 86_400_000
  )
    throw bad('not a token this API issued');
  for (const k of ['resume', 'end'] as const)
    if (o[k] !== undefined && !str(o[k])) throw bad('not a token of this route');
  let after: SortPosition | undefined;
  if (o.after !== undefined) {
    const a = o.after;
    if (
      !Array.isArray(a) ||
      a.length !== 2 ||
      !(a[0] === null || (typeof a[0] === 'number' && Number.isFinite(a[0]))) ||
      !str(a[1])
    )
      throw bad('not a token of this route');
    after = [a[0] as number | null, a[1] as string];
  }
  return {
    from: o.from as string,
    to: o.to as string,
    ...(o.resume !== undefined ? { resume: o.resume as string } : {}),
    ...(o.end !== undefined ? { end: o.end as string } : {}),
    ...(after ? { after } : {}),
  };
}
