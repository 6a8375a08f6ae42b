/**
 * Sender binding (issue 15): a cluster bound to the principal that sends for it. IAM cannot
 * look into an event's `detail`, so the binding rides on the event's `source`: the sender role of
 * cluster `prod-eu` may only put `podlife.forwarder.prod-eu` (IAM condition `events:source`), and
 * an event of that source is ingested only when its `detail.cluster` is `prod-eu` (the bus rules
 * of infra/pipeline.ts, and the ingest's own check in core/bus-contract.ts). Unbound senders keep
 * the plain sources (`podlife.forwarder`, `kubernetes-event-exporter`).
 */
import { EXPORTER_SOURCE } from './exporter-event.ts';
import { EVENT_SOURCE } from './snapshot.ts';

/** The sources a binding can be derived from (the forwarder's and kubernetes-event-exporter's). */
export const SENDER_SOURCES = [EVENT_SOURCE, EXPORTER_SOURCE] as const;
export type SenderSource = (typeof SENDER_SOURCES)[number];

/** A cluster name as the forwarder takes it (--cluster): 1-63 letters, digits, ".", "_", "-". */
export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The source a sender bound to `cluster` puts on its events: `podlife.forwarder.prod-eu`. */
export function boundSource(cluster: string, source: SenderSource = EVENT_SOURCE): string {
  if (!CLUSTER_NAME.test(cluster)) {
    throw new Error(
      `not a cluster name a source can carry (1-63 letters, digits, ".", "_", "-"): ${JSON.stringify(cluster)}`,
    );
  }
  return `${source}.${cluster}`;
}

/**
 * What a source says: its sender (the plain source) and, for a bound source, the cluster it is
 * bound to. Anything else (another source, a suffix that is not a cluster name): undefined.
 */
export function senderOfSource(source: string): { sender: SenderSource; cluster?: string } | undefined {
  for (const sender of SENDER_SOURCES) {
    if (source === sender) return { sender };
    if (source.startsWith(`${sender}.`)) {
      const cluster = source.slice(sender.length + 1);
      return CLUSTER_NAME.test(cluster) ? { sender, cluster } : undefined;
    }
  }
  return undefined;
}
