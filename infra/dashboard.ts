/**
 * PodlifeDashboard: one CloudWatch dashboard over podlife's own metrics.
 *
 * - Lifecycle: p50/p90/p99 of scheduling, pending, time-to-ready and crash-loop seconds per
 *   cluster (and per chosen namespace), restarts, terminations by reason. These are the EMF
 *   metrics the ingest writes (functions/ingest/lifecycle-metrics.ts, namespace `podlife`,
 *   service `podlife-ingest`, dimensions cluster + namespace [+ reason]).
 * - Now: pods stuck Pending and crash-looping, from the alert sweep (every minute).
 * - The pipeline's own health: ingest errors, throttles and dropped async events, invalid
 *   events, the failure and invalid-events queues' depth, write conflicts, the ingest rule's
 *   failed invocations, table and index throttle events, the query API's errors and latency, the sweep's
 *   failures. The forwarder's drops live in its Prometheus `/metrics` (no CloudWatch metric):
 *   a text widget says where.
 * - Alarm status of the alarms passed in (the pipeline's queue and ingest-error alarms, the
 *   stuck-Pending and sweep alarms of PodlifeAlerts).
 *
 * With `clusters` the lifecycle graphs name each cluster; without, SEARCH expressions draw one
 * line per cluster that reports. Percentiles per cluster need the ingest's metrics to carry a
 * cluster-only dimension set (see docs/alerts.md, "Dashboard").
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STARTUP_SLO_P99_SECONDS } from '../core/waterfall.ts';
import { INGEST_METRICS, METRIC_NAMESPACE, SWEEP_METRIC } from '../model/metric-names.ts';
import { TABLE_SPEC } from '../model/table-spec.ts';
import { SWEEP_SERVICE, sweepMetric } from './alerts.ts';

const TITLES: Record<keyof typeof INGEST_METRICS.durations, string> = {
  scheduledAfterSeconds: 'Scheduling (created → scheduled)',
  pendingSeconds: 'Pending (created → first container start)',
  timeToReadySeconds: 'Time to Ready (created → Ready)',
  crashLoopBackOffSeconds: 'Crash-loop back-off (down between runs)',
};

const STAGE_TITLES: Record<keyof typeof INGEST_METRICS.startupStages, string> = {
  sandboxReadyAfterSeconds: 'Sandbox ready (created → PodReadyToStartContainers)',
  initializedAfterSeconds: 'Initialized (created → Initialized)',
  imagePullSeconds: 'Image pulls (every container, summed)',
  containersStartedAfterSeconds: 'Containers started (created → all started)',
  containersReadyAfterSeconds: 'Containers ready (created → ContainersReady)',
};

export const PERCENTILES = ['p50', 'p90', 'p99'] as const;

interface PodlifeDashboardProps {
  dashboardName?: string;
  /** Clusters to chart by name; empty or absent: every cluster that reports (SEARCH). */
  clusters?: readonly string[];
  /** Namespaces charted on their own, in each cluster of `clusters`. */
  namespaces?: readonly string[];
  ingestFunction: lambda.IFunction;
  failureQueue: sqs.IQueue;
  invalidEventsQueue: sqs.IQueue;
  ingestRule?: events.IRule;
  bus?: events.IEventBus;
  table?: dynamodb.ITableV2;
  sweepFunction?: lambda.IFunction;
  queryFunction?: lambda.IFunction;
  queryApi?: apigwv2.IHttpApi;
  /** Alarms shown in the status widget. */
  alarms?: readonly cloudwatch.IAlarm[];
  /** Default 5 minutes. */
  period?: Duration;
  /** The pending and crash-looping lists as custom widgets (infra/console-widgets.ts), under the title. */
  consoleWidgets?: readonly cloudwatch.IWidget[];
}

type Dims = Record<string, string>;

export class PodlifeDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  private readonly period: Duration;

  constructor(scope: Construct, id: string, props: PodlifeDashboardProps) {
    super(scope, id);
    this.period = props.period ?? Duration.minutes(5);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName !== undefined ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.days(1),
    });
    const clusters = props.clusters ?? [];
    const d = this.dashboard;

    d.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          "# podlife\nLifecycle figures come from Kubernetes' own timestamps (docs/lifecycle-metrics.md). " +
          'Stuck and crash-looping pods are counted by the alert sweep every minute; `podlife pending` and ' +
          '`podlife crashloops` list them.',
        width: 24,
        height: 2,
      }),
    );
    // What is stuck, since when, why: the web page's lists, in the console.
    if (props.consoleWidgets?.length) d.addWidgets(...props.consoleWidgets);

    // Now: stuck and crash-looping pods.
    d.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'Pods stuck Pending now (all clusters)',
        metrics: [
          sweepMetric(SWEEP_METRIC.stuckPendingPods, { label: 'stuck Pending' }),
          sweepMetric(SWEEP_METRIC.crashLoopingPods, { label: 'crash-looping' }),
        ],
        width: 6,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Pods stuck Pending, per cluster',
        left: this.perCluster(
          clusters,
          (c) => sweepMetric(SWEEP_METRIC.stuckPendingPods, { cluster: c, label: c }),
          SWEEP_METRIC.stuckPendingPods,
          SWEEP_SERVICE,
          'Maximum',
          60,
        ),
        width: 9,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Pods crash-looping, per cluster',
        left: this.perCluster(
          clusters,
          (c) => sweepMetric(SWEEP_METRIC.crashLoopingPods, { cluster: c, label: c }),
          SWEEP_METRIC.crashLoopingPods,
          SWEEP_SERVICE,
          'Maximum',
          60,
        ),
        width: 9,
        height: 6,
      }),
    );

    // Lifecycle percentiles per cluster.
    d.addWidgets(
      ...Object.entries(INGEST_METRICS.durations).map(([figure, metric]) =>
        this.percentilesPerCluster(TITLES[figure as keyof typeof TITLES], metric, clusters, 12),
      ),
    );

    // Chosen namespaces.
    for (const namespace of props.namespaces ?? []) {
      d.addWidgets(
        ...Object.entries(INGEST_METRICS.durations).map(
          ([figure, metric]) =>
            new cloudwatch.GraphWidget({
              title: `${namespace}: ${TITLES[figure as keyof typeof TITLES]} p50 / p90 / p99`,
              left: clusters.flatMap((c) =>
                PERCENTILES.map((p) => this.ingest(metric, { cluster: c, namespace }, p, `${c} ${p}`)),
              ),
              leftYAxis: { label: 'seconds', showUnits: false, min: 0 },
              width: 6,
              height: 6,
            }),
        ),
      );
    }

    // Restarts and terminations by reason (Metrics Insights sums over namespaces).
    d.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Container restarts per cluster',
        left: [
          this.insights(
            `SELECT SUM(${INGEST_METRICS.restarts}) FROM SCHEMA(${METRIC_NAMESPACE}, cluster, namespace, service) WHERE service = '${INGEST_METRICS.service}' GROUP BY cluster`,
            'restarts',
          ),
        ],
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Container terminations by reason',
        left: [
          this.insights(
            `SELECT SUM(${INGEST_METRICS.terminations}) FROM SCHEMA(${METRIC_NAMESPACE}, cluster, namespace, reason, service) WHERE service = '${INGEST_METRICS.service}' GROUP BY reason`,
            'terminations',
          ),
        ],
        stacked: true,
        width: 12,
        height: 6,
      }),
    );

    // The pipeline's own health.
    const ingest = props.ingestFunction;
    const sum = (m: cloudwatch.Metric, label: string) =>
      m.with({ statistic: 'Sum', period: this.period, label });
    const health: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Ingest: errors, throttles, dropped async events',
        left: [
          sum(ingest.metricErrors(), 'errors'),
          sum(ingest.metricThrottles(), 'throttles'),
          sum(ingest.metric('AsyncEventsDropped'), 'async events dropped'),
        ],
        right: [
          ingest.metric('AsyncEventAge', {
            statistic: 'Maximum',
            period: this.period,
            label: 'oldest event waiting (ms)',
          }),
        ],
        width: 8,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Invalid events (by kind) and write conflicts',
        left: [
          new cloudwatch.SearchExpression({
            expression: `SEARCH('{${METRIC_NAMESPACE},kind,service} service="${INGEST_METRICS.service}" MetricName="${INGEST_METRICS.invalidEvents}"', 'Sum', ${this.period.toSeconds()})`,
            label: 'invalid',
            period: this.period,
          }),
          this.insights(
            `SELECT SUM(${INGEST_METRICS.writeConflicts}) FROM SCHEMA(${METRIC_NAMESPACE}, cluster, namespace, service) WHERE service = '${INGEST_METRICS.service}'`,
            'write conflicts',
          ),
        ],
        width: 8,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'On-failure and invalid-events queues: messages waiting',
        left: [
          props.failureQueue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: this.period,
            label: 'failure queue',
          }),
          props.invalidEventsQueue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: this.period,
            label: 'invalid events',
          }),
        ],
        width: 8,
        height: 6,
      }),
    ];
    if (props.ingestRule && props.bus) {
      const dims = { RuleName: props.ingestRule.ruleName, EventBusName: props.bus.eventBusName };
      const rule = (metricName: string, label: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName,
          dimensionsMap: dims,
          statistic: 'Sum',
          period: this.period,
          label,
        });
      health.push(
        new cloudwatch.GraphWidget({
          title: 'Ingest rule: invocations, failures, sent to the failure queue',
          left: [
            rule('Invocations', 'invocations'),
            rule('FailedInvocations', 'failed'),
            rule('InvocationsSentToDlq', 'to failure queue'),
          ],
          width: 8,
          height: 6,
        }),
      );
    }
    if (props.table) {
      // Real AWS/DynamoDB dimension sets: throttle events per {TableName} and per
      // {TableName, GlobalSecondaryIndexName}; SystemErrors and ThrottledRequests only exist
      // per {TableName, Operation}, so {TableName} alone would never have data.
      const t = props.table;
      const ddb = (metricName: string, dims: Dims, label: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: { TableName: t.tableName, ...dims },
          statistic: 'Sum',
          period: this.period,
          label,
        });
      health.push(
        new cloudwatch.GraphWidget({
          title: 'Table and indexes: read / write throttle events',
          left: [
            ddb('ReadThrottleEvents', {}, 'table reads'),
            ddb('WriteThrottleEvents', {}, 'table writes'),
            ...TABLE_SPEC.indexes.flatMap((ix) => [
              ddb('ReadThrottleEvents', { GlobalSecondaryIndexName: ix.name }, `${ix.name} reads`),
              ddb('WriteThrottleEvents', { GlobalSecondaryIndexName: ix.name }, `${ix.name} writes`),
            ]),
          ],
          width: 8,
          height: 6,
        }),
      );
    }
    if (props.sweepFunction) {
      health.push(
        new cloudwatch.GraphWidget({
          title: 'Alert sweep: errors, alerts opened / resolved / failed',
          left: [
            sum(props.sweepFunction.metricErrors(), 'sweep errors'),
            sweepMetric(SWEEP_METRIC.alertsOpened, {
              statistic: 'Sum',
              period: this.period,
              label: 'opened',
            }),
            sweepMetric(SWEEP_METRIC.alertsResolved, {
              statistic: 'Sum',
              period: this.period,
              label: 'resolved',
            }),
            sweepMetric(SWEEP_METRIC.alertFailures, {
              statistic: 'Sum',
              period: this.period,
              label: 'failed',
            }),
          ],
          width: 8,
          height: 6,
        }),
      );
    }
    if (props.queryApi) {
      const api = props.queryApi;
      health.push(
        new cloudwatch.GraphWidget({
          title: 'Query API: 4xx, 5xx and latency',
          left: [
            api.metricClientError({ statistic: 'Sum', period: this.period, label: '4xx' }),
            api.metricServerError({ statistic: 'Sum', period: this.period, label: '5xx' }),
          ],
          right: [api.metricLatency({ statistic: 'p90', period: this.period, label: 'latency p90 (ms)' })],
          width: 8,
          height: 6,
        }),
      );
    } else if (props.queryFunction) {
      health.push(
        new cloudwatch.GraphWidget({
          title: 'Query function: errors and duration',
          left: [sum(props.queryFunction.metricErrors(), 'errors')],
          right: [
            props.queryFunction.metricDuration({
              statistic: 'p90',
              period: this.period,
              label: 'duration p90',
            }),
          ],
          width: 8,
          height: 6,
        }),
      );
    }
    health.push(
      new cloudwatch.TextWidget({
        markdown:
          '### Forwarder drops\nThe forwarder runs in the cluster and counts drops in Prometheus, not CloudWatch: ' +
          '`podlife_forwarder_dropped_total{reason}` and `podlife_forwarder_failed_total` on its `/metrics` ' +
          '(see deploy/). Events that reached the bus but not the table are in the failure queue above.',
        width: 8,
        height: 6,
      }),
    );
    d.addWidgets(...health);

    // Where startup time goes (issue 11): the pod startup SLI against its SLO, and each stage.
    d.addWidgets(
      new cloudwatch.GraphWidget({
        title:
          'Pod startup SLI (created → all containers started, minus image pulls): p50 / p90 / p99 per cluster',
        left: PERCENTILES.flatMap((p) =>
          this.perCluster(
            clusters,
            (c) => this.ingest(INGEST_METRICS.startupSli, { cluster: c }, p, `${c} ${p}`),
            INGEST_METRICS.startupSli,
            INGEST_METRICS.service,
            p,
          ),
        ),
        leftYAxis: { label: 'seconds', showUnits: false, min: 0 },
        leftAnnotations: [
          { value: STARTUP_SLO_P99_SECONDS, label: `SLO: p99 ≤ ${STARTUP_SLO_P99_SECONDS} s` },
        ],
        width: 12,
        height: 6,
      }),
      new cloudwatch.TextWidget({
        markdown:
          '### Startup waterfall\nEach stage is seconds from the pod\'s creation (docs/lifecycle-metrics.md, "Startup"): ' +
          'sandbox ready (`PodReadyToStartContainers`), initialized, containers started, containers ready; image pull ' +
          "is every container's pull summed. The SLI leaves out pods with init containers, stateful pods and pods " +
          "not schedulable at once. Per pod: the dashboard's pod view and `podlife history`.",
        width: 12,
        height: 6,
      }),
      ...Object.entries(INGEST_METRICS.startupStages).map(([figure, metric]) =>
        this.percentilesPerCluster(STAGE_TITLES[figure as keyof typeof STAGE_TITLES], metric, clusters, 8),
      ),
    );

    if (props.alarms?.length) {
      d.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: 'podlife alarms',
          alarms: [...props.alarms],
          width: 24,
          height: 3,
        }),
      );
    }
  }

  /** An ingest metric at a percentile or statistic. */
  /** One graph: a figure's p50 / p90 / p99 per cluster, in seconds. */
  private percentilesPerCluster(
    title: string,
    metric: string,
    clusters: readonly string[],
    width: number,
  ): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({
      title: `${title}: p50 / p90 / p99 per cluster`,
      left: PERCENTILES.flatMap((p) =>
        this.perCluster(
          clusters,
          (c) => this.ingest(metric, { cluster: c }, p, `${c} ${p}`),
          metric,
          INGEST_METRICS.service,
          p,
        ),
      ),
      leftYAxis: { label: 'seconds', showUnits: false, min: 0 },
      width,
      height: 6,
    });
  }

  private ingest(metricName: string, dims: Dims, statistic: string, label: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: INGEST_METRICS.namespace,
      metricName,
      dimensionsMap: { service: INGEST_METRICS.service, ...dims },
      statistic,
      period: this.period,
      label,
    });
  }

  /** One series per named cluster, or a SEARCH that finds every cluster's series. */
  private perCluster(
    clusters: readonly string[],
    named: (cluster: string) => cloudwatch.IMetric,
    metricName: string,
    service: string,
    statistic: string,
    periodSeconds = this.period.toSeconds(),
  ): cloudwatch.IMetric[] {
    if (clusters.length > 0) return clusters.map(named);
    return [
      new cloudwatch.SearchExpression({
        expression: `SEARCH('{${METRIC_NAMESPACE},cluster,service} service="${service}" MetricName="${metricName}"', '${statistic}', ${periodSeconds})`,
        label: statistic,
        period: Duration.seconds(periodSeconds),
      }),
    ];
  }

  /** A Metrics Insights query (sums over dimensions that EMF keeps apart). */
  private insights(query: string, label: string): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({ expression: query, label, period: this.period });
  }
}
