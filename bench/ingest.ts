/**
 * The ingest benchmark: the real handler against DynamoDB Local (table from TABLE_SPEC) on the
 * demo trace and on a generated churn trace (10,000 pods by default). Reports, per event:
 * DynamoDB requests, read and write capacity units as DynamoDB reports them, write requests per
 * new fact; the cost of a fully duplicated delivery; events per second through the handler and
 * DynamoDB Local's own bare PutItem rate measured in the same run (the floor), and their ratio;
 * the size of the bundled ingest Lambda and its cold init time in a fresh Node.js process.
 *
 *   node --import tsx bench/ingest.ts [--pods N] [--concurrency N] [--json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { decodeObject } from '../core/decode.ts';
import { lambdaBuildOptions } from '../infra/podlife-function.ts';
import type { StoreStats } from '../store/pod-store.ts';
import { BENCH_RECEIVED_AT, churnStream } from '../testkit/churn.ts';
import {
  busEventOf,
  factsEventsOf,
  harness,
  type Input,
  type LocalTable,
  startLocalTable,
} from '../testkit/ingest-harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface IngestBenchOptions {
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
  const requests =
    b.requests.GetItem +
    b.requests.PutItem +
    b.requests.Query -
    (a.requests.GetItem + a.requests.PutItem + a.requests.Query);
  return {
    requests,
    reads: b.requests.GetItem + b.requests.Query - a.requests.GetItem - a.requests.Query,
    writes: b.requests.PutItem - a.requests.PutItem,
    rcu: b.rcu - a.rcu,
    wcu: b.wcu - a.wcu,
    conflicts: b.conflicts - a.conflicts,
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
async function barePutRate(t: LocalTable, count: number, concurrency: number): Promise<number> {
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
    'lambda.coldInitMs': times[2],
    'lambda.coldInitSdkOnlyMs': sdkTimes[2],
  };
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
  const t = await startLocalTable('podlife-bench');
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
    log('bare PutItem floor');
    out['floor.barePutItemsPerSecond'] = await barePutRate(t, 20_000, concurrency);
    out['churn.ratioToBarePutItem'] = out['churn.eventsPerSecond'] / out['floor.barePutItemsPerSecond'];
  } finally {
    await t.stop();
  }
  if (opts.bundle ?? true) Object.assign(out, await bundleAndColdStart());
  return out;
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
  const result = await runIngestBench({
    pods: arg('--pods'),
    concurrency: arg('--concurrency'),
    log: json ? undefined : (l) => console.error(l),
  });
  if (json) console.log(JSON.stringify(result, null, 2));
  else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(42)} ${format(v)}`);
}
