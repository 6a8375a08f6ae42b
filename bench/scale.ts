/**
 * `npm run bench -- --only scale [--rate 50] [--minutes 10]`: a cluster creating `rate` pods a
 * second for `minutes` (issue 12: 50/s for 10 minutes), each pod living its churn-trace life
 * (healthy, crash loops, OOM kills, pull failures, unschedulable, Jobs), simulated end to end:
 * the real forwarder (its default linger, on the trace's own virtual clock) → the local bus with
 * the stack's rules and ingest queue semantics (batch size, batching window, the reserved
 * concurrency) → the batched ingest handler → DynamoDB Local. Prints, per pod lifecycle: bus
 * entries, invocations, read and write units, the ingest lag (p99, from observation and from
 * PutEvents) and dollars per million lifecycles (bench/cost.ts).
 *
 * Not simulated: pods that exist and do not change (a 150,000-pod cluster's steady majority)
 * send nothing after the forwarder's initial list, so they add no per-lifecycle cost; their
 * memory is the forwarder bench's (bench/forwarder.ts, `scale.*`). Runs at the full size take
 * hours on DynamoDB Local: pass a smaller `--minutes` (docs/cost.md says what was run).
 */
import { batchedChurn, startBenchTable } from './ingest.ts';

export interface ScaleBenchOptions {
  /** Pod creations per second (default 50). */
  rate?: number;
  /** Minutes of creations (default 10). */
  minutes?: number;
  log?: (line: string) => void;
}

export async function runScaleBench(opts: ScaleBenchOptions = {}): Promise<Record<string, number>> {
  const rate = opts.rate ?? 50;
  const minutes = opts.minutes ?? 10;
  const log = opts.log ?? (() => {});
  const pods = Math.max(1, Math.round(rate * 60 * minutes));
  const t = await startBenchTable('podlife-scale');
  const t0 = performance.now();
  try {
    // testkit/churn.ts creates `batch` pods in every 120 s: rate × 120 is `rate` a second on average.
    log(`scale: ${pods} pods, ${rate} creations/s for ${minutes} min`);
    const r = await batchedChurn(t, pods, 16, log, {
      name: 'cluster',
      cluster: 'scale',
      churnBatch: Math.max(1, Math.round(rate * 120)),
      before: false,
    });
    return { rate, minutes, pods, ...r, wallSeconds: (performance.now() - t0) / 1000 };
  } finally {
    await t.stop();
  }
}
