/**
 * What each kind of DynamoDB request costs DynamoDB Local, on podlife's table (TABLE_SPEC, its
 * 5 GSIs) and podlife's own items: DynamoDB Local's CPU (its JVM, from /proc) and the wall time
 * per op, and this process's CPU per op (the SDK's marshalling and HTTP), for the request shapes
 * the ingest sends and their bare neighbours. It tells where a stored write's price over a bare
 * PutItem goes (the read, the condition, the overwrite moving index entries, a lost race).
 *
 *   node --import tsx bench/dynamo-ops.ts [--pods N] [--concurrency 10,50] [--reps 3] [--json]
 *
 * The items: the churn trace (`--pods`, default 1,000) through the real forwarder and the batched
 * ingest's backlog drain (bench/ingest.ts `backlogDrain`), every stored write captured in order.
 * Of each pod written at least twice, its first item (the "fresh" item) and its last (the
 * "overwrite": same key, changed index attributes). Each op runs over those pods with the cluster
 * in every key and index key swapped for another of the same length (same sizes, fresh keys), at
 * each concurrency, after one unmeasured warm-up pass of every op (DynamoDB Local's JIT); then
 * `--reps` measured passes on fresh keys, and each figure is the median of the passes.
 */
import { fileURLToPath } from 'node:url';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchGetPodsRequest, getPodRequest, putPodRequest } from '../store/pod-store.ts';
import { backlogDrain, forwarderEntries, processCpuMs, startBenchTable, timedDoc } from './ingest.ts';

type Item = Record<string, unknown>;

/** One measured op kind: what it costs per op (an op: one item written or read). */
export interface OpCost {
  op: string;
  concurrency: number;
  ops: number;
  /** DynamoDB Local's CPU ms per op. */
  dynamoDbLocalCpuMs: number;
  /** This process's CPU ms per op (SDK, HTTP client). */
  clientCpuMs: number;
  /** Wall ms per op (ops / s = 1000 / this). */
  wallMs: number;
  /** Requests that failed (a failed condition counts here: the op it measures). */
  failed: number;
}

/** The cluster in every string attribute but the facts swapped (`from`, `to` of equal length). */
function swapCluster(item: Item, from: string, to: string): Item {
  if (from.length !== to.length) throw new Error('the swapped cluster name must keep the sizes');
  return Object.fromEntries(
    Object.entries(item).map(([k, v]) => [
      k,
      k !== 'facts' && typeof v === 'string' ? v.split(from).join(to) : v,
    ]),
  );
}

const keyOf = (item: Item) => ({ pk: String(item.pk), sk: String(item.sk) });

async function runOps(
  doc: DynamoDBDocumentClient,
  pid: number,
  op: string,
  concurrency: number,
  requests: (() => Promise<unknown>)[],
  perRequest = 1,
): Promise<OpCost> {
  let next = 0;
  let failed = 0;
  const ddb0 = processCpuMs(pid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const send = requests[next++] as () => Promise<unknown>;
        try {
          await send();
        } catch {
          failed++;
        }
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const ddb = processCpuMs(pid) - ddb0;
  const ops = requests.length * perRequest;
  void doc;
  return {
    op,
    concurrency,
    ops,
    dynamoDbLocalCpuMs: ddb / ops,
    clientCpuMs: (cpu.user + cpu.system) / 1000 / ops,
    wallMs: wall / ops,
    failed,
  };
}

/**
 * Every op kind once, in an order where each finds the state it needs: fresh items under cluster
 * names A (bare) and B (conditional, as the ingest writes), then overwrites onto them, then failed
 * conditions and reads against B.
 */
async function pass(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pid: number,
  pairs: { first: Item; last: Item }[],
  from: string,
  tag: string,
  concurrency: number,
): Promise<OpCost[]> {
  const a = `${tag}a`.padEnd(from.length, 'x');
  const b = `${tag}b`.padEnd(from.length, 'x');
  const c = `${tag}c`.padEnd(from.length, 'x');
  const put = (input: PutCommandInput) => () => doc.send(new PutCommand(input));
  const firstA = pairs.map((p) => swapCluster(p.first, from, a));
  const lastA = pairs.map((p) => swapCluster(p.last, from, a));
  const firstB = pairs.map((p) => swapCluster(p.first, from, b));
  const lastB = pairs.map((p) => swapCluster(p.last, from, b));
  const firstC = pairs.map((p) => swapCluster(p.first, from, c));
  const out: OpCost[] = [];
  const run = async (op: string, reqs: (() => Promise<unknown>)[], perRequest = 1) =>
    out.push(await runOps(doc, pid, op, concurrency, reqs, perRequest));
  await run(
    'bare 3-attribute PutItem (the target)',
    pairs.map((_, i) =>
      put({ TableName: tableName, Item: { pk: `BARE#${tag}${i % 100}`, sk: String(i), v: 1 } }),
    ),
  );
  await run(
    'fresh PutItem',
    firstA.map((Item) => put({ TableName: tableName, Item })),
  );
  await run(
    'fresh PutItem + INDEXES capacity',
    firstC.map((Item) => put({ TableName: tableName, Item, ReturnConsumedCapacity: 'INDEXES' })),
  );
  await run(
    'fresh PutItem attribute_not_exists (ingest)',
    firstB.map((Item) => put(putPodRequest(tableName, Item, undefined))),
  );
  const firstD = pairs.map((p) => swapCluster(p.first, from, `${tag}d`.padEnd(from.length, 'x')));
  // The legacy `Expected` form of the ingest's new-item write: run twice (succeeds, then fails).
  const legacyFreshPut = (Item: Item) =>
    put({
      TableName: tableName,
      Item,
      Expected: { pk: { Exists: false } },
      ReturnConsumedCapacity: 'INDEXES',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  const lastD = pairs.map((p) => swapCluster(p.last, from, `${tag}d`.padEnd(from.length, 'x')));
  await run('fresh PutItem Expected pk Exists false (legacy)', firstD.map(legacyFreshPut));
  await run(
    'overwrite PutItem Expected v Value (legacy)',
    pairs.map((p, i) =>
      put({
        TableName: tableName,
        Item: lastD[i] as Item,
        Expected: { v: { Value: Number(p.first.v) } },
        ReturnConsumedCapacity: 'INDEXES',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  await run('failed Expected pk Exists false, ALL_OLD (legacy)', firstD.map(legacyFreshPut));
  await run(
    'overwrite PutItem (index attributes changed)',
    lastA.map((Item) => put({ TableName: tableName, Item })),
  );
  await run(
    'overwrite PutItem, same item again',
    lastA.map((Item) => put({ TableName: tableName, Item })),
  );
  await run(
    'overwrite PutItem v = :expected (ingest)',
    pairs.map((p, i) => put(putPodRequest(tableName, lastB[i] as Item, Number(p.first.v)))),
  );
  // As the deployed handler sends them: no consumed capacity asked (PodStoreOptions.consumedCapacity).
  const firstE = pairs.map((p) => swapCluster(p.first, from, `${tag}e`.padEnd(from.length, 'x')));
  const lastE = pairs.map((p) => swapCluster(p.last, from, `${tag}e`.padEnd(from.length, 'x')));
  await run(
    'fresh PutItem attribute_not_exists, no capacity (deployed)',
    firstE.map((Item) => put(putPodRequest(tableName, Item, undefined, 'NONE'))),
  );
  await run(
    'overwrite PutItem v = :expected, no capacity (deployed)',
    pairs.map((p, i) => put(putPodRequest(tableName, lastE[i] as Item, Number(p.first.v), 'NONE'))),
  );
  await run(
    'failed attribute_not_exists, ALL_OLD (lost race)',
    firstB.map((Item) => put(putPodRequest(tableName, Item, undefined))),
  );
  await run(
    'failed attribute_not_exists, no ALL_OLD',
    firstB.map((Item) =>
      put({
        TableName: tableName,
        Item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      }),
    ),
  );
  await run(
    'UpdateItem SET v (no index attribute)',
    lastB.map(
      (Item) => () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(Item),
            UpdateExpression: 'SET #v = :v',
            ExpressionAttributeNames: { '#v': 'v' },
            ExpressionAttributeValues: { ':v': Number(Item.v) + 1 },
          }),
        ),
    ),
  );
  await run(
    'GetItem consistent (merge read)',
    lastB.map((Item) => () => doc.send(new GetCommand(getPodRequest(tableName, keyOf(Item))))),
  );
  const chunks: Item[][] = [];
  for (let i = 0; i < lastB.length; i += 100) chunks.push(lastB.slice(i, i + 100));
  const bg = await runOps(
    doc,
    pid,
    'BatchGetItem consistent, per key',
    concurrency,
    chunks.map(
      (chunk) => () => doc.send(new BatchGetCommand(batchGetPodsRequest(tableName, chunk.map(keyOf)))),
    ),
  );
  // Per key, not per request: scale by the keys each request carried.
  const keys = lastB.length;
  out.push({
    ...bg,
    ops: keys,
    dynamoDbLocalCpuMs: (bg.dynamoDbLocalCpuMs * bg.ops) / keys,
    clientCpuMs: (bg.clientCpuMs * bg.ops) / keys,
    wallMs: (bg.wallMs * bg.ops) / keys,
  });
  return out;
}

export async function runDynamoOps(
  opts: { pods?: number; concurrencies?: number[]; reps?: number; log?: (l: string) => void } = {},
): Promise<{ items: { pods: number; firstBytes: number; lastBytes: number }; costs: OpCost[] }> {
  const pods = opts.pods ?? 1_000;
  const log = opts.log ?? (() => {});
  const t = await startBenchTable('podlife-bench');
  try {
    const { sent } = await forwarderEntries(pods);
    const from = 'ops-source';
    const timed = timedDoc(t);
    log(`stored items: ${sent.length} forwarder entries drained under ${from}`);
    await backlogDrain(timed.doc, t.tableName, sent, from).drain();
    const byKey = new Map<string, Item[]>();
    for (const item of timed.written) {
      const id = `${String(item.pk)}\u0000${String(item.sk)}`;
      const list = byKey.get(id) ?? [];
      list.push(item);
      byKey.set(id, list);
    }
    timed.destroy();
    const pairs = [...byKey.values()]
      .filter((l) => l.length >= 2)
      .map((l) => ({ first: l[0] as Item, last: l[l.length - 1] as Item }));
    const bytes = (i: Item) => Buffer.byteLength(JSON.stringify(i));
    const items = {
      pods: pairs.length,
      firstBytes: pairs.reduce((n, p) => n + bytes(p.first), 0) / Math.max(1, pairs.length),
      lastBytes: pairs.reduce((n, p) => n + bytes(p.last), 0) / Math.max(1, pairs.length),
    };
    log(`${pairs.length} pods written twice or more (of ${byKey.size})`);
    const costs: OpCost[] = [];
    for (const [i, concurrency] of (opts.concurrencies ?? [10, 50]).entries()) {
      log(`concurrency ${concurrency}: warm-up pass`);
      await pass(t.doc, t.tableName, t.ddb.pid, pairs, from, `w${i}`, concurrency);
      // `reps` measured passes (default 3), each on fresh keys; each op's median per figure.
      const passes: OpCost[][] = [];
      for (let r = 0; r < (opts.reps ?? 3); r++) {
        log(`concurrency ${concurrency}: measured pass ${r + 1}`);
        passes.push(await pass(t.doc, t.tableName, t.ddb.pid, pairs, from, `m${i}${r}`, concurrency));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      for (const [k, first] of (passes[0] ?? []).entries()) {
        const all = passes.map((p) => p[k] as OpCost);
        costs.push({
          ...first,
          dynamoDbLocalCpuMs: median(all.map((c) => c.dynamoDbLocalCpuMs)),
          clientCpuMs: median(all.map((c) => c.clientCpuMs)),
          wallMs: median(all.map((c) => c.wallMs)),
        });
      }
    }
    return { items, costs };
  } finally {
    await t.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const json = process.argv.includes('--json');
  const pods = arg('--pods');
  const conc = arg('--concurrency');
  const reps = arg('--reps');
  const result = await runDynamoOps({
    ...(pods !== undefined ? { pods: Number(pods) } : {}),
    ...(conc !== undefined ? { concurrencies: conc.split(',').map(Number) } : {}),
    ...(reps !== undefined ? { reps: Number(reps) } : {}),
    ...(json ? {} : { log: (l: string) => console.error(l) }),
  });
  if (json) console.log(JSON.stringify(result, null, 2));
  else {
    const { items, costs } = result;
    console.log(
      `${items.pods} pods; item JSON bytes: first ${items.firstBytes.toFixed(0)}, last ${items.lastBytes.toFixed(0)}`,
    );
    const bare = new Map(costs.filter((c) => c.op.startsWith('bare')).map((c) => [c.concurrency, c]));
    console.log(
      `| Op | In flight | DynamoDB Local CPU ms/op | × bare 3-attr | Client CPU ms/op | Wall ms/op | Failed |\n| --- | --- | --- | --- | --- | --- | --- |`,
    );
    for (const c of costs) {
      const b = bare.get(c.concurrency);
      console.log(
        `| ${c.op} | ${c.concurrency} | ${c.dynamoDbLocalCpuMs.toFixed(2)} | ${b ? (c.dynamoDbLocalCpuMs / b.dynamoDbLocalCpuMs).toFixed(2) : '-'} | ${c.clientCpuMs.toFixed(2)} | ${c.wallMs.toFixed(2)} | ${c.failed} |`,
      );
    }
  }
}
