/**
 * The query API's conditional GETs (functions/query/etag.ts): a strong ETag of the body on every
 * 200, `no-cache`, and a bodiless 304 when If-None-Match names it; other answers untouched. Also
 * through the real handler (`makeQueryHandler`) on a route that needs no table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { etagOf, noneMatch, withEtag } from '../../functions/query/etag.ts';
import { makeQueryHandler } from '../../functions/query/query.ts';
import type { Route } from '../../functions/query/route.ts';

const event = (headers: Record<string, string> = {}, method = 'GET') =>
  ({ headers, requestContext: { http: { method } } }) as unknown as APIGatewayProxyEventV2;
const ok = (body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: 200,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-podlife-requests': '1',
  },
  body,
});

describe('withEtag', () => {
  it('adds a strong ETag (SHA-256 of the body) and no-cache to a 200', () => {
    const r = withEtag(event(), ok('{"a":1}'));
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('{"a":1}');
    expect(r.headers?.etag).toBe(etagOf('{"a":1}'));
    expect(r.headers?.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(r.headers?.['cache-control']).toBe('no-cache');
    expect(r.headers?.['x-podlife-requests']).toBe('1');
  });

  it('answers 304 with no body when If-None-Match names the ETag (in a list, weak, or *)', () => {
    const tag = etagOf('{"a":1}');
    for (const inm of [tag, `"x", ${tag}`, `W/${tag}`, '*']) {
      const r = withEtag(event({ 'if-none-match': inm }), ok('{"a":1}'));
      expect([inm, r.statusCode, r.body]).toEqual([inm, 304, '']);
      expect(r.headers).toEqual({ 'cache-control': 'no-cache', etag: tag });
    }
  });

  it('a changed body is a 200 with the new ETag', () => {
    const r = withEtag(event({ 'if-none-match': etagOf('{"a":1}') }), ok('{"a":2}'));
    expect(r.statusCode).toBe(200);
    expect(r.headers?.etag).toBe(etagOf('{"a":2}'));
  });

  it('leaves errors and other methods alone', () => {
    const err = { statusCode: 404, headers: { 'cache-control': 'no-store' }, body: '{"error":"x"}' };
    expect(withEtag(event({ 'if-none-match': '*' }), err)).toBe(err);
    const post = ok('{}');
    expect(withEtag(event({ 'if-none-match': '*' }, 'POST'), post)).toBe(post);
  });

  it('the ETag depends on the body only, and differs for different bodies', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(etagOf(a) === etagOf(b)).toBe(a === b);
        expect(noneMatch(etagOf(a), etagOf(b))).toBe(a === b);
      }),
    );
  });
});

describe('the query handler answers conditional GETs on every route', () => {
  const route: Route = {
    path: '/clusters',
    run: async () => ({ clusters: [{ name: 'demo' }] }),
  } as unknown as Route;
  const handler = makeQueryHandler({
    // Never called: the route reads nothing.
    client: new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    tableName: 't',
    now: () => 0,
    routes: [route],
  });
  const req = (headers: Record<string, string> = {}) =>
    ({
      rawPath: '/clusters',
      headers,
      requestContext: { http: { method: 'GET' }, requestId: 'r' },
    }) as unknown as APIGatewayProxyEventV2;

  it('200 with ETag and no-cache, then 304 for the same If-None-Match', async () => {
    const first = await handler(req());
    expect(first.statusCode).toBe(200);
    expect(first.headers?.['cache-control']).toBe('no-cache');
    const tag = String(first.headers?.etag);
    expect(tag).toBe(etagOf(String(first.body)));
    const again = await handler(req({ 'if-none-match': tag }));
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers?.etag).toBe(tag);
  });

  it('a 404 carries no ETag', async () => {
    const r = await handler({ ...req(), rawPath: '/nope' } as APIGatewayProxyEventV2);
    expect(r.statusCode).toBe(404);
    expect(r.headers?.etag).toBeUndefined();
  });
});
