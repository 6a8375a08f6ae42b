/**
 * PodlifeAlerts: the stuck-Pending and crash-loop sweep. An EventBridge schedule invokes the
 * sweep Lambda every minute (one at a time: reserved concurrency 1, no retry, since the next
 * minute's sweep is the retry); it announces alert episodes on an SNS topic (KMS-encrypted,
 * TLS only; an e-mail subscription optional) and as `podlife.alerts` events on podlife's bus.
 * Alarms: per cluster, pods stuck Pending (M of N minutes, missing data breaching) on the pod
 * alert topic; the sweep failing or not running at all on the health topic (`alarmTopic`).
 *
 * The sweep may: Query the table (the cluster registry and alert partitions) and the `pending`
 * and `crashLooping` indexes, GetItem a pod, Put, Update and Delete only items whose partition key
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
import { DEFAULT_STALE_AFTER_SECONDS } from '../core/heartbeat.ts';
import { ALERT_SOURCE, type AlertRule, alertRulesOf, DEFAULT_ALERT_CONFIG } from '../model/alerts.ts';
import {
  METRIC_NAMESPACE,
  SWEEP_METRIC,
  SWEEP_METRICS,
  type SweepMetricName,
} from '../model/metric-names.ts';
import { PodlifeFunction } from './podlife-function.ts';
import { describeAlarm, RUNBOOK } from './runbooks.ts';

/** Days the alert events are archived unless `alertArchiveDays` says otherwise. */
export const DEFAULT_ALERT_ARCHIVE_DAYS = 90;

/** Where the sweep's EMF metrics are: namespace `podlife`, dimension `service` (+ `cluster`). */
export const SWEEP_SERVICE = SWEEP_METRICS.service;

/**
 * The stuck-Pending alarm: stuck in at least 5 of the last 10 one-minute sweeps (one slow
 * sweep or one pod scheduled a minute late does not flap it), per cluster.
 */
const STUCK_PENDING_ALARM = { evaluationPeriods: 10, datapointsToAlarm: 5 } as const;

/** A sweep metric: the total over all clusters, or one cluster's. */
export function sweepMetric(
  name: SweepMetricName,
  opts: {
    cluster?: string | undefined;
    statistic?: string | undefined;
    period?: Duration | undefined;
    label?: string | undefined;
  } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SWEEP_SERVICE, ...(opts.cluster ? { cluster: opts.cluster } : {}) },
    statistic: opts.statistic ?? 'Maximum',
    period: opts.period ?? Duration.minutes(1),
    ...(opts.label !== undefined ? { label: opts.label } : {}),
  });
}

export interface PodlifeAlertsProps {
  table: dynamodb.ITableV2;
  /** podlife's bus: alert events are put on it. */
  bus: events.IEventBus;
  /** Publish to this topic (e.g. the pipeline's `alertTopic`) instead of creating one. */
  topic?: sns.ITopic | undefined;
  /** An e-mail address subscribed to the topic. */
  alertEmail?: string | undefined;
  /** Pending longer than this is stuck. Default 900 (the mixin's KubePodNotReady `for: 15m`). */
  stuckPendingSeconds?: number | undefined;
  /** Per-namespace thresholds, `{namespace: seconds}`, e.g. `{batch: 1800}`. */
  stuckPendingOverrides?: Record<string, number> | undefined;
  /** Restarts are counted in this window. Default 3600. */
  crashLoopWindowSeconds?: number | undefined;
  /** Restarts in the window that make a crash loop alert. Default 3. */
  crashLoopMinRestarts?: number | undefined;
  /** A crash loop is over after this long without a restart. Default 600. */
  crashLoopQuietSeconds?: number | undefined;
  /** Alert items expire after this many days at most. Default 30. */
  retentionDays?: number | undefined;
  /** A crash loop alerts once its first counted restart is this old. Default 900 (KubePodCrashLooping `for: 15m`). */
  crashLoopForSeconds?: number | undefined;
  /**
   * Per-namespace rules (`enabled`, `stuckPendingSeconds`, `crashLoopMinRestarts`,
   * `crashLoopForSeconds`); a namespace's setting wins over its owner kind's.
   */
  namespaces?: Record<string, AlertRule> | undefined;
  /** Per-owner-kind rules, merged over the default `{Job: {enabled: false}}` (the mixin excludes Job pods). */
  ownerKinds?: Record<string, AlertRule> | undefined;
  /** Pods listed in one grouped notification at most (the rest counted). Default 20. */
  maxPodsListed?: number | undefined;
  /** The pipeline-health topic: the sweep's own alarms (failing, not running) go there. Default: the alert topic. */
  alarmTopic?: sns.ITopic | undefined;
  /**
   * Clusters with a stuck-Pending alarm each (StuckPendingPods{cluster}). Empty or absent: one
   * alarm over the total of all clusters.
   */
  clusters?: readonly string[] | undefined;
  /** Pods stuck Pending in a cluster at most this many before its alarm fires. Default 0. */
  stuckPendingAlarmThreshold?: number | undefined;
  /** Where alarm descriptions and alerts link their runbook: default `docs/runbooks.md` (infra/runbooks.ts). */
  runbookBaseUrl?: string | undefined;
  /**
   * A cluster whose last forwarder heartbeat is older than this is stale: the sweep opens no
   * new episode for it and counts it in StaleClusters (alarmed). Default 300 (five heartbeats).
   */
  staleAfterSeconds?: number | undefined;
  /** Days the alert events (`podlife.alerts`) are kept in their EventBridge archive. Default 90. */
  alertArchiveDays?: number | undefined;
  logRetention?: logs.RetentionDays | undefined;
}

export class PodlifeAlerts extends Construct {
  readonly sweep: PodlifeFunction;
  readonly schedule: events.Rule;
  readonly topic: sns.ITopic;
  /** Every alert event put on the bus (source `podlife.alerts`), replayable, for `alertArchiveDays`. */
  readonly alertArchive: events.Archive;
  readonly alertArchiveDays: number;
  /** Per cluster (or one over all clusters): pods stuck Pending in 5 of 10 sweeps, or no sweep data. */
  readonly stuckPendingAlarms: cloudwatch.Alarm[] = [];
  /** The sweep failed (alerts not delivered) three minutes running. */
  readonly sweepErrorsAlarm: cloudwatch.Alarm;
  /** The sweep was not invoked for 10 minutes (schedule disabled, function deleted or broken). */
  readonly sweepNotInvokedAlarm: cloudwatch.Alarm;
  /** A registered cluster's forwarder stopped heartbeating (StaleClusters > 0), or no sweep data. */
  readonly staleClustersAlarm: cloudwatch.Alarm;

  /** The first stuck-Pending alarm (the only one without `clusters`). */
  get stuckPendingAlarm(): cloudwatch.Alarm {
    const [first] = this.stuckPendingAlarms;
    if (!first) throw new Error('PodlifeAlerts: no stuck-Pending alarm');
    return first;
  }

  /** Every alarm of this construct. */
  get alarms(): cloudwatch.Alarm[] {
    return [
      ...this.stuckPendingAlarms,
      this.sweepErrorsAlarm,
      this.sweepNotInvokedAlarm,
      this.staleClustersAlarm,
    ];
  }

  get sweepFunction() {
    return this.sweep.fn;
  }

  constructor(scope: Construct, id: string, props: PodlifeAlertsProps) {
    super(scope, id);
    const d = DEFAULT_ALERT_CONFIG;
    // Validated at synth (the same schema the sweep checks at load), so a typo fails here.
    const rules = { namespaces: props.namespaces ?? {}, ownerKinds: props.ownerKinds ?? {} };
    alertRulesOf(rules, 'PodlifeAlerts rules');
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
        CRASHLOOP_FOR_SECONDS: String(props.crashLoopForSeconds ?? d.crashLoopForSeconds),
        ALERT_MAX_PODS_LISTED: String(props.maxPodsListed ?? d.maxPodsListed),
        ALERT_RULES: JSON.stringify(rules),
        STALE_AFTER_SECONDS: String(props.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS),
        // Alerts link their runbook there too (default docs/runbooks.md, the repository path).
        ...(props.runbookBaseUrl ? { RUNBOOK_BASE_URL: props.runbookBaseUrl } : {}),
      },
    });
    // The next minute's sweep is the retry; an old sweep is worth nothing.
    this.sweep.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.grantSweep(props);

    this.alertArchiveDays = props.alertArchiveDays ?? DEFAULT_ALERT_ARCHIVE_DAYS;
    this.alertArchive = new events.Archive(this, 'AlertArchive', {
      sourceEventBus: props.bus,
      description: 'podlife alert events (stuck Pending, crash loops, resolutions), replayable',
      eventPattern: { source: [ALERT_SOURCE] },
      retention: Duration.days(this.alertArchiveDays),
    });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'podlife: run the stuck-Pending and crash-loop sweep every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(this.sweep.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
      ],
    });

    const base = props.runbookBaseUrl;
    const podAlerts = new cwActions.SnsAction(this.topic);
    const health = new cwActions.SnsAction(props.alarmTopic ?? this.topic);
    // Stuck Pending, per cluster: a single alarm over all clusters is permanently in ALARM on
    // any large platform. Missing data is BREACHING on purpose: the sweep writes every
    // registered cluster's count every minute, so no data means the sweep is dead or no longer
    // sees the cluster, and that must not read as "OK". OK is sent only on real zeros.
    const clusters = props.clusters?.length ? props.clusters : [undefined];
    for (const cluster of clusters) {
      const where = cluster ? `cluster ${cluster}` : 'all clusters';
      const alarm = new cloudwatch.Alarm(
        this,
        cluster ? `StuckPendingAlarm-${cluster}` : 'StuckPendingAlarm',
        {
          alarmDescription: describeAlarm(
            `pods are stuck Pending in ${where} (StuckPendingPods > ${props.stuckPendingAlarmThreshold ?? 0} in ${STUCK_PENDING_ALARM.datapointsToAlarm} of ${STUCK_PENDING_ALARM.evaluationPeriods} one-minute sweeps), or the sweep reported nothing for it. Run \`podlife pending${cluster ? ` --cluster ${cluster}` : ''}\`.`,
            RUNBOOK.stuckPending,
            base,
          ),
          metric: sweepMetric(SWEEP_METRIC.stuckPendingPods, { cluster, period: Duration.minutes(1) }),
          threshold: props.stuckPendingAlarmThreshold ?? 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: STUCK_PENDING_ALARM.evaluationPeriods,
          datapointsToAlarm: STUCK_PENDING_ALARM.datapointsToAlarm,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
      );
      alarm.addAlarmAction(podAlerts);
      alarm.addOkAction(podAlerts);
      this.stuckPendingAlarms.push(alarm);
    }
    this.sweepErrorsAlarm = new cloudwatch.Alarm(this, 'SweepErrorsAlarm', {
      alarmDescription: describeAlarm(
        'the alert sweep keeps failing (Errors > 0, 3 minutes running): alerts may not be delivered.',
        RUNBOOK.sweepErrors,
        base,
      ),
      metric: this.sweep.fn.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      // No invocation, no Errors data point: that case is the not-invoked alarm's.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // The schedule invokes the sweep every minute: under 1 invocation in two 5-minute periods
    // running means no sweep for 10 minutes. Lambda writes no Invocations data point when
    // nothing ran, so missing data is BREACHING: it is exactly the failure watched.
    this.sweepNotInvokedAlarm = new cloudwatch.Alarm(this, 'SweepNotInvokedAlarm', {
      alarmDescription: describeAlarm(
        'the alert sweep has not run for 10 minutes (Lambda Invocations < 1, missing data breaching): no pod alerts are being sent or resolved.',
        RUNBOOK.sweepNotInvoked,
        base,
      ),
      metric: this.sweep.fn.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // No data for a cluster: the sweep counts, every minute, the clusters whose last forwarder
    // heartbeat is older than STALE_AFTER_SECONDS. One alarm over that count works for clusters
    // added after the deploy (the registry is read at run time, nothing is listed at synth time).
    // Missing data is BREACHING: no count means no sweep, and that must not read as "all fresh".
    this.staleClustersAlarm = new cloudwatch.Alarm(this, 'StaleClustersAlarm', {
      alarmDescription: describeAlarm(
        `a cluster's forwarder has sent no heartbeat for ${props.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS} s (StaleClusters > 0 in 3 of 3 one-minute sweeps, missing data breaching): its data is frozen and no new pod alert opens for it. The sweep's log names it ('cluster data is stale').`,
        RUNBOOK.staleClusters,
        base,
      ),
      metric: sweepMetric(SWEEP_METRIC.staleClusters, { period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const a of [this.sweepErrorsAlarm, this.sweepNotInvokedAlarm, this.staleClustersAlarm]) {
      a.addAlarmAction(health);
      a.addOkAction(health);
    }
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
        // UpdateItem: a grouped notice's per-channel delivery marks.
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
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
