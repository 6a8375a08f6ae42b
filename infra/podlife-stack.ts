/**
 * The ready-made stack: the pipeline with its settings, and the names a forwarder and an
 * operator need as outputs (the bus to send to, the queues to inspect).
 */
import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { boundSource } from '../core/sender-binding.ts';
import { PodlifeAlerts } from './alerts.ts';
import { busRef, httpApiRef, tableRef } from './cdk-types.ts';
import { PodlifeConsoleWidgets } from './console-widgets.ts';
import type { AlertsContextProps } from './context.ts';
import { PodlifeDashboard } from './dashboard.ts';
import { ForwarderAccess, type ForwarderAccessProps } from './forwarder-access.ts';
import { PodlifeOpsRoutes } from './ops-api.ts';
import { PodLifecyclePipeline, type PodLifecyclePipelineProps } from './pipeline.ts';
import { PodlifeQueryApi } from './query-api.ts';
import { StartupSloAlarms } from './startup-slo.ts';

interface PodlifeStackProps extends StackProps {
  pipeline?: PodLifecyclePipelineProps;
  /** How the in-cluster forwarder assumes its role (EKS Pod Identity by default, or IRSA). */
  forwarder?: Omit<ForwarderAccessProps, 'bus'>;
  /** The query API's settings (context `podlife:queryReservedConcurrency`). */
  query?: { reservedConcurrency?: number | undefined };
  /** Pod alert settings (context `podlife:alerts`): thresholds, per-namespace and per-owner-kind rules. */
  alerts?: AlertsContextProps;
  /** Cost allocation tags (context `podlife:costTags`): see COST_TAGS. */
  costTags?: CostTagsProps;
  /** The optional pod startup SLO alarm per cluster (context `podlife:startupSloSeconds`); absent: none. */
  startupSloSeconds?: number | undefined;
}

/** `podlife:cluster-set` names the clusters this stack serves; `tags` adds any other tags. */
export interface CostTagsProps {
  clusterSet?: string | undefined;
  tags?: Record<string, string> | undefined;
}

/** The cost allocation tag keys every resource of the stack carries (docs/cost.md). */
export const COST_TAGS = { component: 'podlife:component', clusterSet: 'podlife:cluster-set' } as const;

export class PodlifeStack extends Stack {
  readonly pipeline: PodLifecyclePipeline;
  readonly forwarderAccess: ForwarderAccess;
  /** Per bound cluster sending from this account (`podlife:senders` without `account`): its own role. */
  readonly senderAccess: Map<string, ForwarderAccess> = new Map();
  readonly queryApi: PodlifeQueryApi;
  readonly alerts: PodlifeAlerts;
  /** Silences and namespace purge on the query API (their own function: the query one stays read-only). */
  readonly opsRoutes: PodlifeOpsRoutes;
  readonly dashboard: PodlifeDashboard;
  readonly consoleWidgets: PodlifeConsoleWidgets;
  /** Present only with `startupSloSeconds`. */
  readonly startupSlo: StartupSloAlarms | undefined;

  constructor(scope: Construct, id: string, props: PodlifeStackProps = {}) {
    super(scope, id, props);
    this.pipeline = new PodLifecyclePipeline(this, 'Pipeline', props.pipeline);
    const p = this.pipeline;
    // The forwarder's role: events:PutEvents on this bus and nothing else (outputs its ARN).
    this.forwarderAccess = new ForwarderAccess(this, 'ForwarderAccess', {
      ...props.forwarder,
      bus: busRef(p.bus),
    });
    // Bound clusters (podlife:senders) sending from this account: one role each, whose only
    // right is PutEvents of `podlife.forwarder.CLUSTER` (infra/sender-binding.ts). A binding
    // with `account` sends from that account, with a role there (docs/security.md).
    for (const b of p.senders) {
      if (b.account !== undefined) continue;
      this.senderAccess.set(
        b.cluster,
        new ForwarderAccess(this, `SenderAccess-${b.cluster}`, {
          bus: busRef(p.bus),
          source: boundSource(b.cluster),
          ...(b.serviceAccount ? { serviceAccount: b.serviceAccount } : {}),
          ...(b.podIdentity !== undefined ? { podIdentity: b.podIdentity } : {}),
          ...(b.oidcProviderArn ? { oidcProviderArn: b.oidcProviderArn } : {}),
          ...(b.oidcIssuer ? { oidcIssuer: b.oidcIssuer } : {}),
        }),
      );
    }
    // What users use podlife for: the query API (IAM auth), stuck-Pending and crash-loop
    // alerts every minute, and the dashboard over lifecycle durations and pipeline health.
    this.queryApi = new PodlifeQueryApi(this, 'Query', {
      table: tableRef(p.table),
      stuckPendingSeconds: p.stuckPendingSeconds,
      reservedConcurrency: props.query?.reservedConcurrency,
    });
    this.alerts = new PodlifeAlerts(this, 'Alerts', {
      table: tableRef(p.table),
      bus: busRef(p.bus),
      topic: p.alertTopic, // pod alerts, for teams; the pipeline already subscribes the alert e-mail
      alarmTopic: p.healthTopic, // the sweep's own health: platform on-call
      clusters: p.clusterNames,
      runbookBaseUrl: p.runbookBaseUrl,
      retentionDays: p.retentionDays,
      // The mixin's 15 minutes unless `podlife:alerts` says otherwise (podlife:stuckPendingSeconds
      // is what the query API and dashboard call stuck; alerts wait longer by default).
      ...props.alerts,
    });
    // The pending / crash-looping lists and pod timelines as dashboard widgets (HTML from a Lambda).
    this.consoleWidgets = new PodlifeConsoleWidgets(this, 'Console', {
      table: tableRef(p.table),
      stuckPendingSeconds: p.stuckPendingSeconds,
    });
    this.opsRoutes = new PodlifeOpsRoutes(this, 'Ops', {
      api: this.queryApi.api,
      table: tableRef(p.table),
      copies: { eventArchiveDays: p.retentionDays, alertArchiveDays: this.alerts.alertArchiveDays },
    });
    this.startupSlo =
      props.startupSloSeconds === undefined
        ? undefined
        : new StartupSloAlarms(this, 'StartupSlo', {
            objectiveSeconds: props.startupSloSeconds,
            clusters: p.clusterNames ?? [],
            topic: p.alertTopic,
            runbookBaseUrl: p.runbookBaseUrl,
          });
    this.dashboard = new PodlifeDashboard(this, 'Dashboard', {
      clusters: p.clusterNames,
      ingestFunction: p.ingest.fn,
      failureQueue: p.failureQueue,
      invalidEventsQueue: p.invalidEventsQueue,
      ingestRule: p.ingestRule,
      bus: busRef(p.bus),
      table: tableRef(p.table),
      sweepFunction: this.alerts.sweep.fn,
      queryFunction: this.queryApi.query.fn,
      queryApi: httpApiRef(this.queryApi.api),
      alarms: [...p.alarms, ...this.alerts.alarms, ...(this.startupSlo?.alarms ?? [])],
      consoleWidgets: this.consoleWidgets.widgets(),
    });
    // Cost allocation tags on every taggable resource: the stack's cluster set (and any others
    // given) on all, each construct's component on its own (activate them in Billing).
    Tags.of(this).add(COST_TAGS.clusterSet, props.costTags?.clusterSet ?? 'default');
    for (const [k, v] of Object.entries(props.costTags?.tags ?? {})) Tags.of(this).add(k, v);
    Tags.of(this).add(COST_TAGS.component, 'podlife');
    const components: [Construct, string][] = [
      [this.pipeline, 'pipeline'],
      [this.forwarderAccess, 'forwarder'],
      ...[...this.senderAccess.values()].map((a): [Construct, string] => [a, 'forwarder']),
      [this.queryApi, 'query'],
      [this.opsRoutes, 'ops'],
      [this.alerts, 'alerts'],
      [this.dashboard, 'dashboard'],
      [this.consoleWidgets, 'widget'],
    ];
    for (const [c, name] of components) Tags.of(c).add(COST_TAGS.component, name, { priority: 200 });

    new CfnOutput(this, 'QueryApiUrl', {
      value: this.queryApi.url,
      description: 'podlife --api URL (or PODLIFE_API_URL)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: p.bus.eventBusName,
      description: 'Send pod snapshots here (forwarder --bus)',
    });
    new CfnOutput(this, 'EventBusArn', { value: p.bus.eventBusArn });
    new CfnOutput(this, 'TableName', { value: p.table.tableName });
    new CfnOutput(this, 'InvalidEventsQueueUrl', { value: p.invalidEventsQueue.queueUrl });
    new CfnOutput(this, 'FailureQueueUrl', { value: p.failureQueue.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', {
      value: p.alertTopic.topicArn,
      description: 'Pod alerts (stuck Pending, crash loops, per-cluster stuck alarms): subscribe the teams',
    });
    new CfnOutput(this, 'HealthTopicArn', {
      value: p.healthTopic.topicArn,
      description:
        'Pipeline-health alarms (ingest, table, queues, sweep, SNS): subscribe the platform on-call',
    });
    if (p.filteredClustersQueue) {
      new CfnOutput(this, 'FilteredClustersQueueUrl', {
        value: p.filteredClustersQueue.queueUrl,
        description:
          'One record per event the clusterNames filter dropped (cluster, source, detail-type, id, time)',
      });
    }
  }
}
