/**
 * Bounded facts (core/fold.ts): a pod that crash-loops for weeks keeps a fact set,
 * and a stored item, of fixed size, and folding keeps the lattice:
 * - for random long crash-loop histories (runs skipped by the watch, runs seen running before
 *   terminated, Events re-delivered at a higher count), shuffled, duplicated and arbitrarily
 *   re-grouped deltas — runs delivered after their restart number was folded included — give
 *   identical facts, figures and timelines (fast-check);
 * - and the same figures as the unbounded join, except the list of individual gaps, which
 *   keeps the latest ones: restarts, crash-loop back-off, termination reasons (per reason), the
 *   latest runs, the crash-loop window's restart times;
 * - 20,000 restarts: the item stays under 64 KB.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRASHLOOP_CLUSTER, CRASHLOOP_UID, crashLoopDeltas } from '../../bench/crashloop.ts';
import { LifecycleEngine } from '../../core/engine.ts';
import { addFacts, canonicalFacts, type Fact, type FactMap } from '../../core/facts.ts';
import { FIGURE_NAMES, PodView } from '../../core/figures.ts';
import { addFactsBounded, KEEP_EVENTS, KEEP_MESSAGES, KEEP_RUNS } from '../../core/fold.ts';
import { podRecordOf } from '../../core/pod-record.ts';
import { lifecycleMetricsOf } from '../../functions/ingest/lifecycle-metrics.ts';
import {
  decodeFacts,
  encodeFacts,
  FACTS_FORMAT,
  itemSizeBytes,
  POD_ITEM_BOUND_BYTES,
  podItemOf,
  restartTimesOf,
} from '../../model/pod-item.ts';
import { prng } from '../../testkit/churn.ts';

const ctx = { now: Date.parse('2030-01-01T00:00:00Z'), stuckAfterSeconds: 300 };

function bounded(deltas: readonly (readonly Fact[])[]): FactMap {
  const e = new LifecycleEngine();
  for (const d of deltas)
    e.applyFacts(
      { cluster: CRASHLOOP_CLUSTER, namespace: 'default', name: 'crashloop', uid: CRASHLOOP_UID },
      d,
    );
  const [m] = e.factMaps();
  return m!;
}

function unbounded(deltas: readonly (readonly Fact[])[]): FactMap {
  const m: FactMap = new Map();
  for (const d of deltas) addFacts(m, d);
  return m;
}

/** Every fact of the deltas, shuffled with a seed, `dup` of them twice, cut into groups of 1..maxGroup. */
function redeliver(
  deltas: readonly (readonly Fact[])[],
  seed: number,
  dup: number,
  maxGroup: number,
): Fact[][] {
  const rnd = prng(seed);
  const all = deltas.flat();
  for (let i = 0; i < dup; i++) all.push(all[Math.floor(rnd() * all.length)]!);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const out: Fact[][] = [];
  for (let i = 0; i < all.length; ) {
    const n = 1 + Math.floor(rnd() * maxGroup);
    out.push(all.slice(i, i + n));
    i += n;
  }
  return out;
}

/** A late tail: the history in order, then its oldest deltas again (all folded by then). */
function lateTail(deltas: readonly (readonly Fact[])[], k: number): Fact[][] {
  return [...deltas.slice(k), ...deltas.slice(0, k).reverse()].map((d) => [...d]);
}

const HISTORY = fc.record({
  runs: fc.integer({ min: 120, max: 360 }),
  containers: fc.constantFrom(
    [{ name: 'main' }],
    [{ name: 'main' }, { name: 'sidecar' }],
    [{ name: 'setup', init: true }, { name: 'main' }],
  ),
  events: fc.integer({ min: 0, max: 150 }),
  seed: fc.integer({ min: 1, max: 1e9 }),
  drop: fc.constantFrom(0, 0.02, 0.1),
  messages: fc.constantFrom(0, 0.3),
  runningFirst: fc.constantFrom(0, 0.5, 1),
});

type RunFact = Extract<Fact, { kind: 'run' }>;

describe('bounded facts: a lattice still', () => {
  it('shuffled, duplicated, re-grouped and late deltas give identical facts, figures and timelines', () => {
    fc.assert(
      fc.property(
        HISTORY,
        fc.integer(),
        fc.nat({ max: 400 }),
        fc.integer({ min: 1, max: 40 }),
        (h, seed, dup, maxGroup) => {
          const deltas = crashLoopDeltas(h);
          const expected = bounded(deltas);
          const expectedFacts = canonicalFacts(expected);
          const expectedRecord = podRecordOf(expected, ctx);
          for (const again of [
            redeliver(deltas, seed, dup, maxGroup),
            lateTail(deltas, 1 + (Math.abs(seed) % 60)),
          ]) {
            const got = bounded(again);
            expect(canonicalFacts(got)).toEqual(expectedFacts);
            expect(podRecordOf(got, ctx)).toEqual(expectedRecord);
          }
          // Re-delivering everything to the final state changes nothing (idempotence).
          const state = new Map(expected);
          for (const d of redeliver(deltas, seed + 1, 0, maxGroup))
            expect(addFactsBounded(state, d)).toEqual([]);
          expect(canonicalFacts(state)).toEqual(expectedFacts);
        },
      ),
      { numRuns: 40, seed: 20261129 },
    );
  });

  it('the figures that must stay exact equal the unbounded join’s; the latest runs are kept in full', () => {
    fc.assert(
      fc.property(HISTORY, (h) => {
        const deltas = crashLoopDeltas(h);
        const b = bounded(deltas);
        const u = unbounded(deltas);
        const rb = podRecordOf(b, ctx)!;
        const ru = podRecordOf(u, ctx)!;
        for (const name of FIGURE_NAMES) {
          if (name === 'restartGapsSeconds') continue;
          expect([name, rb[name]]).toEqual([name, ru[name]]);
        }
        // The individual gaps listed are the latest ones of each container.
        expect(rb.restartGapsSeconds.length).toBeLessThanOrEqual(ru.restartGapsSeconds.length);
        const vb = new PodView(b);
        const vu = new PodView(u);
        expect(restartTimesOf(vb)).toEqual(restartTimesOf(vu));
        for (const c of h.containers as readonly { name: string; init?: boolean }[]) {
          const init = c.init === true;
          const all = vu.runs.filter((r) => r.container === c.name && r.init === init);
          const max = Math.max(...all.map((r) => r.ordinal!));
          const fold = vb.runFolds.find((f) => f.container === c.name && f.init === init);
          // Termination reasons, counted per reason over every run.
          const count = (runs: RunFact[]) => {
            const out: Record<string, number> = {};
            for (const r of runs) if (r.term) out[r.term.reason ?? ''] = (out[r.term.reason ?? ''] ?? 0) + 1;
            return out;
          };
          const kept = vb.runs.filter((r) => r.container === c.name && r.init === init);
          const sum = { ...fold?.reasons };
          for (const [k, n] of Object.entries(count(kept))) sum[k] = (sum[k] ?? 0) + n;
          expect(sum).toEqual(count(all));
          expect((fold?.count ?? 0) + kept.length).toBe(all.length);
          // The latest KEEP_RUNS restart numbers in full (messages on the latest KEEP_MESSAGES).
          const latest = all.filter((r) => r.ordinal! > max - KEEP_RUNS);
          const strip = (r: RunFact) => {
            if (r.ordinal! > max - KEEP_MESSAGES || !r.term?.message) return r;
            const { message: _m, ...term } = r.term;
            return { ...r, term };
          };
          const byId = (x: RunFact, y: RunFact) => (x.id < y.id ? -1 : 1);
          expect([...kept].sort(byId)).toEqual(latest.map(strip).sort(byId));
        }
        expect(vb.events.length).toBeLessThanOrEqual(KEEP_EVENTS);
      }),
      { numRuns: 30, seed: 20261130 },
    );
  });
});

describe('bounded facts: the ingest’s metrics', () => {
  it('Terminations, Restarts and back-off summed over every write equal the totals, folded runs and late ones included', () => {
    const deltas = crashLoopDeltas({ runs: 300, containers: [{ name: 'main' }], seed: 9, runningFirst: 0.5 });
    const m: FactMap = new Map();
    const sums: Record<string, number> = {};
    for (const d of [deltas[0]!, ...lateTail(deltas.slice(1), 40)]) {
      const before = new Map(m);
      if (addFactsBounded(m, d).length === 0) continue; // a duplicate: no write, no metrics
      for (const p of lifecycleMetricsOf(before.size ? before : undefined, m))
        sums[p.name] = (sums[p.name] ?? 0) + p.value;
    }
    const u = unbounded(deltas);
    const ru = podRecordOf(u, ctx)!;
    const terminated = new PodView(u).runs.filter((r) => r.term).length;
    expect(sums.Terminations).toBe(terminated);
    expect(sums.Restarts).toBe(ru.restarts);
    expect(sums.CrashLoopBackOffSeconds).toBeCloseTo(ru.crashLoopBackOffSeconds, 6);
  });
});

describe('bounded facts: the item size', () => {
  it('20,000 restarts (two containers, 10,000 each; 2,000 Events): the item stays under 64 KB', () => {
    const deltas = crashLoopDeltas({
      runs: 10_000,
      containers: [{ name: 'main' }, { name: 'sidecar' }],
      events: 2000,
      seed: 7,
      messages: 0.2,
    });
    const m = bounded(deltas);
    const item = podItemOf(m, 1, { retentionDays: 30, now: ctx.now })!;
    const size = itemSizeBytes(item);
    const u = unbounded(deltas);
    const unboundedSize = itemSizeBytes(podItemOf(u, 1, { retentionDays: 30, now: ctx.now })!);
    const r = podRecordOf(m, ctx)!;
    console.log(
      `20,000 restarts: item ${size} B bounded (${m.size} facts), ${unboundedSize} B unbounded (${u.size} facts); restarts ${r.restarts}, back-off ${r.crashLoopBackOffSeconds} s`,
    );
    expect(size).toBeLessThan(POD_ITEM_BOUND_BYTES);
    expect(unboundedSize).toBeGreaterThan(400 * 1024); // what DynamoDB would refuse
    expect(r.restarts).toBe(20_000);
    expect(r.crashLoopBackOffSeconds).toBe(podRecordOf(u, ctx)!.crashLoopBackOffSeconds);
    // Stored and read back: the same facts.
    expect(canonicalFacts(decodeFacts(encodeFacts(m), FACTS_FORMAT))).toEqual(canonicalFacts(m));
    expect(r.timeline.filter((e) => e.type === 'Folded').length).toBeGreaterThan(0);
  });
});
