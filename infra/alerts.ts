/**
 * PodlifeAlerts: the stuck-Pending and crash-loop sweep. An EventBridge schedule invokes the
 * sweep Lambda every minute (one at a time: reserved concurrency 1, no retry, since the next
 * minute's sweep is the retry); it announces alert episodes on an SNS topic (KMS-encrypted,
 * TLS only; an e-mail subscription optional) and as `podlife.alerts` events on podlife's bus.
 * A CloudWatch alarm fires while any pod is stuck Pending, another when the sweep fails.
 *
 * The sweep may: Query the table (the cluster registry and alert partitions) and the `pending`
 * and `crashLooping` indexes, GetItem a pod, Put and Delete only items whose partition key
 * starts with `ALERT#`, publish to the topic, and put events with source `podlife.alerts` on
 * the bus. Nothing else.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ALERT_SOURCE, DEFAULT_ALERT_CONFIG } from '../functions/commons/alerts.ts';
import { PodlifeFunction } from './podlife-function.ts';

/** Where the sweep's EMF metrics are: namespace `podlife`, dimension `service` (+ `cluster`). */
export const SWEEP_SERVICE = 'podlife-sweep';

/** A sweep metric: the total over all clusters, or one cluster's. */
export function sweepMetric(
  name: 'StuckPendingPods' | 'CrashLoopingPods' | 'AlertsOpened' | 'AlertsResolved' | 'AlertFailures',
  opts: { cluster?: string; statistic?: string; period?: Duration; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'podlife',
    metricName: name,
    dimensionsMap: { service: SWEEP_SERVICE, ...(opts.cluster ? { cluster: opts.cluster } : {}) },
    statistic: opts.statistic ?? 'Maximum',
    period: opts.period ?? Duration.minutes(1),
    label: opts.label,
  });
}

export interface PodlifeAlertsProps {
  table: dynamodb.ITableV2;
  /** podlife's bus: alert events are put on it. */
  bus: events.IEventBus;
  /** Publish to this topic (e.g. the pipeline's `alertTopic`) instead of creating one. */
  topic?: sns.ITopic;
  /** An e-mail address subscribed to the topic. */
  alertEmail?: string;
  /** Pending longer than this is stuck. Default 300. */
  stuckPendingSeconds?: number;
  /** Per-namespace thresholds, `{namespace: seconds}`, e.g. `{batch: 1800}`. */
  stuckPendingOverrides?: Record<string, number>;
  /** Restarts are counted in this window. Default 3600. */
  crashLoopWindowSeconds?: number;
  /** Restarts in the window that make a crash loop alert. Default 3. */
  crashLoopMinRestarts?: number;
  /** A crash loop is over after this long without a restart. Default 600. */
  crashLoopQuietSeconds?: number;
  /** Alert items expire after this many days at most. Default 30. */
  retentionDays?: number;
  /** Also notify this topic of the alarms (default: the alert topic). */
  alarmTopic?: sns.ITopic;
  logRetention?: logs.RetentionDays;
}

export class PodlifeAlerts extends Construct {
  readonly sweep: PodlifeFunction;
  readonly schedule: events.Rule;
  readonly topic: sns.ITopic;
  /** Any pod stuck Pending (over all clusters) in the last 5 minutes. */
  readonly stuckPendingAlarm: cloudwatch.Alarm;
  /** The sweep failed (alerts not delivered) three minutes running. */
  readonly sweepErrorsAlarm: cloudwatch.Alarm;

  get sweepFunction() {
    return this.sweep.fn;
  }

  constructor(scope: Construct, id: string, props: PodlifeAlertsProps) {
    super(scope, id);
    const d = DEFAULT_ALERT_CONFIG;
    this.topic = props.topic ?? this.createTopic();
    if (props.alertEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));

    this.sweep = new PodlifeFunction(this, 'Sweep', {
      entry: 'functions/sweep/handler.ts',
      description:
        'podlife alert sweep: stuck Pending and crash-looping pods → SNS + EventBridge, every minute',
      serviceName: SWEEP_SERVICE,
      timeout: Duration.seconds(50),
      // One sweep at a time: two at once would announce new episodes twice.
      reservedConcurrentExecutions: 1,
      logRetention: props.logRetention,
      environment: {
        TABLE_NAME: props.table.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        ALERT_TOPIC_ARN: this.topic.topicArn,
        STUCK_PENDING_SECONDS: String(props.stuckPendingSeconds ?? d.pending.defaultSeconds),
        STUCK_PENDING_OVERRIDES: JSON.stringify(props.stuckPendingOverrides ?? {}),
        CRASHLOOP_WINDOW_SECONDS: String(props.crashLoopWindowSeconds ?? d.crashLoopWindowSeconds),
        CRASHLOOP_MIN_RESTARTS: String(props.crashLoopMinRestarts ?? d.crashLoopMinRestarts),
        CRASHLOOP_QUIET_SECONDS: String(props.crashLoopQuietSeconds ?? d.crashLoopQuietSeconds),
        RETENTION_DAYS: String(props.retentionDays ?? d.retentionDays),
      },
    });
    // The next minute's sweep is the retry; an old sweep is worth nothing.
    this.sweep.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.grantSweep(props);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'podlife: run the stuck-Pending and crash-loop sweep every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(this.sweep.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
      ],
    });

    const action = new cwActions.SnsAction(props.alarmTopic ?? this.topic);
    this.stuckPendingAlarm = new cloudwatch.Alarm(this, 'StuckPendingAlarm', {
      alarmDescription:
        'podlife: pods are stuck Pending (StuckPendingPods > 0 over all clusters). Run `podlife pending` to see them.',
      metric: sweepMetric('StuckPendingPods', { period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.stuckPendingAlarm.addAlarmAction(action);
    this.stuckPendingAlarm.addOkAction(action);
    this.sweepErrorsAlarm = new cloudwatch.Alarm(this, 'SweepErrorsAlarm', {
      alarmDescription: 'podlife: the alert sweep keeps failing: alerts may not be delivered (see its logs)',
      metric: this.sweep.fn.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.sweepErrorsAlarm.addAlarmAction(action);
  }

  private createTopic(): sns.Topic {
    const key = new kms.Key(this, 'TopicKey', {
      description: 'podlife alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms publish to the encrypted topic: they need the key.
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    return new sns.Topic(this, 'Topic', { displayName: 'podlife alerts', masterKey: key, enforceSSL: true });
  }

  private grantSweep(props: PodlifeAlertsProps): void {
    const table = props.table.tableArn;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadStateIndexes',
        actions: ['dynamodb:Query'],
        resources: [table, `${table}/index/pending`, `${table}/index/crashLooping`],
      }),
      new iam.PolicyStatement({
        sid: 'ReadPod',
        actions: ['dynamodb:GetItem'],
        resources: [table],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POD#*'] } },
      }),
      new iam.PolicyStatement({
        sid: 'AlertItemsOnly',
        actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [table],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ALERT#*'] } },
      }),
      new iam.PolicyStatement({
        sid: 'AlertEvents',
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': ALERT_SOURCE } },
      }),
      new iam.PolicyStatement({
        sid: 'AlertMessages',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    ];
    const key = this.topic.masterKey;
    if (key) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'EncryptedTopic',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [key.keyArn],
        }),
      );
    }
    this.sweep.role.attachInlinePolicy(new iam.Policy(this, 'SweepPolicy', { statements }));
  }
}
