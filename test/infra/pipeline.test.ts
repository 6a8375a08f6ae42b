/**
 * The synthesised template of podlife's stack (bundled once, locally, by esbuild: no Docker, no
 * credentials): the bus and its archive, the rules' patterns, the ingest function's runtime,
 * architecture, concurrency, retries and on-failure destination, the table against TABLE_SPEC,
 * and the ingest role's IAM statements, which must be exactly what the handler does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE_EXPORTER, EXPORTER_SOURCE } from '../../core/exporter-event.ts';
import { DETAIL_TYPE_HEARTBEAT } from '../../core/heartbeat.ts';
import { DETAIL_TYPE_INVENTORY } from '../../core/inventory.ts';
import { DETAIL_TYPE_FACTS } from '../../core/pod-facts.ts';
import { DETAIL_TYPE_EVENT, DETAIL_TYPE_SNAPSHOT, EVENT_SOURCE } from '../../core/snapshot.ts';
import { pipelinePropsFromContext } from '../../infra/context.ts';
import { INGEST_BATCH, ingestBatching } from '../../infra/pipeline.ts';
import { type EventPattern, matchesPattern } from '../../local/event-pattern.ts';
import { DETAIL_TYPE_INVALID, INVALID_EVENT_SOURCE } from '../../model/invalid-event.ts';
import { MAX_PROJECTED_ATTRIBUTES, TABLE_SPEC } from '../../model/table-spec.ts';
import { synthStack } from '../../testkit/stack.ts';

let template: Template;
type CfnIndex = {
  IndexName: string;
  KeySchema: { AttributeName: string }[];
  Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
};
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

beforeAll(() => {
  template = Template.fromStack(synthStack({ bundle: true }));
}, 120_000);

const only = (type: string): [string, Resource] => {
  const all = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(all, type).toHaveLength(1);
  return all[0]!;
};
const ref = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe('the synthesised pipeline', () => {
  it('a custom bus with an archive of every forwarder event', () => {
    const [busId] = only('AWS::Events::EventBus');
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'podlife' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: ref(busId),
      EventPattern: { source: [EVENT_SOURCE, EXPORTER_SOURCE] },
      RetentionDays: 30,
    });
    template.hasOutput('EventBusName', {});
    template.hasOutput('EventBusArn', { Value: ref(busId) });
  });

  it('the ingest rule matches podlife facts, snapshots and events of the configured clusters → the ingest queue', () => {
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) =>
      id.startsWith('PipelineIngestQueue'),
    )!;
    // podlife's own events, and kubernetes-event-exporter's (the documented layout): same
    // clusters, same target.
    for (const [source, detailTypes] of [
      [
        EVENT_SOURCE,
        [
          DETAIL_TYPE_FACTS,
          DETAIL_TYPE_SNAPSHOT,
          DETAIL_TYPE_EVENT,
          DETAIL_TYPE_HEARTBEAT,
          DETAIL_TYPE_INVENTORY,
        ],
      ],
      [EXPORTER_SOURCE, [DETAIL_TYPE_EXPORTER]],
    ] as const) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: [source], 'detail-type': detailTypes, detail: { cluster: ['demo', 'prod'] } },
        Targets: [
          Match.objectLike({
            Arn: ref(queueId),
            DeadLetterConfig: { Arn: Match.anyValue() },
            RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          }),
        ],
      });
    }
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: [INVALID_EVENT_SOURCE], 'detail-type': [DETAIL_TYPE_INVALID] },
      Targets: [Match.objectLike({ InputPath: '$.detail' })],
    });
  });

  it('the ingest function: arm64, Node.js 24, ESM bundle, reserved concurrency; batches from the ingest queue', () => {
    const fns = Object.entries(template.findResources('AWS::Lambda::Function')) as [string, Resource][];
    const [fnId, fn] = fns.find(([, r]) => String(r.Properties.Description).startsWith('podlife ingest'))!;
    expect(fn.Properties).toMatchObject({
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 30,
      ReservedConcurrentExecutions: 10,
      LoggingConfig: { LogGroup: expect.anything() },
    });
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        'EVENT_BUS_NAME',
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'RETENTION_DAYS',
        'TABLE_NAME',
      ].sort(),
    );
    // Batched ingest (issue 12): the queue → an event source mapping with a batching window and
    // partial-batch responses, no more concurrent batches than the reserved concurrency.
    const queues = template.findResources('AWS::SQS::Queue');
    const ingestQueue = Object.keys(queues).find((id) => id.startsWith('PipelineIngestQueue'))!;
    const dlq = Object.keys(queues).find((id) => id.startsWith('PipelineIngestDeadLetterQueue'))!;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId },
      EventSourceArn: ref(ingestQueue),
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 30,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    expect(Object.keys(template.findResources('AWS::Lambda::EventSourceMapping'))).toHaveLength(1);
    // Redrive after 5 receives; the visibility timeout outlasts 6 runs of the function plus the window.
    expect((queues[ingestQueue] as Resource).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 30 + 30,
      RedrivePolicy: { deadLetterTargetArn: ref(dlq), maxReceiveCount: 5 },
    });
    // Nothing invokes the ingest asynchronously any more: no async retry configuration for it.
    expect(
      Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).filter(
        (c) => JSON.stringify((c as Resource).Properties.FunctionName) === JSON.stringify({ Ref: fnId }),
      ),
    ).toEqual([]);
    // The dead-letter queue alarms on its first message, with its runbook.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'NumberOfMessagesSent',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      AlarmDescription: Match.stringLikeRegexp('#ingestdeadletterqueue-new-messages-and-oldest-message$'),
    });
  });

  it('every queue is encrypted and TLS-only; the parking queues keep 14 days and alarm on their first message', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    // The failure and invalid-events queues, the ingest queue and its dead-letter queue, and (a
    // cluster filter is set) the filtered-clusters record.
    const names = (id: string) => id.replace(/^Pipeline|[0-9A-F]{8}$/g, '');
    expect(Object.keys(queues).map(names).sort()).toEqual([
      'FailureQueue',
      'FilteredClustersQueue',
      'IngestDeadLetterQueue',
      'IngestQueue',
      'InvalidEventsQueue',
    ]);
    for (const [id, q] of Object.entries(queues) as [string, Resource][]) {
      expect(q.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: names(id) === 'IngestQueue' ? 4 * 86400 : 1209600,
      });
    }
    expect(Object.values(template.findResources('AWS::SQS::QueuePolicy'))).toHaveLength(5);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as Resource[];
    const denies = JSON.stringify(policies.map((p) => p.Properties.PolicyDocument));
    expect(denies).toContain('"aws:SecureTransport":"false"');
    for (const name of ['FailureQueue', 'InvalidEventsQueue', 'IngestDeadLetterQueue']) {
      const id = Object.keys(queues).find((q) => q.startsWith(`Pipeline${name}`))!;
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }],
      });
    }
  });

  it('events the cluster filter drops are counted by their own rule, alarmed, and recorded without pod data', () => {
    const [ruleId, rule] = (
      Object.entries(template.findResources('AWS::Events::Rule')) as [string, Resource][]
    ).find(([id]) => id.startsWith('PipelineFilteredClustersRule'))!;
    expect(rule.Properties.EventPattern).toEqual({
      $or: [
        {
          source: [EVENT_SOURCE],
          'detail-type': [
            DETAIL_TYPE_FACTS,
            DETAIL_TYPE_SNAPSHOT,
            DETAIL_TYPE_EVENT,
            DETAIL_TYPE_HEARTBEAT,
            DETAIL_TYPE_INVENTORY,
          ],
        },
        { source: [EXPORTER_SOURCE], 'detail-type': [DETAIL_TYPE_EXPORTER] },
      ],
      detail: {
        $or: [{ cluster: [{ 'anything-but': ['demo', 'prod'] }] }, { cluster: [{ exists: false }] }],
      },
    });
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) =>
      id.startsWith('PipelineFilteredClustersQueue'),
    )!;
    const [target] = rule.Properties.Targets as Record<string, unknown>[];
    expect(target!.Arn).toEqual(ref(queueId));
    // The record: which cluster, what, when; never the detail (pod names, messages).
    const transformer = target!.InputTransformer as {
      InputPathsMap: Record<string, string>;
      InputTemplate: string;
    };
    expect(Object.values(transformer.InputPathsMap).sort()).toEqual(
      ['$.detail.cluster', '$.detail-type', '$.id', '$.source', '$.time'].sort(),
    );
    // The count: the rule's own TriggeredRules, with the two dimensions a custom bus's rule
    // metrics carry (RuleName alone is the default bus's), alarmed; no data = nothing dropped.
    const busId = only('AWS::Events::EventBus')[0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Dimensions: Match.arrayWith([
        { Name: 'EventBusName', Value: { Ref: busId } },
        { Name: 'RuleName', Value: { Ref: ruleId } },
      ]),
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [Match.anyValue()],
    });
    template.hasOutput('FilteredClustersQueueUrl', {});
  });

  it('the ingest rules and the filtered-clusters rule split every ingestible event: each matched by exactly one', () => {
    const rules = Object.entries(template.findResources('AWS::Events::Rule')) as [string, Resource][];
    const pattern = (prefix: string) =>
      rules.find(([id]) => id.startsWith(prefix))![1].Properties.EventPattern as EventPattern;
    const ingest = [pattern('PipelineIngestRule'), pattern('PipelineExporterIngestRule')];
    const dropped = pattern('PipelineFilteredClustersRule');
    const kinds = [
      [EVENT_SOURCE, DETAIL_TYPE_FACTS],
      [EVENT_SOURCE, DETAIL_TYPE_SNAPSHOT],
      [EVENT_SOURCE, DETAIL_TYPE_EVENT],
      [EXPORTER_SOURCE, DETAIL_TYPE_EXPORTER],
    ];
    const clusters: (string | undefined)[] = ['demo', 'prod', 'staging', 'Demo', '', undefined];
    for (const [source, type] of kinds) {
      for (const cluster of clusters) {
        const event = {
          source,
          'detail-type': type,
          detail: cluster === undefined ? { uid: 'u' } : { cluster },
        };
        const taken = ingest.filter((p) => matchesPattern(p, event)).length;
        const counted = matchesPattern(dropped, event) ? 1 : 0;
        expect([taken, counted], JSON.stringify(event)).toEqual(
          cluster === 'demo' || cluster === 'prod' ? [1, 0] : [0, 1],
        );
      }
    }
    // Not ingestible at all (other senders, wrong pairs): neither counts them as dropped.
    for (const event of [
      { source: INVALID_EVENT_SOURCE, 'detail-type': DETAIL_TYPE_INVALID, detail: { cluster: 'x' } },
      { source: 'podlife.alerts', 'detail-type': 'Stuck Pending', detail: { cluster: 'x' } },
      { source: EVENT_SOURCE, 'detail-type': DETAIL_TYPE_EXPORTER, detail: { cluster: 'x' } },
    ]) {
      expect(matchesPattern(dropped, event), JSON.stringify(event)).toBe(false);
    }
  });

  it('with no cluster filter (the shipped cdk.json): every cluster ingested, nothing to count or alarm', () => {
    const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8'));
    const props = pipelinePropsFromContext((k) => cdkJson.context[k]);
    expect(props.clusterNames).toBeUndefined();
    const open = Template.fromStack(
      synthStack({ bundle: false, pipeline: { clusterNames: props.clusterNames } }),
    );
    const patterns = Object.values(open.findResources('AWS::Events::Rule')).map(
      (r) => (r as Resource).Properties.EventPattern as { detail?: unknown },
    );
    expect(patterns.filter((p) => p?.detail !== undefined)).toEqual([]);
    expect(
      Object.keys(open.findResources('AWS::Events::Rule')).filter((id) => id.includes('FilteredClusters')),
    ).toEqual([]);
    open.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'TriggeredRules' }, 0);
  });

  it('the table: on-demand, point-in-time recovery, TTL, deletion protection, keys and indexes of TABLE_SPEC', () => {
    const [, table] = only('AWS::DynamoDB::GlobalTable');
    const p = table.Properties as Record<string, unknown>;
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: TABLE_SPEC.ttlAttribute, Enabled: true });
    expect(p.KeySchema).toEqual([
      { AttributeName: TABLE_SPEC.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SPEC.sortKey, KeyType: 'RANGE' },
    ]);
    const replica = (p.Replicas as Record<string, unknown>[])[0];
    expect(replica).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    const indexes = (p.GlobalSecondaryIndexes as CfnIndex[]).map((ix) => ({
      name: ix.IndexName,
      keys: ix.KeySchema.map((k) => k.AttributeName),
      projection:
        ix.Projection.ProjectionType === 'INCLUDE'
          ? ix.Projection.NonKeyAttributes
          : ix.Projection.ProjectionType,
    }));
    expect(indexes).toEqual(
      TABLE_SPEC.indexes.map((ix) => ({
        name: ix.name,
        keys: [ix.partitionKey, ...('sortKey' in ix ? [ix.sortKey] : [])],
        projection: typeof ix.projection === 'string' ? ix.projection : [...ix.projection],
      })),
    );
    const defs = Object.fromEntries(
      (p.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map((d) => [
        d.AttributeName,
        d.AttributeType,
      ]),
    );
    expect(defs).toEqual(TABLE_SPEC.attributeTypes);
  });

  it("the spec stays inside DynamoDB's limit on projected attributes (CreateTable would fail otherwise)", () => {
    const total = TABLE_SPEC.indexes.reduce(
      (n, ix) => n + (typeof ix.projection === 'string' ? 0 : ix.projection.length),
      0,
    );
    expect(total).toBeLessThanOrEqual(MAX_PROJECTED_ATTRIBUTES);
  });

  it('the ingest role may do only what the handler does: BatchGetItem/GetItem/PutItem on the table, Query on the pending and crashLooping indexes, PutEvents of its reports, consume its queue', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')) as [string, Resource][];
    const [roleId, role] = roles.find(([id]) => id.includes('Ingest'))!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const all = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
    // X-Ray active tracing: its two actions on "*" (X-Ray has no resource-level permissions), nothing more.
    const xray = all.filter((s) => JSON.stringify(s.Action).includes('xray:'));
    expect(xray.map((s) => [s.Action, s.Resource])).toEqual([
      [['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*'],
    ]);
    const statements = all.filter((s) => !xray.includes(s));
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]).sort();
    expect(actions).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ].sort(),
    );
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(JSON.stringify(s.Action)).not.toContain('*');
      expect(JSON.stringify(s.Resource)).not.toMatch(/"\*"|index\/\*/);
    }
    const tableId = only('AWS::DynamoDB::GlobalTable')[0];
    const ddb = statements.find((s) => JSON.stringify(s.Action).includes('dynamodb:GetItem'))!;
    expect(ddb.Resource).toEqual(ref(tableId));
    // A Pod Inventory's candidates: the two sparse indexes, nothing else (docs/ingest.md).
    const query = statements.find((s) => JSON.stringify(s.Action).includes('dynamodb:Query'))!;
    expect(query.Action).toBe('dynamodb:Query');
    const indexes = [query.Resource].flat().map((r) => JSON.stringify(r).match(/\/index\/(\w+)/)?.[1]);
    expect(indexes).toEqual(['pending', 'crashLooping']);
    const put = statements.find((s) => JSON.stringify(s.Action).includes('events:PutEvents'))!;
    expect(put.Condition).toEqual({ StringEquals: { 'events:source': INVALID_EVENT_SOURCE } });
  });

  it('settings come from CDK context, validated by name', () => {
    expect(
      pipelinePropsFromContext(
        (k) =>
          ({
            'podlife:clusterNames': 'prod,staging',
            'podlife:retentionDays': '14',
            'podlife:deletionProtection': 'false',
          })[k],
      ),
    ).toMatchObject({ clusterNames: ['prod', 'staging'], retentionDays: 14, deletionProtection: false });
    expect(() =>
      pipelinePropsFromContext((k) => (k === 'podlife:retentionDays' ? 'a month' : undefined)),
    ).toThrow(/podlife:retentionDays/);
  });

  it("the ingest mapping's batching window and batch size come from context, within SQS's limits", () => {
    const ctx: Record<string, string> = {
      'podlife:ingestBatchingWindowSeconds': '60',
      'podlife:ingestBatchSize': '2000',
    };
    const props = pipelinePropsFromContext((k) => ctx[k]);
    expect(props).toMatchObject({ ingestBatchingWindowSeconds: 60, ingestBatchSize: 2000 });
    const t = Template.fromStack(synthStack({ bundle: false, pipeline: props }));
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 2000,
      MaximumBatchingWindowInSeconds: 60,
    });
    expect(ingestBatching({})).toEqual({
      batchSize: 1000,
      maxBatchingWindow: INGEST_BATCH.maxBatchingWindow,
    });
    expect(() => ingestBatching({ ingestBatchingWindowSeconds: 301 })).toThrow(/0 to 300/);
    expect(() => ingestBatching({ ingestBatchSize: 10_001 })).toThrow(/1 to 10000/);
    expect(() => ingestBatching({ ingestBatchingWindowSeconds: 0, ingestBatchSize: 100 })).toThrow(
      /at least 1/,
    );
    expect(() =>
      pipelinePropsFromContext((k) => (k === 'podlife:ingestBatchingWindowSeconds' ? '-1' : undefined)),
    ).toThrow(/podlife:ingestBatchingWindowSeconds/);
  });
});
