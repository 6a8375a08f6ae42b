/**
 * One absurd time in a pod's status (a condition patched to year 9999 or to 2010 by hand or by a
 * buggy controller with `pods/status`) must not cost the pod. Before: the forwarder sent it as
 * is, the ingest parked the whole delta (`detail.t0: … more than 24 h after it was received`),
 * and with it the pod's other facts: its first delta carries the pod itself, so the pod was
 * never stored. Now: the forwarder sends that one time as unknown (as Kubernetes' zero times),
 * says so in a log line, and the ingest takes the rest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factsOfSnapshot } from '../../core/facts.ts';
import { checkTimes, TIME_PATHS, withoutBadTimes } from '../../core/time-bounds.ts';
import { factsEntry } from '../../forwarder/pipeline/encode.ts';
import { podSnapshot } from '../../forwarder/pipeline/snapshot.ts';
import { trimPod } from '../../forwarder/pipeline/trim.ts';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';

const NOW = '2026-11-29T00:00:00Z';
const T = '2026-11-28T23:00:00Z';

function pod(readyAt: string, startedAt = T) {
  return {
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'web', uid: 'uid-web-0', creationTimestamp: T },
    spec: { containers: [{ name: 'app', env: [{ name: 'X', value: 'y' }] }] },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: T },
        { type: 'Ready', status: 'True', lastTransitionTime: readyAt },
      ],
      containerStatuses: [{ name: 'app', restartCount: 0, ready: true, state: { running: { startedAt } } }],
    },
  };
}

/** What the ingest makes of the forwarder's first delta of the pod. */
function throughTheBus(raw: unknown, problems: string[] = []) {
  const snap = podSnapshot(trimPod(raw), 'ADDED', {
    cluster: 'prod',
    observedAt: NOW,
    forwardMessages: false,
    onBadTime: (p) => problems.push(p),
  });
  const id = { cluster: 'prod', namespace: 'web', name: 'web-0', uid: 'uid-web-0' };
  const built = factsEntry(id, factsOfSnapshot(snap), 'auto');
  if (!built.ok) throw new Error('not built');
  const event = {
    version: '0',
    id: 'e1',
    'detail-type': built.entry.DetailType,
    source: built.entry.Source,
    account: '111122223333',
    time: NOW,
    region: 'eu-west-1',
    resources: [],
    detail: JSON.parse(built.entry.Detail ?? '{}'),
  };
  return { snap, parsed: parseBusEvent(event, Date.parse(NOW)) };
}

describe('the forwarder sends an out-of-range time as unknown, and the pod with it', () => {
  it('a sane pod goes through whole (the control)', () => {
    const problems: string[] = [];
    expect(throughTheBus(pod(T), problems).parsed).toMatchObject({ ok: true, kind: 'facts' });
    expect(problems).toEqual([]);
  });

  it.each([
    ['Ready at 9999-12-31', pod('9999-12-31T23:59:59Z'), 'pod.conditions[1].lastTransitionTime'],
    ['Ready in 2010', pod('2010-01-01T00:00:00Z'), 'pod.conditions[1].lastTransitionTime'],
    [
      'a container started 3 days ahead',
      pod(T, '2026-12-02T00:00:00Z'),
      'pod.containerStatuses[0].state.running.startedAt',
    ],
  ])('%s: the pod is ingested, that one time unknown, one log line', (_what, raw, path) => {
    const problems: string[] = [];
    const { snap, parsed } = throughTheBus(raw, problems);
    expect(parsed).toMatchObject({ ok: true, kind: 'facts' });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: `))]);
    expect(checkTimes(snap, TIME_PATHS.podSnapshot, Date.parse(NOW))).toBeNull();
    // Everything else is still there: the pod, its scheduling, its phase.
    expect(snap.pod.creationTimestamp).toBe(T);
    expect(snap.pod.conditions.find((c) => c.type === 'PodScheduled')?.lastTransitionTime).toBe(T);
    const facts = (parsed as { facts: { kind: string }[] }).facts;
    expect(facts.some((f) => f.kind === 'pod')).toBe(true);
  });
});

describe('withoutBadTimes', () => {
  const time = fc.oneof(
    fc.constantFrom('9999-12-31T23:59:59Z', '2010-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '', 'garbage', T),
    fc
      .date({ min: new Date('1960-01-01'), max: new Date('3000-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  );
  const value = fc.record({
    pod: fc.record({
      creationTimestamp: time,
      conditions: fc.array(fc.record({ type: fc.constant('Ready'), lastTransitionTime: time }), {
        maxLength: 4,
      }),
    }),
  });
  const paths = ['pod.creationTimestamp', 'pod.conditions[].lastTransitionTime'];

  it('leaves nothing checkTimes refuses, changes nothing else, never touches its input, is idempotent', () => {
    fc.assert(
      fc.property(value, (v) => {
        const before = structuredClone(v);
        const now = Date.parse(NOW);
        const { value: out, dropped } = withoutBadTimes(v, paths, now);
        expect(v).toEqual(before);
        expect(checkTimes(out, paths, now)).toBeNull();
        expect(dropped.length === 0).toBe(out === v);
        expect(withoutBadTimes(out, paths, now)).toEqual({ value: out, dropped: [] });
        // Only the refused times changed, to null.
        const keep = (x: typeof v) => ({
          ...x,
          pod: {
            ...x.pod,
            creationTimestamp: null,
            conditions: x.pod.conditions.map((c) => ({ ...c, lastTransitionTime: null })),
          },
        });
        expect(keep(out)).toEqual(keep(v));
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
