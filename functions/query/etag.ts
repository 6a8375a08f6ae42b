/**
 * Conditional GETs for the query API: every 200 answer to a GET carries a strong ETag (the
 * SHA-256 of its body, base64url) and `Cache-Control: no-cache` (a client may keep it, but must
 * revalidate before using it), and a request whose `If-None-Match` names that ETag gets a 304
 * with no body. Applied once, around the whole handler (query.ts), so every route, present and
 * future, in AWS and in local mode, answers the same way. The dashboard polls with If-None-Match
 * (the browser adds it from its cache), so unchanged data costs headers only.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The strong ETag of a body: `"` + base64url(SHA-256(body)) + `"`. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * Whether an If-None-Match header matches `etag`: `*`, or any entry of the comma-separated list,
 * compared weakly as RFC 9110 §13.1.2 says for If-None-Match (a `W/` prefix is ignored).
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const want = etag.replace(/^W\//, '');
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '') === want);
}

/** Headers a 304 keeps (RFC 9110 §15.4.5): the validator and caching ones; no body headers. */
const KEPT_ON_304 = new Set(['etag', 'cache-control', 'vary', 'expires', 'date', 'content-location']);

/** `result` with an ETag and `no-cache`, or a bodiless 304 when the request already has it. */
export function withEtag(
  event: Pick<APIGatewayProxyEventV2, 'headers' | 'requestContext'>,
  result: APIGatewayProxyStructuredResultV2,
): APIGatewayProxyStructuredResultV2 {
  const method = event.requestContext?.http?.method ?? 'GET';
  if (
    (method !== 'GET' && method !== 'HEAD') ||
    (result.statusCode ?? 200) !== 200 ||
    typeof result.body !== 'string' ||
    result.isBase64Encoded
  )
    return result;
  const etag = etagOf(result.body);
  const headers: Record<string, string | number | boolean> = {
    ...(result.headers ?? {}),
    'cache-control': 'no-cache',
    etag,
  };
  const ifNoneMatch = event.headers?.['if-none-match'] ?? event.headers?.['If-None-Match'];
  if (noneMatch(ifNoneMatch, etag)) {
    const kept = Object.fromEntries(
      Object.entries(headers).filter(([k]) => KEPT_ON_304.has(k.toLowerCase())),
    );
    return { statusCode: 304, headers: kept, body: '' };
  }
  return { ...result, headers };
}
