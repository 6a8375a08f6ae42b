/**
 * The pipeline's own health on DynamoDB Local: a forwarder's heartbeat goes through the real
 * batched ingest into the cluster's heartbeat item (one conditional write, only forward in time:
 * duplicates, late ones and two replicas leave the newest), and the sweep opens no new alert for
 * a cluster whose heartbeat is stale (it says so in its report, log and StaleClusters metric),
 * while a fresh heartbeat lets it open them.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE_HEARTBEAT, type ForwarderHeartbeat } from '../../core/heartbeat.ts';
import { makeBatchIngestHandler } from '../../functions/ingest/ingest-batch.ts';
import { makeQueryHandler } from '../../functions/query/query.ts';
import { makeSweepHandler } from '../../functions/sweep/sweep.ts';
import { HEARTBEATS_PK } from '../../model/keys.ts';
import { INGEST_METRICS, METRIC_NAMESPACE, SERVICES, SWEEP_METRIC } from '../../model/metric-names.ts';
import { HeartbeatStore } from '../../store/cluster-health.ts';
import { PodStore } from '../../store/pod-store.ts';
import { emfRecords } from '../../testkit/emf.ts';
import {
  busEventOf,
  busEventOfDetail,
  FIXED_NOW,
  harness,
  quietLogger,
  silentMetrics,
  sqsEventOf,
  sqsRecordOf,
} from '../../testkit/ingest-harness.ts';
import { apiEvent, type PodSpec, unschedulable } from '../../testkit/query-support.ts';
import { sweepTables } from '../../testkit/sweep-support.ts';

const env = sweepTables('podlife-health');
const { sns } = env;
const freshTable = () => env.freshTable();

const T0 = Date.parse('2026-11-20T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function heartbeat(
  cluster: string,
  sentAt: number,
  over: Partial<ForwarderHeartbeat> = {},
): ForwarderHeartbeat {
  return {
    schemaVersion: 1,
    cluster,
    sentAt: iso(sentAt),
    instance: 'podlife-forwarder-7d9f-abcde',
    version: '0.1.0',
    ready: true,
    bufferEntries: 3,
    dropped: 0,
    podsWatched: 25,
    intervalSeconds: 60,
    ...over,
  };
}

const heartbeatEvent = (hb: ForwarderHeartbeat, id = `hb-${hb.cluster}-${hb.sentAt}-${hb.instance}`) =>
  busEventOfDetail(DETAIL_TYPE_HEARTBEAT, hb, { id, time: hb.sentAt });

function ingestHandler(table: string, metrics = silentMetrics()) {
  return makeBatchIngestHandler({
    store: new PodStore(env.t.doc, { tableName: table }),
    heartbeats: new HeartbeatStore(env.t.doc, table),
    invalidEvents: { record: async () => {} },
    logger: quietLogger(),
    metrics,
    now: () => FIXED_NOW,
    retentionDays: 30,
  });
}

async function storedHeartbeat(table: string, cluster: string) {
  const out = await env.t.doc.send(
    new GetCommand({ TableName: table, Key: { pk: HEARTBEATS_PK, sk: cluster }, ConsistentRead: true }),
  );
  return out.Item;
}

function sweeper(table: string, clock: { now: number }, metrics = silentMetrics()) {
  return makeSweepHandler({
    ...env.sweepDeps(table, clock, { pending: { defaultSeconds: 300, overrides: {} } }),
    metrics,
    staleAfterSeconds: 300,
  });
}

const pod = (cluster: string, name: string): PodSpec => ({
  cluster,
  namespace: 'web',
  name,
  uid: `${cluster}-web-${name}`,
  created: T0,
  owner: { kind: 'Deployment', name: 'api' },
});

describe('heartbeat → ingest → the cluster heartbeat item', () => {
  it('records the newest heartbeat in one write; a duplicate, a late one or another replica’s older one changes nothing', async () => {
    const table = await freshTable();
    const handler = ingestHandler(table);
    const a1 = heartbeat('prod', T0, { instance: 'fwd-a' });
    const b1 = heartbeat('prod', T0 + 20_000, { instance: 'fwd-b', bufferEntries: 9 });
    const a2 = heartbeat('prod', T0 + 60_000, { instance: 'fwd-a', ready: false });

    // Out of order, with duplicates, in one batch and across batches.
    const res = await handler(
      sqsEventOf([a2, a1, b1, a2].map((hb, i) => sqsRecordOf(heartbeatEvent(hb), `m-${i}`))) as never,
    );
    expect(res.batchItemFailures).toEqual([]);
    await handler(sqsEventOf([sqsRecordOf(heartbeatEvent(a1), 'm-late')]) as never);

    const item = await storedHeartbeat(table, 'prod');
    expect(item).toMatchObject({
      cluster: 'prod',
      lastHeartbeatAt: iso(T0 + 60_000),
      instance: 'fwd-a',
      ready: false,
      podsWatched: 25,
    });
    // A newer one moves it forward.
    await handler(sqsEventOf([sqsRecordOf(heartbeatEvent(heartbeat('prod', T0 + 120_000)))]) as never);
    expect((await storedHeartbeat(table, 'prod'))?.lastHeartbeatAt).toBe(iso(T0 + 120_000));
  });

  it('emits ForwarderHeartbeats and ForwarderReady per cluster', async () => {
    const table = await freshTable();
    const emf = await emfRecords(async () => {
      const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICES.ingest });
      await ingestHandler(
        table,
        metrics,
      )(sqsEventOf([sqsRecordOf(heartbeatEvent(heartbeat('edge', T0, { ready: false })))]) as never);
      metrics.publishStoredMetrics();
    });
    const of = (name: string) => emf.find((x) => x[name] !== undefined);
    expect(of(INGEST_METRICS.heartbeats)).toMatchObject({ cluster: 'edge', [INGEST_METRICS.heartbeats]: 1 });
    expect(of(INGEST_METRICS.forwarderReady)).toMatchObject({
      cluster: 'edge',
      [INGEST_METRICS.forwarderReady]: 0,
    });
  });

  it('a heartbeat with a bad field is parked as a schema failure, not retried', async () => {
    const table = await freshTable();
    const parked: string[] = [];
    const handler = makeBatchIngestHandler({
      store: new PodStore(env.t.doc, { tableName: table }),
      heartbeats: new HeartbeatStore(env.t.doc, table),
      invalidEvents: { record: async (r) => void parked.push(r.kind) },
      logger: quietLogger(),
      metrics: silentMetrics(),
      now: () => FIXED_NOW,
      retentionDays: 30,
    });
    const bad = { ...heartbeat('prod', T0), bufferEntries: -1 };
    const res = await handler(sqsEventOf([sqsRecordOf(heartbeatEvent(bad as ForwarderHeartbeat))]) as never);
    expect(res.batchItemFailures).toEqual([]);
    expect(parked).toEqual(['schema']);
    expect(await storedHeartbeat(table, 'prod')).toBeUndefined();
  });
});

describe('a stale cluster opens nothing new', () => {
  it('stuck pods of a cluster whose heartbeat is 10 minutes old open no alert; a fresh heartbeat lets them', async () => {
    const table = await freshTable();
    const h = harness(env.t.doc, table);
    for (const p of ['api-1', 'api-2'].map((n) => unschedulable(pod('frozen', n))))
      await h.handler(busEventOf(p));
    for (const p of ['api-1'].map((n) => unschedulable(pod('live', n)))) await h.handler(busEventOf(p));
    const clock = { now: T0 + 20 * 60_000 };
    const ingest = ingestHandler(table);
    await ingest(
      sqsEventOf([
        sqsRecordOf(heartbeatEvent(heartbeat('frozen', clock.now - 10 * 60_000))),
        sqsRecordOf(heartbeatEvent(heartbeat('live', clock.now - 30_000))),
      ]) as never,
    );

    let report!: Awaited<ReturnType<ReturnType<typeof sweeper>>>;
    const emf = await emfRecords(async () => {
      const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICES.sweep });
      report = await sweeper(table, clock, metrics)();
      metrics.publishStoredMetrics();
    });
    const frozen = report.clusters.find((c) => c.cluster === 'frozen')!;
    const live = report.clusters.find((c) => c.cluster === 'live')!;
    expect(frozen).toMatchObject({
      stale: true,
      dataAsOf: iso(clock.now - 10 * 60_000),
      stuckPending: 2,
      opened: [],
      skippedStale: 2,
    });
    expect(live).toMatchObject({ stale: false, opened: ['pending#live-web-api-1'], skippedStale: 0 });
    const total = emf.find((r) => r[SWEEP_METRIC.staleClusters] !== undefined);
    expect(total?.[SWEEP_METRIC.staleClusters]).toBe(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);

    // The forwarder is back: its next heartbeat makes the cluster fresh, and the alerts open.
    await ingest(sqsEventOf([sqsRecordOf(heartbeatEvent(heartbeat('frozen', clock.now)))]) as never);
    clock.now += 60_000;
    const again = await sweeper(table, clock)();
    expect(again.clusters.find((c) => c.cluster === 'frozen')).toMatchObject({
      stale: false,
      skippedStale: 0,
    });
    expect(again.clusters.find((c) => c.cluster === 'frozen')!.opened.sort()).toEqual([
      'pending#frozen-web-api-1',
      'pending#frozen-web-api-2',
    ]);
  });

  it('a cluster that never sent a heartbeat (older forwarder, exporter) is not called stale', async () => {
    const table = await freshTable();
    const h = harness(env.t.doc, table);
    await h.handler(busEventOf(unschedulable(pod('legacy', 'api-1'))));
    const report = await sweeper(table, { now: T0 + 20 * 60_000 })();
    expect(report.clusters[0]).toMatchObject({ cluster: 'legacy', stale: false, dataAsOf: null });
    expect(report.clusters[0]!.opened).toEqual(['pending#legacy-web-api-1']);
  });
});

describe('the query API says how fresh a cluster’s data is', () => {
  it('/pending, /crashloops and /stats carry dataAsOf and stale per cluster', async () => {
    const table = await freshTable();
    const h = harness(env.t.doc, table);
    await h.handler(busEventOf(unschedulable(pod('frozen', 'api-1'))));
    await h.handler(busEventOf(unschedulable(pod('live', 'api-1'))));
    const now = T0 + 20 * 60_000;
    await ingestHandler(table)(
      sqsEventOf([
        sqsRecordOf(heartbeatEvent(heartbeat('frozen', now - 10 * 60_000))),
        sqsRecordOf(heartbeatEvent(heartbeat('live', now - 30_000))),
      ]) as never,
    );
    const query = makeQueryHandler({
      client: env.t.client,
      tableName: table,
      now: () => now,
      staleAfterSeconds: 300,
    });
    const get = async (path: string, q: Record<string, string>) => {
      const res = await query(apiEvent(path, q));
      expect(res.statusCode, String(res.body)).toBe(200);
      return JSON.parse(String(res.body)) as Record<string, unknown>;
    };
    for (const path of ['/pending', '/crashloops', '/stats']) {
      expect(await get(path, { cluster: 'frozen' }), path).toMatchObject({
        dataAsOf: iso(now - 10 * 60_000),
        stale: true,
      });
      expect(await get(path, { cluster: 'live' }), path).toMatchObject({
        dataAsOf: iso(now - 30_000),
        stale: false,
      });
      expect(await get(path, { cluster: 'legacy' }), path).toMatchObject({ dataAsOf: null, stale: false });
    }
    expect(((await get('/pending', { cluster: 'frozen' })).pods as unknown[]).length).toBe(1);
  });
});
