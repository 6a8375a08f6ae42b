/**
 * Every DynamoDB key podlife writes or reads, built in one place (dynamodb-toolbox's
 * `computeKey` idea). Base table: one item per pod incarnation under its name, so a name's
 * whole history is one Query; alerts and the cluster registry live beside them.
 */

import { toIso } from '../core/time.ts';

const DAY_MS = 86_400_000;

const POD = 'POD#';

export const podPk = (cluster: string, namespace: string, name: string) =>
  `${POD}${cluster}#${namespace}#${name}`;
/**
 * The prefix every pk of a cluster's pods (and, with a namespace, of a namespace's) starts with:
 * `begins_with(pk, …)` filters an index of a whole cluster down to one namespace.
 */
export const podPkPrefix = (cluster: string, namespace?: string) =>
  namespace === undefined ? `${POD}${cluster}#` : `${POD}${cluster}#${namespace}#`;
export const podSk = (uid: string) => uid;
export const uidKey = (cluster: string, uid: string) => `${cluster}#${uid}`;
export const pendingKey = (cluster: string) => `PENDING#${cluster}`;
export const crashKey = (cluster: string) => `CRASH#${cluster}`;
export const nsKey = (cluster: string, namespace: string) => `NS#${cluster}#${namespace}`;
/** UTC creation day of a pod; pods with no (representable) creation time fall in day 0000-00-00. */
export const dayOf = (createdMs: number | null) =>
  toIso(createdMs == null ? null : Math.floor(createdMs / DAY_MS) * DAY_MS)?.slice(0, 10) ?? '0000-00-00';
export const dayKey = (cluster: string, day: string) => `DAY#${cluster}#${day}`;
/** Sort key of the indexes: creation time, then uid (unique, and ordered oldest first). */
export const createdKey = (createdIso: string | null, uid: string) => `${createdIso ?? '0000'}#${uid}`;

export const alertPk = (cluster: string) => `ALERT#${cluster}`;
export const alertSk = (kind: 'pending' | 'crashloop', uid: string) => `${kind}#${uid}`;
/** Notice items (the sweep's outbox) share the alert partition; their sort keys start with this. */
export const NOTICE_SK_PREFIX = 'notice#';
export const noticeSk = (at: string, state: 'opened' | 'resolved', dedupKey: string) =>
  `${NOTICE_SK_PREFIX}${at}#${state}#${dedupKey}`;

/** Silences (model/silences.ts): one partition, sort key the silence id. */
export const SILENCES_PK = 'SILENCES';
/** An episode a silence holds, in its cluster's alert partition (beside the open episodes). */
export const silencedSk = (kind: 'pending' | 'crashloop', uid: string) => `silenced#${kind}#${uid}`;

/**
 * Sort key of the per-name holding item for core/v1 Events that name a pod only by namespace and
 * name (no `involvedObject.uid`). Which incarnation such an event belongs to depends on every
 * incarnation of the name, including ones not seen yet, so it is decided when the partition is
 * read (`recordsOfPartition`), never at ingest: that keeps the stored result order-independent.
 * `~` sorts after every uid, so a partition Query returns the incarnations first.
 */
export const NAME_EVENTS_SK = '~events';

/**
 * The identity a pod item's primary key encodes. Index queries get it from the projected table
 * keys (pk, sk), so the indexes need not project copies of cluster, namespace, name and uid.
 * Namespace and name are DNS labels (never `#`), so the cluster is everything before them.
 */
export function podIdentityOfKey(
  pk: string,
  sk: string,
): { cluster: string; namespace: string; name: string; uid: string } | undefined {
  if (!pk.startsWith(POD) || sk === NAME_EVENTS_SK) return undefined;
  const rest = pk.slice(POD.length);
  const i = rest.lastIndexOf('#');
  const j = i > 0 ? rest.lastIndexOf('#', i - 1) : -1;
  if (j <= 0) return undefined;
  return { cluster: rest.slice(0, j), namespace: rest.slice(j + 1, i), name: rest.slice(i + 1), uid: sk };
}

/** Registry of clusters seen, so the sweep knows which pending partitions to read. */
export const CLUSTERS_PK = 'CLUSTERS';

/** The UTC days from `fromMs` to `toMs` inclusive, for per-cluster range queries. */
export function daysBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(fromMs / DAY_MS) * DAY_MS; t <= toMs; t += DAY_MS) out.push(dayOf(t));
  return out;
}

/**
 * The latest forwarder heartbeat per cluster (sk: the cluster): its own partition beside the
 * registry, so the registry's idempotent overwrite (`registerCluster`) never erases it.
 */
export const HEARTBEATS_PK = 'HEARTBEATS';
