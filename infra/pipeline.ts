/**
 * PodLifecyclePipeline: podlife's serverless pipeline as one reusable construct. Pod snapshots
 * and pod Events arrive on a custom EventBridge bus (archived, so they can be replayed); a rule
 * sends them to the ingest Lambda, which merges them into one DynamoDB table. Nothing is ever
 * dropped silently: invalid events are parked in an encrypted queue with their reason, events
 * that keep failing land in an encrypted on-failure queue, and alarms on both queues notify
 * the alert topic. Later features (query API, pending sweep, dashboard) add functions to it
 * with `PodlifeFunction` and the exposed `bus`, `table` and `alertTopic`.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DETAIL_TYPE_EXPORTER, EXPORTER_SOURCE } from '../core/exporter-event.ts';
import { DETAIL_TYPE_FACTS } from '../core/pod-facts.ts';
import { DETAIL_TYPE_EVENT, DETAIL_TYPE_SNAPSHOT, EVENT_SOURCE } from '../core/snapshot.ts';
import { DETAIL_TYPE_INVALID, INVALID_EVENT_SOURCE } from '../model/invalid-event.ts';
import { TABLE_SPEC } from '../model/table-spec.ts';
import { PodlifeFunction } from './podlife-function.ts';
import { describeAlarm, RUNBOOK, type RunbookAnchor } from './runbooks.ts';
import { podTable } from './table.ts';

export interface PodLifecyclePipelineProps {
  /**
   * Clusters whose events the ingest accepts (the rule matches `detail.cluster`). Empty or
   * absent: every cluster. Events of other clusters (or without one) stay in the archive and
   * can be replayed; they are counted (the filtered-clusters rule's `TriggeredRules`), alarmed,
   * and a short record of each (cluster, source, detail-type, id, time) is queued.
   */
  clusterNames?: string[];
  /** Days a pod's history is kept after its last change (DynamoDB TTL); also the archive's retention. Default 30. */
  retentionDays?: number;
  /** Seconds after which a Pending pod counts as stuck (the sweep and dashboard read it). Default 300. */
  stuckPendingSeconds?: number;
  /** An e-mail address subscribed to the pod-alert topic (the teams' stuck-Pending and crash-loop alerts). */
  alertEmail?: string;
  /** Use this topic for pod alerts instead of creating one (it must accept CloudWatch alarm actions). */
  alertTopic?: sns.ITopic;
  /** An e-mail address subscribed to the pipeline-health topic (the platform on-call). */
  healthEmail?: string;
  /** Use this topic for the pipeline's health alarms instead of creating one (it must accept CloudWatch alarm actions). */
  healthTopic?: sns.ITopic;
  /** Where alarm descriptions link their runbook: default `docs/runbooks.md` (infra/runbooks.ts). */
  runbookBaseUrl?: string;
  /** Default true: the table cannot be deleted by accident (a stack delete fails until it is turned off). */
  deletionProtection?: boolean;
  /** What happens to the table and queues when the stack is deleted. Default RETAIN. */
  removalPolicy?: RemovalPolicy;
  /** Name of the custom bus. Default `podlife`. */
  eventBusName?: string;
  /** Concurrent ingest invocations at most: protects the table and the account's concurrency. Default 10. */
  ingestReservedConcurrency?: number;
  logRetention?: logs.RetentionDays;
}

/** Lambda retries a failed async invocation twice (1 and 2 minutes later) before the on-failure queue. */
export const INGEST_RETRY_ATTEMPTS = 2;
/** How long an event may wait in Lambda's async queue (throttled by the reserved concurrency): the maximum, 6 h. */
export const INGEST_MAX_EVENT_AGE = Duration.hours(6);
/** Parked and failed events are kept 14 days (SQS's maximum) for an operator to replay. */
const PARKING_RETENTION = Duration.days(14);
/** The parking queues' backlog alarm: a message older than this (half the retention) is about to be lost. */
const OLDEST_MESSAGE_ALARM = Duration.days(7);
/** Ingest lag worth waking someone for: events older than this waiting in Lambda's async queue. */
export const INGEST_LAG_ALARM = Duration.minutes(15);

/** What the ingest takes: each sender's source and its detail-types (one rule each). */
export const INGESTED: readonly { source: string; detailTypes: readonly string[] }[] = [
  { source: EVENT_SOURCE, detailTypes: [DETAIL_TYPE_FACTS, DETAIL_TYPE_SNAPSHOT, DETAIL_TYPE_EVENT] },
  { source: EXPORTER_SOURCE, detailTypes: [DETAIL_TYPE_EXPORTER] },
];

/**
 * The complement of the ingest rules' cluster filter: an ingested source and detail-type whose
 * `detail.cluster` is not in the list, or absent. With the ingest rules it partitions every
 * event the ingest could take (test/infra/pipeline.test.ts checks it with the local matcher).
 */
export function filteredClustersPattern(clusterNames: readonly string[]): Record<string, unknown> {
  return {
    $or: INGESTED.map((i) => ({ source: [i.source], 'detail-type': [...i.detailTypes] })),
    detail: {
      $or: [{ cluster: [{ 'anything-but': [...clusterNames] }] }, { cluster: [{ exists: false }] }],
    },
  };
}

export class PodLifecyclePipeline extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly table: dynamodb.TableV2;
  readonly ingest: PodlifeFunction;
  readonly ingestRule: events.Rule;
  /** Events whose ingest kept failing after Lambda's retries (and events EventBridge could not deliver). */
  readonly failureQueue: sqs.Queue;
  /** Events that can never be ingested (schema, version, size), with the reason. */
  readonly invalidEventsQueue: sqs.Queue;
  /** Pod alerts (stuck Pending, crash loops): for the teams. */
  readonly alertTopic: sns.ITopic;
  /** Every pipeline-health alarm: for the platform on-call. */
  readonly healthTopic: sns.ITopic;
  /** The exporter's ingest rule (kubernetes-event-exporter events). */
  readonly exporterIngestRule: events.Rule;
  /** The pipeline's health alarms (all notify `healthTopic`, alarm and OK). */
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly runbookBaseUrl: string | undefined;
  private topicKey?: kms.Key;
  readonly retentionDays: number;
  readonly stuckPendingSeconds: number;
  readonly clusterNames: readonly string[];
  /** With clusterNames: the rule matching what the cluster filter drops (its metric is the count). */
  readonly filteredClustersRule?: events.Rule;
  /** With clusterNames: one short record per dropped event (which cluster sent what, when). */
  readonly filteredClustersQueue?: sqs.Queue;
  /** With clusterNames: fires when the filter dropped any event in 5 minutes. */
  filteredClustersAlarm?: cloudwatch.Alarm;

  get ingestFunction() {
    return this.ingest.fn;
  }

  constructor(scope: Construct, id: string, props: PodLifecyclePipelineProps = {}) {
    super(scope, id);
    this.retentionDays = props.retentionDays ?? 30;
    this.stuckPendingSeconds = props.stuckPendingSeconds ?? 300;
    this.clusterNames = props.clusterNames ?? [];
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) {
      throw new Error(`retentionDays must be a whole number of days ≥ 1, got ${this.retentionDays}`);
    }

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? 'podlife' });
    this.archive = this.bus.archive('Archive', {
      description: 'Every podlife forwarder (and kubernetes-event-exporter) event, replayable into the bus',
      eventPattern: { source: [EVENT_SOURCE, EXPORTER_SOURCE] },
      retention: Duration.days(this.retentionDays),
    });

    this.table = podTable(this, 'Table', {
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });

    const queue = (qid: string) =>
      new sqs.Queue(this, qid, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: PARKING_RETENTION,
        removalPolicy,
      });
    this.failureQueue = queue('FailureQueue');
    this.invalidEventsQueue = queue('InvalidEventsQueue');
    for (const q of [this.failureQueue, this.invalidEventsQueue]) {
      Validations.of(q).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the end of the line: an operator reads it and replays its events on the bus (docs/ingest.md); nothing consumes it automatically, so a dead-letter queue behind it would never receive anything. An alarm fires on its first message.',
      });
    }

    this.ingest = new PodlifeFunction(this, 'Ingest', {
      entry: 'functions/ingest/handler.ts',
      description: 'podlife ingest: pod snapshots and events from the bus → lifecycle facts in DynamoDB',
      serviceName: 'podlife-ingest',
      reservedConcurrentExecutions: props.ingestReservedConcurrency ?? 10,
      logRetention: props.logRetention,
      environment: {
        TABLE_NAME: this.table.tableName,
        EVENT_BUS_NAME: this.bus.eventBusName,
        RETENTION_DAYS: String(this.retentionDays),
      },
    });
    const fn = this.ingest.fn;
    fn.configureAsyncInvoke({
      retryAttempts: INGEST_RETRY_ATTEMPTS,
      maxEventAge: INGEST_MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.failureQueue),
    });
    this.grantIngest();

    const clusters = this.clusterNames.length ? { detail: { cluster: [...this.clusterNames] } } : {};
    // If EventBridge cannot invoke the function at all, the event is kept, not dropped.
    const ingestTarget = () =>
      new targets.LambdaFunction(fn, {
        deadLetterQueue: this.failureQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      });
    const [podlife, exporter] = INGESTED;
    this.ingestRule = new events.Rule(this, 'IngestRule', {
      eventBus: this.bus,
      description: 'podlife pod facts, snapshots and events → ingest',
      eventPattern: { source: [podlife.source], detailType: [...podlife.detailTypes], ...clusters },
      targets: [ingestTarget()],
    });
    this.exporterIngestRule = new events.Rule(this, 'ExporterIngestRule', {
      eventBus: this.bus,
      description: 'core/v1 Events from kubernetes-event-exporter (docs/forwarder.md layout) → ingest',
      eventPattern: { source: [exporter.source], detailType: [...exporter.detailTypes], ...clusters },
      targets: [ingestTarget()],
    });
    if (this.clusterNames.length) {
      // What the filter drops must not vanish: a rule matching exactly that (its AWS/Events
      // TriggeredRules metric counts it; alarmed below), with a target, so the rule runs and a
      // short record of each event (no detail: no pod data) says which cluster sent it.
      this.filteredClustersQueue = queue('FilteredClustersQueue');
      Validations.of(this.filteredClustersQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'A record of events the cluster filter dropped, for an operator to read (docs/ingest.md); the events themselves stay in the archive. Nothing consumes it, so a dead-letter queue behind it would never receive anything.',
      });
      this.filteredClustersRule = new events.Rule(this, 'FilteredClustersRule', {
        eventBus: this.bus,
        description:
          'podlife events of clusters not in clusterNames, or without one (not ingested): counted and alarmed',
        eventPattern: { source: [podlife.source] }, // replaced below: CDK's type has no top-level $or
        targets: [
          new targets.SqsQueue(this.filteredClustersQueue, {
            message: events.RuleTargetInput.fromObject({
              cluster: events.EventField.fromPath('$.detail.cluster'),
              source: events.EventField.source,
              detailType: events.EventField.detailType,
              id: events.EventField.eventId,
              time: events.EventField.time,
            }),
            deadLetterQueue: this.failureQueue,
          }),
        ],
      });
      (this.filteredClustersRule.node.defaultChild as events.CfnRule).eventPattern = filteredClustersPattern(
        this.clusterNames,
      );
    }

    new events.Rule(this, 'InvalidEventsRule', {
      eventBus: this.bus,
      description: 'Invalid podlife events reported by the ingest → the invalid-events queue',
      eventPattern: { source: [INVALID_EVENT_SOURCE], detailType: [DETAIL_TYPE_INVALID] },
      targets: [
        new targets.SqsQueue(this.invalidEventsQueue, {
          message: events.RuleTargetInput.fromEventPath('$.detail'),
          deadLetterQueue: this.failureQueue,
        }),
      ],
    });

    this.runbookBaseUrl = props.runbookBaseUrl;
    this.alertTopic = props.alertTopic ?? this.createTopic('AlertTopic', 'podlife alerts');
    if (props.alertEmail) {
      this.alertTopic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));
    }
    this.healthTopic = props.healthTopic ?? this.createTopic('HealthTopic', 'podlife pipeline health');
    if (props.healthEmail) {
      this.healthTopic.addSubscription(new subscriptions.EmailSubscription(props.healthEmail));
    }
    this.addAlarms();
  }

  /**
   * Exactly what the ingest does: GetItem and PutItem on this table (no index, no Query, no
   * Scan), PutEvents of its invalid-event reports on this bus only, and (through the on-failure
   * destination) SendMessage to the failure queue, which configureAsyncInvoke grants.
   */
  private grantIngest(): void {
    const role = this.ingest.role;
    role.attachInlinePolicy(
      new iam.Policy(this, 'IngestPolicy', {
        statements: [
          new iam.PolicyStatement({
            sid: 'PodItems',
            actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
            resources: [this.table.tableArn],
          }),
          new iam.PolicyStatement({
            sid: 'InvalidEventReports',
            actions: ['events:PutEvents'],
            resources: [this.bus.eventBusArn],
            conditions: { StringEquals: { 'events:source': INVALID_EVENT_SOURCE } },
          }),
        ],
      }),
    );
  }

  /** A KMS-encrypted, TLS-only topic; both topics share one key (created once). */
  private createTopic(id: string, displayName: string): sns.Topic {
    if (!this.topicKey) {
      this.topicKey = new kms.Key(this, 'AlertKey', {
        description: 'podlife alert and pipeline-health topics',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // CloudWatch alarms publish to the encrypted topics: they need the key.
      this.topicKey.grant(
        new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      );
    }
    return new sns.Topic(this, id, { displayName, masterKey: this.topicKey, enforceSSL: true });
  }

  /** An alarm on the health topic (alarm and OK: on-call sees it end), its runbook linked. */
  private alarm(
    id: string,
    anchor: RunbookAnchor,
    text: string,
    props: Omit<cloudwatch.AlarmProps, 'alarmDescription'>,
  ) {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      alarmDescription: describeAlarm(text, anchor, this.runbookBaseUrl),
    });
    const action = new cwActions.SnsAction(this.healthTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * An EventBridge rule's own count (FailedInvocations, TriggeredRules) ≥ 1 in 5 minutes; no data
   * point means nothing happened (not breaching, on purpose). Rule metrics of a custom bus carry
   * both dimensions; RuleName alone is the default bus's.
   */
  private ruleCountAtLeastOne(
    rule: events.IRule,
    metricName: 'FailedInvocations' | 'TriggeredRules',
  ): Omit<cloudwatch.AlarmProps, 'alarmDescription'> {
    return {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName,
        dimensionsMap: { EventBusName: this.bus.eventBusName, RuleName: rule.ruleName },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
  }

  private addAlarms(): void {
    const five = Duration.minutes(5);
    const atLeastOne = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    // No traffic, no data point: for counts of bad things that is "nothing bad happened".
    const quiet = cloudwatch.TreatMissingData.NOT_BREACHING;

    // Parking queues. NumberOfMessagesSent per 5 minutes (Lambda's on-failure destination,
    // EventBridge's DLQ and the invalid-events rule all call SendMessage, so it counts them):
    // the alarm fires on each new batch and returns to OK the next quiet period, so a second
    // failure a day later alarms again. ApproximateNumberOfMessagesVisible would stay in ALARM
    // until an operator drains the queue (up to 14 days) and hide every later failure. The
    // backlog itself is watched separately: oldest message older than 7 days (it expires at 14).
    const parking = (name: string, q: sqs.Queue, anchor: RunbookAnchor, what: string) => {
      this.alarm(
        `${name}Alarm`,
        anchor,
        `${what} in the last 5 minutes (${name}); inspect and replay them.`,
        {
          metric: q.metricNumberOfMessagesSent({ period: five, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: atLeastOne,
          treatMissingData: quiet,
        },
      );
      this.alarm(
        `${name}OldestMessageAlarm`,
        anchor,
        `a message has waited over 7 days in the ${name} (kept 14 days): replay or purge it before it expires.`,
        {
          metric: q.metricApproximateAgeOfOldestMessage({ period: Duration.hours(1), statistic: 'Maximum' }),
          threshold: OLDEST_MESSAGE_ALARM.toSeconds(),
          evaluationPeriods: 1,
          comparisonOperator: atLeastOne,
          treatMissingData: quiet,
        },
      );
    };
    parking(
      'FailureQueue',
      this.failureQueue,
      RUNBOOK.failureQueue,
      'events failed to ingest after all retries',
    );
    parking('InvalidEvents', this.invalidEventsQueue, RUNBOOK.invalidEvents, 'invalid events were parked');

    const fn = this.ingest.fn;
    // Throttles are the reserved concurrency pushing back: Lambda keeps throttled async events
    // and retries them for up to 6 hours, so a few are normal; sustained throttling is lag.
    this.alarm(
      'IngestThrottlesAlarm',
      RUNBOOK.ingestThrottles,
      'the ingest function is throttled (Lambda Throttles ≥ 10 per 5 minutes, 15 minutes running): events wait in its async queue.',
      {
        metric: fn.metricThrottles({ period: five, statistic: 'Sum' }),
        threshold: 10,
        evaluationPeriods: 3,
        comparisonOperator: atLeastOne,
        treatMissingData: quiet,
      },
    );
    this.alarm(
      'IngestErrorsAlarm',
      RUNBOOK.ingestErrors,
      'the ingest function keeps failing (Lambda Errors ≥ 10 per 5 minutes, 15 minutes running): events are retried, then go to the failure queue.',
      {
        metric: fn.metricErrors({ period: five, statistic: 'Sum' }),
        threshold: 10,
        evaluationPeriods: 3,
        comparisonOperator: atLeastOne,
        treatMissingData: quiet,
      },
    );
    // Lag: how long the oldest event waited in Lambda's async queue before it ran (AWS/Lambda
    // AsyncEventAge, ms). Well before the 6-hour limit that sends events to the failure queue.
    this.alarm(
      'IngestEventAgeAlarm',
      RUNBOOK.ingestEventAge,
      `ingest lag: events waited over ${INGEST_LAG_ALARM.toMinutes()} minutes in the ingest's async queue (AsyncEventAge), 2 of 3 five-minute periods.`,
      {
        metric: fn.metric('AsyncEventAge', { period: five, statistic: 'Maximum' }),
        threshold: INGEST_LAG_ALARM.toMilliseconds(),
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: atLeastOne,
        treatMissingData: quiet,
      },
    );
    // EventBridge could not invoke the ingest (after its own retries the event goes to the failure queue).
    for (const [id, rule] of [
      ['IngestRuleFailedInvocationsAlarm', this.ingestRule],
      ['ExporterIngestRuleFailedInvocationsAlarm', this.exporterIngestRule],
    ] as const) {
      this.alarm(
        id,
        RUNBOOK.ingestRuleFailedInvocations,
        'EventBridge failed to invoke the ingest function (FailedInvocations).',
        this.ruleCountAtLeastOne(rule, 'FailedInvocations'),
      );
    }

    // DynamoDB throttling, of the table and of each index (an index that throttles its
    // replication throttles the table's writes). Read + write throttle events per 5 minutes.
    const throttleEvents = (what: string, dims: Record<string, string>) => {
      const m = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: dims,
          period: five,
          statistic: 'Sum',
        });
      return new cloudwatch.MathExpression({
        expression: 'FILL(r, 0) + FILL(w, 0)',
        usingMetrics: { r: m('ReadThrottleEvents'), w: m('WriteThrottleEvents') },
        label: `${what} throttle events`,
        period: five,
      });
    };
    const throttleAlarm = (id: string, what: string, dims: Record<string, string>) =>
      this.alarm(
        id,
        RUNBOOK.tableThrottles,
        `DynamoDB throttles ${what} (Read/WriteThrottleEvents ≥ 1 per 5 minutes, 2 of 3).`,
        {
          metric: throttleEvents(what, dims),
          threshold: 1,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          comparisonOperator: atLeastOne,
          treatMissingData: quiet,
        },
      );
    throttleAlarm('TableThrottlesAlarm', 'the table', { TableName: this.table.tableName });
    for (const ix of TABLE_SPEC.indexes) {
      const pascal = ix.name.charAt(0).toUpperCase() + ix.name.slice(1);
      throttleAlarm(`${pascal}IndexThrottlesAlarm`, `the ${ix.name} index`, {
        TableName: this.table.tableName,
        GlobalSecondaryIndexName: ix.name,
      });
    }

    // SNS could not deliver (an e-mail bounced, a subscriber endpoint failed, the key denied).
    const topics = [
      ['AlertTopicDeliveryFailuresAlarm', this.alertTopic, 'pod-alert'],
      ['HealthTopicDeliveryFailuresAlarm', this.healthTopic, 'pipeline-health'],
    ] as const;
    for (const [id, topic, what] of topics) {
      this.alarm(
        id,
        RUNBOOK.snsDeliveryFailures,
        `SNS failed to deliver ${what} notifications (NumberOfNotificationsFailed).`,
        {
          metric: topic.metricNumberOfNotificationsFailed({ period: five, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: atLeastOne,
          treatMissingData: quiet,
        },
      );
    }

    if (this.filteredClustersRule) {
      // No event matched, no data point: missing data is "not breaching" on purpose.
      this.filteredClustersAlarm = this.alarm(
        'FilteredClustersAlarm',
        RUNBOOK.filteredClusters,
        'events of clusters not in clusterNames reached the bus and were not ingested; the FilteredClustersQueue says which.',
        this.ruleCountAtLeastOne(this.filteredClustersRule, 'TriggeredRules'),
      );
    }
  }
}
