/**
 * `npm run bench -- --only scale [--rate 50] [--minutes 10] [--existing 150000]`: a cluster of
 * `existing` pods (issue 12: 150,000) creating `rate` pods a second for `minutes` (50/s for 10
 * minutes), each new pod living its churn-trace life (healthy, crash loops, OOM kills, pull
 * failures, unschedulable, Jobs), simulated end to end: the real forwarder (its default linger,
 * on the trace's own virtual clock) → the local bus with the stack's rules and ingest queue
 * semantics (batch size, batching window, the reserved concurrency) → the batched ingest handler
 * → DynamoDB Local.
 *
 * Two phases, one forwarder, one table:
 * 1. The initial list: the forwarder starts on a cluster whose `existing` pods are Running and
 *    Ready; it lists them (each an ADDED pod, then the list's Pod Inventory) and sends what that
 *    makes. `list.*`: its entries, invocations, reads and writes, per existing pod and in total,
 *    and its dollars (once per forwarder start, not per lifecycle).
 * 2. The churn: pods created at `rate` a second, evenly, for `minutes`, in time order across the
 *    generator's batches (testkit/churn.ts `ordered`); every pod's whole generated life is played
 *    and every entry ingested (the stream runs on past the last creation until the last pod's
 *    last line, the queue until it is empty). `cluster.*`: per pod lifecycle, entries,
 *    invocations, read and write units, lag p99 and dollars per million lifecycles (bench/cost.ts).
 *    The existing pods send nothing in this phase: they do not change.
 *
 * The phases are ingested one after the other (the list's entries first): on AWS the list's
 * batches would overlap the first minutes of churn, which changes lag, not counts.
 */
import { DEFAULT_LINGER_MS } from '../forwarder/flags.ts';
import { slimPod, trimEvent, trimPod } from '../forwarder/pipeline/trim.ts';
import type { Entry, Sink, SinkResult } from '../forwarder/sinks.ts';
import { churnTimed, steadyPods } from '../testkit/churn.ts';
import { benchForwarder, sendUntil as sendForwarderUntil } from './forwarder.ts';
import { batchedChurn, type SentEntry, startBenchTable } from './ingest.ts';

export interface ScaleBenchOptions {
  /** Pod creations per second (default 50). */
  rate?: number;
  /** Minutes of creations (default 10). */
  minutes?: number;
  /** Pods that exist, Running, when the forwarder starts (default 150,000; 0: no list phase). */
  existing?: number;
  /**
   * Of the list's pod entries, how many go on through the bus and the ingest to DynamoDB Local
   * (default all; the inventory entries always do). The rest are counted at the forwarder, and
   * the list's ingest cost is computed from the ingested share's per-pod figures.
   */
  listIngest?: number;
  /** The ingest mapping's batch size (default the template's, local/wiring.json). */
  batchSize?: number;
  log?: (line: string) => void;
}

/** The run's start on the trace's clock (testkit/churn.ts's default start). */
const START = '2026-11-01T08:00:00Z';
const CLUSTER = 'scale';

/** What the forwarder sent in each phase, and what it cost it. */
export interface ForwarderRun {
  list: SentEntry[];
  churn: SentEntry[];
  lifecycles: number;
  /** Pods whose whole ordinary lifecycle (created → ready → deleted) is in the stream. */
  ordinaryLifecycles: number;
  ordinaryEntries: number;
  listCpuSeconds: number;
  churnCpuSeconds: number;
  watchLines: number;
}

const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

/**
 * The real forwarder on a virtual clock: the list of `existing` pods at START, then the churn
 * trace's lines at their own times; every entry it sends, by phase, with when it was sent and
 * when the oldest watch line it carries was observed.
 */
export async function forwarderRun(opts: {
  rate: number;
  pods: number;
  existing: number;
  lingerMs?: number;
  log?: (line: string) => void;
}): Promise<ForwarderRun> {
  const log = opts.log ?? (() => {});
  let t = Date.parse(START);
  const observed = new Map<string, number>();
  let sent: SentEntry[] = [];
  const perUid = new Map<string, number>();
  const sink: Sink = {
    name: 'bench',
    async put(entries: Entry[]): Promise<SinkResult> {
      for (const entry of entries) {
        const uid = (JSON.parse(entry.Detail) as { uid?: string }).uid ?? '';
        sent.push({ entry, sentAt: t, observedAt: observed.get(uid) ?? t });
        observed.delete(uid);
        if (uid) perUid.set(uid, (perUid.get(uid) ?? 0) + 1);
      }
      return { failed: [] };
    },
  };
  const clock = {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
  const fwd = benchForwarder(
    { cluster: CLUSTER, bus: 'podlife', payload: 'facts', lingerMs: opts.lingerMs ?? DEFAULT_LINGER_MS },
    sink,
    clock,
    { maxBufferEntries: Math.max(200_000, opts.existing + 50_000), maxBufferBytes: 1024 ** 3 },
  );
  /** The send loop until `until` (virtual ms; undefined: until the buffer is empty). */
  const sendUntil = (until?: number) => sendForwarderUntil(fwd, clock, until);
  const decoded = (o: unknown) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>;

  // 1. The initial list: every existing pod ADDED (as the informer's list hands them on), then
  //    the list's uids as a Pod Inventory (what the forwarder's onListedUids sends for /api/v1/pods).
  let cpu0 = process.cpuUsage();
  const listedUids: string[] = [];
  for (const pod of steadyPods({ pods: opts.existing, seed: 43, start: START })) {
    const obj = decoded(pod);
    const uid = (obj.metadata as { uid: string }).uid;
    listedUids.push(uid);
    observed.set(uid, t);
    const trimmed = trimPod(obj);
    fwd.onPod('ADDED', trimmed);
    slimPod(trimmed);
    while (fwd.sender.nextSendIn() === 0) await fwd.sender.sendOnce();
  }
  if (opts.existing > 0) {
    await fwd.inventory?.send('/api/v1/pods', {
      cluster: CLUSTER,
      listedAt: new Date(t).toISOString(),
      resourceVersion: String(opts.existing),
      instance: 'forwarder',
      namespaces: null,
      uids: listedUids,
    });
  }
  await sendUntil();
  const list = sent;
  const listCpuSeconds = cpuSeconds(process.cpuUsage(cpu0));
  log(`scale: the list of ${opts.existing} pods: ${list.length} entries, ${listCpuSeconds.toFixed(1)} s CPU`);

  // 2. The churn, in time order, creations spread evenly: `rate` a second.
  sent = [];
  perUid.clear();
  cpu0 = process.cpuUsage();
  const uids = new Set<string>();
  const deleted = new Set<string>();
  let watchLines = 0;
  const churn = churnTimed({
    pods: opts.pods,
    seed: 42,
    batch: Math.max(1, Math.round(opts.rate * 120)),
    createWithinMs: 120_000,
    ordered: true,
    start: START,
  });
  for (const [at, line] of churn) {
    watchLines++;
    await sendUntil(at);
    t = Math.max(t, at);
    const obj = decoded(line.object);
    if (obj.kind === 'Event') {
      fwd.onEvent(line.type === 'ADDED' ? 'add' : 'update', trimEvent(obj));
    } else {
      const uid = (obj.metadata as { uid: string }).uid;
      uids.add(uid);
      if (line.type === 'DELETED') deleted.add(uid);
      if (!observed.has(uid)) observed.set(uid, t);
      const trimmed = trimPod(obj);
      fwd.onPod(line.type, trimmed);
      if (line.type !== 'DELETED') slimPod(trimmed);
    }
    while (fwd.sender.nextSendIn() === 0) await fwd.sender.sendOnce();
  }
  await sendUntil();
  const churnCpuSeconds = cpuSeconds(process.cpuUsage(cpu0));
  let ordinaryEntries = 0;
  for (const uid of deleted) ordinaryEntries += perUid.get(uid) ?? 0;
  return {
    list,
    churn: sent,
    lifecycles: uids.size,
    ordinaryLifecycles: deleted.size,
    ordinaryEntries,
    listCpuSeconds,
    churnCpuSeconds,
    watchLines,
  };
}

export async function runScaleBench(opts: ScaleBenchOptions = {}): Promise<Record<string, number>> {
  const rate = opts.rate ?? 50;
  const minutes = opts.minutes ?? 10;
  const existing = Math.max(0, Math.round(opts.existing ?? 150_000));
  const log = opts.log ?? (() => {});
  const pods = Math.max(1, Math.round(rate * 60 * minutes));
  const t0 = performance.now();
  log(`scale: ${existing} existing pods, then ${pods} created at ${rate}/s for ${minutes} min`);
  const run = await forwarderRun({ rate, pods, existing, log });
  const forwarderSeconds = (performance.now() - t0) / 1000;
  log(
    `scale: the churn: ${run.churn.length} entries for ${run.lifecycles} pods (${forwarderSeconds.toFixed(0)} s)`,
  );
  const out: Record<string, number> = {
    rate,
    minutes,
    pods,
    existing,
    'forwarder.listCpuSeconds': run.listCpuSeconds,
    'forwarder.churnCpuSeconds': run.churnCpuSeconds,
    'forwarder.cpuMsPer1000WatchLines': (run.churnCpuSeconds * 1e6) / Math.max(1, run.watchLines),
  };
  const t = await startBenchTable('podlife-scale');
  try {
    if (existing > 0) {
      const podEntries = run.list.filter((s) => s.entry.DetailType !== 'Pod Inventory');
      const inventory = run.list.filter((s) => s.entry.DetailType === 'Pod Inventory');
      const ingestPods = Math.min(existing, Math.max(0, Math.round(opts.listIngest ?? existing)));
      // The list's entries are one per pod (the forwarder's linger merges nothing more): the
      // first `ingestPods` entries are those pods', in the order the forwarder sent them.
      const sample = [...podEntries.slice(0, ingestPods), ...inventory];
      out['list.entries'] = run.list.length;
      out['list.entriesPerExistingPod'] = run.list.length / existing;
      out['list.inventoryEntries'] = inventory.length;
      out['list.detailBytesPerExistingPod'] =
        podEntries.reduce((n, s) => n + Buffer.byteLength(s.entry.Detail), 0) / existing;
      out['list.ingestedPods'] = ingestPods;
      const l = await batchedChurn(t, 0, 16, log, {
        name: 'list',
        before: false,
        entries: { sent: sample, lifecycles: Math.max(1, ingestPods) },
      });
      // Per existing pod (the "lifecycles" of this phase) over the ingested share, and the whole
      // list's cost: measured when every pod was ingested, else computed from those per-pod figures.
      for (const [k, v] of Object.entries(l)) {
        if (k.startsWith('list.usdPerMillionLifecycles.'))
          out[`list.usdPerList.${k.slice('list.usdPerMillionLifecycles.'.length)}`] = (v * existing) / 1e6;
        else if (k.endsWith('PerLifecycle') && k !== 'list.entriesPerLifecycle')
          out[k.replace(/PerLifecycle$/, 'PerExistingPod')] = v;
        else if (
          [
            'invocationsPerEntry',
            'meanBatchSize',
            'wcuPerWrite',
            'conflicts',
            'redelivered',
            'eventsPerSecond',
          ].some((x) => k === `list.${x}`)
        )
          out[k] = v;
      }
    }
    const c = await batchedChurn(t, pods, 16, log, {
      name: 'cluster',
      before: false,
      ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
      entries: { sent: run.churn, lifecycles: run.lifecycles },
    });
    Object.assign(out, c, {
      'cluster.ordinaryLifecycles': run.ordinaryLifecycles,
      'cluster.entriesPerOrdinaryLifecycle': run.ordinaryEntries / Math.max(1, run.ordinaryLifecycles),
      wallSeconds: (performance.now() - t0) / 1000,
    });
    return out;
  } finally {
    await t.stop();
  }
}
