/**
 * TeamRoute and the alert event archive, on synthesised templates: a team's e-mail, URL and queue
 * subscriptions carry a filter policy on the attributes the notifier sets; its EventBridge rule
 * matches the alert events' detail; the alert events are archived on the bus, retention
 * configurable (context `podlife:alerts` → alertArchiveDays).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { busRef } from '../../infra/cdk-types.ts';
import { alertsPropsFromContext } from '../../infra/context.ts';
import { PodlifeStack } from '../../infra/podlife-stack.ts';
import { TeamRoute } from '../../infra/team-route.ts';
import { noticeOf, noticePublishInput } from '../../model/alert-groups.ts';
import { stuckPendingAlertOf } from '../../model/alerts.ts';

describe('TeamRoute', () => {
  it('e-mail, URL and queue subscriptions filtered on namespace, cluster and severity; a rule on the events', () => {
    const stack = new Stack(new App(), 'Teams');
    const topic = new sns.Topic(stack, 'Alerts');
    const bus = new events.EventBus(stack, 'Bus');
    const queue = new sqs.Queue(stack, 'Q');
    new TeamRoute(stack, 'Payments', {
      alertTopic: topic,
      bus: busRef(bus),
      namespaces: ['payments', 'payments-batch'],
      clusters: ['prod'],
      severities: ['critical', 'warning'],
      emails: ['payments-oncall@example.com'],
      urls: ['https://chat.example.com/hook'],
      queues: [queue],
      targets: [new targets.SqsQueue(queue)],
    });
    const t = Template.fromStack(stack);
    const policy = {
      namespace: ['payments', 'payments-batch'],
      cluster: ['prod'],
      severity: ['critical', 'warning'],
    };
    t.resourceCountIs('AWS::SNS::Subscription', 3);
    for (const protocol of ['email', 'https', 'sqs'])
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: protocol, FilterPolicy: policy });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['podlife.alerts'], detail: policy },
      EventBusName: Match.anyValue(),
    });
  });

  it('the filter policy matches the attributes and detail the sweep sends', () => {
    const alert = stuckPendingAlertOf(
      {
        cluster: 'prod',
        namespace: 'payments',
        name: 'api-1',
        uid: 'u-1',
        owner: { kind: 'Deployment', name: 'api' },
        node: null,
        phase: 'Pending',
        createdAt: '2026-11-20T10:00:00.000Z',
        ageSeconds: 1200,
        thresholdSeconds: 900,
        stuck: true,
        waitingReason: null,
        unschedulableMessage: '0/3 nodes are available',
        schedulingGates: null,
        statusReason: null,
      } as never,
      Date.parse('2026-11-20T10:20:00Z'),
    );
    const n = noticeOf('opened', [alert], { nowMs: Date.parse('2026-11-20T10:20:00Z'), maxPodsListed: 20 });
    const attrs = noticePublishInput('arn:topic', n).MessageAttributes;
    for (const key of ['namespace', 'cluster', 'severity', 'state'])
      expect(attrs[key as keyof typeof attrs]?.StringValue, key).toBeTruthy();
    expect(n).toMatchObject({ namespace: 'payments', cluster: 'prod', severity: 'warning', state: 'opened' });
  });

  it('refuses a route with no namespace, or subscriptions without the topic', () => {
    const stack = new Stack(new App(), 'Bad');
    expect(() => new TeamRoute(stack, 'A', { namespaces: [] })).toThrow(/at least one namespace/);
    expect(() => new TeamRoute(stack, 'B', { namespaces: ['x'], emails: ['a@b.c'] })).toThrow(/alertTopic/);
  });
});

/** An app that does not bundle the functions (the template only is read). */
const offline = () => new App({ context: { 'cli-telemetry': false, 'aws:cdk:bundling-stacks': [] } });

describe('alert event archive', () => {
  const archives = (t: Template) =>
    Object.values(t.findResources('AWS::Events::Archive')) as {
      Properties: { EventPattern: { source: string[] }; RetentionDays: number };
    }[];

  it('archives podlife.alerts events for 90 days by default, alertArchiveDays from podlife:alerts', () => {
    const def = Template.fromStack(new PodlifeStack(offline(), 'Def'));
    const alerts = archives(def).filter((a) => a.Properties.EventPattern.source.includes('podlife.alerts'));
    expect(alerts.map((a) => a.Properties.RetentionDays)).toEqual([90]);
    const props = alertsPropsFromContext((k) =>
      k === 'podlife:alerts' ? '{"alertArchiveDays": 365}' : undefined,
    );
    const custom = Template.fromStack(new PodlifeStack(offline(), 'Custom', { alerts: props }));
    expect(
      archives(custom)
        .filter((a) => a.Properties.EventPattern.source.includes('podlife.alerts'))
        .map((a) => a.Properties.RetentionDays),
    ).toEqual([365]);
  });
});
