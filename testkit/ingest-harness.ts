/**
 * What the ingest integration tests, fault tests and the benchmark share: EventBridge events
 * built from decoded inputs (as the bus delivers them to the Lambda), a DynamoDB Local with
 * podlife's table, and the real handler wired to it with a quiet logger, a capturing invalid
 * sink and counted requests.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { compareRecords, type PodRecord } from '../core/pod-record.ts';
import {
  type CompactEvent,
  DETAIL_TYPE_EVENT,
  DETAIL_TYPE_SNAPSHOT,
  EVENT_SOURCE,
  type PodSnapshot,
  SCHEMA_VERSION,
} from '../core/snapshot.ts';
import { PayloadEncoder } from '../forwarder/payload.ts';
import { makeIngestHandler } from '../functions/ingest/ingest.ts';
import { type BatchStats, makeBatchIngestHandler } from '../functions/ingest/ingest-batch.ts';
import type { InvalidEventSink } from '../functions/ingest/invalid-event-sink.ts';
import { type DynamoDbLocal, localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import type { InvalidEventReport } from '../model/invalid-event.ts';
import { podPkPrefix } from '../model/keys.ts';
import { recordsOfPartition } from '../model/pod-item.ts';
import { createTable } from '../store/create-table.ts';
import { documentClient } from '../store/dynamo.ts';
import { PodStore, type PodStoreOptions } from '../store/pod-store.ts';

export type Input =
  | { kind: 'snapshot'; snapshot: PodSnapshot }
  | { kind: 'event'; cluster: string; event: CompactEvent };

/** A fixed "now" for records and writes, so stored and replayed figures compare exactly. */
export const FIXED_NOW = Date.parse('2030-01-01T00:00:00Z');
export const RECORD_CTX = { now: FIXED_NOW, stuckAfterSeconds: 300 };

/**
 * The EventBridge event the bus hands the ingest Lambda: `detail` of `detailType` from the
 * forwarder's source, sent at `time` (the ingest reads neither account nor region).
 */
export function busEventOfDetail(
  detailType: string,
  detail: unknown,
  { id = randomUUID(), time = '2030-01-01T00:00:00Z' }: { id?: string; time?: string } = {},
): Record<string, unknown> {
  return {
    version: '0',
    id,
    source: EVENT_SOURCE,
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: [],
    'detail-type': detailType,
    detail,
  };
}

/** The EventBridge event the bus hands the ingest Lambda for one input. */
export function busEventOf(input: Input, id: string = randomUUID()): Record<string, unknown> {
  if (input.kind === 'snapshot') return busEventOfDetail(DETAIL_TYPE_SNAPSHOT, input.snapshot, { id });
  return busEventOfDetail(
    DETAIL_TYPE_EVENT,
    { schemaVersion: SCHEMA_VERSION, cluster: input.cluster, event: input.event },
    { id },
  );
}

/**
 * Inputs as the forwarder sends them (its own PayloadEncoder: each pod's new facts, nothing for
 * no news), each as the bus hands it to the ingest.
 */
export function factsEventsOf(inputs: Iterable<Input>): Record<string, unknown>[] {
  const encoder = new PayloadEncoder();
  const out: Record<string, unknown>[] = [];
  for (const i of inputs) {
    const p = i.kind === 'snapshot' ? encoder.snapshot(i.snapshot) : encoder.event(i.cluster, i.event);
    if (p)
      out.push({
        ...busEventOf(i),
        'detail-type': p.detailType,
        detail: JSON.parse(JSON.stringify(p.detail)),
      });
  }
  return out;
}

/** The same input, moved to another cluster (tests isolate runs by cluster in one table). */
export function inCluster(input: Input, cluster: string): Input {
  return input.kind === 'snapshot'
    ? { kind: 'snapshot', snapshot: { ...input.snapshot, cluster } }
    : { kind: 'event', cluster, event: input.event };
}

export interface LocalTable {
  ddb: DynamoDbLocal;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local with podlife's table, created from TABLE_SPEC. `timeoutMs`: how long its JVM may
 * take to start (the benches give it minutes on a shared, loaded machine).
 */
export async function startLocalTable(
  tableName = 'podlife-test',
  opts: { timeoutMs?: number } = {},
): Promise<LocalTable> {
  const ddb = await startDynamoDbLocal(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
  const client = localDynamoClient(ddb.endpoint);
  try {
    await createTable(client, tableName);
  } catch (err) {
    await ddb.stop();
    throw err;
  }
  return {
    ddb,
    client,
    doc: documentClient(client),
    tableName,
    async stop() {
      client.destroy();
      await ddb.stop();
    },
  };
}

export function quietLogger(): Logger {
  return new Logger({ serviceName: 'podlife-ingest-test', logLevel: 'SILENT' });
}

// EMF lines would flood test output: off for every Metrics (single metrics included) made in a
// test process; the metrics test turns it on around the invocations it reads.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export function silentMetrics(): Metrics {
  return new Metrics({ namespace: 'podlife', serviceName: 'podlife-ingest-test' });
}

export interface Harness {
  store: PodStore;
  handler: (event: unknown) => ReturnType<ReturnType<typeof makeIngestHandler>>;
  invalid: InvalidEventReport[];
}

/** The real handler on a real (local) table; invalid reports are kept in memory. */
export function harness(
  doc: DynamoDBDocumentClient,
  tableName: string,
  opts: Partial<PodStoreOptions> & { metrics?: Metrics; metricNamespaces?: ReadonlySet<string> } = {},
): Harness {
  const store = new PodStore(doc, { tableName, ...opts });
  const invalid: InvalidEventReport[] = [];
  const sink: InvalidEventSink = {
    async record(r) {
      invalid.push(r);
    },
  };
  const handler = makeIngestHandler({
    store,
    invalidEvents: sink,
    logger: quietLogger(),
    metrics: opts.metrics ?? silentMetrics(),
    now: () => FIXED_NOW,
    retentionDays: 30,
    metricNamespaces: opts.metricNamespaces,
  });
  return { store, handler, invalid };
}

/** One SQS message as the ingest queue hands it to the Lambda: the bus event is its body. */
export function sqsRecordOf(busEvent: unknown, messageId: string = randomUUID(), receiveCount = 1) {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof busEvent === 'string' ? busEvent : JSON.stringify(busEvent),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(FIXED_NOW),
      SenderId: 'AIDAEVENTBRIDGE',
      ApproximateFirstReceiveTimestamp: String(FIXED_NOW),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:podlife-ingest',
    awsRegion: 'us-east-1',
  };
}

/** An SQS event (one batch) of bus events. */
export function sqsEventOf(records: ReturnType<typeof sqsRecordOf>[]) {
  return { Records: records };
}

export interface BatchHarness {
  store: PodStore;
  handler: ReturnType<typeof makeBatchIngestHandler>;
  invalid: InvalidEventReport[];
  batches: BatchStats[];
}

/** The real batched handler on a real (local) table; invalid reports are kept in memory. */
export function batchHarness(
  doc: DynamoDBDocumentClient,
  tableName: string,
  opts: Partial<PodStoreOptions> & {
    metrics?: Metrics;
    store?: PodStore;
    /** The ingest's clock (default FIXED_NOW). */
    now?: () => number;
    /** The batched handler's first-sight window (default its own, FIRST_SIGHT_MAX_AGE_MS). */
    firstSightMaxAgeMs?: number;
  } = {},
): BatchHarness {
  const store = opts.store ?? new PodStore(doc, { tableName, ...opts });
  const invalid: InvalidEventReport[] = [];
  const batches: BatchStats[] = [];
  const handler = makeBatchIngestHandler({
    store,
    invalidEvents: {
      async record(r) {
        invalid.push(r);
      },
    },
    logger: quietLogger(),
    metrics: opts.metrics ?? silentMetrics(),
    now: opts.now ?? (() => FIXED_NOW),
    retentionDays: 30,
    onBatch: (b) => batches.push(b),
    ...(opts.firstSightMaxAgeMs !== undefined ? { firstSightMaxAgeMs: opts.firstSightMaxAgeMs } : {}),
  });
  return { store, handler, invalid, batches };
}

/** Every stored pod item of a cluster, grouped by name (test-only Scan: never on a hot path). */
export async function partitionsOf(
  doc: DynamoDBDocumentClient,
  tableName: string,
  cluster: string,
): Promise<Map<string, Record<string, unknown>[]>> {
  const byPk = new Map<string, Record<string, unknown>[]>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': podPkPrefix(cluster) },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of out.Items ?? []) {
      const list = byPk.get(item.pk as string) ?? [];
      list.push(item);
      byPk.set(item.pk as string, list);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  for (const list of byPk.values()) list.sort((a, b) => ((a.sk as string) < (b.sk as string) ? -1 : 1));
  return byPk;
}

/** The stored records of a cluster, exactly as `podlife replay --json` would print them. */
export async function storedRecords(
  doc: DynamoDBDocumentClient,
  tableName: string,
  cluster: string,
): Promise<PodRecord[]> {
  const out: PodRecord[] = [];
  for (const items of (await partitionsOf(doc, tableName, cluster)).values()) {
    out.push(...recordsOfPartition(items, RECORD_CTX));
  }
  return out.sort(compareRecords);
}
