/**
 * The pod startup SLI where operators look (issue 11): the dashboard's SLI and stage widgets,
 * and the optional SLO alarm (context `podlife:startupSloSeconds`), present only when configured.
 */
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STARTUP_SLO_P99_SECONDS } from '../../core/waterfall.ts';
import { startupSloFromContext } from '../../infra/context.ts';
import { PodlifeStack } from '../../infra/podlife-stack.ts';
import { RUNBOOK } from '../../infra/runbooks.ts';
import { ALL_METRIC_NAMES, INGEST_METRICS } from '../../model/metric-names.ts';

function synth(startupSloSeconds?: number, clusterNames: string[] = ['demo', 'prod']): Template {
  const app = new App({ context: { 'cli-telemetry': false, 'aws:cdk:bundling-stacks': [] } });
  const stack = new PodlifeStack(app, 'PodlifeSloTest', {
    pipeline: { clusterNames, retentionDays: 30, removalPolicy: RemovalPolicy.DESTROY },
    ...(startupSloSeconds !== undefined ? { startupSloSeconds } : {}),
  });
  return Template.fromStack(stack);
}

const sloAlarms = (t: Template) =>
  Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter(
    (a) => a.Properties.MetricName === INGEST_METRICS.startupSli,
  );

describe('the pod startup SLO alarm', () => {
  const off = synth();
  const on = synth(STARTUP_SLO_P99_SECONDS);

  it('absent unless configured', () => {
    expect(sloAlarms(off)).toEqual([]);
    expect(startupSloFromContext(() => undefined)).toBeUndefined();
    expect(startupSloFromContext(() => '5')).toBe(5);
    expect(() => startupSloFromContext(() => 'soon')).toThrow(/podlife:startupSloSeconds/);
  });

  it('configured: one per cluster, p99 of the SLI over one day > the objective, missing data not breaching, runbook linked', () => {
    const alarms = sloAlarms(on);
    expect(alarms).toHaveLength(2);
    for (const cluster of ['demo', 'prod']) {
      on.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'PodStartupSliSeconds',
        Namespace: 'podlife',
        Dimensions: Match.arrayWith([
          { Name: 'cluster', Value: cluster },
          { Name: 'service', Value: 'podlife-ingest' },
        ]),
        ExtendedStatistic: 'p99',
        Period: 86400,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp(
          `cluster ${cluster}.*Runbook: docs/runbooks.md#${RUNBOOK.startupSlo}`,
        ),
      });
    }
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toHaveLength(1);
      expect(a.Properties.OKActions).toEqual(a.Properties.AlarmActions);
    }
    expect(ALL_METRIC_NAMES).toContain(INGEST_METRICS.startupSli);
  });

  it('needs cluster names: without them the synth fails with the reason', () => {
    expect(() => synth(5, [])).toThrow(/podlife:startupSloSeconds needs podlife:clusterNames/);
  });
});

describe('the dashboard: the SLI and every stage, p50/p90/p99 per cluster', () => {
  const joined = (
    Object.values(synth().findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody as {
      'Fn::Join': [string, unknown[]];
    }
  )['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
    .join('');
  const widgets = (JSON.parse(joined) as { widgets: { properties: Record<string, any> }[] }).widgets;
  const series = (title: RegExp) =>
    widgets
      .filter((w) => title.test(w.properties.title ?? ''))
      .flatMap((w) => (w.properties.metrics as unknown[][]).map((m) => JSON.stringify(m)));

  it('a widget for the SLI with the SLO line, and one per stage', () => {
    const sli = widgets.find((w) => /^Pod startup SLI/.test(w.properties.title ?? ''))!;
    expect(sli.properties.annotations.horizontal).toEqual([
      { value: STARTUP_SLO_P99_SECONDS, label: `SLO: p99 ≤ ${STARTUP_SLO_P99_SECONDS} s`, yAxis: 'left' },
    ]);
    for (const metric of [INGEST_METRICS.startupSli, ...Object.values(INGEST_METRICS.startupStages)]) {
      const lines = series(/per cluster$/).filter((l) => l.includes(`"${metric}"`));
      expect(lines.sort(), metric).toEqual(
        ['demo', 'prod']
          .flatMap((c) =>
            ['p50', 'p90', 'p99'].map((p) =>
              JSON.stringify([
                'podlife',
                metric,
                'cluster',
                c,
                'service',
                'podlife-ingest',
                { label: `${c} ${p}`, stat: p },
              ]),
            ),
          )
          .sort(),
      );
    }
  });
});
