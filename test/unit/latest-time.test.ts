/**
 * "The latest time of a set of facts" has one rule (core/facts.ts latestTimeOf): the engine's
 * "now" for a replay, where local mode places a captured delta and, for a snapshot's facts,
 * the snapshot's own best time all come from it.
 */
import { describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../core/engine.ts';
import { bestTimeOf, type Fact, factsOfSnapshot, latestTimeOf } from '../../core/facts.ts';
import { propertyStreams } from '../../testkit/fixtures.ts';

const T = Date.parse('2026-01-01T00:00:00Z');
const at = (t: number) => ({ t, rv: '7' });

describe('latestTimeOf', () => {
  it("a snapshot's facts carry its best time as their latest", () => {
    let n = 0;
    for (const [, inputs] of propertyStreams())
      for (const i of inputs) {
        if (i.kind !== 'snapshot') continue;
        n++;
        expect(latestTimeOf(factsOfSnapshot(i.snapshot))).toBe(bestTimeOf(i.snapshot.pod));
      }
    expect(n).toBeGreaterThan(10);
  });

  it('every timed kind counts; a deletion deadline does not', () => {
    const cases: [Fact, number | null][] = [
      [
        {
          id: 'pod',
          kind: 'pod',
          cluster: 'c',
          namespace: 'n',
          name: 'p',
          uid: 'u',
          created: T,
          owner: null,
          qos: null,
        },
        T,
      ],
      [{ id: 'status', kind: 'status', at: at(T + 1), reason: 'Evicted' }, T + 1],
      [{ id: 'unschedulable', kind: 'unschedulable', t: T, at: at(T + 2), message: 'm' }, T + 2],
      [
        {
          id: 'run:c:x:@1',
          kind: 'run',
          container: 'x',
          init: false,
          ordinal: 0,
          startedAt: T + 9,
          term: { finishedAt: T + 3, reason: null, exitCode: 0 },
        },
        T + 9,
      ],
      [{ id: 'event:e', kind: 'event', uid: 'e', reason: 'R', count: 1, first: T + 4, last: null }, T + 4],
      [{ id: 'mark:deletedAt', kind: 'mark', mark: 'deletedAt', t: T + 5 }, null],
      [{ id: 'latest', kind: 'latest', at: at(-1), phase: null, waiting: null }, null],
    ];
    for (const [f, want] of cases) expect(latestTimeOf([f]), f.id).toBe(want);
  });

  it("the engine's latest time from facts follows the same rule as from a snapshot", () => {
    const e = new LifecycleEngine();
    e.applyFacts({ cluster: 'c', namespace: 'n', name: 'p', uid: 'u' }, [
      { id: 'status', kind: 'status', at: at(T + 1), reason: 'Evicted' },
    ]);
    expect(e.latestTime).toBe(T + 1);
    e.applyFacts({ cluster: 'c', namespace: 'n', name: 'p', uid: 'u' }, [
      { id: 'mark:deletedAt', kind: 'mark', mark: 'deletedAt', t: T + 60_000 },
    ]);
    expect(e.latestTime).toBe(T + 1);
  });
});
