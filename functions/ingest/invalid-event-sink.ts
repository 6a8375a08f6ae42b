/**
 * Where invalid events go: a report put on podlife's own bus, which a rule delivers to the
 * encrypted "invalid events" SQS queue (and the bus archive keeps). A failed put throws, so the
 * invocation fails and Lambda retries: an invalid event is never dropped silently either.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DETAIL_TYPE_INVALID,
  INVALID_EVENT_SOURCE,
  type InvalidEventReport,
} from '../../model/invalid-event.ts';

export interface InvalidEventSink {
  record(report: InvalidEventReport): Promise<void>;
}

export class InvalidEventPublishError extends Error {
  override name = 'InvalidEventPublishError';
  readonly retryable = true;
}

/** Publishes reports to the bus with one PutEvents each. */
export function eventBridgeInvalidEventSink(client: EventBridgeClient, busName: string): InvalidEventSink {
  return {
    async record(report) {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: INVALID_EVENT_SOURCE,
              DetailType: DETAIL_TYPE_INVALID,
              Detail: JSON.stringify(report),
            },
          ],
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        const entry = out.Entries?.[0];
        throw new InvalidEventPublishError(
          `PutEvents rejected the report: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
        );
      }
    },
  };
}
