/**
 * GET /pods/by-uid/{cluster}/{uid} answers with a pod of that cluster only. The byUid index's key
 * is one string, `cluster#uid`, so a pod of cluster `a#b` with uid `c` sits under the same key as
 * uid `b#c` of cluster `a`. The ingest now refuses `#` in a cluster (test/unit/key-separator.test.ts),
 * but items written before that (or by anything else) stay: before, the route answered the
 * request for cluster `a` with cluster `a#b`'s pod (a read across clusters). Now: 404, and the
 * pod of the requested cluster when both are stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeQueryHandler, type QueryHandler } from '../../functions/query/query.ts';
import { podItemOf } from '../../model/pod-item.ts';
import { engineOf } from '../../testkit/fixtures.ts';
import { type LocalTable, startLocalTable } from '../../testkit/ingest-harness.ts';
import { apiEvent, BULK_NOW, batchWrite, unschedulable } from '../../testkit/query-support.ts';

let t: LocalTable;
let handler: QueryHandler;
const created = BULK_NOW - 3_600_000;
/** Written before the ingest refused `#` in a cluster name. */
const foreign = { cluster: 'a#b', namespace: 'secret', name: 'vault-0', uid: 'c', created };
const own = { cluster: 'a', namespace: 'web', name: 'api-0', uid: 'b#d', created };

beforeAll(async () => {
  t = await startLocalTable('podlife-by-uid-cluster');
  const maps = engineOf([unschedulable(foreign), unschedulable(own)]).factMaps();
  await batchWrite(
    t.doc,
    t.tableName,
    maps.map((m) => podItemOf(m, 1, { now: BULK_NOW, retentionDays: 30 })!),
  );
  handler = makeQueryHandler({ client: t.client, tableName: t.tableName, now: () => BULK_NOW });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

async function get(path: string) {
  const res = await handler(apiEvent(path));
  return { status: res.statusCode ?? 0, body: JSON.parse(String(res.body)) };
}

describe('by-uid never answers with another cluster’s pod', () => {
  it('cluster a, uid b#c (the key of cluster a#b, uid c): 404, not the other cluster’s pod', async () => {
    const r = await get(`/pods/by-uid/a/${encodeURIComponent('b#c')}`);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toContain('vault-0');
  });

  it('and its trace likewise', async () => {
    const r = await get(`/pods/by-uid/a/${encodeURIComponent('b#c')}/trace`);
    expect(r.status).toBe(404);
  });

  it('a uid with # of the cluster asked for is still found', async () => {
    const r = await get(`/pods/by-uid/a/${encodeURIComponent('b#d')}`);
    expect(r.status).toBe(200);
    expect(r.body.pod).toMatchObject({ cluster: 'a', namespace: 'web', name: 'api-0', uid: 'b#d' });
  });

  it('cluster a#b itself: 400 naming cluster (no cluster has a #)', async () => {
    const r = await get(`/pods/by-uid/${encodeURIComponent('a#b')}/c`);
    expect(r.status).toBe(400);
    expect(r.body.parameter ?? r.body.error).toMatch(/cluster/);
  });
});
