/**
 * Sender binding in the ingest (core/sender-binding.ts, core/bus-contract.ts): a bound source
 * (`podlife.forwarder.CLUSTER`) has its sender's contract and speaks for its own cluster only;
 * an event of it speaking for another cluster (or none) is `wrong-sender`, whatever the bus
 * rules let through. Plain sources are unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDetail } from '../../core/bus-contract.ts';
import { DETAIL_TYPE_EXPORTER, EXPORTER_SOURCE } from '../../core/exporter-event.ts';
import { boundSource, CLUSTER_NAME, senderOfSource } from '../../core/sender-binding.ts';
import { DETAIL_TYPE_SNAPSHOT, EVENT_SOURCE, snapshotOf } from '../../core/snapshot.ts';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';
import { fixtureObjects, RECEIVED_AT } from '../../testkit/fixtures.ts';

const pod = fixtureObjects('is-healthy__start-error.yaml')[0]!.value;
const snapshot = (cluster: string) => snapshotOf(pod, { cluster, type: 'MODIFIED' });
const clusterName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);

describe('bound sources', () => {
  it('name their sender and cluster; anything else is no bound source', () => {
    expect(boundSource('prod-eu')).toBe('podlife.forwarder.prod-eu');
    expect(boundSource('prod-eu', EXPORTER_SOURCE)).toBe('kubernetes-event-exporter.prod-eu');
    expect(senderOfSource('podlife.forwarder')).toEqual({ sender: EVENT_SOURCE });
    expect(senderOfSource('podlife.forwarder.prod.eu')).toEqual({ sender: EVENT_SOURCE, cluster: 'prod.eu' });
    expect(senderOfSource('kubernetes-event-exporter.x')).toEqual({ sender: EXPORTER_SOURCE, cluster: 'x' });
    for (const s of [
      'podlife.forwarder.',
      'podlife.forwarder./x',
      'podlife.forwarderx',
      'podlife.alerts',
      'x',
    ])
      expect(senderOfSource(s), s).toBeUndefined();
    expect(() => boundSource('a/b')).toThrow('not a cluster name');
    expect(() => boundSource('x'.repeat(64))).toThrow('not a cluster name');
  });

  it('round-trip for every cluster name (property)', () => {
    fc.assert(
      fc.property(clusterName, fc.constantFrom(EVENT_SOURCE, EXPORTER_SOURCE), (c, s) => {
        expect(CLUSTER_NAME.test(c)).toBe(true);
        expect(senderOfSource(boundSource(c, s))).toEqual({ sender: s, cluster: c });
      }),
    );
  });
});

describe('the ingest and bound sources', () => {
  it('takes a bound source speaking for its own cluster as its sender would', () => {
    const plain = parseDetail(EVENT_SOURCE, DETAIL_TYPE_SNAPSHOT, snapshot('prod-eu'), RECEIVED_AT);
    const bound = parseDetail(boundSource('prod-eu'), DETAIL_TYPE_SNAPSHOT, snapshot('prod-eu'), RECEIVED_AT);
    expect(plain.ok).toBe(true);
    expect(bound).toEqual(plain);
  });

  it('parks a bound source speaking for another cluster, or none, as wrong-sender', () => {
    expect(
      parseDetail(boundSource('prod-eu'), DETAIL_TYPE_SNAPSHOT, snapshot('prod-us'), RECEIVED_AT),
    ).toEqual({
      ok: false,
      kind: 'wrong-sender',
      reason:
        'detail.cluster "prod-us" is not "prod-eu", the cluster source podlife.forwarder.prod-eu is bound to',
    });
    const { cluster: _, ...none } = snapshot('x');
    expect(parseDetail(boundSource('prod-eu'), DETAIL_TYPE_SNAPSHOT, none, RECEIVED_AT)).toMatchObject({
      ok: false,
      kind: 'wrong-sender',
    });
    // The exporter's bound source: the same rule.
    expect(
      parseDetail(boundSource('a', EXPORTER_SOURCE), DETAIL_TYPE_EXPORTER, { cluster: 'b' }, RECEIVED_AT),
    ).toMatchObject({ ok: false, kind: 'wrong-sender' });
    // A bound source with another sender's detail-type is no contract at all.
    expect(parseDetail(boundSource('a'), DETAIL_TYPE_EXPORTER, { cluster: 'a' }, RECEIVED_AT)).toMatchObject({
      ok: false,
      kind: 'unknown-type',
    });
  });

  it('through the EventBridge envelope too', () => {
    const event = {
      version: '0',
      id: 'e1',
      'detail-type': DETAIL_TYPE_SNAPSHOT,
      source: boundSource('prod-eu'),
      account: '111122223333',
      time: new Date(RECEIVED_AT).toISOString(),
      region: 'eu-west-1',
      resources: [],
      detail: snapshot('prod-us'),
    };
    expect(parseBusEvent(event, RECEIVED_AT)).toMatchObject({ ok: false, kind: 'wrong-sender' });
    expect(parseBusEvent({ ...event, detail: snapshot('prod-eu') }, RECEIVED_AT)).toMatchObject({ ok: true });
  });

  it('accepts exactly when the claimed cluster is the bound one (property)', () => {
    fc.assert(
      fc.property(clusterName, clusterName, (bound, claimed) => {
        const r = parseDetail(boundSource(bound), DETAIL_TYPE_SNAPSHOT, snapshot(claimed), RECEIVED_AT);
        expect(r.ok).toBe(bound === claimed);
        if (!r.ok) expect(r.kind).toBe('wrong-sender');
      }),
    );
  });
});
