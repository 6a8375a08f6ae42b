/**
 * The churn generator's time order across batches (testkit/churn.ts `ordered`), its even
 * creations (`createWithinMs`), the steady pods of a list (`steadyPods`), and what the scale
 * bench's forwarder sends per lifecycle not moving with the run's size (bench/scale.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwarderRun } from '../../bench/scale.ts';
import { type ChurnOptions, churnTimed, steadyPods, type WatchLine } from '../../testkit/churn.ts';

const rvOf = (l: WatchLine) => Number((l.object.metadata as { resourceVersion: string }).resourceVersion);
/** A line without its resourceVersion (which follows delivery order, so differs with the order). */
const content = ([t, l]: [number, WatchLine]) => {
  const { resourceVersion: _, ...meta } = l.object.metadata as Record<string, unknown>;
  return `${t} ${l.type} ${JSON.stringify({ ...l.object, metadata: meta })}`;
};
const isSorted = (xs: readonly number[]) => xs.every((x, i) => i === 0 || (xs[i - 1] as number) <= x);

describe('churnTimed ordered', () => {
  it('several batches: lines in time order, resourceVersions rising, the same lines as unordered', () => {
    const opts: ChurnOptions = { pods: 600, batch: 150, seed: 3 };
    const unordered = [...churnTimed(opts)];
    const ordered = [...churnTimed({ ...opts, ordered: true })];
    // Without it a later batch starts before the earlier one's tail (pods live past 120 s).
    expect(isSorted(unordered.map(([t]) => t))).toBe(false);
    expect(isSorted(ordered.map(([t]) => t))).toBe(true);
    const rvs = ordered.map(([, l]) => rvOf(l));
    expect(rvs.every((rv, i) => i === 0 || rv > (rvs[i - 1] as number))).toBe(true);
    expect(ordered.map(content).sort()).toEqual(unordered.map(content).sort());
  });

  it('one batch: identical to the unordered stream', () => {
    const opts: ChurnOptions = { pods: 120, batch: 200, seed: 9 };
    const a = [...churnTimed(opts)].map(([t, l]) => [t, JSON.stringify(l)]);
    const b = [...churnTimed({ ...opts, ordered: true })].map(([t, l]) => [t, JSON.stringify(l)]);
    expect(b).toEqual(a);
  });

  it('property: any size, batch and seed: sorted, and the same multiset of lines', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 160 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 1000 }),
        (pods, batch, seed) => {
          const opts: ChurnOptions = { pods, batch, seed, noopUpdates: 1 };
          const unordered = [...churnTimed(opts)];
          const ordered = [...churnTimed({ ...opts, ordered: true })];
          expect(isSorted(ordered.map(([t]) => t))).toBe(true);
          expect(ordered.map(content).sort()).toEqual(unordered.map(content).sort());
        },
      ),
      { numRuns: 25 },
    );
  });

  it('createWithinMs: a batch creates its pods over that span, evenly', () => {
    const start = Date.parse('2026-11-01T08:00:00Z');
    const created = [
      ...churnTimed({ pods: 2000, batch: 1000, seed: 1, createWithinMs: 120_000, ordered: true }),
    ]
      .filter(([, l]) => l.type === 'ADDED')
      .map(([t]) => t - start);
    expect(created).toHaveLength(2000);
    expect(Math.max(...created)).toBeLessThan(240_000);
    // Each 60 s of the 240 s gets about a quarter (the default, 60 s, would leave two empty).
    for (let q = 0; q < 4; q++) {
      const n = created.filter((t) => t >= q * 60_000 && t < (q + 1) * 60_000).length;
      expect(n).toBeGreaterThan(400);
      expect(n).toBeLessThan(600);
    }
  });
});

describe('steadyPods', () => {
  it('Running and Ready pods created before the start, unique uids, seeded', () => {
    const start = '2026-11-01T08:00:00Z';
    const pods = [...steadyPods({ pods: 300, seed: 5, start })];
    const again = [...steadyPods({ pods: 300, seed: 5, start })];
    expect(JSON.stringify(again)).toBe(JSON.stringify(pods));
    const uids = new Set(pods.map((p) => (p.metadata as { uid: string }).uid));
    expect(uids.size).toBe(300);
    for (const p of pods) {
      const status = p.status as {
        phase: string;
        conditions: { type: string; status: string }[];
        containerStatuses: { ready: boolean; state: Record<string, unknown> }[];
      };
      expect(status.phase).toBe('Running');
      expect(status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(status.containerStatuses[0]?.ready).toBe(true);
      expect(status.containerStatuses[0]?.state.running).toBeDefined();
      const created = Date.parse((p.metadata as { creationTimestamp: string }).creationTimestamp);
      expect(created).toBeLessThan(Date.parse(start));
    }
  });
});

describe('the scale bench forwarder', () => {
  it('entries per lifecycle do not move with the number of batches the run spans', async () => {
    // rate 1.5/s: 180 pods a 120 s batch; 1 batch against 4 (before `ordered`, 3.1 against 4.2
    // at 50/s: a later batch's lines all arrived at once, at the earlier batch's last time).
    const one = await forwarderRun({ rate: 1.5, pods: 180, existing: 0 });
    const four = await forwarderRun({ rate: 1.5, pods: 720, existing: 0 });
    const perLife = (r: typeof one) => r.churn.length / r.lifecycles;
    expect(one.lifecycles).toBe(180);
    expect(four.lifecycles).toBe(720);
    expect(Math.abs(perLife(four) - perLife(one))).toBeLessThan(0.25);
    for (const r of [one, four]) expect(isSorted(r.churn.map((s) => s.sentAt))).toBe(true);
  }, 120_000);

  it('the list: one entry per existing pod, then the Pod Inventory', async () => {
    const r = await forwarderRun({ rate: 1, pods: 1, existing: 500 });
    const inventory = r.list.filter((s) => s.entry.DetailType === 'Pod Inventory');
    expect(r.list.length - inventory.length).toBe(500);
    expect(inventory.length).toBeGreaterThanOrEqual(1);
    const uids = new Set(r.list.map((s) => (JSON.parse(s.entry.Detail) as { uid?: string }).uid));
    expect(uids.size).toBe(501); // 500 pods and the inventory's (no uid)
  }, 60_000);
});
