/**
 * Where alerts go: grouped notices (model/alert-groups.ts), each sent on one channel
 * at a time: one SNS message (for people: e-mail, chat, SMS, with cluster, namespace, kind, state,
 * severity and dedup key as message attributes for subscription filters) and one EventBridge
 * event on podlife's bus (for machines: rules route them to Slack, PagerDuty, ...). The sweep
 * marks each channel as it succeeds, so a failing channel is retried alone.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  type AlertNotice,
  type Channel,
  noticeEventEntry,
  noticePublishInput,
} from '../../model/alert-groups.ts';

export interface AlertNotifier {
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

export function snsEventBridgeNotifier(t: SnsEventBridgeTargets): AlertNotifier {
  return {
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
