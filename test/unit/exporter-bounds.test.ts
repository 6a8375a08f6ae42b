/**
 * kubernetes-event-exporter's events are stored as the forwarder's Pod Event (core/snapshot.ts
 * CompactEvent). Before: the exporter's layout took any string up to 64 KB for `type`, `source`
 * and `fieldPath` and copied them into the stored event, past that contract's limits (63, 253,
 * 63 for the container a field path names): one event with a 20 KB `type` put 60 KB into the
 * pod's bounded (64 KB) item, and the pod's later events were parked `item-too-large`. Now: each
 * is refused with the field named, and whatever the layout accepts, the stored event satisfies
 * the Pod Event contract (property).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExporterEventDetail } from '../../core/exporter-event.ts';
import { CompactEvent } from '../../core/snapshot.ts';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';
import { exporterBusEvent } from '../../testkit/exporter.ts';

const RECEIVED = Date.parse('2026-11-29T00:00:00Z');

function event(edit: Record<string, unknown> = {}, involved: Record<string, unknown> = {}) {
  return {
    kind: 'Event',
    metadata: { name: 'e', namespace: 'web', uid: 'ev-1' },
    involvedObject: { kind: 'Pod', name: 'api-0', namespace: 'web', uid: 'pod-1', ...involved },
    reason: 'Started',
    message: 'Started container app',
    type: 'Normal',
    source: { component: 'kubelet' },
    count: 1,
    firstTimestamp: '2026-11-28T00:00:00Z',
    lastTimestamp: '2026-11-28T00:00:00Z',
    ...edit,
  };
}
const parse = (ev: unknown) => parseBusEvent(exporterBusEvent(ev as never, 'prod'), RECEIVED);

describe('an exporter event is held to the Pod Event contract', () => {
  it('the documented event goes through (the control)', () => {
    expect(parse(event({}, { fieldPath: 'spec.containers{app}' }))).toMatchObject({
      ok: true,
      event: { type: 'Normal', source: 'kubelet', container: 'app' },
    });
  });

  it.each([
    ['a 20 KB type', event({ type: 'T'.repeat(20_000) }), /type: longer than an Event type \(63\)/],
    ['a 64-character type', event({ type: 'T'.repeat(64) }), /type: longer than an Event type \(63\)/],
    [
      'a 20 KB source',
      event({ source: { component: 'S'.repeat(20_000) } }),
      /source: longer than a component name \(253\)/,
    ],
    [
      'a field path naming a 20 KB container',
      event({}, { fieldPath: `spec.containers{${'c'.repeat(20_000)}}` }),
      /fieldPath: /,
    ],
    [
      'a field path naming a 64-character container',
      event({}, { fieldPath: `spec.containers{${'c'.repeat(64)}}` }),
      /fieldPath: names a container longer than a container name \(63\)/,
    ],
  ])('%s: parked as schema, the field named', (_what, ev, reason) => {
    const r = parse(ev) as { ok: boolean; kind: string; reason: string };
    expect(r).toMatchObject({ ok: false, kind: 'schema' });
    expect(r.reason).toMatch(reason);
  });

  it('whatever the layout accepts is a Pod Event the forwarder could have sent (property)', () => {
    // Any text, and lengths right up to past each limit.
    const text = (max: number) =>
      fc.oneof(
        fc.string({ maxLength: max }),
        fc.integer({ min: 0, max }).map((n) => 'x'.repeat(n)),
      );
    fc.assert(
      fc.property(
        fc.record({
          type: text(80),
          source: text(300),
          container: text(80),
          fieldKind: fc.constantFrom('containers', 'initContainers', 'ephemeralContainers', 'volumes'),
        }),
        (x) => {
          const detail = {
            cluster: 'prod',
            uid: 'ev-1',
            kind: 'Pod',
            namespace: 'web',
            podName: 'api-0',
            podUid: 'pod-1',
            fieldPath: `spec.${x.fieldKind}{${x.container}}`,
            reason: 'Started',
            message: 'm',
            type: x.type,
            count: '1',
            firstTimestamp: '2026-11-28T00:00:00Z',
            lastTimestamp: '2026-11-28T00:00:00Z',
            source: x.source,
          };
          const accepted = ExporterEventDetail.safeParse(detail).success;
          const r = parseBusEvent(
            {
              version: '0',
              id: 'x',
              'detail-type': 'Kubernetes Event',
              source: 'kubernetes-event-exporter',
              account: '111122223333',
              time: '2026-11-28T00:00:00Z',
              region: 'eu-west-1',
              resources: [],
              detail,
            },
            RECEIVED,
          );
          if (r.ok && r.kind === 'event') expect(CompactEvent.safeParse(r.event).success).toBe(true);
          if (!accepted) expect(r.ok).toBe(false);
        },
      ),
      { seed: 17, numRuns: 400 },
    );
  });
});
