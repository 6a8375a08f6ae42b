/**
 * Where alerts go: the sweep sends grouped notices (`send`, one channel at a time, so a failing
 * channel is retried alone). Per-episode `opened`/`resolved` remain for callers that send one pod:
 * one SNS message (for people: e-mail, chat, SMS, with cluster, namespace and
 * kind as message attributes for subscription filters) and one EventBridge event on podlife's
 * bus (for machines: rules route them to Slack, PagerDuty, ...). Both must succeed, or the call
 * throws and the sweep does not record the episode, so the next sweep sends it again.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  type AlertNotice,
  type Channel,
  noticeEventEntry,
  noticePublishInput,
} from '../commons/alert-groups.ts';
import {
  ALERT_SOURCE,
  type AlertMessage,
  detailTypeOf,
  type OpenedAlert,
  openedMessage,
  type ResolvedAlert,
  resolvedMessage,
} from '../commons/alerts.ts';

export interface AlertNotifier {
  opened(alert: OpenedAlert): Promise<void>;
  resolved(alert: ResolvedAlert): Promise<void>;
  /** Sends a grouped notice on one channel only; throws if that channel did not take it. */
  send(channel: Channel, notice: AlertNotice): Promise<void>;
}

export class NotifyError extends Error {
  override name = 'NotifyError';
  readonly retryable = true;
}

export interface SnsEventBridgeTargets {
  sns: SNSClient;
  topicArn: string;
  events: EventBridgeClient;
  busName: string;
}

/** The PublishCommand input of an alert (pure). */
export function publishInput(topicArn: string, alert: OpenedAlert | ResolvedAlert, message: AlertMessage) {
  const attr = (v: string) => ({ DataType: 'String', StringValue: v });
  return {
    TopicArn: topicArn,
    Subject: message.subject,
    Message: message.body,
    MessageAttributes: {
      cluster: attr(alert.cluster),
      namespace: attr(alert.namespace),
      kind: attr(alert.kind),
      state: attr('resolution' in alert ? 'resolved' : 'opened'),
    },
  };
}

/** The PutEvents entry of an alert (pure). */
export function eventEntry(busName: string, alert: OpenedAlert | ResolvedAlert) {
  return {
    EventBusName: busName,
    Source: ALERT_SOURCE,
    DetailType: detailTypeOf(alert),
    Detail: JSON.stringify(alert),
    Resources: [],
  };
}

export function snsEventBridgeNotifier(t: SnsEventBridgeTargets): AlertNotifier {
  async function send(alert: OpenedAlert | ResolvedAlert, message: AlertMessage): Promise<void> {
    const [, put] = await Promise.all([
      t.sns.send(new PublishCommand(publishInput(t.topicArn, alert, message))),
      t.events.send(new PutEventsCommand({ Entries: [eventEntry(t.busName, alert)] })),
    ]);
    if ((put.FailedEntryCount ?? 0) > 0) {
      const e = put.Entries?.[0];
      throw new NotifyError(`PutEvents rejected the alert event: ${e?.ErrorCode} ${e?.ErrorMessage}`);
    }
  }
  return {
    opened: (a) => send(a, openedMessage(a)),
    resolved: (r) => send(r, resolvedMessage(r)),
    async send(channel, notice) {
      if (channel === 'sns') {
        await t.sns.send(new PublishCommand(noticePublishInput(t.topicArn, notice)));
        return;
      }
      const put = await t.events.send(
        new PutEventsCommand({ Entries: [noticeEventEntry(t.busName, notice)] }),
      );
      if ((put.FailedEntryCount ?? 0) > 0) {
        const e = put.Entries?.[0];
        throw new NotifyError(`PutEvents rejected the alert event: ${e?.ErrorCode} ${e?.ErrorMessage}`);
      }
    },
  };
}
