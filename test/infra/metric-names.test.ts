/**
 * One set of metric names (model/metric-names.ts) behind the emitters, the alarms and the
 * dashboard: every custom metric an alarm or a graph of the synthesised stack reads is named
 * there, every name there is really emitted, and no other source file spells one out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lifecycleMetricsOf } from '../../functions/ingest/lifecycle-metrics.ts';
import { makeQueryHandler } from '../../functions/query/query.ts';
import { makeSweepHandler } from '../../functions/sweep/sweep.ts';
import { DEFAULT_ALERT_CONFIG } from '../../model/alerts.ts';
import {
  ALL_METRIC_NAMES,
  INGEST_METRICS,
  METRIC_NAMESPACE,
  QUERY_METRICS,
  SWEEP_METRIC,
  SWEEP_METRICS,
} from '../../model/metric-names.ts';
import { clustersRequest } from '../../store/pod-queries.ts';
import { emfRecords } from '../../testkit/emf.ts';
import { engineOf } from '../../testkit/fixtures.ts';
import { quietLogger } from '../../testkit/ingest-harness.ts';
import { demoInputs } from '../../testkit/query-support.ts';
import { synthStack } from '../../testkit/stack.ts';

const TABLE = 'podlife-test';

const namesIn = (emf: Record<string, unknown>[]) =>
  new Set(
    emf.flatMap((r) =>
      (r._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.flatMap((c) =>
        c.Metrics.map((m) => m.Name),
      ),
    ),
  );

/** A document client answering from a table with one cluster (`c1`) and nothing else. */
function oneClusterTable(): DynamoDBDocumentClient {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  const clusters = JSON.stringify(clustersRequest(TABLE));
  vi.spyOn(doc, 'send').mockImplementation((async (cmd: { input: unknown }) =>
    JSON.stringify(cmd.input) === clusters
      ? { Items: [{ pk: 'CLUSTERS', sk: 'c1' }], ConsumedCapacity: { CapacityUnits: 0.5 } }
      : { Items: [], ConsumedCapacity: { CapacityUnits: 0.5 } }) as never);
  return doc;
}

afterEach(() => vi.restoreAllMocks());

/** Source files of the emitters, alarms and dashboard. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('metric names: one module for emitters, alarms and dashboard', () => {
  it('every custom metric of an alarm or a dashboard graph is named in model/metric-names.ts', () => {
    const template = Template.fromStack(synthStack({ bundle: false }));
    const text = JSON.stringify(template.toJSON());
    const known = new Set(ALL_METRIC_NAMES);
    const used = new Set<string>();
    // Alarms: MetricName beside Namespace podlife (plain metrics and math expressions' metrics).
    for (const a of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      const s = JSON.stringify(a);
      for (const m of s.matchAll(/"MetricName":"(\w+)","Namespace":"podlife"/g)) used.add(m[1]!);
      for (const m of s.matchAll(/"Namespace":"podlife"[^}]*?"MetricName":"(\w+)"/g)) used.add(m[1]!);
    }
    // Dashboard: ["podlife","Name",...] series, SEARCH MetricName="...", Metrics Insights SUM(Name).
    for (const m of text.matchAll(/\\"podlife\\",\\"(\w+)\\"/g)) used.add(m[1]!);
    for (const m of text.matchAll(/MetricName=\\\\\\"(\w+)\\\\\\"/g)) used.add(m[1]!);
    for (const m of text.matchAll(/SUM\((\w+)\) FROM SCHEMA\(podlife/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(known, name).toContain(name);
    // …and the alarms/dashboard read every sweep metric and every ingest duration.
    for (const name of [...Object.values(SWEEP_METRIC), ...Object.values(INGEST_METRICS.durations)])
      expect(used, name).toContain(name);
  });

  it('the sweep emits its metrics under those names and dimension sets', async () => {
    const emf = await emfRecords(async () => {
      const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SWEEP_METRICS.service });
      const sweep = makeSweepHandler({
        client: oneClusterTable(),
        tableName: TABLE,
        notifier: { send: async () => {} },
        config: DEFAULT_ALERT_CONFIG,
        now: () => Date.parse('2026-01-01T00:00:00Z'),
        logger: quietLogger(),
        metrics,
      });
      await sweep();
      metrics.publishStoredMetrics(); // what logMetrics does after the invocation
    });
    expect([...namesIn(emf)].sort()).toEqual([...Object.values(SWEEP_METRIC)].sort());
    const perCluster = emf.filter((r) => r.cluster === 'c1');
    expect(perCluster.flatMap((r) => Object.keys(r).filter((k) => /^[A-Z]/.test(k))).sort()).toEqual(
      [...SWEEP_METRICS.perClusterAndTotal].sort(),
    );
    for (const r of emf) {
      const dims = (r._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]!
        .Dimensions;
      expect(SWEEP_METRICS.dimensionSets).toContainEqual(dims[0]);
      expect(r.service).toBe(SWEEP_METRICS.service);
    }
  });

  it('the query emits its read units per request', async () => {
    let status = 0;
    const emf = await emfRecords(async () => {
      const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: QUERY_METRICS.service });
      const query = makeQueryHandler({ client: oneClusterTable(), tableName: TABLE, now: Date.now, metrics });
      status = (
        await query({
          rawPath: '/clusters',
          requestContext: { http: { method: 'GET' } },
        } as APIGatewayProxyEventV2)
      ).statusCode!;
      metrics.publishStoredMetrics();
    });
    expect(status).toBe(200);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ [QUERY_METRICS.readUnits]: 0.5, service: QUERY_METRICS.service });
  });

  it('the ingest emits its names: lifecycle metrics on the demo trace, the rest by its handler', () => {
    const emitted = new Set<string>();
    for (const facts of engineOf(demoInputs('demo') as never).factMaps())
      for (const p of lifecycleMetricsOf(undefined, facts)) emitted.add(p.name);
    for (const name of [
      ...Object.values(INGEST_METRICS.durations),
      INGEST_METRICS.restarts,
      INGEST_METRICS.terminations,
      INGEST_METRICS.podsSeen,
    ])
      expect(emitted, name).toContain(name);
    // The handler's own counts, named by constant.
    const ingest = sources('functions/ingest')
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const [key, name] of Object.entries({
      factsWritten: INGEST_METRICS.factsWritten,
      duplicateEvents: INGEST_METRICS.duplicateEvents,
      writeConflicts: INGEST_METRICS.writeConflicts,
      invalidEvents: INGEST_METRICS.invalidEvents,
    }))
      expect(ingest.includes(`INGEST_METRICS.${key}`), name).toBe(true);
  });

  it('no emitter, alarm or dashboard spells a metric name out', () => {
    /**
     * Quoted names that are not metrics, or not yet switched over: file → the lines allowed.
     */
    const allowed: Record<string, RegExp> = {
      'infra/pipeline.ts': /parking\('InvalidEvents',/, // the queue alarm's construct id
    };
    const quoted = new RegExp(`['"\`](${ALL_METRIC_NAMES.join('|')})['"\`]`);
    const offending = ['functions', 'infra', 'store', 'model']
      .flatMap(sources)
      .filter((f) => f !== join('model', 'metric-names.ts'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => [f, i + 1, line] as const)
          .filter(([, , line]) => quoted.test(line) && !allowed[f]?.test(line)),
      )
      .map(([f, n, line]) => `${f}:${n}: ${line.trim()}`);
    expect(offending).toEqual([]);
  });
});
