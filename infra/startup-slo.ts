/**
 * The optional pod startup SLO alarm (issue 11): per cluster, p99 of the Kubernetes pod startup
 * SLI (INGEST_METRICS.startupSli, emitted by the ingest once per pod, functions/ingest/
 * lifecycle-metrics.ts) over one day above the objective. SIG Scalability's SLO is p99 ≤ 5 s per
 * cluster-day (kubernetes/community sig-scalability/slos/pod_startup_latency.md).
 *
 * Off unless configured: context `podlife:startupSloSeconds` (e.g. 5). Percentiles cannot be
 * merged across clusters (nor computed by Metrics Insights), so the alarm is per named cluster
 * and needs `podlife:clusterNames`. Missing data is NOT_BREACHING: a day without a measurable
 * start (every pod excluded, or no pod started) says nothing about the SLO.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { INGEST_METRICS } from '../model/metric-names.ts';
import { describeAlarm, RUNBOOK } from './runbooks.ts';

export interface StartupSloAlarmsProps {
  /** The objective: the alarm fires when p99 of the SLI over a day is above it, seconds. */
  objectiveSeconds: number;
  /** One alarm per cluster; required (percentiles are per cluster). */
  clusters: readonly string[];
  /** Where the alarm and its OK go (the pod-alert topic: the SLO is the teams', not on-call's). */
  topic?: sns.ITopic | undefined;
  runbookBaseUrl?: string | undefined;
}

/** The alarm's window: one cluster-day, as the SLO is stated. */
export const STARTUP_SLO_PERIOD = Duration.days(1);

export class StartupSloAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: StartupSloAlarmsProps) {
    super(scope, id);
    if (!(props.objectiveSeconds > 0)) throw new Error('StartupSloAlarms: objectiveSeconds must be > 0');
    if (props.clusters.length === 0)
      throw new Error(
        'podlife:startupSloSeconds needs podlife:clusterNames: the SLO alarm is per cluster (p99 cannot be merged across clusters)',
      );
    const action = props.topic ? new cwActions.SnsAction(props.topic) : undefined;
    for (const cluster of props.clusters) {
      const alarm = new cloudwatch.Alarm(this, `StartupSloAlarm-${cluster}`, {
        alarmDescription: describeAlarm(
          `pod startup SLO missed in cluster ${cluster}: p99 of the pod startup SLI (creation → all containers started, minus image pulls; stateless schedulable pods without init containers) over the last day > ${props.objectiveSeconds} s. Run \`podlife stats --cluster ${cluster} --by node\`.`,
          RUNBOOK.startupSlo,
          props.runbookBaseUrl,
        ),
        metric: new cloudwatch.Metric({
          namespace: INGEST_METRICS.namespace,
          metricName: INGEST_METRICS.startupSli,
          dimensionsMap: { service: INGEST_METRICS.service, cluster },
          statistic: 'p99',
          period: STARTUP_SLO_PERIOD,
        }),
        threshold: props.objectiveSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (action) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      this.alarms.push(alarm);
    }
  }
}
