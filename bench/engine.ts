/**
 * Engine benchmark: watch lines through JSON.parse + schema validation + projection + facts,
 * against bare JSON.parse of the same lines (the floor), and memory over a long stream.
 *
 *   node --import tsx bench/engine.ts [--snapshots 1000000] [--json]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decodeObject } from '../core/decode.ts';
import { LifecycleEngine } from '../core/engine.ts';
import { BENCH_RECEIVED_AT, churnStream } from '../testkit/churn.ts';

interface EngineBenchOptions {
  /** Snapshots in the throughput run (churn: new pods all along). */
  churnPods?: number | undefined;
  /** Snapshots in the memory run (a fixed population of pods, updated again and again). */
  steadySnapshots?: number | undefined;
  steadyPods?: number | undefined;
  log?: ((line: string) => void) | undefined;
}

function* batches(lines: Iterable<unknown>, size: number): Generator<string[]> {
  let batch: string[] = [];
  for (const l of lines) {
    batch.push(JSON.stringify(l));
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

const rssMb = () => process.memoryUsage().rss / 1048576;

/** Throughput: parse+engine vs JSON.parse on a churn trace (pods come and go). */
function throughput(pods: number, log: (l: string) => void) {
  const engine = new LifecycleEngine();
  let lines = 0;
  let bytes = 0;
  let parseMs = 0;
  let fullMs = 0;
  let sink = 0;
  for (const batch of batches(churnStream({ pods, seed: 1, noopUpdates: 2 }), 20_000)) {
    lines += batch.length;
    for (const l of batch) bytes += l.length;
    // Floor: bare JSON.parse of the same lines.
    let t = performance.now();
    for (const l of batch) sink += (JSON.parse(l) as { type: string }).type.length;
    parseMs += performance.now() - t;
    // Full path: parse, validate (zod), project to the compact snapshot, facts into the engine.
    t = performance.now();
    for (const l of batch) {
      const d = decodeObject(JSON.parse(l), { cluster: 'bench', now: BENCH_RECEIVED_AT });
      if (d.kind === 'snapshot') engine.applySnapshot(d.snapshot);
    }
    fullMs += performance.now() - t;
  }
  const t = performance.now();
  const records = engine.records({ now: engine.latestTime ?? 0, stuckAfterSeconds: 300 });
  const reportMs = performance.now() - t;
  log(
    `  churn: ${lines} snapshots of ${records.length} pods, ${(bytes / 1048576).toFixed(0)} MB (sink ${sink % 7})`,
  );
  return {
    churnSnapshots: lines,
    churnPods: records.length,
    avgSnapshotBytes: Math.round(bytes / lines),
    jsonParseSnapshotsPerSecond: Math.round(lines / (parseMs / 1000)),
    engineSnapshotsPerSecond: Math.round(lines / (fullMs / 1000)),
    engineToJsonParseRatio: Number((fullMs / parseMs).toFixed(2)),
    reportMsPer1000Pods: Number(((reportMs / records.length) * 1000).toFixed(1)),
  };
}

/**
 * Memory: a fixed population of pods is created (their whole lives), then updated again and
 * again (label and resourceVersion changes, the bulk of a steady cluster's watch traffic)
 * until the stream reaches `snapshots`. Heap after GC is taken at checkpoints: it must follow
 * the number of pods, not the number of snapshots.
 */
function memory(snapshots: number, pods: number, log: (l: string) => void) {
  const engine = new LifecycleEngine();
  type PodObject = { metadata: { resourceVersion: string; labels: Record<string, string> } };
  const last = new Map<string, PodObject>();
  const heapMb = () => {
    global.gc?.();
    return process.memoryUsage().heapUsed / 1048576;
  };
  let peak = rssMb();
  let n = 0;
  let rv = 10_000_000;
  const checkpoints: Record<string, number> = {};
  const marks = new Set([Math.floor(snapshots / 10), Math.floor(snapshots / 2), snapshots]);
  const feed = (obj: unknown) => {
    const d = decodeObject(JSON.parse(JSON.stringify(obj)), { cluster: 'bench', now: BENCH_RECEIVED_AT });
    if (d.kind === 'snapshot') engine.applySnapshot(d.snapshot);
    n++;
    if (n % 10_000 === 0) peak = Math.max(peak, rssMb());
    if (marks.has(n)) {
      const heap = heapMb();
      checkpoints[`heapMbAfter${n}Snapshots`] = Math.round(heap);
      log(
        `  steady: ${n} snapshots of ${engine.podCount} pods, heap ${heap.toFixed(0)} MB, RSS ${rssMb().toFixed(0)} MB`,
      );
    }
  };
  for (const line of churnStream({ pods, seed: 2, noopUpdates: 0, batch: 500 })) {
    feed(line);
    const uid = line.object.metadata as { uid: string };
    if (line.type === 'DELETED') last.delete(uid.uid);
    else last.set(uid.uid, line.object as unknown as PodObject);
  }
  const heapAfterCreation = heapMb();
  const live = [...last.values()];
  let i = 0;
  while (n < snapshots) {
    const obj = live[i++ % live.length];
    if (obj === undefined) throw new Error('engine bench: no live pods to update');
    obj.metadata.resourceVersion = String(rv++);
    obj.metadata.labels = { ...obj.metadata.labels, 'podlife.dev/touched': String(rv) };
    feed({ type: 'MODIFIED', object: obj });
  }
  return {
    steadySnapshots: n,
    steadyPods: engine.podCount,
    heapMbAfterAllPodsCreated: Math.round(heapAfterCreation),
    ...checkpoints,
    heapBytesPerPod: Math.round((heapMb() * 1048576) / engine.podCount),
    peakRssMb: Math.round(peak),
  };
}

export async function runEngineBench(opts: EngineBenchOptions = {}): Promise<Record<string, number>> {
  const log = opts.log ?? (() => {});
  log('engine: parse + validate + facts vs JSON.parse');
  const a = throughput(opts.churnPods ?? 20_000, log);
  log('engine: memory over a long stream of a fixed pod population');
  const b = memory(opts.steadySnapshots ?? 1_000_000, opts.steadyPods ?? 10_000, log);
  return { ...a, ...b };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: { json: { type: 'boolean' }, snapshots: { type: 'string' }, pods: { type: 'string' } },
  });
  const figures = await runEngineBench({
    steadySnapshots: values.snapshots ? Number(values.snapshots) : undefined,
    churnPods: values.pods ? Number(values.pods) : undefined,
    log: values.json ? undefined : (l) => console.error(l),
  });
  console.log(values.json ? JSON.stringify(figures) : figures);
}
