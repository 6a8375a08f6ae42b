/**
 * The synthesised alerts and dashboard (with the query API and the real pipeline around them),
 * and cdk-nag's AwsSolutions pack over all of it: the every-minute schedule and the sweep's
 * configuration, its exact grants (alert items only, its own event source, the topic and key),
 * the encrypted TLS-only topic, the stuck-Pending alarm; the dashboard's widgets read the very
 * metrics the ingest and the sweep emit; no finding without an acknowledged reason.
 */

import { readFileSync } from 'node:fs';
import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { lifecycleMetricsOf } from '../../functions/ingest/lifecycle-metrics.ts';
import { PERCENTILES } from '../../infra/dashboard.ts';
import { wiringOfTemplate } from '../../local/wiring.ts';
import { ALERT_SOURCE } from '../../model/alerts.ts';
import { INGEST_METRICS } from '../../model/metric-names.ts';
import { TABLE_SPEC } from '../../model/table-spec.ts';
import { engineOf } from '../../testkit/fixtures.ts';
import { synthQueryStack } from '../../testkit/query-stack.ts';
import { demoInputs } from '../../testkit/query-support.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Effect: string;
};

const built = synthQueryStack({ bundle: false });
const template = Template.fromStack(built.stack);
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  built.stack.getLogicalId(c.node.defaultChild as never);
const sweepFn = () =>
  resources('AWS::Lambda::Function').find(([, r]) =>
    String(r.Properties.Description).startsWith('podlife alert sweep'),
  )!;

describe('alerts', () => {
  it('an EventBridge schedule runs the sweep every minute, never retried (the next minute is the retry)', () => {
    const [fnId] = sweepFn();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          Id: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  it("local mode's wiring (read off the template) finds the schedule and the sweep's entry", () => {
    const schedules = wiringOfTemplate(template.toJSON() as never).rules.filter((r) => r.schedule);
    expect(
      schedules.map((r) => [r.schedule, r.targets.map((x) => ('entry' in x ? x.entry : x.kind))]),
    ).toEqual([['rate(1 minute)', ['functions/sweep/handler.ts']]]);
  });

  it('the sweep: one at a time, its thresholds and targets from the environment', () => {
    const [, fn] = sweepFn();
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      Timeout: 50,
    });
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      TABLE_NAME: { Ref: logicalId(built.pipeline.table) },
      EVENT_BUS_NAME: { Ref: logicalId(built.pipeline.bus) },
      ALERT_TOPIC_ARN: { Ref: logicalId(built.pipeline.alertTopic as never) },
      STUCK_PENDING_SECONDS: '300',
      STUCK_PENDING_OVERRIDES: '{"batch":1800}',
      CRASHLOOP_WINDOW_SECONDS: '3600',
      CRASHLOOP_MIN_RESTARTS: '3',
      CRASHLOOP_QUIET_SECONDS: '600',
      RETENTION_DAYS: '30',
      CRASHLOOP_FOR_SECONDS: '900',
      ALERT_MAX_PODS_LISTED: '20',
      ALERT_RULES: '{"namespaces":{},"ownerKinds":{}}',
      POWERTOOLS_SERVICE_NAME: 'podlife-sweep',
    });
  });

  it('its grants are exactly what it does', () => {
    const role = logicalId(built.alerts.sweep.role);
    const statements = resources('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    const table = { 'Fn::GetAtt': [logicalId(built.pipeline.table), 'Arn'] };
    expect(Object.keys(bySid).sort()).toEqual([
      'AlertEvents',
      'AlertItemsOnly',
      'AlertMessages',
      'EncryptedTopic',
      'ReadPod',
      'ReadStateIndexes',
    ]);
    expect(bySid.ReadStateIndexes.Action).toBe('dynamodb:Query');
    expect(JSON.stringify(bySid.ReadStateIndexes.Resource)).toMatch(/index\/pending.*index\/crashLooping/);
    expect(bySid.ReadPod).toMatchObject({
      Action: 'dynamodb:GetItem',
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POD#*'] } },
    });
    expect(bySid.AlertItemsOnly).toMatchObject({
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ALERT#*'] } },
    });
    expect(bySid.AlertEvents).toMatchObject({
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [logicalId(built.pipeline.bus), 'Arn'] },
      Condition: { StringEquals: { 'events:source': ALERT_SOURCE } },
    });
    expect(bySid.AlertMessages).toMatchObject({
      Action: 'sns:Publish',
      Resource: { Ref: logicalId(built.pipeline.alertTopic as never) },
    });
    expect(bySid.EncryptedTopic.Action).toEqual(['kms:GenerateDataKey', 'kms:Decrypt']);
  });

  it('the stuck-Pending alarm: StuckPendingPods > 0 per cluster, 5 of 10 sweeps, no data = ALARM, on the pod-alert topic; the sweep alarms on the health topic', () => {
    for (const cluster of ['demo', 'prod']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'podlife',
        MetricName: 'StuckPendingPods',
        Dimensions: [
          { Name: 'cluster', Value: cluster },
          { Name: 'service', Value: 'podlife-sweep' },
        ],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 10,
        DatapointsToAlarm: 5,
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: logicalId(built.pipeline.alertTopic as never) }],
        OKActions: [{ Ref: logicalId(built.pipeline.alertTopic as never) }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: sweepFn()[0] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      AlarmActions: [{ Ref: logicalId(built.pipeline.healthTopic as never) }],
    });
  });

  it('with no topic given: its own KMS-encrypted, TLS-only topic, with the e-mail subscription', () => {
    const own = synthQueryStack({
      bundle: false,
      ownTopic: true,
      alerts: { alertEmail: 'oncall@example.com' },
    });
    const t = Template.fromStack(own.stack);
    const topicId = own.stack.getLogicalId(own.alerts.topic.node.defaultChild as never);
    t.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsTopicKey'), 'Arn'] },
      DisplayName: 'podlife alerts',
    });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topicId },
    });
    const policy = Object.values(t.findResources('AWS::SNS::TopicPolicy')).find((p) =>
      JSON.stringify(p).includes(topicId),
    )!;
    expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    expect(violations(own.stack)).toEqual([]);
  });
});

type Widget = {
  type: string;
  properties: { title?: string; markdown?: string; metrics?: unknown[][]; alarms?: string[] };
};

/** The dashboard body as JSON, each CloudFormation reference written as `<LogicalId>`. */
function widgetsOf(t: Template): Widget[] {
  const [d] = Object.values(t.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
  const body = d!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const p = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return `<${p.Ref ?? p['Fn::GetAtt']?.[0]}>`;
    })
    .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}
const widget = (ws: Widget[], title: string | RegExp) => {
  const w = ws.find((x) =>
    typeof title === 'string' ? x.properties.title === title : title.test(x.properties.title ?? ''),
  );
  if (!w) throw new Error(`no widget ${title}`);
  return w;
};
/** A metric line as `namespace metric dim=value ... stat`; an expression as its text. */
const lines = (w: Widget) =>
  (w.properties.metrics ?? []).map((m) => {
    const opts = m.at(-1) as { stat?: string; expression?: string };
    if (opts.expression) return opts.expression;
    const [ns, name, ...dims] = m.slice(0, -1) as string[];
    const pairs = [];
    for (let i = 0; i < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
    return `${ns} ${name} ${pairs.join(' ')} ${opts.stat}`;
  });

describe('the dashboard', () => {
  const ws = widgetsOf(template);

  it('charts the metrics the ingest really emits (checked against lifecycleMetricsOf on the demo trace)', () => {
    const emitted = new Set<string>();
    for (const facts of engineOf(demoInputs('demo') as never).factMaps()) {
      for (const p of lifecycleMetricsOf(undefined, facts)) emitted.add(p.name);
    }
    for (const name of [
      ...Object.values(INGEST_METRICS.durations),
      INGEST_METRICS.restarts,
      INGEST_METRICS.terminations,
      INGEST_METRICS.podsSeen,
    ]) {
      expect(emitted, name).toContain(name);
    }
    const handler = readFileSync(new URL('../../functions/ingest/ingest.ts', import.meta.url), 'utf8');
    expect(handler).toContain('INGEST_METRICS.invalidEvents');
    expect(handler).toContain('INGEST_METRICS.writeConflicts');
    expect(handler).toContain('cluster: o.cluster, namespace: o.namespace');
  });

  it('p50/p90/p99 of each duration per cluster and for the chosen namespace', () => {
    for (const metric of Object.values(INGEST_METRICS.durations)) {
      const perCluster = ws.filter(
        (w) =>
          lines(w).some((l) => l.startsWith(`podlife ${metric} `)) &&
          /per cluster/.test(w.properties.title ?? ''),
      );
      expect(perCluster, metric).toHaveLength(1);
      expect(lines(perCluster[0]!).sort()).toEqual(
        ['demo', 'prod']
          .flatMap((c) =>
            PERCENTILES.map((p) => `podlife ${metric} cluster=${c} service=podlife-ingest ${p}`),
          )
          .sort(),
      );
      const ns = ws.find(
        (w) => w.properties.title?.startsWith('default: ') && lines(w).some((l) => l.includes(` ${metric} `)),
      )!;
      expect(lines(ns).sort()).toEqual(
        ['demo', 'prod']
          .flatMap((c) =>
            PERCENTILES.map(
              (p) => `podlife ${metric} cluster=${c} namespace=default service=podlife-ingest ${p}`,
            ),
          )
          .sort(),
      );
    }
  });

  it('restarts and terminations by reason, stuck and crash-looping pods now', () => {
    expect(lines(widget(ws, 'Container restarts per cluster'))).toEqual([
      "SELECT SUM(Restarts) FROM SCHEMA(podlife, cluster, namespace, service) WHERE service = 'podlife-ingest' GROUP BY cluster",
    ]);
    expect(lines(widget(ws, 'Container terminations by reason'))).toEqual([
      "SELECT SUM(Terminations) FROM SCHEMA(podlife, cluster, namespace, reason, service) WHERE service = 'podlife-ingest' GROUP BY reason",
    ]);
    expect(lines(widget(ws, 'Pods stuck Pending now (all clusters)'))).toEqual([
      'podlife StuckPendingPods service=podlife-sweep Maximum',
      'podlife CrashLoopingPods service=podlife-sweep Maximum',
    ]);
    expect(lines(widget(ws, 'Pods stuck Pending, per cluster'))).toEqual([
      'podlife StuckPendingPods cluster=demo service=podlife-sweep Maximum',
      'podlife StuckPendingPods cluster=prod service=podlife-sweep Maximum',
    ]);
    expect(lines(widget(ws, 'Pods crash-looping, per cluster'))).toHaveLength(2);
  });

  it("the pipeline's health: ingest errors and throttles, invalid events, failure-queue depth, rule and table, forwarder drops", () => {
    const ingest = `<${logicalId(built.pipeline.ingestFunction)}>`;
    expect(lines(widget(ws, /^Ingest: errors/))).toEqual([
      `AWS/Lambda Errors FunctionName=${ingest} Sum`,
      `AWS/Lambda Throttles FunctionName=${ingest} Sum`,
      `AWS/Lambda AsyncEventsDropped FunctionName=${ingest} Sum`,
      `AWS/Lambda AsyncEventAge FunctionName=${ingest} Maximum`,
    ]);
    expect(lines(widget(ws, /^Invalid events/))).toEqual([
      `SEARCH('{podlife,kind,service} service="podlife-ingest" MetricName="InvalidEvents"', 'Sum', 300)`,
      "SELECT SUM(WriteConflicts) FROM SCHEMA(podlife, cluster, namespace, service) WHERE service = 'podlife-ingest'",
    ]);
    expect(lines(widget(ws, /queues: messages waiting$/))).toEqual([
      `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=<${logicalId(built.pipeline.failureQueue)}> Maximum`,
      `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=<${logicalId(built.pipeline.invalidEventsQueue)}> Maximum`,
    ]);
    expect(lines(widget(ws, /^Ingest rule/)).map((l) => l.split(' ')[1])).toEqual([
      'Invocations',
      'FailedInvocations',
      'InvocationsSentToDlq',
    ]);
    const table = `<${logicalId(built.pipeline.table)}>`;
    expect(lines(widget(ws, /^Table/))).toEqual([
      `AWS/DynamoDB ReadThrottleEvents TableName=${table} Sum`,
      `AWS/DynamoDB WriteThrottleEvents TableName=${table} Sum`,
      ...TABLE_SPEC.indexes.flatMap((ix) => [
        `AWS/DynamoDB ReadThrottleEvents GlobalSecondaryIndexName=${ix.name} TableName=${table} Sum`,
        `AWS/DynamoDB WriteThrottleEvents GlobalSecondaryIndexName=${ix.name} TableName=${table} Sum`,
      ]),
    ]);
    expect(lines(widget(ws, /^Query API/)).map((l) => l.split(' ')[1])).toEqual(['4xx', '5xx', 'Latency']);
    expect(lines(widget(ws, /^Alert sweep/)).map((l) => l.split(' ')[1])).toEqual([
      'Errors',
      'AlertsOpened',
      'AlertsResolved',
      'AlertFailures',
    ]);
    expect(ws.find((w) => w.properties.markdown?.includes('podlife_forwarder_dropped_total'))).toBeDefined();
  });

  it('an alarm-status widget with the stuck-Pending, failure-queue and ingest-error alarms', () => {
    const status = ws.find((w) => w.type === 'alarm')!;
    expect(built.pipelineAlarms.length).toBeGreaterThanOrEqual(3);
    expect(status.properties.alarms).toEqual(
      [...built.pipelineAlarms, ...built.alerts.alarms].map((a) => `<${logicalId(a)}>`),
    );
  });

  it('without cluster names: SEARCH expressions find every cluster', () => {
    const any = widgetsOf(Template.fromStack(synthQueryStack({ bundle: false, clusters: [] }).stack));
    expect(lines(widget(any, /^Pending \(created/))).toEqual(
      PERCENTILES.map(
        (p) =>
          `SEARCH('{podlife,cluster,service} service="podlife-ingest" MetricName="PendingSeconds"', '${p}', 300)`,
      ),
    );
    expect(lines(widget(any, 'Pods stuck Pending, per cluster'))).toEqual([
      `SEARCH('{podlife,cluster,service} service="podlife-sweep" MetricName="StuckPendingPods"', 'Maximum', 60)`,
    ]);
  });
});

function violations(stack: ReturnType<typeof synthQueryStack>['stack']) {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}: ${v.description.slice(0, 120)}`),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('the pipeline with the query API, alerts and dashboard: no unacknowledged finding', () => {
    expect(violations(built.stack)).toEqual([]);
  });

  it('my constructs acknowledge nothing but X-Ray: IAM auth, access logs and explicit grants satisfy the rules', () => {
    const acks = [built.query, built.alerts, built.dashboard].flatMap((c) =>
      c.node
        .findAll()
        .flatMap((n) =>
          n.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
        ),
    );
    // Only X-Ray's `*` resource, on the query and the sweep function (nag.test.ts: nothing else on `*`).
    expect(acks.flatMap((m) => Object.keys(m.data as Record<string, string>))).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::*]',
      'Annotation::AwsSolutions-IAM5[Resource::*]',
    ]);
  });
});
