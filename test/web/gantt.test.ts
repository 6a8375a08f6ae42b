/**
 * Gantt segments of real pods: the demo trace replayed by the real engine, its records drawn.
 * Each case pins what a reader of the chart must see; durations in seconds.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayFiles } from '../../cli/replay.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { type Gantt, ganttOf, type Segment, scaleOf, ticksOf, windowOf } from '../../web/src/gantt.ts';

const TRACE = join(import.meta.dirname, '..', '..', 'demo', 'trace.jsonl');
let records: PodRecord[];
let now: number;

beforeAll(async () => {
  ({ records, now } = await replayFiles([TRACE], { cluster: 'demo', stuckAfterSeconds: 300 }));
});

const pod = (ns: string, name: string, pick: (r: PodRecord) => boolean = () => true) => {
  const r = records.find((x) => x.namespace === ns && x.name.startsWith(name) && pick(x));
  if (!r) throw new Error(`no ${ns}/${name} in the demo trace`);
  return r;
};
const seconds = (s: Segment) => (s.to - s.from) / 1000;
const lane = (g: Gantt, id: string) => g.segments.filter((s) => s.lane === id);
const shape = (segs: Segment[]) => segs.map((s) => [s.kind, s.open ? 'open' : seconds(s)]);

describe('ganttOf on the demo trace', () => {
  it('argocd/my-pod: three short runs of main with back-off of 15 s and 29 s, then CrashLoopBackOff until now', () => {
    const r = pod('argocd', 'my-pod', (x) => x.restarts === 3);
    const g = ganttOf(r, now);
    expect(g.lanes.map((l) => l.id)).toEqual(['pod', 'main']);
    expect(shape(lane(g, 'main'))).toEqual([
      ['running', 0],
      ['back-off', 15],
      ['running', 0],
      ['back-off', 29],
      ['running', 0],
      ['back-off', 'open'],
    ]);
    // The closed back-off segments are exactly the engine's restart gaps.
    const closed = lane(g, 'main').filter((s) => s.kind === 'back-off' && !s.open);
    expect(closed.map(seconds)).toEqual(r.restartGapsSeconds);
    const last = lane(g, 'main').at(-1)!;
    expect(last.to).toBe(now);
    expect(last.label).toBe('CrashLoopBackOff after Error (1)');
    expect(last.detail).toMatch(/^Back-off 40s restarting failed container=main/);
    expect(closed[0]!.label).toBe('back-off after Error (1)');
    // The pod lane: created = scheduled, started 5 s later (pendingSeconds), never Ready.
    expect(shape(lane(g, 'pod'))).toEqual([
      ['creating', r.pendingSeconds],
      ['not-ready', 'open'],
    ]);
  });

  it('openshift-etcd/etcd-master-0: two init containers, then etcd restarting once after 15 s', () => {
    const r = pod('openshift-etcd', 'etcd-master-0');
    const g = ganttOf(r, now);
    expect(g.lanes.map((l) => l.label)).toEqual([
      'pod',
      'init: etcd-ensure-env-vars',
      'init: etcd-resources-copy',
      'etcdctl',
      'etcd-metrics',
      'etcd',
    ]);
    expect(g.lanes.filter((l) => l.init).length).toBe(2);
    // Completed init containers hand over: one (instant) run each, nothing after.
    expect(shape(lane(g, 'init:etcd-ensure-env-vars'))).toEqual([['running', 0]]);
    expect(shape(lane(g, 'init:etcd-resources-copy'))).toEqual([['running', 0]]);
    expect(shape(lane(g, 'etcd'))).toEqual([
      ['running', 15],
      ['back-off', 15],
      ['running', 'open'],
    ]);
    expect(lane(g, 'etcd')[1]!.label).toBe('back-off after Error (1)');
    expect(lane(g, 'etcd')[1]!.detail).toContain('not found in member list');
    // Pod: initializing for initSeconds, not ready from running until Ready (63 − 8 s), then ready.
    expect(shape(lane(g, 'pod'))).toEqual([
      ['initializing', r.initSeconds],
      ['not-ready', r.timeToReadySeconds! - r.pendingSeconds!],
      ['running', 'open'],
    ]);
  });

  it('a stuck Pending pod: one open scheduling segment, Unschedulable, with the scheduler message, to now', () => {
    const r = pod('openshift-ingress', 'router-default-7bbdcfcf9b-7xdln');
    const g = ganttOf(r, now);
    expect(g.lanes.map((l) => l.id)).toEqual(['pod']);
    expect(g.segments).toHaveLength(1);
    const [s] = g.segments;
    expect(s).toMatchObject({ kind: 'scheduling', label: 'Unschedulable', open: true, to: now });
    expect(s!.from).toBe(Date.parse(r.timeline[0]!.at!));
    expect(s!.detail).toBe(r.unschedulableMessage);
    expect(s!.detail).toMatch(/^0\/2 nodes are available/);
    // Nothing else happened: the whole width is the wait, no broken axis.
    expect(windowOf(g)).toMatchObject({ start: s!.from, end: now, broken: false });
  });

  it('a pulling container: PodInitializing then ContainerCreating, open', () => {
    const g = ganttOf(pod('argocd', 'image-pull-backoff'), now);
    expect(lane(g, 'main').map((s) => [s.kind, s.label, s.open ?? false])).toEqual([
      ['creating', 'PodInitializing', false],
      ['creating', 'ContainerCreating', true],
    ]);
    expect(seconds(lane(g, 'main')[0]!)).toBe(180);
  });

  it('an init container crash loop: back-off between its runs, terminated after the last one', () => {
    const g = ganttOf(pod('default', 'crashloop-deployment'), now);
    expect(shape(lane(g, 'init:crashloop-init'))).toEqual([
      ['running', 20],
      ['back-off', 3],
      ['running', 20],
      ['terminated', 'open'],
    ]);
    expect(lane(g, 'init:crashloop-init').at(-1)!.label).toBe('Error (1)');
    // No Scheduled condition seen: the wait is "pending", not claimed to be the scheduler's.
    expect(lane(g, 'pod')[0]).toMatchObject({ kind: 'scheduling', label: 'pending', open: true });
  });

  it('a finished pod ends terminated with its phase; a deleted one stops at its deletion', () => {
    const job = ganttOf(pod('scraper', 'e2e-cronjob-29472159'), now);
    expect(lane(job, 'pod').at(-1)).toMatchObject({ kind: 'terminated', label: 'Succeeded', open: true });
    const evicted = ganttOf(pod('default', 'evicted-pod'), now);
    expect(evicted.segments).toMatchObject([{ lane: 'pod', kind: 'terminated', label: 'Failed' }]);
    const deleted = ganttOf(pod('default', 'test-pod'), now);
    const deletedAt = Date.parse(pod('default', 'test-pod').timeline.find((e) => e.type === 'Deleted')!.at!);
    expect(Math.max(...deleted.segments.map((s) => s.to))).toBe(deletedAt);
    expect(deleted.segments.some((s) => s.open)).toBe(false);
  });

  it('every segment of every demo pod is well formed', () => {
    for (const r of records) {
      const g = ganttOf(r, now);
      const ids = new Set(g.lanes.map((l) => l.id));
      const end = Math.max(now, g.lastEvent ?? now);
      for (const s of g.segments) {
        expect(ids.has(s.lane)).toBe(true);
        expect(s.to).toBeGreaterThanOrEqual(s.from);
        // "now" is the replay's latest time, but a deletionTimestamp lies in the future by the
        // grace period: the chart then ends at that deletion.
        expect(s.to).toBeLessThanOrEqual(end);
        if (s.open) expect(s.to).toBe(end);
      }
      // Lanes: pod first, init containers before app containers.
      const kinds = g.lanes.map((l) => (l.id === 'pod' ? 0 : l.init ? 1 : 2));
      expect(kinds).toEqual([...kinds].sort());
    }
  });
});

describe('the time axis', () => {
  it('breaks when the story is short and now is far: 49 s of crash loop seen 16 hours ago', () => {
    const g = ganttOf(
      pod('argocd', 'my-pod', (x) => x.restarts === 3),
      now,
    );
    const w = windowOf(g);
    expect(w.broken).toBe(true);
    expect(w.end).toBe(now);
    expect(w.cut - Date.parse('2026-11-02T08:03:49Z')).toBeGreaterThan(0);
    expect(w.cut - w.start).toBeLessThan(60_000);
    const x = scaleOf(w, 1000);
    expect(x(w.start)).toBe(0);
    expect(x(w.end)).toBeCloseTo(1000);
    expect(x(w.cut)).toBeCloseTo(860);
    // Linear before the break: 15 s of back-off is 15/49 of the way to the last event, roughly.
    expect(x(Date.parse('2026-11-02T08:03:20Z')) / x(Date.parse('2026-11-02T08:03:49Z'))).toBeCloseTo(
      20 / 49,
    );
  });

  it('stays linear when the tail is short, and ticks fall on round steps', () => {
    const start = Date.parse('2026-11-02T08:00:00Z');
    const g: Gantt = {
      lanes: [{ id: 'pod', label: 'pod' }],
      segments: [{ lane: 'pod', kind: 'running', from: start, to: start + 90_000, label: 'x' }],
      lastEvent: start + 60_000,
      now: start + 90_000,
    };
    const w = windowOf(g);
    expect(w).toEqual({ start, cut: start + 90_000, end: start + 90_000, broken: false });
    expect(ticksOf(w).map((t) => (t - start) / 1000)).toEqual([0, 15, 30, 45, 60, 75, 90]);
  });

  it('an empty timeline draws nothing and does not throw', () => {
    const g = ganttOf({ timeline: [] }, 1000);
    expect(g.segments).toEqual([]);
    expect(windowOf(g)).toMatchObject({ broken: false });
  });
});
