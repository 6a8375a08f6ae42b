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
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DETAIL_TYPE_EXPORTER, EXPORTER_SOURCE } from '../core/exporter-event.ts';
import { DETAIL_TYPE_HEARTBEAT } from '../core/heartbeat.ts';
import { DETAIL_TYPE_INVENTORY } from '../core/inventory.ts';
import { DETAIL_TYPE_FACTS } from '../core/pod-facts.ts';
import { boundSource, type SenderSource } from '../core/sender-binding.ts';
import { DETAIL_TYPE_EVENT, DETAIL_TYPE_SNAPSHOT, EVENT_SOURCE } from '../core/snapshot.ts';
import { DETAIL_TYPE_INVALID, INVALID_EVENT_SOURCE } from '../model/invalid-event.ts';
import { SERVICES } from '../model/metric-names.ts';
import { TABLE_SPEC } from '../model/table-spec.ts';
import { PodlifeFunction } from './podlife-function.ts';
import { describeAlarm, RUNBOOK, type RunbookAnchor } from './runbooks.ts';
import {
  boundIngestPattern,
  checkBindings,
  groupBindings,
  type SenderBinding,
  wrongSenderPattern,
} from './sender-binding.ts';
import { podTable } from './table.ts';

export interface PodLifecyclePipelineProps {
  /**
   * Clusters whose events the ingest accepts (the rule matches `detail.cluster`). Empty or
   * absent: every cluster. Events of other clusters (or without one) stay in the archive and
   * can be replayed; they are counted (the filtered-clusters rule's `TriggeredRules`), alarmed,
   * and a short record of each (cluster, source, detail-type, id, time) is queued.
   */
  clusterNames?: string[] | undefined;
  /** Days a pod's history is kept after its last change (DynamoDB TTL); also the archive's retention. Default 30. */
  retentionDays?: number | undefined;
  /** Seconds after which a Pending pod counts as stuck (the sweep and dashboard read it). Default 300. */
  stuckPendingSeconds?: number | undefined;
  /** An e-mail address subscribed to the pod-alert topic (the teams' stuck-Pending and crash-loop alerts). */
  alertEmail?: string | undefined;
  /** Use this topic for pod alerts instead of creating one (it must accept CloudWatch alarm actions). */
  alertTopic?: sns.ITopic | undefined;
  /** An e-mail address subscribed to the pipeline-health topic (the platform on-call). */
  healthEmail?: string | undefined;
  /** Use this topic for the pipeline's health alarms instead of creating one (it must accept CloudWatch alarm actions). */
  healthTopic?: sns.ITopic | undefined;
  /** Where alarm descriptions link their runbook: default `docs/runbooks.md` (infra/runbooks.ts). */
  runbookBaseUrl?: string | undefined;
  /**
   * Namespaces whose ingest metrics are also emitted per namespace (context
   * `podlife:metricNamespaces`). Default none: per-cluster metrics only (docs/cost.md).
   */
  metricNamespaces?: readonly string[] | undefined;
  /** Default true: the table cannot be deleted by accident (a stack delete fails until it is turned off). */
  deletionProtection?: boolean | undefined;
  /** What happens to the table and queues when the stack is deleted. Default RETAIN. */
  removalPolicy?: RemovalPolicy | undefined;
  /**
   * AWS accounts whose forwarders (or exporters) may put events on the bus (12 digits each):
   * the bus's resource policy allows them `events:PutEvents` for podlife's two sender sources
   * only. Absent: only this account (no resource policy).
   */
  senderAccounts?: string[] | undefined;
  /** An AWS Organization (`o-...`) whose accounts may send, as `senderAccounts` does for listed ones. */
  senderOrganizationId?: string | undefined;
  /**
   * Clusters bound to their senders (context `podlife:senders`, infra/sender-binding.ts): a
   * bound cluster's events are ingested only from its own source (`podlife.forwarder.CLUSTER`)
   * and, with `account`, from that account; every other event speaking for it is parked as
   * `wrong-sender`, counted and alarmed. A bound cluster is accepted whether or not
   * `clusterNames` lists it.
   */
  senders?: readonly SenderBinding[] | undefined;
  /** Name of the custom bus. Default `podlife`. */
  eventBusName?: string | undefined;
  /** Concurrent ingest invocations at most: protects the table and the account's concurrency. Default 10. */
  ingestReservedConcurrency?: number | undefined;
  /**
   * The ingest mapping's batching window, seconds (0-300): how long a batch waits to fill.
   * Longer merges more of a pod's burst into one write (fewer writes, fewer units) at the price
   * of a staler dashboard. Default INGEST_BATCH.maxBatchingWindow (docs/cost.md).
   */
  ingestBatchingWindowSeconds?: number | undefined;
  /** The ingest mapping's batch size (1-10,000). Default INGEST_BATCH.batchSize. */
  ingestBatchSize?: number | undefined;
  logRetention?: logs.RetentionDays | undefined;
}

/**
 * The ingest queue's event source mapping (issue 12): up to 1,000 messages or 30 seconds per
 * invocation, partial-batch responses, and at most as many concurrent batches as the function's
 * reserved concurrency (so the mapping is never throttled by it). The 30 s window (10 s before)
 * lets a pod's startup burst (created → ready, seconds apart) reach the table as one write: on
 * the churn trace 2.1 writes per pod lifecycle instead of 3.5, 8.2 write units instead of 12.3
 * (docs/cost.md). The price: the table is up to ~30 s behind the cluster (p99 33 s from
 * PutEvents), which the alerts do not notice (a pod is stuck after 300 s, the sweep runs every
 * minute) and the dashboard does. `podlife:ingestBatchingWindowSeconds` /
 * `podlife:ingestBatchSize` change them (`ingestBatching`).
 */
export const INGEST_BATCH = {
  batchSize: 1000,
  maxBatchingWindow: Duration.seconds(30),
  /** Receives before a message moves to the ingest dead-letter queue (AWS advises ≥ 5 with throttling). */
  maxReceiveCount: 5,
  /** Time to keep a message the ingest has not deleted: 4 days (SQS's default), ample for an outage. */
  retention: Duration.days(4),
} as const;
/**
 * The mapping's batch size and window: the props' (validated against SQS's limits: a window of
 * 0-300 s; up to 10,000 messages, more than 10 only with a window) or INGEST_BATCH's.
 */
export function ingestBatching(
  props: Pick<PodLifecyclePipelineProps, 'ingestBatchingWindowSeconds' | 'ingestBatchSize'>,
): {
  batchSize: number;
  maxBatchingWindow: Duration;
} {
  const window = props.ingestBatchingWindowSeconds ?? INGEST_BATCH.maxBatchingWindow.toSeconds();
  const batchSize = props.ingestBatchSize ?? INGEST_BATCH.batchSize;
  if (!Number.isInteger(window) || window < 0 || window > 300)
    throw new Error(
      `podlife:ingestBatchingWindowSeconds must be a whole number of seconds from 0 to 300, got ${window}`,
    );
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new Error(`podlife:ingestBatchSize must be a whole number from 1 to 10000, got ${batchSize}`);
  if (batchSize > 10 && window === 0)
    throw new Error(
      'podlife:ingestBatchSize above 10 needs podlife:ingestBatchingWindowSeconds of at least 1',
    );
  return { batchSize, maxBatchingWindow: Duration.seconds(window) };
}

/** Parked and failed events are kept 14 days (SQS's maximum) for an operator to replay. */
const PARKING_RETENTION = Duration.days(14);
/** The parking queues' backlog alarm: a message older than this (half the retention) is about to be lost. */
const OLDEST_MESSAGE_ALARM = Duration.days(7);
/** Ingest lag worth waking someone for: events older than this waiting in the ingest queue. */
export const INGEST_LAG_ALARM = Duration.minutes(15);

/** What the ingest takes: each sender's source and its detail-types (one rule each). */
export const INGESTED: readonly { source: string; detailTypes: readonly string[] }[] = [
  {
    source: EVENT_SOURCE,
    detailTypes: [
      DETAIL_TYPE_FACTS,
      DETAIL_TYPE_SNAPSHOT,
      DETAIL_TYPE_EVENT,
      DETAIL_TYPE_HEARTBEAT,
      DETAIL_TYPE_INVENTORY,
    ],
  },
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
  /** Events EventBridge could not deliver (to the ingest queue, or the invalid-events queue). */
  readonly failureQueue: sqs.Queue;
  /** The bus rules' target: the ingest reads it in batches (event source mapping). */
  readonly ingestQueue: sqs.Queue;
  /** Messages the ingest failed `maxReceiveCount` times (the ingest queue's redrive target). */
  readonly ingestDeadLetterQueue: sqs.Queue;
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
  /** The bound clusters (`senders`). */
  readonly senders: readonly SenderBinding[];
  /** With senders: the rules ingesting the bound clusters' events from their own senders. */
  readonly boundIngestRules: events.Rule[] = [];
  /** With senders: the rules parking events from the wrong sender (their TriggeredRules: the count). */
  readonly wrongSenderRules: events.Rule[] = [];
  /** With senders: one per wrong-sender rule, fires on any event it matched in 5 minutes. */
  readonly wrongSenderAlarms: cloudwatch.Alarm[] = [];

  get ingestFunction() {
    return this.ingest.fn;
  }

  constructor(scope: Construct, id: string, props: PodLifecyclePipelineProps = {}) {
    super(scope, id);
    this.retentionDays = props.retentionDays ?? 30;
    this.stuckPendingSeconds = props.stuckPendingSeconds ?? 300;
    this.senders = props.senders ?? [];
    checkBindings(this.senders);
    const bound = this.senders.map((b) => b.cluster);
    const listed = props.clusterNames ?? [];
    // A bound cluster is accepted (listed or not): the list, when there is one, grows by them.
    this.clusterNames = listed.length ? [...listed, ...bound.filter((c) => !listed.includes(c))] : [];
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) {
      throw new Error(`retentionDays must be a whole number of days ≥ 1, got ${this.retentionDays}`);
    }

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? 'podlife' });
    this.allowSenders(props);
    this.archive = this.bus.archive('Archive', {
      description: 'Every podlife forwarder (and kubernetes-event-exporter) event, replayable into the bus',
      eventPattern: { source: [EVENT_SOURCE, EXPORTER_SOURCE] },
      retention: Duration.days(this.retentionDays),
    });
    if (this.senders.length) {
      // Bound clusters send `podlife.forwarder.CLUSTER` (core/sender-binding.ts): archived too, by
      // prefix (a list of every bound source would pass the pattern's 2,048 characters).
      (this.archive.node.defaultChild as events.CfnArchive).eventPattern = {
        source: [EVENT_SOURCE, EXPORTER_SOURCE, ...INGESTED.map((i) => ({ prefix: `${i.source}.` }))],
      };
    }

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

    this.ingestDeadLetterQueue = queue('IngestDeadLetterQueue');
    Validations.of(this.ingestDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "The ingest queue's dead-letter queue: the end of the line, read by an operator who redrives its messages to the ingest queue (docs/runbooks.md). An alarm fires on its first message.",
    });

    this.ingest = new PodlifeFunction(this, 'Ingest', {
      entry: 'functions/ingest/handler.ts',
      description: 'podlife ingest: pod snapshots and events from the bus → lifecycle facts in DynamoDB',
      serviceName: SERVICES.ingest,
      reservedConcurrentExecutions: props.ingestReservedConcurrency ?? 10,
      // A batch is up to 1,000 messages (INGEST_BATCH): ~1-1.5 ms of CPU each on a full core
      // (bench/ingest.ts, the drain's split), so ~1.5 s a batch, which at 256 MB (about a seventh
      // of a vCPU) is ~10 s, too near a 15 s timeout. 512 MB (about two sevenths) and 30 s leave
      // ~6x. Lambda bills GB-seconds, so CPU-bound work costs the same at either size.
      memorySize: 512,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      environment: {
        TABLE_NAME: this.table.tableName,
        EVENT_BUS_NAME: this.bus.eventBusName,
        RETENTION_DAYS: String(this.retentionDays),
        ...(props.metricNamespaces?.length ? { METRIC_NAMESPACES: props.metricNamespaces.join(',') } : {}),
      },
    });
    const fn = this.ingest.fn;
    // Batched ingest (issue 12): rules → an encrypted, TLS-only queue → the function in batches.
    // Visibility timeout: 6 × the function's timeout plus the batching window (AWS's advice), so
    // a batch still running is never handed to a second invocation.
    const fnTimeout = fn.timeout ?? Duration.seconds(15);
    const { batchSize, maxBatchingWindow } = ingestBatching(props);
    this.ingestQueue = new sqs.Queue(this, 'IngestQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: INGEST_BATCH.retention,
      visibilityTimeout: Duration.seconds(6 * fnTimeout.toSeconds() + maxBatchingWindow.toSeconds()),
      deadLetterQueue: { queue: this.ingestDeadLetterQueue, maxReceiveCount: INGEST_BATCH.maxReceiveCount },
      removalPolicy,
    });
    fn.addEventSource(
      new SqsEventSource(this.ingestQueue, {
        batchSize,
        maxBatchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: Math.max(2, props.ingestReservedConcurrency ?? 10),
      }),
    );
    this.grantIngest();

    // The plain sources' rules take the accepted clusters but the bound ones (those come from
    // their own senders only: the bound ingest rules below). Every listed cluster bound: nothing
    // is left for them, and they are disabled.
    const unbound = this.clusterNames.filter((c) => !bound.includes(c));
    const clusters = this.clusterNames.length
      ? { detail: { cluster: unbound.length ? unbound : [...this.clusterNames] } }
      : bound.length
        ? { detail: { $or: [{ cluster: [{ 'anything-but': bound }] }, { cluster: [{ exists: false }] }] } }
        : {};
    const plainRulesEnabled = !this.clusterNames.length || unbound.length > 0;
    // If EventBridge cannot deliver to the queue at all, the event is kept, not dropped.
    const ingestTarget = () =>
      new targets.SqsQueue(this.ingestQueue, {
        deadLetterQueue: this.failureQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      });
    const [podlife, exporter] = INGESTED;
    if (!podlife || !exporter) throw new Error('INGESTED lists the podlife and the exporter sources');
    this.ingestRule = new events.Rule(this, 'IngestRule', {
      eventBus: this.bus,
      description: 'podlife pod facts, snapshots and events → ingest',
      eventPattern: { source: [podlife.source], detailType: [...podlife.detailTypes], ...clusters },
      targets: [ingestTarget()],
      enabled: plainRulesEnabled,
    });
    this.exporterIngestRule = new events.Rule(this, 'ExporterIngestRule', {
      eventBus: this.bus,
      description: 'core/v1 Events from kubernetes-event-exporter (docs/forwarder.md layout) → ingest',
      eventPattern: { source: [exporter.source], detailType: [...exporter.detailTypes], ...clusters },
      targets: [ingestTarget()],
      enabled: plainRulesEnabled,
    });
    this.addSenderRules(ingestTarget);
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
   * Sender binding (infra/sender-binding.ts): per group of bound clusters, a rule ingesting their
   * events from their own senders, and a rule parking every other event speaking for them (or
   * from their sources) in the invalid-events queue as a `wrong-sender` report: the envelope and
   * detail (replayable), no less than the ingest's own reports. Alarmed in addAlarms.
   */
  private addSenderRules(ingestTarget: () => events.IRuleTarget): void {
    const groups = groupBindings(this.senders, INGESTED);
    groups.forEach((group, i) => {
      const n = i === 0 ? '' : String(i + 1);
      const names = group.map((b) => b.cluster).join(', ');
      const ingest = new events.Rule(this, `BoundIngestRule${n}`, {
        eventBus: this.bus,
        description: `podlife events of bound clusters (${names}) from their own senders → ingest`.slice(
          0,
          512,
        ),
        eventPattern: { source: [EVENT_SOURCE] }, // replaced below: CDK's type has no top-level $or
        targets: [ingestTarget()],
      });
      (ingest.node.defaultChild as events.CfnRule).eventPattern = boundIngestPattern(group, INGESTED);
      this.boundIngestRules.push(ingest);
      const wrong = new events.Rule(this, `WrongSenderRule${n}`, {
        eventBus: this.bus,
        description:
          `podlife events speaking for bound clusters (${names}) from another sender: parked as wrong-sender, counted and alarmed`.slice(
            0,
            512,
          ),
        eventPattern: { source: [EVENT_SOURCE] }, // replaced below
        targets: [
          new targets.SqsQueue(this.invalidEventsQueue, {
            // An InvalidEventReport (model/invalid-event.ts), as the ingest writes them.
            message: events.RuleTargetInput.fromObject({
              kind: 'wrong-sender',
              reason:
                'refused by the bus rules: detail.cluster is a bound cluster and the source (or account) is not its sender, or the source is bound to another cluster (podlife:senders)',
              rejectedAt: '<aws.events.event.ingestion-time>',
              event: {
                id: events.EventField.eventId,
                source: events.EventField.source,
                'detail-type': events.EventField.detailType,
                account: events.EventField.account,
                region: events.EventField.region,
                time: events.EventField.time,
                detail: events.EventField.fromPath('$.detail'),
              },
            }),
            deadLetterQueue: this.failureQueue,
          }),
        ],
      });
      (wrong.node.defaultChild as events.CfnRule).eventPattern = wrongSenderPattern(group, INGESTED);
      this.wrongSenderRules.push(wrong);
    });
  }

  /**
   * Exactly what the ingest does: BatchGetItem, GetItem and PutItem on this table, Query on the
   * sparse `pending` and `crashLooping` indexes only (a Pod Inventory's candidates; no Scan), PutEvents of its invalid-event reports on this bus only, and (through the
   * event source mapping) receiving and deleting the ingest queue's messages, which
   * addEventSource grants.
   */
  private grantIngest(): void {
    const role = this.ingest.role;
    role.attachInlinePolicy(
      new iam.Policy(this, 'IngestPolicy', {
        statements: [
          new iam.PolicyStatement({
            sid: 'PodItems',
            actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
            resources: [this.table.tableArn],
          }),
          new iam.PolicyStatement({
            sid: 'InventoryCandidates',
            actions: ['dynamodb:Query'],
            resources: [`${this.table.tableArn}/index/pending`, `${this.table.tableArn}/index/crashLooping`],
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

  /**
   * The bus's resource policy for forwarders in other accounts: `events:PutEvents` on this bus,
   * for the forwarder's and the exporter's sources only (an account let in cannot forge
   * `podlife.alerts` or invalid-event reports). Listed accounts, and/or every account of an
   * Organization (`aws:PrincipalOrgID`).
   */
  private allowSenders(props: PodLifecyclePipelineProps): void {
    const sources = { 'events:source': [EVENT_SOURCE, EXPORTER_SOURCE] };
    const accounts = props.senderAccounts ?? [];
    for (const a of accounts)
      if (!/^\d{12}$/.test(a)) throw new Error(`senderAccounts: not an AWS account id: ${a}`);
    if (accounts.length) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ForwardersInListedAccounts',
          principals: accounts.map((a) => new iam.AccountPrincipal(a)),
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: sources },
        }),
      );
    }
    // A bound cluster's sender in another account: that account may put its bound sources only
    // (not the plain ones, unless senderAccounts lists it too), one statement per account.
    const boundByAccount = new Map<string, string[]>();
    for (const b of props.senders ?? []) {
      if (b.account === undefined) continue;
      const sources = INGESTED.map((i) => boundSource(b.cluster, i.source as SenderSource));
      boundByAccount.set(b.account, [...(boundByAccount.get(b.account) ?? []), ...sources]);
    }
    for (const [account, boundSources] of boundByAccount) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `BoundSendersInAccount${account}`,
          principals: [new iam.AccountPrincipal(account)],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': boundSources } },
        }),
      );
    }
    const org = props.senderOrganizationId;
    if (org !== undefined) {
      if (!/^o-[a-z0-9]{10,32}$/.test(org))
        throw new Error(`senderOrganizationId: not an Organization id: ${org}`);
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ForwardersInOrganization',
          principals: [new iam.AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { ...sources, 'aws:PrincipalOrgID': org } },
        }),
      );
    }
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
      'EventBridge could not deliver events after all its retries',
    );
    parking(
      'IngestDeadLetterQueue',
      this.ingestDeadLetterQueue,
      RUNBOOK.ingestDeadLetterQueue,
      `ingest messages failed ${INGEST_BATCH.maxReceiveCount} times and were moved to the dead-letter queue`,
    );
    parking('InvalidEvents', this.invalidEventsQueue, RUNBOOK.invalidEvents, 'invalid events were parked');

    const fn = this.ingest.fn;
    // Throttles: the event source mapping's maximum concurrency matches the reserved concurrency,
    // so throttling means something else takes the function's concurrency; messages wait in the queue.
    this.alarm(
      'IngestThrottlesAlarm',
      RUNBOOK.ingestThrottles,
      'the ingest function is throttled (Lambda Throttles ≥ 10 per 5 minutes, 15 minutes running): events wait in the ingest queue.',
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
      'the ingest function keeps failing (Lambda Errors ≥ 10 per 5 minutes, 15 minutes running): messages are redelivered, then go to the ingest dead-letter queue.',
      {
        metric: fn.metricErrors({ period: five, statistic: 'Sum' }),
        threshold: 10,
        evaluationPeriods: 3,
        comparisonOperator: atLeastOne,
        treatMissingData: quiet,
      },
    );
    // Lag: the age of the oldest message waiting in the ingest queue (AWS/SQS, seconds).
    this.alarm(
      'IngestEventAgeAlarm',
      RUNBOOK.ingestEventAge,
      `ingest lag: an event waited over ${INGEST_LAG_ALARM.toMinutes()} minutes in the ingest queue (ApproximateAgeOfOldestMessage), 2 of 3 five-minute periods.`,
      {
        metric: this.ingestQueue.metricApproximateAgeOfOldestMessage({ period: five, statistic: 'Maximum' }),
        threshold: INGEST_LAG_ALARM.toSeconds(),
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: atLeastOne,
        treatMissingData: quiet,
      },
    );
    // EventBridge could not deliver to the ingest queue (after its own retries the event goes to the failure queue).
    for (const [id, rule] of [
      ['IngestRuleFailedInvocationsAlarm', this.ingestRule],
      ['ExporterIngestRuleFailedInvocationsAlarm', this.exporterIngestRule],
    ] as const) {
      this.alarm(
        id,
        RUNBOOK.ingestRuleFailedInvocations,
        'EventBridge failed to deliver events to the ingest queue (FailedInvocations).',
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

    this.wrongSenderRules.forEach((rule, i) => {
      // No event matched, no data point: missing data is "not breaching" on purpose.
      this.wrongSenderAlarms.push(
        this.alarm(
          `WrongSenderAlarm${i === 0 ? '' : String(i + 1)}`,
          RUNBOOK.wrongSender,
          'events speaking for a bound cluster came from another sender (source or account), or a bound source spoke for another cluster: refused and parked as wrong-sender in the InvalidEventsQueue.',
          this.ruleCountAtLeastOne(rule, 'TriggeredRules'),
        ),
      );
    });
    for (const [i, rule] of this.boundIngestRules.entries()) {
      this.alarm(
        `BoundIngestRuleFailedInvocationsAlarm${i === 0 ? '' : String(i + 1)}`,
        RUNBOOK.ingestRuleFailedInvocations,
        'EventBridge failed to deliver events of bound clusters to the ingest queue (FailedInvocations).',
        this.ruleCountAtLeastOne(rule, 'FailedInvocations'),
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
