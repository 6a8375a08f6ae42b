/**
 * The ingest's boundary: an EventBridge event in, a validated snapshot, pod facts or pod event out, or the
 * reason it is invalid. Invalid means no retry can fix it (bad envelope, unknown source or
 * detail-type, unknown schemaVersion, oversized, schema failure), so the handler parks it
 * instead of failing the invocation.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { z } from 'zod';
import { describeZodError } from '../core/decode.ts';
import {
  compactEventOfExporter,
  DETAIL_TYPE_EXPORTER,
  EXPORTER_SOURCE,
  ExporterEventDetail,
} from '../core/exporter-event.ts';
import type { Fact } from '../core/facts.ts';
import { DETAIL_TYPE_FACTS, factsOfDetail, PodFactsDetail, PodFactsError } from '../core/pod-facts.ts';
import {
  DETAIL_TYPE_EVENT,
  DETAIL_TYPE_SNAPSHOT,
  EVENT_SOURCE,
  PodEventSnapshot,
  PodSnapshot,
  SCHEMA_VERSION,
} from '../core/snapshot.ts';

/**
 * The largest `detail` accepted, in bytes of JSON. A compact snapshot of a pod with 20
 * containers and every message at its 1,024-character cap stays well under it; anything bigger
 * is not a pod snapshot podlife's forwarder wrote, and would risk DynamoDB's 400 KB item limit.
 */
export const MAX_DETAIL_BYTES = 64 * 1024;

/** Why an event was rejected: a bounded set (a metric dimension). */
export type InvalidKind =
  | 'envelope'
  | 'unknown-type'
  | 'unknown-version'
  | 'oversized'
  | 'schema'
  | 'item-too-large';

export type ParsedBusEvent =
  | { ok: true; kind: 'snapshot'; id: string; snapshot: PodSnapshot }
  | { ok: true; kind: 'event'; id: string; cluster: string; event: PodEventSnapshot['event'] }
  | { ok: true; kind: 'facts'; id: string; detail: PodFactsDetail; facts: Fact[] }
  | { ok: false; kind: InvalidKind; reason: string; id?: string };

function invalid(kind: InvalidKind, reason: string, id?: string): ParsedBusEvent {
  return { ok: false, kind, reason, id };
}

/** The contracts the ingest reads, by source and detail-type. */
const CONTRACTS: Record<string, { schema: z.ZodType; versioned: boolean }> = {
  [`${EVENT_SOURCE}\u0000${DETAIL_TYPE_FACTS}`]: { schema: PodFactsDetail, versioned: true },
  [`${EVENT_SOURCE}\u0000${DETAIL_TYPE_SNAPSHOT}`]: { schema: PodSnapshot, versioned: true },
  [`${EVENT_SOURCE}\u0000${DETAIL_TYPE_EVENT}`]: { schema: PodEventSnapshot, versioned: true },
  // kubernetes-event-exporter's own layout carries no version: the layout is podlife's documented one.
  [`${EXPORTER_SOURCE}\u0000${DETAIL_TYPE_EXPORTER}`]: { schema: ExporterEventDetail, versioned: false },
};

/**
 * Parses one EventBridge event against podlife's contracts (functions/core/pod-facts.ts,
 * snapshot.ts, exporter-event.ts).
 */
export function parseBusEvent(event: unknown): ParsedBusEvent {
  const env = EventBridgeSchema.safeParse(event);
  if (!env.success) return invalid('envelope', `not an EventBridge event: ${describeZodError(env.error)}`);
  const { id, source, 'detail-type': detailType, detail } = env.data;
  const contract = Object.hasOwn(CONTRACTS, `${source}\u0000${detailType}`)
    ? CONTRACTS[`${source}\u0000${detailType}`]
    : undefined;
  if (!contract) return invalid('unknown-type', `unknown source/detail-type: ${source} / ${detailType}`, id);
  const { schema } = contract;
  const bytes = Buffer.byteLength(JSON.stringify(detail ?? null));
  if (bytes > MAX_DETAIL_BYTES) {
    return invalid('oversized', `detail is ${bytes} bytes, more than the ${MAX_DETAIL_BYTES} accepted`, id);
  }
  const version = (detail as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (contract.versioned && version !== SCHEMA_VERSION) {
    return invalid(
      'unknown-version',
      `schemaVersion ${JSON.stringify(version)} is not supported (this ingest reads ${SCHEMA_VERSION})`,
      id,
    );
  }
  const parsed = schema.safeParse(detail);
  if (!parsed.success)
    return invalid('schema', `detail.${describeZodError(parsed.error as z.ZodError, 3)}`, id);
  if (schema === PodSnapshot) return { ok: true, kind: 'snapshot', id, snapshot: parsed.data as PodSnapshot };
  if (schema === PodFactsDetail) {
    const d = parsed.data as PodFactsDetail;
    try {
      return { ok: true, kind: 'facts', id, detail: d, facts: factsOfDetail(d) };
    } catch (err) {
      if (err instanceof PodFactsError) return invalid('schema', `detail.${err.message}`, id);
      throw err;
    }
  }
  if (schema === ExporterEventDetail) {
    const d = parsed.data as ExporterEventDetail;
    return { ok: true, kind: 'event', id, cluster: d.cluster, event: compactEventOfExporter(d) };
  }
  const ev = parsed.data as PodEventSnapshot;
  return { ok: true, kind: 'event', id, cluster: ev.cluster, event: ev.event };
}
