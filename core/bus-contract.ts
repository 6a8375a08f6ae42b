/**
 * podlife's bus contracts, by source and detail-type: a `detail` in, a validated snapshot, pod
 * facts or pod event out, or the reason it is invalid. Shared by the ingest (behind the
 * EventBridge envelope) and by `podlife replay` / local mode reading captured bus events.
 */
import type { z } from 'zod';
import {
  compactEventOfExporter,
  DETAIL_TYPE_EXPORTER,
  EXPORTER_SOURCE,
  ExporterEventDetail,
} from './exporter-event.ts';
import type { Fact } from './facts.ts';
import { DETAIL_TYPE_HEARTBEAT, ForwarderHeartbeat, HEARTBEAT_TIME_PATHS } from './heartbeat.ts';
import { DETAIL_TYPE_INVENTORY, INVENTORY_TIME_PATHS, PodInventory } from './inventory.ts';
import { DETAIL_TYPE_FACTS, factsOfDetail, PodFactsDetail, PodFactsError, wireFactsOf } from './pod-facts.ts';
import { senderOfSource } from './sender-binding.ts';
import {
  CompactEvent,
  DETAIL_TYPE_EVENT,
  DETAIL_TYPE_SNAPSHOT,
  EVENT_SOURCE,
  PodEventSnapshot,
  PodSnapshot,
  SCHEMA_VERSION,
} from './snapshot.ts';
import { checkFactTimes, checkTimes, TIME_PATHS } from './time-bounds.ts';
import { describeZodError, shown } from './zod-errors.ts';

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
  | 'item-too-large'
  | 'store-refused'
  | 'wrong-sender';

export type ParsedDetail =
  | { ok: true; kind: 'snapshot'; snapshot: PodSnapshot }
  | { ok: true; kind: 'event'; cluster: string; event: CompactEvent }
  | { ok: true; kind: 'facts'; detail: PodFactsDetail; facts: Fact[] }
  | { ok: true; kind: 'heartbeat'; heartbeat: ForwarderHeartbeat }
  | { ok: true; kind: 'inventory'; inventory: PodInventory }
  | { ok: false; kind: InvalidKind; reason: string };

function invalid(kind: InvalidKind, reason: string): ParsedDetail {
  return { ok: false, kind, reason };
}

/** The contracts, by source and detail-type. */
const CONTRACTS: Record<string, { schema: z.ZodType; versioned: boolean; times: readonly string[] }> = {
  [`${EVENT_SOURCE}\u0000${DETAIL_TYPE_FACTS}`]: { schema: PodFactsDetail, versioned: true, times: [] },
  [`${EVENT_SOURCE}\u0000${DETAIL_TYPE_SNAPSHOT}`]: {
    schema: PodSnapshot,
    versioned: true,
    times: TIME_PATHS.podSnapshot,
  },
  [`${EVENT_SOURCE}\u0000${DETAIL_TYPE_EVENT}`]: {
    schema: PodEventSnapshot,
    versioned: true,
    times: TIME_PATHS.podEvent,
  },
  [`${EVENT_SOURCE}\u0000${DETAIL_TYPE_HEARTBEAT}`]: {
    schema: ForwarderHeartbeat,
    versioned: true,
    times: HEARTBEAT_TIME_PATHS,
  },
  [`${EVENT_SOURCE}\u0000${DETAIL_TYPE_INVENTORY}`]: {
    schema: PodInventory,
    versioned: true,
    times: INVENTORY_TIME_PATHS,
  },
  // kubernetes-event-exporter's own layout carries no version: the layout is podlife's documented one.
  [`${EXPORTER_SOURCE}\u0000${DETAIL_TYPE_EXPORTER}`]: {
    schema: ExporterEventDetail,
    versioned: false,
    times: TIME_PATHS.exporterEvent,
  },
};

/**
 * Validates one event's `detail` against the contract its source and detail-type name; `now`
 * (epoch ms) is when it was received, the upper bound of its times (core/time-bounds.ts).
 */
export function parseDetail(source: string, detailType: string, detail: unknown, now: number): ParsedDetail {
  // A bound source (`podlife.forwarder.prod-eu`, core/sender-binding.ts) has its sender's contract
  // and may speak for its own cluster only: whatever the bus rules let through, a sender bound to
  // one cluster never writes another's history.
  const sender = senderOfSource(source);
  const key = `${sender?.sender ?? source}\u0000${detailType}`;
  const contract = Object.hasOwn(CONTRACTS, key) ? CONTRACTS[key] : undefined;
  if (!contract)
    return invalid('unknown-type', `unknown source/detail-type: ${shown(source)} / ${shown(detailType)}`);
  const { schema } = contract;
  if (sender?.cluster !== undefined) {
    const claimed = (detail as { cluster?: unknown } | null)?.cluster;
    if (claimed !== sender.cluster) {
      return invalid(
        'wrong-sender',
        `detail.cluster ${shown(JSON.stringify(claimed ?? null))} is not ${JSON.stringify(sender.cluster)}, the cluster source ${source} is bound to`,
      );
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(detail ?? null));
  if (bytes > MAX_DETAIL_BYTES) {
    return invalid('oversized', `detail is ${bytes} bytes, more than the ${MAX_DETAIL_BYTES} accepted`);
  }
  const version = (detail as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (contract.versioned && version !== SCHEMA_VERSION) {
    return invalid(
      'unknown-version',
      `schemaVersion ${shown(version)} is not supported (this ingest reads ${SCHEMA_VERSION})`,
    );
  }
  const parsed = schema.safeParse(detail);
  if (!parsed.success) return invalid('schema', `detail.${describeZodError(parsed.error as z.ZodError, 3)}`);
  const badTime = checkTimes(parsed.data, contract.times, now);
  if (badTime) return invalid('schema', `detail.${badTime}`);
  if (schema === ForwarderHeartbeat)
    return { ok: true, kind: 'heartbeat', heartbeat: parsed.data as ForwarderHeartbeat };
  if (schema === PodInventory) return { ok: true, kind: 'inventory', inventory: parsed.data as PodInventory };
  if (schema === PodSnapshot) return { ok: true, kind: 'snapshot', snapshot: parsed.data as PodSnapshot };
  if (schema === PodFactsDetail) {
    const d = parsed.data as PodFactsDetail;
    try {
      const facts = wireFactsOf(d);
      const badFactTime = checkFactTimes(d.t0, facts, now);
      if (badFactTime) return invalid('schema', `detail.${badFactTime}`);
      return {
        ok: true,
        kind: 'facts',
        detail: d,
        facts: factsOfDetail({ ...d, facts, factsDeflate: undefined }),
      };
    } catch (err) {
      if (err instanceof PodFactsError) return invalid('schema', `detail.${err.message}`);
      throw err;
    }
  }
  if (schema === ExporterEventDetail) {
    const d = parsed.data as ExporterEventDetail;
    // What is stored is the forwarder's Pod Event: held to the same contract, whatever the layout let through.
    const event = CompactEvent.safeParse(compactEventOfExporter(d));
    if (!event.success)
      return invalid('schema', `detail (as a Pod Event): ${describeZodError(event.error, 3)}`);
    return { ok: true, kind: 'event', cluster: d.cluster, event: event.data };
  }
  const ev = parsed.data as PodEventSnapshot;
  return { ok: true, kind: 'event', cluster: ev.cluster, event: ev.event };
}
