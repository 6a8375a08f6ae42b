/**
 * A pod uid that is one of podlife's own sort keys. A pod's item lives at (POD#cluster#ns#name,
 * uid), and the name's holding item for Events that name the pod without a uid at
 * (same pk, `~events`): a pod whose uid is `~events` would be written over (or read as) that
 * holding item. No API server writes such a uid (they are UUIDs); a hostile sender can.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';
import { makeQueryHandler, type QueryHandler } from '../../functions/query/query.ts';
import { NAME_EVENTS_SK } from '../../model/keys.ts';
import { engineOf } from '../../testkit/fixtures.ts';
import {
  busEventOf,
  FIXED_NOW,
  type Harness,
  harness,
  type Input,
  type LocalTable,
  RECORD_CTX,
  startLocalTable,
  storedRecords,
} from '../../testkit/ingest-harness.ts';
import { apiEvent, running, unschedulable } from '../../testkit/query-support.ts';

let t: LocalTable;
let h: Harness;
let query: QueryHandler;
const created = FIXED_NOW - 3_600_000;
const good = { cluster: 'c', namespace: 'web', name: 'api-0', uid: 'uid-good', created };
const hostile = { ...good, uid: NAME_EVENTS_SK };

beforeAll(async () => {
  t = await startLocalTable('podlife-reserved-uid');
  h = harness(t.doc, t.tableName);
  query = makeQueryHandler({ client: t.client, tableName: t.tableName, now: () => FIXED_NOW });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('a pod uid equal to a reserved sort key', () => {
  it('is refused at the boundary, naming the uid', () => {
    const parsed = parseBusEvent(busEventOf(unschedulable(hostile)), FIXED_NOW) as {
      ok: boolean;
      reason: string;
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.reason).toMatch(/uid/);
  });

  it('never costs the name its good pod or its name-only events: stored = replay of the good input alone', async () => {
    const iso = new Date(created + 2000).toISOString();
    const nameOnly: Input = {
      kind: 'event',
      cluster: 'c',
      event: {
        uid: 'ev-name-only',
        namespace: 'web',
        podName: 'api-0',
        reason: 'FailedScheduling',
        message: '0/3 nodes are available: 3 Insufficient cpu.',
        count: 1,
        firstTimestamp: iso,
        lastTimestamp: iso,
      },
    };
    const goodInputs = [unschedulable(good), nameOnly, running(good, created + 6000)];
    const hostileInputs = [unschedulable(hostile), running(hostile, created + 5000)];
    for (const e of [goodInputs[0]!, goodInputs[1]!, ...hostileInputs, goodInputs[2]!])
      await h.handler(busEventOf(e));
    expect(h.invalid.map((r) => r.kind)).toEqual(['schema', 'schema']);
    expect(await storedRecords(t.doc, t.tableName, 'c')).toEqual(engineOf(goodInputs).records(RECORD_CTX));
    const answer = await query(apiEvent('/pods/c/web/api-0'));
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(String(answer.body)).pods.map((r: { uid: string }) => r.uid)).toEqual(['uid-good']);
  });

  it('the query API: /pods/by-uid/c/~events is a 400 naming uid', async () => {
    const answer = await query(apiEvent(`/pods/by-uid/c/${encodeURIComponent(NAME_EVENTS_SK)}`));
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(String(answer.body))).toMatchObject({ parameter: 'uid' });
  });
});
