/**
 * Every CloudWatch alarm of the synthesised stack watches a metric that has data: a custom
 * metric the code emits (name and dimension set, checked against model/metric-names.ts
 * and the emitter's source) or a real AWS metric with its namespace and one of its documented
 * dimension sets (the table below), each dimension pointing at a resource of the right type.
 * Each alarm links a heading of docs/runbooks.md, treats missing data explicitly, and notifies
 * the right topic (pod alerts for teams, pipeline health for the platform on-call), alarm and OK.
 */
import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { pipelinePropsFromContext } from '../../infra/context.ts';
import { RUNBOOK } from '../../infra/runbooks.ts';
import { METRIC_NAMESPACE, SWEEP_METRIC, SWEEP_METRICS } from '../../model/metric-names.ts';
import { TABLE_SPEC } from '../../model/table-spec.ts';
import { synthStack } from '../../testkit/stack.ts';

type Dim = { Name: string; Value: unknown };
type MetricStat = { Namespace: string; MetricName: string; Dimensions?: Dim[] | undefined };
type AlarmProps = {
  AlarmDescription: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  TreatMissingData?: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dim[];
  Metrics?: { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: MetricStat } }[];
  ComparisonOperator: string;
  Threshold: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Period?: number;
  Statistic?: string;
};

/**
 * Real AWS metrics the alarms may use, with the dimension sets AWS publishes them under
 * (AWS docs: Lambda "Types of metrics" incl. async invocation metrics; DynamoDB "Metrics and
 * dimensions"; SQS, SNS and EventBridge "CloudWatch metrics"). A metric with any other
 * dimension set never has data and its alarm sits in INSUFFICIENT_DATA (or "OK") forever.
 */
const AWS_METRICS: Record<string, Record<string, string[][]>> = {
  'AWS/Lambda': Object.fromEntries(
    [
      'Errors',
      'Throttles',
      'Invocations',
      'Duration',
      'AsyncEventAge',
      'AsyncEventsDropped',
      'AsyncEventsReceived',
    ].map((m) => [m, [['FunctionName'], ['FunctionName', 'Resource']]]),
  ),
  'AWS/DynamoDB': {
    ReadThrottleEvents: [['TableName'], ['GlobalSecondaryIndexName', 'TableName']],
    WriteThrottleEvents: [['TableName'], ['GlobalSecondaryIndexName', 'TableName']],
    ThrottledRequests: [['Operation', 'TableName']],
    SystemErrors: [['Operation', 'TableName']],
  },
  'AWS/SQS': {
    NumberOfMessagesSent: [['QueueName']],
    ApproximateAgeOfOldestMessage: [['QueueName']],
    ApproximateNumberOfMessagesVisible: [['QueueName']],
  },
  'AWS/SNS': { NumberOfNotificationsFailed: [['TopicName']] },
  'AWS/Events': {
    FailedInvocations: [['EventBusName', 'RuleName']],
    TriggeredRules: [['EventBusName', 'RuleName']],
    InvocationsSentToDlq: [['EventBusName', 'RuleName']],
    Invocations: [['EventBusName', 'RuleName']],
  },
  // HTTP APIs (API Gateway v2): per {ApiId}, {ApiId, Stage}, {ApiId, Method, Resource, Stage}.
  'AWS/ApiGateway': Object.fromEntries(
    ['4xx', '5xx', 'Latency', 'Count', 'IntegrationLatency'].map((m) => [
      m,
      [['ApiId'], ['ApiId', 'Stage'], ['ApiId', 'Method', 'Resource', 'Stage']],
    ]),
  ),
};

/** What each AWS dimension's value must reference in the template. */
const DIMENSION_TARGET: Record<string, { type: string; via: 'Ref' | string }> = {
  FunctionName: { type: 'AWS::Lambda::Function', via: 'Ref' },
  TableName: { type: 'AWS::DynamoDB::GlobalTable', via: 'Ref' },
  QueueName: { type: 'AWS::SQS::Queue', via: 'QueueName' },
  TopicName: { type: 'AWS::SNS::Topic', via: 'TopicName' },
  EventBusName: { type: 'AWS::Events::EventBus', via: 'Ref' },
  RuleName: { type: 'AWS::Events::Rule', via: 'Ref' },
  ApiId: { type: 'AWS::ApiGatewayV2::Api', via: 'Ref' },
};

const CLUSTERS = ['demo', 'prod'];
const stack = synthStack({
  bundle: false,
  // A bound cluster (podlife:senders) adds the wrong-sender and bound-ingest alarms to those checked.
  pipeline: { clusterNames: CLUSTERS, healthEmail: 'oncall@example.com', senders: [{ cluster: 'prod' }] },
});
const template = Template.fromStack(stack);
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: unknown }> };
const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(
  ([id, r]) => [id, (r as { Properties: AlarmProps }).Properties] as const,
);
const topicId = (name: string) =>
  Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith(`Pipeline${name}`))!;
const alertTopic = topicId('AlertTopic');
const healthTopic = topicId('HealthTopic');
const typeOf = (id: string) => json.Resources[id]?.Type;

/** docs/runbooks.md's headings as GitHub anchors. */
function anchorsOf(markdown: string): Set<string> {
  return new Set(
    markdown
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) =>
        l
          .replace(/^#+ /, '')
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/\s/g, '-'),
      ),
  );
}
const runbookAnchors = anchorsOf(readFileSync('docs/runbooks.md', 'utf8'));

function metricsOf(a: AlarmProps): MetricStat[] {
  if (a.MetricName) return [{ Namespace: a.Namespace!, MetricName: a.MetricName, Dimensions: a.Dimensions }];
  return (a.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
}

/** The logical id a CloudFormation dimension value refers to (`Ref` or `Fn::GetAtt` of `via`). */
function cfnIdOf(value: unknown, via: string): string | undefined {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (via === 'Ref') return v.Ref;
  return v['Fn::GetAtt']?.[1] === via ? v['Fn::GetAtt'][0] : undefined;
}

/** Why this metric would have no data, or undefined when it is a real one. */
function problemOf(
  m: MetricStat,
  idOf: (value: unknown, via: string) => string | undefined = cfnIdOf,
): string | undefined {
  const dims = m.Dimensions ?? [];
  const names = dims.map((d) => d.Name).sort();
  if (m.Namespace === METRIC_NAMESPACE) {
    const all: readonly string[] = [...SWEEP_METRICS.perClusterAndTotal, ...SWEEP_METRICS.totalOnly];
    if (!all.includes(m.MetricName)) return `${m.MetricName} is not a metric the sweep emits`;
    const sets = (SWEEP_METRICS.perClusterAndTotal as readonly string[]).includes(m.MetricName)
      ? SWEEP_METRICS.dimensionSets
      : [['service']];
    if (!sets.some((s) => [...s].sort().join() === names.join())) return `dimensions ${names} not emitted`;
    const value = (n: string) => dims.find((d) => d.Name === n)?.Value;
    if (value('service') !== SWEEP_METRICS.service) return `service=${value('service')}`;
    if (names.includes('cluster') && !CLUSTERS.includes(String(value('cluster')))) return 'unknown cluster';
    return undefined;
  }
  const known = AWS_METRICS[m.Namespace]?.[m.MetricName];
  if (!known) return `${m.Namespace} ${m.MetricName} is not in the table of known AWS metrics`;
  if (!known.some((s) => s.join() === names.join()))
    return `${m.Namespace} ${m.MetricName} has no data under dimensions {${names}}`;
  for (const d of dims) {
    if (d.Name === 'GlobalSecondaryIndexName') {
      if (!TABLE_SPEC.indexes.some((ix) => ix.name === d.Value)) return `no index ${d.Value}`;
      continue;
    }
    const target = DIMENSION_TARGET[d.Name];
    if (!target) return `no rule for dimension ${d.Name}`;
    const id = idOf(d.Value, target.via);
    if (!id || typeOf(id) !== target.type)
      return `${d.Name}=${JSON.stringify(d.Value)} is not a ${target.type}`;
  }
  return undefined;
}

describe('every alarm', () => {
  it('the stack has the health alarms the issue asks for (sanity: the checks below run over all of them)', () => {
    const ids = alarms.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(ids.sort()).toEqual(
      [
        'AlertsStuckPendingAlarmdemo',
        'AlertsStuckPendingAlarmprod',
        'AlertsSweepErrorsAlarm',
        'AlertsSweepNotInvokedAlarm',
        'AlertsStaleClustersAlarm',
        'PipelineAlertTopicDeliveryFailuresAlarm',
        'PipelineExporterIngestRuleFailedInvocationsAlarm',
        'PipelineFailureQueueAlarm',
        'PipelineFailureQueueOldestMessageAlarm',
        'PipelineFilteredClustersAlarm',
        'PipelineHealthTopicDeliveryFailuresAlarm',
        'PipelineIngestDeadLetterQueueAlarm',
        'PipelineIngestDeadLetterQueueOldestMessageAlarm',
        'PipelineIngestErrorsAlarm',
        'PipelineIngestEventAgeAlarm',
        'PipelineIngestRuleFailedInvocationsAlarm',
        'PipelineIngestThrottlesAlarm',
        'PipelineInvalidEventsAlarm',
        'PipelineInvalidEventsOldestMessageAlarm',
        'PipelineTableThrottlesAlarm',
        'PipelineWrongSenderAlarm',
        'PipelineBoundIngestRuleFailedInvocationsAlarm',
        ...TABLE_SPEC.indexes.map(
          (ix) => `Pipeline${ix.name[0]!.toUpperCase()}${ix.name.slice(1)}IndexThrottlesAlarm`,
        ),
      ].sort(),
    );
  });

  it('watches a metric that has data: one the code emits, or a real AWS metric with its dimensions', () => {
    const problems = alarms.flatMap(([id, a]) => {
      const ms = metricsOf(a);
      if (ms.length === 0) return [`${id}: no metric`];
      return ms.flatMap((m) => {
        const p = problemOf(m);
        return p ? [`${id}: ${p}`] : [];
      });
    });
    expect(problems).toEqual([]);
  });

  it('the check itself rejects metrics that never have data', () => {
    const table = { Ref: Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0] };
    const bad: MetricStat[] = [
      // The old dashboard's throttle metric: ThrottledRequests exists only per {TableName, Operation}.
      {
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ThrottledRequests',
        Dimensions: [{ Name: 'TableName', Value: table }],
      },
      {
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ReadThrottleEvents',
        Dimensions: [{ Name: 'TableName', Value: 'podlife' }],
      },
      {
        Namespace: 'AWS/DynamoDB',
        MetricName: 'WriteThrottleEvents',
        Dimensions: [
          { Name: 'TableName', Value: table },
          { Name: 'GlobalSecondaryIndexName', Value: 'nosuchindex' },
        ],
      },
      {
        Namespace: 'AWS/SQS',
        MetricName: 'NumberOfMessagesSent',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [alertTopic, 'TopicName'] } }],
      },
      {
        Namespace: 'podlife',
        MetricName: 'StuckPendingPods',
        Dimensions: [{ Name: 'service', Value: 'podlife-ingest' }],
      },
      {
        Namespace: 'podlife',
        MetricName: 'AlertsOpened',
        Dimensions: [
          { Name: 'service', Value: 'podlife-sweep' },
          { Name: 'cluster', Value: 'demo' },
        ],
      },
      {
        Namespace: 'podlife',
        MetricName: 'StuckPods',
        Dimensions: [{ Name: 'service', Value: 'podlife-sweep' }],
      },
      { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [] },
    ];
    for (const m of bad) expect(problemOf(m), JSON.stringify(m)).toBeDefined();
  });

  it("the dashboard's AWS metrics have data too (the old {TableName}-only throttle widget did not)", () => {
    const [d] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as {
      Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } };
    }[];
    const text = d!.Properties.DashboardBody['Fn::Join'][1]
      .map((part) => {
        if (typeof part === 'string') return part;
        const p = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
        return p.Ref ? `<Ref ${p.Ref}>` : `<${p['Fn::GetAtt']![1]} ${p['Fn::GetAtt']![0]}>`;
      })
      .join('');
    const widgets = (JSON.parse(text) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
    const stats: MetricStat[] = widgets
      .flatMap((w) => w.properties.metrics ?? [])
      .filter((m) => typeof m[0] === 'string' && String(m[0]).startsWith('AWS/'))
      .map((m) => {
        const [ns, name, ...dims] = m.slice(0, -1) as string[];
        const Dimensions: Dim[] = [];
        for (let i = 0; i < dims.length; i += 2) Dimensions.push({ Name: dims[i]!, Value: dims[i + 1] });
        return { Namespace: ns!, MetricName: name!, Dimensions };
      });
    expect(stats.length).toBeGreaterThan(10);
    const dashboardIdOf = (value: unknown, via: string) =>
      String(value).match(new RegExp(`^<${via} (\\w+)>$`))?.[1];
    expect(
      stats.flatMap((m) =>
        problemOf(m, dashboardIdOf) ? [`${m.Namespace} ${m.MetricName}: ${problemOf(m, dashboardIdOf)}`] : [],
      ),
    ).toEqual([]);
  });

  it('math expressions return one series and use only their own metrics', () => {
    for (const [id, a] of alarms.filter(([, a]) => a.Metrics)) {
      const ms = a.Metrics!;
      expect(
        ms.filter((m) => m.ReturnData !== false),
        id,
      ).toHaveLength(1);
      const ids = new Set(ms.filter((m) => m.MetricStat).map((m) => m.Id));
      for (const e of ms.filter((m) => m.Expression)) {
        for (const ref of e.Expression!.match(/\b[a-z]\w*\b/g)!.filter((w) => w !== 'e' && !/^[A-Z]/.test(w)))
          expect(ids.has(ref), `${id}: ${ref}`).toBe(true);
        expect(
          ms.filter((m) => m.MetricStat).every((m) => m.ReturnData === false),
          id,
        ).toBe(true);
      }
    }
  });

  it('the custom metrics alarmed on are written by the sweep under those names', () => {
    // By constant (the sweep run itself is checked in metric-names.test.ts: names and dimension sets).
    const source = readFileSync('functions/sweep/sweep.ts', 'utf8');
    for (const name of [...SWEEP_METRICS.perClusterAndTotal, ...SWEEP_METRICS.totalOnly]) {
      const key = Object.entries(SWEEP_METRIC).find(([, v]) => v === name)?.[0];
      expect(source, name).toContain(`SWEEP_METRIC.${key}`);
    }
    // Per-cluster metrics: the sweep adds the cluster dimension (EMF dimension set [service, cluster]).
    expect(source).toContain('single.addDimensions({ cluster: c.cluster })');
  });

  it('links its runbook: a heading of docs/runbooks.md', () => {
    for (const [id, a] of alarms) {
      const m = a.AlarmDescription.match(/Runbook: docs\/runbooks\.md#([\w-]+)$/);
      expect(m, id).not.toBeNull();
      expect(runbookAnchors.has(m![1]!), `${id} → #${m![1]}`).toBe(true);
    }
    // …and every anchor the code knows (including the pod alert kinds) is a heading.
    for (const anchor of Object.values(RUNBOOK)) expect(runbookAnchors.has(anchor), anchor).toBe(true);
  });

  it('treats missing data explicitly, breaching only where the metric must arrive every minute', () => {
    for (const [id, a] of alarms) {
      const breaching = /StuckPending|SweepNotInvoked|StaleClusters/.test(id);
      expect(a.TreatMissingData, id).toBe(breaching ? 'breaching' : 'notBreaching');
    }
  });

  it('notifies the right topic, alarm and OK: stuck-Pending to pod alerts, all else to pipeline health', () => {
    for (const [id, a] of alarms) {
      const topic = /StuckPending/.test(id) ? alertTopic : healthTopic;
      expect(a.AlarmActions, id).toEqual([{ Ref: topic }]);
      expect(a.OKActions, id).toEqual([{ Ref: topic }]);
    }
  });
});

const alarm = (prefix: string) => {
  const found = alarms.find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no alarm ${prefix}`);
  return found[1];
};

describe('what the health alarms watch', () => {
  it('IngestThrottlesAlarm counts Lambda Throttles of the ingest (not Errors); errors have their own alarm', () => {
    const fn = (alarm('PipelineIngestThrottlesAlarm').Dimensions![0]!.Value as { Ref: string }).Ref;
    expect(String((json.Resources[fn]!.Properties as { Description: string }).Description)).toMatch(
      /^podlife ingest/,
    );
    expect(alarm('PipelineIngestThrottlesAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
    });
    expect(alarm('PipelineIngestErrorsAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
    });
    // Batched ingest (issue 12): lag is the age of the oldest message in the ingest queue.
    const ingestQueue = Object.keys(json.Resources).find((id) => id.startsWith('PipelineIngestQueue'))!;
    expect(alarm('PipelineIngestEventAgeAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Statistic: 'Maximum',
      Threshold: 15 * 60,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ingestQueue, 'QueueName'] } }],
    });
  });

  it('DynamoDB throttle events: the table and each index of TABLE_SPEC, reads and writes', () => {
    const covered = alarms.flatMap(([, a]) =>
      metricsOf(a)
        .filter((m) => m.Namespace === 'AWS/DynamoDB')
        .map(
          (m) =>
            `${m.MetricName} ${m.Dimensions!.find((d) => d.Name === 'GlobalSecondaryIndexName')?.Value ?? '(table)'}`,
        ),
    );
    const expected = ['(table)', ...TABLE_SPEC.indexes.map((ix) => ix.name)].flatMap((x) => [
      `ReadThrottleEvents ${x}`,
      `WriteThrottleEvents ${x}`,
    ]);
    expect(covered.sort()).toEqual(expected.sort());
  });

  it('parking queues: new messages per 5 minutes (back to OK when quiet) and oldest message > 7 days, never the depth', () => {
    for (const name of ['FailureQueue', 'InvalidEvents', 'IngestDeadLetterQueue']) {
      expect(alarm(`Pipeline${name}Alarm`)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'NumberOfMessagesSent',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
      });
      expect(alarm(`Pipeline${name}OldestMessageAlarm`)).toMatchObject({
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: 7 * 86400,
      });
    }
    expect(alarms.filter(([, a]) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toEqual([]);
  });

  it('the sweep not invoked: Invocations < 1 in two 5-minute periods, missing data breaching', () => {
    expect(alarm('AlertsSweepNotInvokedAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
    });
  });

  it('stuck Pending per cluster, 5 of 10 one-minute sweeps; without clusterNames one alarm over the total', () => {
    for (const c of CLUSTERS) {
      expect(alarm(`AlertsStuckPendingAlarm${c}`)).toMatchObject({
        MetricName: 'StuckPendingPods',
        Dimensions: expect.arrayContaining([{ Name: 'cluster', Value: c }]),
        Period: 60,
        EvaluationPeriods: 10,
        DatapointsToAlarm: 5,
        TreatMissingData: 'breaching',
      });
    }
    const any = Template.fromStack(synthStack({ bundle: false, pipeline: { clusterNames: [] } }));
    const stuck = Object.values(any.findResources('AWS::CloudWatch::Alarm')).filter(
      (r) => (r as { Properties: AlarmProps }).Properties.MetricName === 'StuckPendingPods',
    ) as { Properties: AlarmProps }[];
    expect(stuck.map((s) => s.Properties.Dimensions)).toEqual([
      [{ Name: 'service', Value: 'podlife-sweep' }],
    ]);
  });

  it('SNS delivery failures of both topics', () => {
    for (const [prefix, topic] of [
      ['PipelineAlertTopicDeliveryFailuresAlarm', alertTopic],
      ['PipelineHealthTopicDeliveryFailuresAlarm', healthTopic],
    ]) {
      expect(alarm(prefix!)).toMatchObject({
        Namespace: 'AWS/SNS',
        MetricName: 'NumberOfNotificationsFailed',
        Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [topic, 'TopicName'] } }],
      });
    }
  });
});

describe('two topics', () => {
  it('pod alerts and pipeline health: both KMS-encrypted, the health e-mail on the health topic, both ARNs output', () => {
    for (const id of [alertTopic, healthTopic]) {
      expect(json.Resources[id]!.Properties).toMatchObject({ KmsMasterKeyId: expect.anything() });
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: healthTopic },
    });
    template.hasOutput('AlertTopicArn', { Value: { Ref: alertTopic } });
    template.hasOutput('HealthTopicArn', { Value: { Ref: healthTopic } });
    // The sweep publishes pod alerts to the pod-alert topic only.
    const sweep = Object.values(json.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        String((r.Properties as { Description: string }).Description).startsWith('podlife alert sweep'),
    )!;
    expect(JSON.stringify(sweep.Properties)).toContain(`"ALERT_TOPIC_ARN":{"Ref":"${alertTopic}"}`);
  });

  it('an e-mail per topic and the runbook base URL come from CDK context', () => {
    const props = pipelinePropsFromContext(
      (k) =>
        ({
          'podlife:alertEmail': 'teams@example.com',
          'podlife:healthEmail': 'platform@example.com',
          'podlife:runbookBaseUrl': 'https://wiki.example.com/podlife/runbooks',
        })[k],
    );
    expect(props).toMatchObject({
      alertEmail: 'teams@example.com',
      healthEmail: 'platform@example.com',
      runbookBaseUrl: 'https://wiki.example.com/podlife/runbooks',
    });
    const t = Template.fromStack(synthStack({ bundle: false, pipeline: props }));
    const descriptions = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(
      (r) => (r as { Properties: AlarmProps }).Properties.AlarmDescription,
    );
    expect(descriptions.length).toBeGreaterThan(10);
    for (const d of descriptions)
      expect(d).toMatch(/Runbook: https:\/\/wiki\.example\.com\/podlife\/runbooks#[\w-]+$/);
  });
});
