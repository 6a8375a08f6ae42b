/**
 * The startup waterfall's EMF metrics (issue 11): each stage and the pod startup SLI emitted
 * once per pod, when the figure first becomes known, whatever the order and duplicates of its
 * deliveries (functions/ingest/lifecycle-metrics.ts), under names from model/metric-names.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../core/engine.ts';
import type { FactMap } from '../../core/facts.ts';
import { podRecordOf } from '../../core/pod-record.ts';
import { compactEventOf, snapshotOf } from '../../core/snapshot.ts';
import { lifecycleMetricsOf, type MetricPoint } from '../../functions/ingest/lifecycle-metrics.ts';
import { INGEST_METRICS } from '../../model/metric-names.ts';
import { fixtureObjects } from '../../testkit/fixtures.ts';

type Raw = Record<string, any>;
type In = { pod: Raw } | { event: Raw };
const ctx = { now: Date.parse('2030-01-01T00:00:00Z'), stuckAfterSeconds: 300 };
const PODS = 'devops2-volodymyr__minikube-default-podlist.json';
const EVENTS = 'devops2-volodymyr__minikube-default-eventlist.json';
const objects = (file: string) => fixtureObjects(file).map((o) => o.value as Raw);

/** redis-1 as a stateless pod (its claim an emptyDir, no FailedScheduling): it has an SLI, 3.383 s. */
function statelessRedis(): In[] {
  const pod = structuredClone(objects(PODS).find((p) => p.metadata.name === 'redis-1')!);
  pod.spec.volumes = pod.spec.volumes.map((v: Raw) =>
    v.persistentVolumeClaim ? { name: v.name, emptyDir: {} } : v,
  );
  const events = objects(EVENTS).filter(
    (e) => e.involvedObject?.name === 'redis-1' && e.reason !== 'FailedScheduling',
  );
  return [{ pod }, ...events.map((event) => ({ event }))];
}

/** Every write's metric points (a write that changed nothing emits nothing), and the final facts. */
function emitted(inputs: readonly In[]): { points: MetricPoint[]; facts: FactMap } {
  const e = new LifecycleEngine();
  const points: MetricPoint[] = [];
  for (const i of inputs) {
    const before = e.factMaps()[0];
    const copy = before ? new Map(before) : undefined;
    let changed: unknown[] = [];
    if ('pod' in i) changed = e.applySnapshot(snapshotOf(i.pod, { cluster: 'test', type: 'ADDED' }));
    else {
      const ev = compactEventOf(i.event);
      if (ev) changed = e.applyEvent('test', ev) ?? [];
    }
    const after = e.factMaps()[0];
    if (changed.length && after) points.push(...lifecycleMetricsOf(copy?.size ? copy : undefined, after));
  }
  return { points, facts: e.factMaps()[0]! };
}

const STARTUP: [string, string][] = [
  ...Object.entries(INGEST_METRICS.startupStages),
  ['startupSliSeconds', INGEST_METRICS.startupSli],
];

describe('startup metrics: the waterfall stages and the pod startup SLI, once per pod', () => {
  it("in order: each stage and the SLI once, with the record's figure (SLI 3.383 s)", () => {
    const { points, facts } = emitted(statelessRedis());
    const r = podRecordOf(facts, ctx)!;
    expect(r.startupSliSeconds).toBe(3.383);
    for (const [figure, name] of STARTUP) {
      const mine = points.filter((p) => p.name === name);
      expect([name, mine.map((p) => p.value)]).toEqual([name, [r[figure as keyof typeof r]]]);
      expect(mine[0]!.unit).toBe('Seconds');
      expect(mine[0]!.dimensions).toBeUndefined(); // cluster and namespace, as every duration
    }
  });

  it('any order, any duplicates: each known figure emitted exactly once, an unknown one never', () => {
    const inputs = statelessRedis();
    fc.assert(
      fc.property(fc.shuffledSubarray([...inputs, ...inputs], { minLength: inputs.length * 2 }), (order) => {
        const { points, facts } = emitted(order);
        const r = podRecordOf(facts, ctx)!;
        for (const [figure, name] of STARTUP) {
          const n = points.filter((p) => p.name === name).length;
          expect([name, n]).toEqual([name, r[figure as keyof typeof r] == null ? 0 : 1]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('an excluded pod (the real redis-1: a persistent volume) emits its stages but no SLI', () => {
    const events = objects(EVENTS).filter((e) => e.involvedObject?.name === 'redis-1');
    const pod = objects(PODS).find((p) => p.metadata.name === 'redis-1')!;
    const { points, facts } = emitted([{ pod }, ...events.map((event) => ({ event }))]);
    expect(podRecordOf(facts, ctx)!.startupSliExcludedReason).toBe('stateful');
    expect(points.filter((p) => p.name === INGEST_METRICS.startupSli)).toEqual([]);
    expect(points.find((p) => p.name === INGEST_METRICS.startupStages.imagePullSeconds)?.value).toBe(1.617);
  });
});
