/**
 * The page token of a /stats pass (functions/query/routes/stats.ts): what is left of the range
 * to read, as at most QUERY_BOUNDS.statsBudget.concurrency × 2 disjoint segments of creation
 * time, and the pods read so far. Checked on the way back in, like /pods' token: a token of
 * another query, an edited one, or a segment outside the range is a 400 naming nextToken that
 * says which, and never reaches DynamoDB.
 */
import { createHash } from 'node:crypto';
import { BadParameterError, QUERY_BOUNDS } from './api-schemas.ts';
import { tokenObjectOf, tokenRangeOf, tokenString } from './pod-search.ts';

/**
 * Part of the range still to read: pods whose createdKey is after `lo` and before `hi`. `lo`
 * is an ISO time (the pods created at it included) or a createdKey (`ISO#uid`: the last pod
 * read, left out); `hi` an ISO time (the pods created at it left out).
 */
export interface StatsSegment {
  lo: string;
  hi: string;
}

export interface StatsCursor {
  /** The creation range the first page resolved: [from, to). */
  from: string;
  to: string;
  /** What is left of it, disjoint, in creation order. */
  segs: StatsSegment[];
  /** Pods read by the pages so far. */
  seen: number;
}

/** At most this many segments in a token (a request reads `concurrency` at once and splits to fill them). */
export const MAX_TOKEN_SEGMENTS = QUERY_BOUNDS.statsBudget.concurrency * 2;

/** The creation time (ms) a segment bound stands for: an ISO time, or a createdKey's. */
export const timeOfBound = (bound: string): number => Date.parse(bound.split('#')[0] ?? '');

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const checkOf = (digest: string, body: string) =>
  createHash('sha256').update(`stats\u0000${digest}\u0000${body}`).digest('base64url').slice(0, 12);

export function encodeStatsCursor(c: StatsCursor, digest: string): string {
  const body = JSON.stringify({
    from: c.from,
    to: c.to,
    segs: c.segs.map((s) => [s.lo, s.hi]),
    seen: c.seen,
  });
  return Buffer.from(JSON.stringify({ q: digest, h: checkOf(digest, body), b: body })).toString('base64url');
}

const bad = (reason: string) => new BadParameterError('nextToken', reason);

/**
 * The cursor of a token this route issued for the same query (`digest`: model/pod-search.ts
 * queryDigestOf of the parameters); anything else is a 400 naming nextToken and saying why.
 */
export function decodeStatsCursor(token: string | undefined, digest: string): StatsCursor | undefined {
  if (token === undefined) return undefined;
  const o = tokenObjectOf(token);
  if (Object.keys(o).some((k) => k !== 'q' && k !== 'h' && k !== 'b') || typeof o.b !== 'string')
    throw bad('not a token of this route');
  if (o.q !== digest)
    throw bad('the token belongs to another query: pass the same parameters as the page it came with');
  if (o.h !== checkOf(digest, o.b)) throw bad('the token was altered: its check does not match its content');
  let v: unknown;
  try {
    v = JSON.parse(o.b);
  } catch {
    throw bad('not a token this API issued (its body is not JSON)');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not a token this API issued');
  const { from, to, segs, seen } = v as Record<string, unknown>;
  if (typeof from !== 'string' || typeof to !== 'string' || !ISO.test(from) || !ISO.test(to))
    throw bad('the token has no valid range (from, to)');
  const { toMs, fromMs } = tokenRangeOf(from, to);
  if (!Array.isArray(segs) || segs.length === 0 || segs.length > MAX_TOKEN_SEGMENTS)
    throw bad(`the token's segments are not 1 to ${MAX_TOKEN_SEGMENTS} parts of its range`);
  const out: StatsSegment[] = [];
  let floor = fromMs;
  for (const seg of segs) {
    const [lo, hi] = Array.isArray(seg) && seg.length === 2 ? seg : [];
    if (
      !tokenString(lo) ||
      !tokenString(hi) ||
      !ISO.test(hi) ||
      !ISO.test(lo.split('#')[0] ?? '') ||
      lo.split('#').length > 2
    )
      throw bad("the token's segments are not [lo, hi] creation bounds");
    const loMs = timeOfBound(lo);
    const hiMs = Date.parse(hi);
    // In the range, in creation order, disjoint: each starts where no earlier one reaches.
    if (!(loMs >= floor && loMs < hiMs && hiMs <= toMs))
      throw bad("the token's segments are not disjoint parts of its range, in order");
    floor = hiMs;
    out.push({ lo, hi });
  }
  if (typeof seen !== 'number' || !Number.isSafeInteger(seen) || seen < 0)
    throw bad("the token's count (seen) is not a whole number");
  return { from, to, segs: out, seen };
}
