/**
 * Events from kubernetes-event-exporter, rendered with the layout docs/forwarder.md documents,
 * give the ingest the same fact as the forwarder's own `--events` (the contract's CompactEvent
 * from the same real Event), and a misconfigured layout is refused with the field named.
 */
import { describe, expect, it } from 'vitest';
import { factOfEvent } from '../../core/facts.ts';
import { compactEventOf } from '../../core/snapshot.ts';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';
import { exporterBusEvent } from '../../testkit/exporter.ts';
import { fixtureObjects, RECEIVED_AT } from '../../testkit/fixtures.ts';

const FILES = [
  'devops2-volodymyr__minikube-default-eventlist.json',
  'devops2-volodymyr__minikube-kube-system-eventlist.json',
  'kspan__deployment-update-events.yaml',
  'k9s__ev-pulled.json',
];

const podEvents = () =>
  FILES.flatMap((f) => fixtureObjects(f).map((o) => o.value as any)).filter(
    (e) => e?.kind === 'Event' || (e?.involvedObject && e?.reason),
  );

describe('kubernetes-event-exporter events', () => {
  it('every real Event about a Pod maps to the fact the forwarder would send', () => {
    let n = 0;
    for (const raw of podEvents()) {
      if (raw.involvedObject?.kind !== 'Pod') continue;
      const parsed = parseBusEvent(exporterBusEvent(raw, 'prod-eu-1'), RECEIVED_AT);
      expect(parsed, JSON.stringify(raw.metadata)).toMatchObject({
        ok: true,
        kind: 'event',
        cluster: 'prod-eu-1',
      });
      if (!parsed.ok || parsed.kind !== 'event') continue;
      const own = compactEventOf(raw)!;
      const fact = factOfEvent(parsed.event);
      const want = factOfEvent(own);
      // The exporter's layout has no `series`: a new-style repeated event counts once.
      if (raw.series) continue;
      expect(fact).toEqual(want);
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(10);
  });

  it('refuses, with the field named, a layout that is not the documented one', () => {
    const raw = podEvents().find((e) => e.involvedObject?.kind === 'Pod');
    const good = exporterBusEvent(raw, 'c');
    const d = good.detail as Record<string, string>;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...d, podName: undefined }, /detail\.podName/],
      [{ ...d, kind: 'Node' }, /not about a Pod/],
      [{ ...d, count: 'three' }, /detail\.count/],
      [{ ...d, cluster: '' }, /detail\.cluster/],
    ];
    for (const [detail, reason] of cases) {
      const r = parseBusEvent({ ...good, detail }, RECEIVED_AT);
      expect(r).toMatchObject({ ok: false, kind: 'schema' });
      if (!r.ok) expect(r.reason).toMatch(reason);
    }
    // No schemaVersion is asked of it (the exporter has none); another source/type is unknown.
    expect(parseBusEvent({ ...good, 'detail-type': 'Kubernetes Events' }, RECEIVED_AT)).toMatchObject({
      ok: false,
      kind: 'unknown-type',
    });
  });
});
