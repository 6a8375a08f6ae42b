/**
 * The ingest's boundary: an EventBridge event in, a validated snapshot, pod facts or pod event
 * out (core/bus-contract.ts), or the reason it is invalid. Invalid means no retry can
 * fix it (bad envelope, unknown source or detail-type, unknown schemaVersion, oversized, schema
 * failure), so the handler parks it instead of failing the invocation.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { type InvalidKind, type ParsedDetail, parseDetail } from '../../core/bus-contract.ts';
import { describeZodError } from '../../core/zod-errors.ts';

export { type InvalidKind, MAX_DETAIL_BYTES } from '../../core/bus-contract.ts';

export type ParsedBusEvent =
  | (Extract<ParsedDetail, { ok: true }> & { id: string })
  | { ok: false; kind: InvalidKind; reason: string; id?: string };

/** Parses one EventBridge event against podlife's contracts; `now` (epoch ms): when it was received. */
export function parseBusEvent(event: unknown, now: number): ParsedBusEvent {
  const env = EventBridgeSchema.safeParse(event);
  if (!env.success)
    return {
      ok: false,
      kind: 'envelope',
      reason: `not an EventBridge event: ${describeZodError(env.error)}`,
    };
  const { id, source, 'detail-type': detailType, detail } = env.data;
  return { ...parseDetail(source, detailType, detail, now), id };
}
