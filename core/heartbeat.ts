/**
 * The forwarder's heartbeat: one `Forwarder Heartbeat` entry per forwarder process every
 * `--heartbeat-seconds` (default 60), whatever the pods do. It says the forwarder is alive and
 * how it is doing (ready, buffer depth, drops, pods watched); the ingest records the latest one
 * in the cluster registry (`lastHeartbeatAt`), and the sweep and the query API read its age to
 * tell "nothing happened" from "nothing is being sent" (docs/forwarder.md, docs/ingest.md).
 */
import { z } from 'zod';
import { ClusterName } from './kube-schemas.ts';

export const DETAIL_TYPE_HEARTBEAT = 'Forwarder Heartbeat';
/** The forwarder's default interval between two heartbeats (`--heartbeat-seconds`). */
export const DEFAULT_HEARTBEAT_SECONDS = 60;

/** The `Forwarder Heartbeat` detail (source `podlife.forwarder`, schemaVersion 1). */
export const ForwarderHeartbeat = z
  .strictObject({
    schemaVersion: z.literal(1),
    cluster: ClusterName,
    /** When the forwarder sent it (RFC 3339): the heartbeat's time. */
    sentAt: z.string().max(64),
    /** This process (the pod's name, else host and pid): two replicas send apart. */
    instance: z.string().min(1).max(253),
    /** The forwarder's version (package version or image tag). */
    version: z.string().min(1).max(64),
    /** Every pod informer has listed and shutdown has not begun. */
    ready: z.boolean(),
    /** Entries waiting in the send buffer now. */
    bufferEntries: z.number().int().nonnegative(),
    /** Entries given up since the process started (every reason). */
    dropped: z.number().int().nonnegative(),
    /** Pods in the informers' caches now. */
    podsWatched: z.number().int().nonnegative(),
    /** Seconds until the next heartbeat: how late counts as missed. */
    intervalSeconds: z.number().int().positive().max(3600),
  })
  .describe('podlife Forwarder Heartbeat (EventBridge detail, detail-type "Forwarder Heartbeat")');
export type ForwarderHeartbeat = z.infer<typeof ForwarderHeartbeat>;

/** The heartbeat's time paths (core/time-bounds.ts). */
export const HEARTBEAT_TIME_PATHS = ['sentAt'] as const;

/**
 * Whether a cluster's data is stale at `nowMs`: its last heartbeat is older than
 * `staleAfterSeconds`. A cluster that never sent one (an older forwarder, the event exporter,
 * a replayed trace) is not called stale: podlife cannot tell, and says so with `dataAsOf: null`.
 */
export function isStale(lastHeartbeatAt: string | null, nowMs: number, staleAfterSeconds: number): boolean {
  if (lastHeartbeatAt === null) return false;
  const t = Date.parse(lastHeartbeatAt);
  if (!Number.isFinite(t)) return false;
  return nowMs - t > staleAfterSeconds * 1000;
}

/** The default staleness threshold: five missed heartbeats at the default interval. */
export const DEFAULT_STALE_AFTER_SECONDS = 5 * DEFAULT_HEARTBEAT_SECONDS;
