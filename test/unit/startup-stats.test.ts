/**
 * Issue 11: the startup waterfall's stages and the pod startup SLI in the statistics
 * (core/stats.ts): percentiles of each, the SLO (p99 ≤ 5 s) met or not, and the stats row a
 * stored item gives (model/pod-rows.ts) with its node to group by.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../core/engine.ts';
import { compactEventOf, snapshotOf } from '../../core/snapshot.ts';
import { type FigureRow, STARTUP_FIGURES, statsOf } from '../../core/stats.ts';
import { podPk, podSk } from '../../model/keys.ts';
import { podItemOf } from '../../model/pod-item.ts';
import { statsRowOf } from '../../model/pod-rows.ts';
import { fixtureObjects } from '../../testkit/fixtures.ts';

describe('startup statistics', () => {
  it('percentiles of every stage, pods without a stage left out', () => {
    const rows: FigureRow[] = [
      { startupSliSeconds: 1, imagePullSeconds: 10, sandboxReadyAfterSeconds: 2 },
      { startupSliSeconds: 3, imagePullSeconds: null, sandboxReadyAfterSeconds: 4 },
      { startupSliSeconds: null, imagePullSeconds: 0 },
    ];
    const s = statsOf(rows);
    expect(s.startupSliSeconds).toEqual({ count: 2, p50: 1, p90: 3, p99: 3, max: 3 });
    expect(s.imagePullSeconds).toEqual({ count: 2, p50: 0, p90: 10, p99: 10, max: 10 });
    expect(s.sandboxReadyAfterSeconds).toEqual({ count: 2, p50: 2, p90: 4, p99: 4, max: 4 });
    expect(s.containersReadyAfterSeconds.count).toBe(0);
    expect(s.startupSlo).toEqual({ objectiveSeconds: 5, met: true });
  });

  it.each<[string, (number | null)[], boolean | null]>([
    ['p99 exactly 5 s: met', [1, 2, 5], true],
    ['p99 over 5 s: not met', [1, 2, 5.001], false],
    // Nearest rank: of 100 pods the p99 is the 99th value, so one slow pod in 100 still meets it.
    ['one slow pod in 100', [...Array.from({ length: 99 }, () => 1), 60], true],
    ['two slow pods in 100', [...Array.from({ length: 98 }, () => 1), 60, 60], false],
    ['no pod has the SLI', [null, null], null],
  ])('%s', (_name, values, met) => {
    expect(statsOf(values.map((v) => ({ startupSliSeconds: v }))).startupSlo.met).toBe(met);
  });

  it('order and duplicates of pods never change a stage’s percentiles (as a multiset)', () => {
    const row = fc.record(
      Object.fromEntries(
        STARTUP_FIGURES.map((k) => [k, fc.option(fc.double({ min: 0, max: 1e5, noNaN: true }))]),
      ),
    ) as fc.Arbitrary<FigureRow>;
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), fc.nat(), (rows, seed) => {
        const shuffled = [...rows].sort(
          (a, b) =>
            ((JSON.stringify(a).length * (seed + 1)) % 7) - ((JSON.stringify(b).length * (seed + 1)) % 7),
        );
        expect(statsOf(shuffled)).toEqual(statsOf(rows));
      }),
    );
  });

  it('a stored item’s stats row carries the stages, the SLI and the node', () => {
    const row = statsRowOf({
      pk: podPk('c', 'ns', 'web-1'),
      sk: podSk('u1'),
      node: 'ip-10-0-1-2',
      ownerKind: 'Deployment',
      ownerName: 'web',
      startup: { sli: 1.25, ip: 7, cs: 9 },
    });
    expect(row).toMatchObject({
      node: 'ip-10-0-1-2',
      startupSliSeconds: 1.25,
      imagePullSeconds: 7,
      containersStartedAfterSeconds: 9,
      sandboxReadyAfterSeconds: null,
    });
  });
});

describe('the stored item carries the startup figures the stats route reads', () => {
  it('podItemOf → statsRowOf gives back every stage of the replay record (minikube fixtures)', () => {
    const e = new LifecycleEngine();
    for (const { value } of fixtureObjects('devops2-volodymyr__minikube-default-podlist.json'))
      e.applySnapshot(snapshotOf(value, { cluster: 'test', type: 'ADDED' }));
    for (const { value } of fixtureObjects('devops2-volodymyr__minikube-default-eventlist.json')) {
      const ev =
        (value as { involvedObject?: { kind?: string } }).involvedObject?.kind === 'Pod'
          ? compactEventOf(value)
          : undefined;
      if (ev) e.applyEvent('test', ev);
    }
    const now = Date.parse('2030-01-01T00:00:00Z');
    const records = e.records({ now, stuckAfterSeconds: 300 });
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.imagePullSeconds != null && r.containersStartedAfterSeconds != null)).toBe(
      true,
    );
    for (const facts of e.factMaps()) {
      const item = podItemOf(facts, 1, { retentionDays: 30, now })!;
      const rec = records.find((r) => r.uid === item.sk)!;
      const row = statsRowOf(item);
      for (const k of STARTUP_FIGURES) expect(row[k]).toBe(rec[k]);
      expect(row.node).toBe('minikube');
    }
  });
});
