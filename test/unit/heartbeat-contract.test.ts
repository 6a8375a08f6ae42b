/**
 * The `Forwarder Heartbeat` contract (core/heartbeat.ts) behind the bus contract, the staleness
 * rule, and the heartbeat item's conditional write (store/cluster-health.ts, built without a network).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDetail } from '../../core/bus-contract.ts';
import { DETAIL_TYPE_HEARTBEAT, type ForwarderHeartbeat, isStale } from '../../core/heartbeat.ts';
import { EVENT_SOURCE } from '../../core/snapshot.ts';
import { heartbeatOfItem, heartbeatRequest, heartbeatTimeOf } from '../../store/cluster-health.ts';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const hb = (over: Partial<ForwarderHeartbeat> = {}): ForwarderHeartbeat => ({
  schemaVersion: 1,
  cluster: 'prod',
  sentAt: '2026-11-20T09:59:30Z',
  instance: 'fwd-0',
  version: '0.1.0',
  ready: true,
  bufferEntries: 0,
  dropped: 0,
  podsWatched: 10,
  intervalSeconds: 60,
  ...over,
});
const parse = (detail: unknown) => parseDetail(EVENT_SOURCE, DETAIL_TYPE_HEARTBEAT, detail, NOW);

describe('the Forwarder Heartbeat contract', () => {
  it('accepts a heartbeat', () => {
    expect(parse(hb())).toEqual({ ok: true, kind: 'heartbeat', heartbeat: hb() });
  });

  it.each([
    ['an unknown version', { schemaVersion: 2 }, 'unknown-version'],
    ['a negative buffer', { bufferEntries: -1 }, 'schema'],
    ['an unknown field', { extra: 1 }, 'schema'],
    ['no cluster', { cluster: '' }, 'schema'],
    ['a time far in the future', { sentAt: '2030-01-01T00:00:00Z' }, 'schema'],
    ['a time that is not one', { sentAt: 'yesterday' }, 'schema'],
  ])('refuses %s', (_what, over, kind) => {
    const r = parse({ ...hb(), ...over });
    expect(r).toMatchObject({ ok: false, kind });
  });
});

describe('staleness', () => {
  it('is an age over the threshold; no heartbeat at all is not stale', () => {
    expect(isStale('2026-11-20T09:55:00Z', NOW, 300)).toBe(false);
    expect(isStale('2026-11-20T09:54:59Z', NOW, 300)).toBe(true);
    expect(isStale(null, NOW, 300)).toBe(false);
    expect(isStale('garbage', NOW, 300)).toBe(false);
  });
});

describe('the heartbeat write', () => {
  it('is one conditional PutItem that only moves forward in time', () => {
    expect(heartbeatRequest('T', hb({ sentAt: '2026-11-20T09:59:30+00:00' }), NOW, 30)).toStrictEqual({
      TableName: 'T',
      Item: {
        pk: 'HEARTBEATS',
        sk: 'prod',
        cluster: 'prod',
        lastHeartbeatAt: '2026-11-20T09:59:30.000Z',
        instance: 'fwd-0',
        version: '0.1.0',
        ready: true,
        bufferEntries: 0,
        dropped: 0,
        podsWatched: 10,
        intervalSeconds: 60,
        expiresAt: NOW / 1000 + 30 * 86400,
      },
      ConditionExpression: 'attribute_not_exists(#pk) OR #at < :at',
      ExpressionAttributeNames: { '#pk': 'pk', '#at': 'lastHeartbeatAt' },
      ExpressionAttributeValues: { ':at': '2026-11-20T09:59:30.000Z' },
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(heartbeatOfItem(heartbeatRequest('T', hb(), NOW, 30).Item!)).toMatchObject({
      cluster: 'prod',
      lastHeartbeatAt: '2026-11-20T09:59:30.000Z',
    });
  });

  it('order and duplicates do not matter: the stored one is the newest, whatever the delivery (property)', () => {
    // The write's condition, applied in memory: what DynamoDB keeps after any delivery order.
    const apply = (stored: string | undefined, at: string) =>
      stored === undefined || stored < at ? at : stored;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 * 86400 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
        (offsets, picks, keys) => {
          const sent = offsets.map((s) =>
            heartbeatTimeOf({ sentAt: new Date(NOW - s * 1000).toISOString() }),
          );
          // Each heartbeat once in a random order (sorted by random keys), plus duplicates of any of them.
          const order = sent.map((at, i) => ({ at, k: keys[i] ?? 0 })).sort((x, y) => x.k - y.k);
          const delivered = [...order.map((o) => o.at), ...picks.map((p) => sent[p % sent.length]!)];
          const newest = [...sent].sort().at(-1);
          let stored: string | undefined;
          for (const at of delivered) stored = apply(stored, at);
          expect(stored).toBe(newest);
          let shuffled: string | undefined;
          for (const at of [...delivered].sort()) shuffled = apply(shuffled, at);
          expect(shuffled).toBe(newest);
        },
      ),
    );
  });
});
