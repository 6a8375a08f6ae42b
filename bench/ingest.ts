/**
 * The ingest benchmark: the real handler against DynamoDB Local (table from TABLE_SPEC) on the
 * demo trace and on a generated churn trace (10,000 pods by default). Reports, per event:
 * DynamoDB requests, read and write capacity units as DynamoDB reports them, write requests per
 * new fact; the cost of a fully duplicated delivery; events per second through the handler and
 * DynamoDB Local's own bare PutItem rate measured in the same run (the floor), and their ratio;
 * the size of the bundled ingest Lambda and its cold init time in a fresh Node.js process.
 *
 *   node --import tsx bench/ingest.ts [--pods N] [--concurrency N] [--json]
 *   node --import tsx bench/ingest.ts --throughput [--pods N] [--warmups N] [--json]   # the backlog drain only
 *     [--linger-seconds S] [--routine-linger-seconds S]   # the forwarder that makes its entries
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readFileSync as readText,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { decodeObject } from '../core/decode.ts';
import { DEFAULT_LINGER_MS } from '../forwarder/flags.ts';
import { slimPod, trimEvent, trimPod } from '../forwarder/pipeline/trim.ts';
import type { Entry, Sink, SinkResult } from '../forwarder/sinks.ts';
import { lambdaBuildOptions } from '../infra/podlife-function.ts';
import { localDynamoClient } from '../local/dynamodb-local.ts';
import { LocalBus } from '../local/local-bus.ts';
import type { Wiring } from '../local/wiring.ts';
import { documentClient } from '../store/dynamo.ts';
import type { StoreStats } from '../store/pod-store.ts';
import { BENCH_RECEIVED_AT, churnStream, churnTimed } from '../testkit/churn.ts';
import {
  batchHarness,
  busEventOf,
  factsEventsOf,
  harness,
  type Input,
  type LocalTable,
  startLocalTable,
} from '../testkit/ingest-harness.ts';
import {
  costPerMillionLifecycles,
  modeledInvocationMs,
  type PerLifecycle,
  SQS_MESSAGES_PER_REQUEST,
} from './cost.ts';
import { benchForwarder, sendUntil } from './forwarder.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * DynamoDB Local with podlife's table, as the tests start it, but given 3 minutes to answer:
 * on a shared, loaded machine its JVM can take longer than the tests' 30 s to start.
 */
export function startBenchTable(tableName: string): Promise<LocalTable> {
  return startLocalTable(tableName, { timeoutMs: 180_000 });
}

interface IngestBenchOptions {
  /**
   * Pods in the generated churn trace. Default 1,000 (8.4k events, ~80 s here): DynamoDB Local
   * ingests ~110 events/s on 2 cores, so the 10,000-pod trace (`--pods 10000`) takes ~13 min.
   */
  pods?: number;
  /** Invocations in flight at once (default 16): Lambda runs many containers side by side. */
  concurrency?: number;
  /** Also bundle the Lambda and time its cold init (default true). */
  bundle?: boolean;
  log?: (line: string) => void;
}

async function runAll<T>(inputs: Iterable<T>, concurrency: number, fn: (i: T) => Promise<unknown>) {
  const it = inputs[Symbol.iterator]();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = it.next(); !n.done; n = it.next()) await fn(n.value);
    }),
  );
}

function diff(a: StoreStats, b: StoreStats) {
  const reads = (s: StoreStats) => s.requests.GetItem + s.requests.Query + s.requests.BatchGetItem;
  const requests = reads(b) + b.requests.PutItem - (reads(a) + a.requests.PutItem);
  return {
    requests,
    reads: reads(b) - reads(a),
    writes: b.requests.PutItem - a.requests.PutItem,
    rcu: b.rcu - a.rcu,
    wcu: b.wcu - a.wcu,
    conflicts: b.conflicts - a.conflicts,
    // Single reads: in the batched path only a lost race reads this way (mergeFacts).
    getItems: b.requests.GetItem - a.requests.GetItem,
    wcuByIndex: Object.fromEntries(
      Object.entries(b.wcuByIndex).map(([k, v]) => [k, v - (a.wcuByIndex[k] ?? 0)]),
    ) as Record<string, number>,
  };
}

const snap = (s: StoreStats): StoreStats => ({
  ...s,
  requests: { ...s.requests },
  wcuByIndex: { ...s.wcuByIndex },
});

/** Delivers bus events through one handler; returns per-event figures. */
async function deliverTrace(
  t: LocalTable,
  name: string,
  inputs: Record<string, unknown>[],
  concurrency: number,
  watchEvents = inputs.length,
) {
  const h = harness(t.doc, t.tableName);
  let newFacts = 0;
  let eventsWithNews = 0;
  const before = snap(h.store.stats);
  const t0 = performance.now();
  await runAll(inputs, concurrency, async (input) => {
    const r = await h.handler(input);
    if (r.status === 'written') {
      newFacts += r.facts;
      eventsWithNews++;
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const d = diff(before, h.store.stats);
  // A full duplicate delivery (what at-least-once may do to every event), sequential.
  const dupBefore = snap(h.store.stats);
  await runAll(inputs, concurrency, (input) => h.handler(input));
  const dup = diff(dupBefore, h.store.stats);
  const n = inputs.length;
  return {
    [`${name}.events`]: n,
    [`${name}.requestsPerWatchEvent`]: d.requests / watchEvents,
    [`${name}.wcuPerWatchEvent`]: d.wcu / watchEvents,
    [`${name}.eventsWithNews`]: eventsWithNews,
    [`${name}.newFacts`]: newFacts,
    [`${name}.requestsPerEvent`]: d.requests / n,
    [`${name}.readRequestsPerEvent`]: d.reads / n,
    [`${name}.writeRequestsPerEvent`]: d.writes / n,
    [`${name}.writeRequestsPerNewFact`]: d.writes / Math.max(1, newFacts),
    [`${name}.rcuPerEvent`]: d.rcu / n,
    [`${name}.wcuPerEvent`]: d.wcu / n,
    [`${name}.wcuPerWrite`]: d.wcu / Math.max(1, d.writes),
    // Where a write's units go: the table and each index (DynamoDB's ReturnConsumedCapacity INDEXES).
    ...Object.fromEntries(
      Object.entries(d.wcuByIndex)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [`${name}.wcuPerWrite.${k}`, v / Math.max(1, d.writes)]),
    ),
    [`${name}.conflicts`]: d.conflicts,
    [`${name}.eventsPerSecond`]: n / seconds,
    [`${name}.duplicate.writeRequestsPerEvent`]: dup.writes / n,
    [`${name}.duplicate.readRequestsPerEvent`]: dup.reads / n,
    [`${name}.duplicate.rcuPerEvent`]: dup.rcu / n,
  };
}

/** DynamoDB Local's bare PutItem rate at the same concurrency: the floor for events/s. */
export async function barePutRate(t: LocalTable, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await t.doc.send(
          new PutCommand({ TableName: t.tableName, Item: { pk: `BARE#${i % 100}`, sk: String(i), v: 1 } }),
        );
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

/** Bundles the handler exactly as NodejsFunction does; returns its size and cold init time. */
async function bundleAndColdStart(): Promise<Record<string, number>> {
  const outdir = `${ROOT}node_modules/.cache/podlife-bench/ingest`;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const outfile = `${outdir}/index.mjs`;
  await build(lambdaBuildOptions(`${ROOT}functions/ingest/handler.ts`, outfile));
  const bytes = statSync(outfile).size;
  const gz = gzipSync(readFileSync(outfile)).length;
  const times: number[] = [];
  const script = `const t=performance.now();await import(${JSON.stringify(outfile)});console.log(performance.now()-t)`;
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        TABLE_NAME: 'bench',
        EVENT_BUS_NAME: 'bench',
        AWS_REGION: 'us-east-1',
      },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`cold start of the bundle failed: ${r.stderr}`);
    times.push(Number(r.stdout.trim()));
  }
  times.sort((a, b) => a - b);
  // The share of that which is the AWS SDK (external: the Lambda runtime provides it).
  const sdk = `const t=performance.now();await Promise.all(['@aws-sdk/client-dynamodb','@aws-sdk/lib-dynamodb','@aws-sdk/client-eventbridge'].map((m)=>import(m)));console.log(performance.now()-t)`;
  const sdkTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', sdk], {
      cwd: outdir,
      encoding: 'utf8',
    });
    sdkTimes.push(Number(r.stdout.trim()));
  }
  sdkTimes.sort((a, b) => a - b);
  return {
    'lambda.bundleBytes': bytes,
    'lambda.bundleGzipBytes': gz,
    'lambda.coldInitMs': times[2] ?? Number.NaN,
    'lambda.coldInitSdkOnlyMs': sdkTimes[2] ?? Number.NaN,
  };
}

const INGEST_ENTRY = 'functions/ingest/handler.ts';
/** The ingest function's memory (infra/podlife-function.ts default): GB-seconds per second. */
const INGEST_GB = 0.5; // the ingest function's memory (infra/pipeline.ts: 512 MB)
const EVENTBRIDGE_CHUNK = 64 * 1024;

/** A bus entry the real forwarder sent, at its (virtual) time, and when its oldest news was observed. */
export interface SentEntry {
  entry: Entry;
  sentAt: number;
  observedAt: number;
}

/**
 * The churn trace through the real forwarder (its default linger, the send loop on a virtual
 * clock at the trace's own times): every bus entry it sends, with when it was sent and when the
 * oldest watch line it carries was observed.
 */
export async function forwarderEntries(
  pods: number,
  lingerMs = DEFAULT_LINGER_MS,
  cluster = 'churn-batched',
  churnBatch?: number,
  routineLingerMs?: number,
): Promise<{ sent: SentEntry[]; lifecycles: number }> {
  let t = Date.parse('2026-11-01T08:00:00Z');
  const observed = new Map<string, number>();
  const sent: SentEntry[] = [];
  const sink: Sink = {
    name: 'bench',
    async put(entries: Entry[]): Promise<SinkResult> {
      for (const entry of entries) {
        const uid = (JSON.parse(entry.Detail) as { uid?: string }).uid ?? '';
        sent.push({ entry, sentAt: t, observedAt: observed.get(uid) ?? t });
        observed.delete(uid);
      }
      return { failed: [] };
    },
  };
  const config = {
    cluster,
    bus: 'podlife',
    payload: 'facts' as const,
    lingerMs,
    ...(routineLingerMs !== undefined ? { routineLingerMs } : {}),
  };
  const clock = {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
  const fwd = benchForwarder(config, sink, clock);
  const uids = new Set<string>();
  for (const [at, line] of churnTimed({ pods, seed: 42, ...(churnBatch ? { batch: churnBatch } : {}) })) {
    await sendUntil(fwd, clock, at);
    t = Math.max(t, at);
    const obj = JSON.parse(JSON.stringify(line.object)) as Record<string, unknown>;
    if (obj.kind === 'Event') {
      fwd.onEvent(line.type === 'ADDED' ? 'add' : 'update', trimEvent(obj));
    } else {
      const uid = (obj.metadata as { uid: string }).uid;
      uids.add(uid);
      if (!observed.has(uid)) observed.set(uid, t);
      const trimmed = trimPod(obj);
      fwd.onPod(line.type, trimmed);
      if (line.type !== 'DELETED') slimPod(trimmed);
    }
    while (fwd.sender.nextSendIn() === 0) await fwd.sender.sendOnce();
  }
  await sendUntil(fwd, clock);
  return { sent, lifecycles: uids.size };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number) : 0;
};

/**
 * The forwarder's entries → the local bus (the template's rules and ingest queue: batch size,
 * batching window, on the entries' own virtual times) → the batched ingest handler → DynamoDB
 * Local. Counts per pod lifecycle, the cost, lag and events/s; then the same entries through the
 * one-event handler (one invocation per entry, as before) for the before/after.
 */
export interface BatchedOptions {
  /** The forwarder's linger (default its own default, DEFAULT_LINGER_MS). */
  lingerMs?: number;
  /** The ingest mapping's batch size and batching window (default the template's, local/wiring.json). */
  batchSize?: number;
  windowSeconds?: number;
  /** Figure names' prefix (default `batched`). */
  name?: string;
  /** The cluster name the forwarder sends as (fresh keys per variant; default `churn-batched`). */
  cluster?: string;
  /** Also send the same entries one invocation each (`before.*`; default true). */
  before?: boolean;
  /** Pods created per 120 s of the churn trace (testkit/churn.ts `batch`; default 1,000, ~8/s). */
  churnBatch?: number;
  /** Also measure throughput with a backlog (`<name>.throughput.*`, ingestThroughput; default false). */
  throughput?: boolean;
  /** Entries a forwarder already sent (bench/scale.ts drives its own): no churn trace generated. */
  entries?: { sent: SentEntry[]; lifecycles: number };
}

/** The ingest function's reserved concurrency, and so the mapping's maximum concurrency (infra/pipeline.ts). */
export const INGEST_CONCURRENCY = 10;

/**
 * Where the drain's CPU goes: each profile sample is charged to the first category (in this
 * order) that any frame of its stack matches, so deflate under the item builder counts as
 * deflate, and the SDK's own JSON.parse as SDK. `(idle)`: the process waited (for DynamoDB Local).
 */
const CPU_CATEGORIES: [string, (f: { functionName: string; url: string }) => boolean][] = [
  ['deflate', (f) => f.functionName === 'encodeFacts'],
  ['inflate', (f) => f.functionName === 'decodeFacts'],
  ['sdk', (f) => /@aws-sdk|@smithy/.test(f.url)],
  ['parse', (f) => /\/zod\/|parse-bus-event|bus-contract|core\/pod-facts/.test(f.url)],
  ['fold', (f) => /core\/fold/.test(f.url)],
  ['join', (f) => /core\/facts/.test(f.url)],
  ['figures', (f) => /core\/|model\/pod-rows/.test(f.url)],
  ['item', (f) => /model\/pod-item|model\/keys/.test(f.url)],
  ['powertools', (f) => /@aws-lambda-powertools/.test(f.url)],
  ['handler', (f) => /functions\/ingest\/|store\//.test(f.url)],
  ['queue', (f) => /local\/local-bus/.test(f.url)],
  // Node's own HTTP client and sockets under the SDK's handler (writes, response parsing).
  ['http', (f) => /^node:(_http|net|internal\/stream|stream)/.test(f.url) || f.functionName === 'writev'],
  ['profiler', (f) => f.url === 'node:inspector'],
  ['gc', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** A CPU profile's sampled time (ms) by CPU_CATEGORIES (`other`: none matched). */
export function cpuSplit(profile: {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}): Record<string, number> {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const categoryOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = categoryOf.get(id);
    if (known) return known;
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (n) stack.push(n);
    }
    let cat = 'other';
    for (const [name, match] of CPU_CATEGORIES)
      if (stack.some((n) => match(n.callFrame))) {
        cat = name;
        break;
      }
    categoryOf.set(id, cat);
    return cat;
  };
  const out: Record<string, number> = {};
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const cat = classify(samples[i] as number);
    out[cat] = (out[cat] ?? 0) + (deltas[i] ?? 0) / 1000;
  }
  return out;
}

/** A document client on its own connection to `t`, timing each request's round trip by kind. */
export function timedDoc(t: LocalTable) {
  const client = localDynamoClient(t.ddb.endpoint);
  const rounds: Record<string, { n: number; ms: number }> = {};
  let inFlight = 0;
  let inFlightMs = 0;
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    inFlightMs += inFlight * (now - last);
    last = now;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const kind = String(context.commandName ?? '?').replace(/Command$/, '');
      const t0 = performance.now();
      tick();
      inFlight++;
      try {
        return await next(args);
      } finally {
        tick();
        inFlight--;
        const r = rounds[kind] ?? { n: 0, ms: 0 };
        rounds[kind] = r;
        r.n++;
        r.ms += performance.now() - t0;
      }
    },
    { step: 'finalizeRequest', name: 'benchRoundTrip' },
  );
  const doc = documentClient(client);
  // The pod items the ingest stored (successful conditional writes), for the second yardstick.
  const written: Record<string, unknown>[] = [];
  const send = doc.send.bind(doc) as (c: unknown) => Promise<unknown>;
  (doc as { send: unknown }).send = async (command: unknown) => {
    const out = await send(command);
    if (command instanceof PutCommand && command.input.ConditionExpression && command.input.Item)
      written.push(command.input.Item);
    return out;
  };
  return {
    doc,
    rounds,
    written,
    reset() {
      for (const k of Object.keys(rounds)) delete rounds[k];
      written.length = 0;
      inFlightMs = 0;
      last = performance.now();
    },
    meanInFlight: (seconds: number) => {
      tick();
      return inFlightMs / 1000 / seconds;
    },
    destroy: () => client.destroy(),
  };
}

/** CPU ms a process has used so far (Linux /proc; NaN elsewhere): DynamoDB Local's JVM here. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime (fields 14 and 15 of stat; 12 and 13 after pid and comm), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * The second yardstick: bare PutItem (no read, no condition) of the very items the ingest
 * stored, in the order it stored them, at `concurrency` in flight: the same sizes and index keys
 * (the cluster in every key swapped for another of the same length, so they are new items as the
 * ingest's first writes were; the facts bytes as they are).
 */
export async function bareItemPutRate(
  t: LocalTable,
  items: readonly Record<string, unknown>[],
  from: string,
  to: string,
  concurrency: number,
): Promise<number> {
  if (from.length !== to.length) throw new Error('the swapped cluster name must keep the sizes');
  const swap = (v: unknown) => (typeof v === 'string' ? v.split(from).join(to) : v);
  const copies = items.map((item) =>
    Object.fromEntries(Object.entries(item).map(([k, v]) => [k, k === 'facts' ? v : swap(v)])),
  );
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < copies.length) {
        const Item = copies[next++];
        await t.doc.send(new PutCommand({ TableName: t.tableName, Item }));
      }
    }),
  );
  return copies.length / ((performance.now() - t0) / 1000);
}

/**
 * The throughput drain's backlog: the forwarder's entries under `cluster`, put on a local bus
 * (the template's rules and ingest queue, INGEST_CONCURRENCY batches in flight, the batched
 * handler on `doc`); `drain()` queues them all at once and runs batches until the queue is empty.
 */
export function backlogDrain(
  doc: DynamoDBDocumentClient,
  tableName: string,
  sent: readonly SentEntry[],
  cluster: string,
) {
  // The ingest's clock: the backlog's last entry's send (the drain runs at the backlog's end).
  // A first sight of a pod created within FIRST_SIGHT_MAX_AGE_MS of it is written without a
  // read, as deployed. BENCH_FIRST_SIGHT_MS=N sets that window (0: every pod read first), for
  // before/after pairs.
  const clock = sent.reduce((t, s) => Math.max(t, s.sentAt), 0);
  const window = process.env.BENCH_FIRST_SIGHT_MS;
  // As deployed (functions/ingest/handler.ts), the store asks for no consumed capacity: the
  // drain counts requests, not units. BENCH_CAPACITY=INDEXES: as the other benches ask.
  const h = batchHarness(doc, tableName, {
    now: () => clock,
    consumedCapacity: process.env.BENCH_CAPACITY === 'INDEXES' ? 'INDEXES' : 'NONE',
    ...(window !== undefined ? { firstSightMaxAgeMs: Number(window) } : {}),
  });
  let now = 0;
  const bus = new LocalBus(wiringWith({}), {
    handlers: {
      [INGEST_ENTRY]: (event) => h.handler(event as never),
      'functions/sweep/handler.ts': async () => {},
    },
    now: () => now,
    concurrency: INGEST_CONCURRENCY,
    queueClock: () => now,
    queueTimers: false,
  });
  const entries = sent.map((s) => ({
    ...s.entry,
    Detail: JSON.stringify({ ...(JSON.parse(s.entry.Detail) as Record<string, unknown>), cluster }),
  }));
  const pods = new Set(sent.map((s) => (JSON.parse(s.entry.Detail) as { uid?: string }).uid).filter(Boolean));
  return {
    h,
    entries,
    /** Pod lifecycles the entries carry (distinct uids). */
    lifecycles: pods.size,
    async drain() {
      for (let i = 0; i < entries.length; i += 10) bus.putEvents(entries.slice(i, i + 10));
      now += 3_600_000; // every window closed: full batches and the last partial one go
      while (bus.backlog > 0) {
        bus.pollQueues();
        await new Promise((r) => setTimeout(r, 5));
      }
      bus.stop();
    },
  };
}

/**
 * Throughput with a backlog: the same forwarder entries (under a fresh cluster name) all queued
 * at once, drained by the batched handler at the stack's concurrency (INGEST_CONCURRENCY batches
 * in flight, as the mapping runs them). Two yardsticks, each measured right after in the same
 * run at INGEST_CONCURRENCY in flight: DynamoDB Local's bare PutItem of a 3-attribute item (the
 * issue's target, `barePutItemsPerSecond`), and bare PutItem of the very items the ingest
 * stored (`bareItemPutsPerSecond`). Events/s counts bus entries, which a batch merges into fewer
 * writes: that is why more than 1× is possible. Where the time goes: the drain's CPU profile by
 * category (`cpuMsPerEntry.*`), DynamoDB Local's round trips by request kind, conflicts.
 */
async function ingestThroughput(
  t: LocalTable,
  sent: readonly SentEntry[],
  cluster: string,
  P: string,
  log: (l: string) => void,
): Promise<Record<string, number>> {
  const timed = timedDoc(t);
  const backlog = backlogDrain(timed.doc, t.tableName, sent, cluster);
  const { h, entries, lifecycles } = backlog;
  log(`${P} throughput: ${entries.length} entries queued at once, ${INGEST_CONCURRENCY} batches in flight`);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  timed.reset();
  const before = snap(h.store.stats);
  await session.post('Profiler.start');
  const cpu0 = process.cpuUsage();
  const ddb0 = processCpuMs(t.ddb.pid);
  const t0 = performance.now();
  await backlog.drain();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  // BENCH_CPU_PROFILE=file.cpuprofile keeps the drain's profile (Chrome DevTools opens it).
  if (process.env.BENCH_CPU_PROFILE) writeFileSync(process.env.BENCH_CPU_PROFILE, JSON.stringify(profile));
  const meanInFlight = timed.meanInFlight(seconds);
  const rounds = { ...timed.rounds };
  const d = diff(before, h.store.stats);
  const n = entries.length;
  const split = cpuSplit(profile as never);
  const busy = Object.entries(split)
    .filter(([k]) => k !== 'idle' && k !== 'profiler')
    .reduce((a, [, ms]) => a + ms, 0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const ddbMs = processCpuMs(t.ddb.pid) - ddb0;
  const floorCount = Math.max(2000, d.writes);
  const ddb1 = processCpuMs(t.ddb.pid);
  const floor = await barePutRate(t, floorCount, INGEST_CONCURRENCY);
  const ddb2 = processCpuMs(t.ddb.pid);
  const bareCluster = `${cluster.slice(0, -4)}bare`;
  const sameItems = await bareItemPutRate(t, timed.written, cluster, bareCluster, INGEST_CONCURRENCY);
  const ddb3 = processCpuMs(t.ddb.pid);
  timed.destroy();
  const out: Record<string, number> = {
    [`${P}.throughput.entries`]: n,
    [`${P}.throughput.seconds`]: seconds,
    [`${P}.throughput.eventsPerSecond`]: n / seconds,
    [`${P}.throughput.writesPerSecond`]: d.writes / seconds,
    [`${P}.throughput.barePutItemsPerSecond`]: floor,
    [`${P}.throughput.ratioToBarePutItem`]: n / seconds / floor,
    // The same drain counted in pod lifecycles (distinct pods), not bus entries: a forwarder that
    // sends fewer, fuller entries lowers entries/s while the pipeline does less work per pod.
    [`${P}.throughput.lifecycles`]: lifecycles,
    [`${P}.throughput.lifecyclesPerSecond`]: lifecycles / seconds,
    [`${P}.throughput.entriesPerLifecycle`]: n / Math.max(1, lifecycles),
    [`${P}.throughput.storedWritesPerLifecycle`]: timed.written.length / Math.max(1, lifecycles),
    // DynamoDB requests of every kind (reads, writes, lost races, the registry) per entry.
    [`${P}.throughput.requestsPerEntry`]: Object.values(rounds).reduce((a, r) => a + r.n, 0) / n,
    [`${P}.throughput.dynamoDbLocalCpuMsPerLifecycle`]: ddbMs / Math.max(1, lifecycles),
    [`${P}.throughput.cpuMsPerLifecycle`]: cpuMs / Math.max(1, lifecycles),
    [`${P}.throughput.unreadPods`]: h.batches.reduce((a, b) => a + b.unread, 0),
    [`${P}.throughput.bareItemPutsPerSecond`]: sameItems,
    [`${P}.throughput.ratioToBareItemPuts`]: n / seconds / sameItems,
    // Stored writes a second against the same items' bare puts: the price of read + condition + CPU.
    [`${P}.throughput.storedWritesToBareItemPuts`]: timed.written.length / seconds / sameItems,
    [`${P}.throughput.writesPerEntry`]: d.writes / n,
    [`${P}.throughput.conflicts`]: d.conflicts,
    [`${P}.throughput.retryReads`]: d.getItems,
    // The handler's own CPU (this process: parse, join, figures, encode, SDK), per entry and as
    // a share of the wall time: near 1 means the bench process, not DynamoDB Local, is the limit.
    [`${P}.throughput.cpuMsPerEntry`]: (cpu.user + cpu.system) / 1000 / n,
    [`${P}.throughput.cpuShareOfWall`]: (cpu.user + cpu.system) / 1e6 / seconds,
    // DynamoDB Local's own CPU (its JVM): per entry drained, per bare PutItem of each yardstick.
    [`${P}.throughput.dynamoDbLocalCpuMsPerEntry`]: ddbMs / n,
    [`${P}.throughput.dynamoDbLocalCpuMsPerStoredWrite`]: ddbMs / Math.max(1, timed.written.length),
    [`${P}.throughput.dynamoDbLocalCpuMsPerBarePutItem`]: (ddb2 - ddb1) / floorCount,
    [`${P}.throughput.dynamoDbLocalCpuMsPerBareItemPut`]: (ddb3 - ddb2) / Math.max(1, timed.written.length),
    [`${P}.throughput.dynamoDbLocalCpuShareOfWall`]: ddbMs / 1000 / seconds,
    // DynamoDB requests in flight on average (the batches' writes run side by side).
    [`${P}.throughput.meanRequestsInFlight`]: meanInFlight,
    // The profile's samples are wall-clock slices (on a loaded machine a descheduled process is
    // charged to whatever it was running), so each category's share of the busy samples
    // (not idle, not the profiler's own) is applied to the CPU time the process really used.
    ...Object.fromEntries(
      Object.entries(split)
        .filter(([k]) => k !== 'idle' && k !== 'profiler')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, ms]) => [`${P}.throughput.cpuMsPerEntry.${k}`, ((ms / busy) * cpuMs) / n]),
    ),
    ...Object.fromEntries(
      Object.entries(rounds)
        .sort(([a], [b]) => a.localeCompare(b))
        .flatMap(([k, r]) => [
          [`${P}.throughput.requests.${k}`, r.n],
          [`${P}.throughput.roundTripMs.${k}`, r.ms / Math.max(1, r.n)],
        ]),
    ),
  };
  return out;
}

/** The template's wiring, with the ingest queue's batch size and window replaced where given. */
export function wiringWith(opts: {
  batchSize?: number | undefined;
  windowSeconds?: number | undefined;
}): Wiring {
  const wiring = JSON.parse(readText(`${ROOT}local/wiring.json`, 'utf8')) as Wiring;
  for (const rule of wiring.rules)
    for (const target of rule.targets) {
      const c = target.kind === 'queue' ? target.consumer : undefined;
      if (!c) continue;
      if (opts.batchSize !== undefined) c.batchSize = opts.batchSize;
      if (opts.windowSeconds !== undefined) c.maxBatchingWindowSeconds = opts.windowSeconds;
    }
  return wiring;
}

export async function batchedChurn(
  t: LocalTable,
  pods: number,
  concurrency: number,
  log: (l: string) => void,
  opts: BatchedOptions = {},
): Promise<Record<string, number>> {
  const P = opts.name ?? 'batched';
  const { sent, lifecycles } =
    opts.entries ?? (await forwarderEntries(pods, opts.lingerMs, opts.cluster, opts.churnBatch));
  log(`${P}: ${sent.length} forwarder entries for ${lifecycles} pods`);
  const wiring = wiringWith(opts);
  let now = sent[0]?.sentAt ?? 0;
  const h = batchHarness(t.doc, t.tableName);
  const invocationMs: number[] = [];
  const batchSizes: number[] = [];
  const observedAt = new Map<string, number>();
  const lags: number[] = [];
  const sendLags: number[] = [];
  const bus = new LocalBus(wiring, {
    handlers: {
      [INGEST_ENTRY]: async (event) => {
        const t0 = performance.now();
        const res = await h.handler(event as never);
        invocationMs.push(performance.now() - t0);
        batchSizes.push((event as { Records: unknown[] }).Records.length);
        return res;
      },
      'functions/sweep/handler.ts': async () => {},
    },
    now: () => now,
    concurrency: INGEST_CONCURRENCY, // the ingest's reserved concurrency (= the mapping's maximum concurrency)
    queueClock: () => now,
    queueTimers: false,
    onQueueDelete: (d) => {
      const obs = observedAt.get(d.event.id as string) ?? d.sentAt;
      lags.push(d.dispatchedAt - obs + d.processingMs);
      sendLags.push(d.dispatchedAt - d.sentAt + d.processingMs);
    },
  });
  const before = snap(h.store.stats);
  const t0 = performance.now();
  const settle = async () => {
    while (bus.running > 0) await new Promise((r) => setTimeout(r, 1));
  };
  for (const s of sent) {
    // Time passes second by second to the entry's: a window that closes in a quiet gap sends
    // its batch then, not when the next entry arrives (that would overstate the lag).
    for (let t = now + 1000; t < s.sentAt; t += 1000) {
      now = t;
      if (bus.backlog === 0) break;
      bus.pollQueues();
      await settle();
    }
    now = Math.max(now, s.sentAt);
    bus.pollQueues();
    const { eventIds } = bus.putEvents([s.entry]);
    if (eventIds[0]) observedAt.set(eventIds[0], s.observedAt);
    // The trace's time stands still while a batch runs: on AWS a batch (tens of ms) ends long
    // before the next window closes at this rate, so batches of the same pods never overlap.
    while (bus.running > 0) await new Promise((r) => setTimeout(r, 1));
  }
  // The end of the trace: time passes (batching windows close) until the queue is empty.
  while (bus.backlog > 0) {
    now += 1000;
    bus.pollQueues();
    await new Promise((r) => setTimeout(r, bus.running > 0 ? 5 : 0));
  }
  const seconds = (performance.now() - t0) / 1000;
  const d = diff(before, h.store.stats);
  const q = [...bus.consumed.values()][0];
  if (!q) throw new Error('the wiring has no consumed ingest queue');
  const entries = sent.length;
  const busEvents = sent.reduce(
    (n, s) => n + Math.ceil(Buffer.byteLength(JSON.stringify(s.entry)) / EVENTBRIDGE_CHUNK),
    0,
  );
  const receives = batchSizes.reduce((n, b) => n + Math.ceil(b / SQS_MESSAGES_PER_REQUEST), 0);
  const sqsRequests = q.stats.sent + receives + receives; // send, receive, delete (batch of ≤ 10)
  // Billed duration: DynamoDB Local on a shared machine is no measure of DynamoDB's latency, so
  // the dollars use a model (bench/cost.ts: overhead + sequential round trips); measured beside it.
  const gbSeconds = (q.stats.batches * modeledInvocationMs(3) * INGEST_GB) / 1000;
  const per: PerLifecycle = {
    busEvents: busEvents / lifecycles,
    sqsRequests: sqsRequests / lifecycles,
    lambdaInvocations: q.stats.batches / lifecycles,
    lambdaGbSeconds: gbSeconds / lifecycles,
    wru: d.wcu / lifecycles,
    rru: d.rcu / lifecycles,
  };
  const cost = costPerMillionLifecycles(per);
  const out: Record<string, number> = {
    [`${P}.lifecycles`]: lifecycles,
    [`${P}.entries`]: entries,
    [`${P}.entriesPerLifecycle`]: entries / lifecycles,
    [`${P}.invocations`]: q.stats.batches,
    [`${P}.invocationsPerEntry`]: q.stats.batches / entries,
    [`${P}.invocationsPerLifecycle`]: per.lambdaInvocations,
    [`${P}.meanBatchSize`]: entries / Math.max(1, q.stats.batches),
    [`${P}.sqsRequestsPerLifecycle`]: per.sqsRequests,
    [`${P}.readRequestsPerLifecycle`]: d.reads / lifecycles,
    [`${P}.writeRequestsPerLifecycle`]: d.writes / lifecycles,
    [`${P}.rruPerLifecycle`]: per.rru,
    [`${P}.wruPerLifecycle`]: per.wru,
    [`${P}.wcuPerWrite`]: d.wcu / Math.max(1, d.writes),
    [`${P}.conflicts`]: d.conflicts,
    [`${P}.redelivered`]: q.stats.redelivered,
    [`${P}.lambdaMsPerInvocationOnDynamoDbLocal`]:
      invocationMs.reduce((a, b) => a + b, 0) / Math.max(1, invocationMs.length),
    [`${P}.lagP50Seconds`]: percentile(lags, 50) / 1000,
    // From observation: the oldest line of the pod not yet sent (a no-op line that sends nothing
    // keeps it open until the pod's next entry, so the tail overstates); from PutEvents: exact.
    [`${P}.lagP99Seconds`]: percentile(lags, 99) / 1000,
    [`${P}.lagFromSendP50Seconds`]: percentile(sendLags, 50) / 1000,
    [`${P}.lagFromSendP99Seconds`]: percentile(sendLags, 99) / 1000,
    [`${P}.eventsPerSecond`]: entries / seconds,
    ...Object.fromEntries(Object.entries(cost).map(([k, v]) => [`${P}.usdPerMillionLifecycles.${k}`, v])),
    // Where a write's units go: the table and each index (ReturnConsumedCapacity INDEXES).
    ...Object.fromEntries(
      Object.entries(d.wcuByIndex)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [`${P}.wcuPerWrite.${k}`, v / Math.max(1, d.writes)]),
    ),
  };
  bus.stop();
  if (opts.throughput)
    Object.assign(out, await ingestThroughput(t, sent, `${opts.cluster ?? 'churn-batched'}-tput`, P, log));
  if (opts.before === false) return out;

  // Before: the same entries, one Lambda invocation each (EventBridge → Lambda, no queue).
  log(`before: the same ${entries} entries, one invocation each, ${concurrency} in flight`);
  const one = harness(t.doc, t.tableName);
  // Under another cluster name: the same pods, absent from the table as they were for the batched run.
  const events = sent.map((s, i) => ({
    version: '0',
    id: `one-${i}`,
    source: s.entry.Source,
    account: '123456789012',
    time: '2030-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    'detail-type': s.entry.DetailType,
    detail: { ...JSON.parse(s.entry.Detail), cluster: 'churn-before' },
  }));
  const b0 = snap(one.store.stats);
  const ms: number[] = [];
  const t1 = performance.now();
  await runAll(events, concurrency, async (e) => {
    const s0 = performance.now();
    await one.handler(e);
    ms.push(performance.now() - s0);
  });
  const oneSeconds = (performance.now() - t1) / 1000;
  const od = diff(b0, one.store.stats);
  const beforePer: PerLifecycle = {
    busEvents: busEvents / lifecycles,
    sqsRequests: 0,
    lambdaInvocations: entries / lifecycles,
    lambdaGbSeconds: (entries * modeledInvocationMs(2) * INGEST_GB) / 1000 / lifecycles,
    wru: od.wcu / lifecycles,
    rru: od.rcu / lifecycles,
  };
  const beforeCost = costPerMillionLifecycles(beforePer);
  Object.assign(out, {
    'before.invocationsPerLifecycle': beforePer.lambdaInvocations,
    'before.readRequestsPerLifecycle': od.reads / lifecycles,
    'before.writeRequestsPerLifecycle': od.writes / lifecycles,
    'before.rruPerLifecycle': beforePer.rru,
    'before.wruPerLifecycle': beforePer.wru,
    'before.wcuPerWrite': od.wcu / Math.max(1, od.writes),
    'before.eventsPerSecond': entries / oneSeconds,
    'before.lambdaMsPerInvocationOnDynamoDbLocal': ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length),
    ...Object.fromEntries(
      Object.entries(beforeCost).map(([k, v]) => [`before.usdPerMillionLifecycles.${k}`, v]),
    ),
  });
  return out;
}

/** An input as the first release's forwarder sent it (a whole snapshot, or the Event). */
const snapshotEvent = (input: Input) => busEventOf(input);

function decodeLines(lines: Iterable<unknown>, cluster: string): Input[] {
  const out: Input[] = [];
  for (const line of lines) {
    const d = decodeObject(line, { cluster, now: BENCH_RECEIVED_AT });
    if (d.kind === 'snapshot' || d.kind === 'event') out.push(d);
  }
  return out;
}

export async function runIngestBench(opts: IngestBenchOptions = {}): Promise<Record<string, number>> {
  const pods = opts.pods ?? 1_000;
  const concurrency = opts.concurrency ?? 16;
  const log = opts.log ?? (() => {});
  const out: Record<string, number> = { pods, concurrency };
  const t = await startBenchTable('podlife-bench');
  try {
    const demo = `${ROOT}demo/trace.jsonl`;
    if (existsSync(demo)) {
      const lines = readFileSync(demo, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
      log(`demo trace: ${lines.length} lines`);
      Object.assign(out, await deliverTrace(t, 'demo', decodeLines(lines, 'demo').map(snapshotEvent), 1));
    }
    log(`churn trace: generating ${pods} pods`);
    const churn = decodeLines(churnStream({ pods, seed: 42 }), 'churn');
    log(`churn trace: ${churn.length} events, ${concurrency} in flight`);
    Object.assign(out, await deliverTrace(t, 'churn', churn.map(snapshotEvent), concurrency));
    // The same trace as the forwarder now sends it: each pod's new facts (Pod Facts).
    const facts = factsEventsOf(decodeLines(churnStream({ pods, seed: 42 }), 'churn-facts'));
    log(`churn trace as Pod Facts: ${facts.length} events, ${concurrency} in flight`);
    Object.assign(out, await deliverTrace(t, 'churnFacts', facts, concurrency, churn.length));
    log('batched ingest: forwarder → local bus with the ingest queue → batched handler');
    Object.assign(out, await batchedChurn(t, pods, concurrency, log, { throughput: true }));
    log('bare PutItem floor');
    const floor = await barePutRate(t, 20_000, concurrency);
    out['floor.barePutItemsPerSecond'] = floor;
    for (const k of ['churn', 'batched', 'before'])
      out[`${k}.ratioToBarePutItem`] = (out[`${k}.eventsPerSecond`] ?? Number.NaN) / floor;
  } finally {
    await t.stop();
  }
  if (opts.bundle ?? true) Object.assign(out, await bundleAndColdStart());
  return out;
}

/**
 * The throughput part alone (`--throughput`): the churn trace through the real forwarder, then
 * `ingestThroughput` on a fresh DynamoDB Local. For before/after runs of the drain.
 */
export async function runThroughputBench(
  opts: {
    pods?: number;
    warmups?: number;
    /** The forwarder's linger and routine linger (its defaults when absent). */
    lingerMs?: number;
    routineLingerMs?: number;
    log?: (l: string) => void;
  } = {},
): Promise<Record<string, number>> {
  const pods = opts.pods ?? 1_000;
  const log = opts.log ?? (() => {});
  const t = await startBenchTable('podlife-bench');
  try {
    const { sent } = await forwarderEntries(pods, opts.lingerMs, undefined, undefined, opts.routineLingerMs);
    // A fresh DynamoDB Local's JVM is cold (interpreted, then compiled as it runs): the same drain
    // under another cluster first, so the measured drain and its yardsticks both meet a warm one,
    // as in the full bench (where the throughput part comes after the other deliveries).
    // `--warmups N` (default 1): more warm-up drains (DynamoDB Local's JIT goes on compiling for
    // thousands of requests; the per-request costs of bench/dynamo-ops.ts fall over its passes).
    for (let w = 0; w < (opts.warmups ?? 1); w++) {
      log(`warm-up drain ${w + 1} (not measured)`);
      await ingestThroughput(t, sent, `warm${w}-batched-tput`, 'warm', () => {});
    }
    return { pods, ...(await ingestThroughput(t, sent, 'churn-batched-tput', 'batched', log)) };
  } finally {
    await t.stop();
  }
}

function format(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const json = process.argv.includes('--json');
  const pods = arg('--pods');
  const concurrency = arg('--concurrency');
  const log = json ? {} : { log: (l: string) => console.error(l) };
  const warmups = arg('--warmups');
  const linger = arg('--linger-seconds');
  const routineLinger = arg('--routine-linger-seconds');
  const result = process.argv.includes('--throughput')
    ? await runThroughputBench({
        ...(pods !== undefined ? { pods } : {}),
        ...(warmups !== undefined ? { warmups } : {}),
        ...(linger !== undefined ? { lingerMs: linger * 1000 } : {}),
        ...(routineLinger !== undefined ? { routineLingerMs: routineLinger * 1000 } : {}),
        ...log,
      })
    : await runIngestBench({
        ...(pods !== undefined ? { pods } : {}),
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...log,
      });
  if (json) console.log(JSON.stringify(result, null, 2));
  else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(42)} ${format(v)}`);
}
