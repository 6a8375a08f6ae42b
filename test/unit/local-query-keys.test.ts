/**
 * Local mode turns an HTTP request into the event API Gateway would send. Before: it collected
 * the query string into a plain object with `k in query`, so `?toString=1` became
 * `"function toString() { [native code] },1"` and `?__proto__=x` set nothing (the parameter
 * vanished): local mode answered what AWS refuses (API Gateway's JSON event carries
 * `__proto__` as an own key, a 400 "unknown parameter"). Now: every parameter and header is an
 * own key, as in AWS, and the query API names it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeQueryHandler } from '../../functions/query/query.ts';
import { eventOf } from '../../local/http-adapter.ts';

const request = (url: string, headers: Record<string, string> = {}) =>
  eventOf({ method: 'GET', url, headers: { host: '127.0.0.1:8787', ...headers } }, Buffer.alloc(0), 0);

describe('query parameters and headers named like Object members', () => {
  it('are own keys with the values sent', () => {
    const e = request('/api/pending?cluster=demo&toString=1&__proto__=x&constructor=y&cluster=two');
    const q = e.queryStringParameters ?? {};
    expect(Object.keys(q).sort()).toEqual(['__proto__', 'cluster', 'constructor', 'toString']);
    expect(Object.hasOwn(q, '__proto__')).toBe(true);
    expect(q.toString).toBe('1');
    expect(q.constructor).toBe('y');
    expect(Object.getOwnPropertyDescriptor(q, '__proto__')?.value).toBe('x');
    expect(q.cluster).toBe('demo,two');
    // The same as API Gateway's event, which is JSON.
    expect(JSON.parse(JSON.stringify(q))).toEqual(q);
  });

  it('a header named __proto__ is a header', () => {
    const e = eventOf(
      { method: 'GET', url: '/', headers: JSON.parse('{"host":"127.0.0.1:8787","__proto__":"x"}') },
      Buffer.alloc(0),
      0,
    );
    expect(Object.getOwnPropertyDescriptor(e.headers, '__proto__')?.value).toBe('x');
  });

  it.each(['__proto__', 'toString', 'constructor'])(
    '?%s=…: a 400 naming it, before any read',
    async (name) => {
      // A client that can reach nothing: the answer must come before any DynamoDB call.
      const client = new DynamoDBClient({
        endpoint: 'http://127.0.0.1:9',
        region: 'local',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      const handler = makeQueryHandler({
        client,
        tableName: 't',
        now: () => Date.parse('2026-11-29T00:00:00Z'),
      });
      const e = request(`/pending?cluster=demo&${name}=x`);
      const res = await handler(e);
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(String(res.body))).toMatchObject({
        parameter: name,
        reason: 'unknown parameter for this route',
      });
    },
  );
});
