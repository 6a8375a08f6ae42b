/**
 * Property tests (fast-check): the figures and timelines are a pure function of the set of
 * snapshots. Any permutation with any duplicates gives identical records; a coalesced stream
 * (snapshots dropped, as a watch does) never invents a transition and never yields a negative
 * duration. Streams: the real multi-snapshot fixtures and generated churn.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PHASE_RANK } from '../../core/facts.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { prng } from '../../testkit/churn.ts';
import { churnInputs, engineOf, type Input, propertyStreams } from '../../testkit/fixtures.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const ctx = { now: NOW, stuckAfterSeconds: 300 };

function recordsOf(inputs: readonly Input[]): PodRecord[] {
  return engineOf(inputs).records(ctx);
}

const STREAMS = propertyStreams();

/** The inputs shuffled with a seed, each appearing at least once, `extra` ones again. */
function shuffledWithDuplicates(inputs: readonly Input[], extra: readonly number[], seed: number): Input[] {
  const list = [...inputs, ...extra.map((i) => inputs[i % inputs.length]!)];
  const rnd = prng(seed);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

const DURATIONS = ['scheduledAfterSeconds', 'initSeconds', 'pendingSeconds', 'timeToReadySeconds'] as const;

/** What a timeline entry asserts, without the parts a coalesced stream may legitimately move. */
function claim(e: PodRecord['timeline'][number]): string {
  switch (e.type) {
    case 'ContainerStarted':
    case 'ContainerRestarted':
      // Which run is "first" depends on which runs were seen; the start itself must be real.
      return `start|${e.container}|${e.init ?? false}|${e.at}`;
    case 'ContainerWaiting':
    case 'Phase':
    case 'Running':
    case 'Ready':
    case 'Finished':
    case 'Unschedulable':
      // First-seen / earliest-seen times depend on which snapshots survived.
      return `${e.type}|${e.container ?? ''}|${e.reason ?? ''}`;
    case 'Event':
      return `${e.type}|${e.reason}|${e.message ?? ''}`;
    default:
      return `${e.type}|${e.container ?? ''}|${e.reason ?? ''}|${e.exitCode ?? ''}|${e.at}`;
  }
}

describe('order independence', () => {
  it.each(STREAMS)('%s: any order, any duplicates → identical records and timelines', (_name, inputs) => {
    const expected = recordsOf(inputs);
    expect(expected.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: inputs.length - 1 }), { maxLength: inputs.length * 2 }),
        fc.integer(),
        (extra, seed) => {
          expect(recordsOf(shuffledWithDuplicates(inputs, extra, seed))).toEqual(expected);
        },
      ),
      { numRuns: 60, seed: 20261125 },
    );
  });

  it.each(STREAMS)(
    '%s: a coalesced stream never invents a transition or a negative duration',
    (_name, inputs) => {
      const full = new Map(recordsOf(inputs).map((r) => [r.uid, r]));
      fc.assert(
        fc.property(fc.subarray([...inputs.keys()]), fc.integer(), (kept, seed) => {
          const subset = shuffledWithDuplicates(
            kept.map((i) => inputs[i]!),
            [],
            seed,
          );
          for (const r of recordsOf(subset)) {
            const f = full.get(r.uid)!;
            for (const k of DURATIONS) if (r[k] != null) expect(r[k]).toBeGreaterThanOrEqual(0);
            for (const g of r.restartGapsSeconds) expect(g).toBeGreaterThanOrEqual(0);
            expect(r.crashLoopBackOffSeconds).toBeLessThanOrEqual(f.crashLoopBackOffSeconds + 1e-9);
            expect(PHASE_RANK[r.phase]).toBeLessThanOrEqual(PHASE_RANK[f.phase]!);
            expect(r.restarts).toBeLessThanOrEqual(f.restarts);
            if (r.deleted) expect(f.deleted).toBe(true);
            const claims = new Set(f.timeline.map(claim));
            for (const e of r.timeline) expect(claims, `${r.name}: ${JSON.stringify(e)}`).toContain(claim(e));
            // Marks Kubernetes stamps once are exact whenever they are seen at all.
            if (r.scheduledAfterSeconds != null)
              expect(r.scheduledAfterSeconds).toBe(f.scheduledAfterSeconds);
          }
        }),
        { numRuns: 60, seed: 20261125 },
      );
    },
  );

  it('generated churn at several seeds: shuffled and duplicated deliveries agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer(), (streamSeed, shuffleSeed) => {
        const inputs = churnInputs(streamSeed, 12);
        const extra = Array.from({ length: inputs.length }, (_, i) => i);
        expect(recordsOf(shuffledWithDuplicates(inputs, extra, shuffleSeed))).toEqual(recordsOf(inputs));
      }),
      { numRuns: 25, seed: 7 },
    );
  });
});
