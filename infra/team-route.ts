/**
 * TeamRoute: a team gets its namespaces' pod alerts, by e-mail / HTTPS / SQS from the pod alert
 * topic through a subscription filter policy on the message attributes the sweep sets (`cluster`,
 * `namespace`, `severity`, `kind`, `state`), and/or to EventBridge targets through a rule on
 * podlife's bus that matches the alert events' `detail` (the same fields). docs/alerts.md#routing.
 *
 *   new TeamRoute(stack, 'Payments', {
 *     alertTopic: stack.pipeline.alertTopic, bus: stack.pipeline.bus,
 *     namespaces: ['payments', 'payments-batch'], clusters: ['prod'],
 *     emails: ['payments-oncall@example.com'],
 *     targets: [new targets.SqsQueue(paymentsQueue)],
 *   });
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALERT_SOURCE } from '../model/alerts.ts';

export interface TeamRouteProps {
  /** The pod alert topic (the pipeline's `alertTopic`). Needed for e-mails, URLs and queues. */
  alertTopic?: sns.ITopic | undefined;
  /** podlife's bus (the pipeline's `bus`). Needed for `targets`. */
  bus?: events.IEventBus | undefined;
  /** The team's namespaces (at least one). */
  namespaces: readonly string[];
  /** Only these clusters (default: every cluster). */
  clusters?: readonly string[] | undefined;
  /** Only these severities (`warning`, `critical`; default: both). */
  severities?: readonly string[] | undefined;
  /** Only openings (`opened`) or also resolutions (default: both). */
  states?: readonly ('opened' | 'resolved')[] | undefined;
  emails?: readonly string[] | undefined;
  /** HTTPS endpoints (a chat webhook bridge, an incident tool). */
  urls?: readonly string[] | undefined;
  queues?: readonly sqs.IQueue[] | undefined;
  /** EventBridge targets of the team's alert events (a Lambda, an API destination, ...). */
  targets?: readonly events.IRuleTarget[] | undefined;
}

export class TeamRoute extends Construct {
  /** The rule on the bus (when `targets` are given). */
  readonly rule?: events.Rule;
  /** The SNS subscription filter policy every subscription of this route has. */
  readonly filterPolicy: Record<string, sns.SubscriptionFilter>;

  constructor(scope: Construct, id: string, props: TeamRouteProps) {
    super(scope, id);
    if (props.namespaces.length === 0) throw new Error('TeamRoute: give at least one namespace');
    const wantsSns =
      (props.emails?.length ?? 0) + (props.urls?.length ?? 0) + (props.queues?.length ?? 0) > 0;
    if (wantsSns && !props.alertTopic) throw new Error('TeamRoute: e-mails, URLs and queues need alertTopic');
    if (props.targets?.length && !props.bus) throw new Error('TeamRoute: targets need bus');

    const allow = (values: readonly string[]) =>
      sns.SubscriptionFilter.stringFilter({ allowlist: [...values] });
    this.filterPolicy = {
      namespace: allow(props.namespaces),
      ...(props.clusters?.length ? { cluster: allow(props.clusters) } : {}),
      ...(props.severities?.length ? { severity: allow(props.severities) } : {}),
      ...(props.states?.length ? { state: allow(props.states) } : {}),
    };
    const filterPolicy = this.filterPolicy;
    const topic = props.alertTopic;
    if (topic) {
      for (const email of props.emails ?? [])
        topic.addSubscription(new subscriptions.EmailSubscription(email, { filterPolicy }));
      for (const url of props.urls ?? [])
        topic.addSubscription(new subscriptions.UrlSubscription(url, { filterPolicy }));
      for (const queue of props.queues ?? [])
        topic.addSubscription(new subscriptions.SqsSubscription(queue, { filterPolicy }));
    }

    if (props.targets?.length && props.bus) {
      this.rule = new events.Rule(this, 'Rule', {
        description: `podlife: pod alerts of ${props.namespaces.join(', ')} to the team's targets`,
        eventBus: props.bus,
        eventPattern: {
          source: [ALERT_SOURCE],
          detail: {
            namespace: [...props.namespaces],
            ...(props.clusters?.length ? { cluster: [...props.clusters] } : {}),
            ...(props.severities?.length ? { severity: [...props.severities] } : {}),
            ...(props.states?.length ? { state: [...props.states] } : {}),
          },
        },
        targets: [...props.targets],
      });
    }
  }
}
