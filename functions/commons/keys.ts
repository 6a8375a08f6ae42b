/**
 * Every DynamoDB key podlife writes or reads, built in one place (dynamodb-toolbox's
 * `computeKey` idea). Base table: one item per pod incarnation under its name, so a name's
 * whole history is one Query; alerts and the cluster registry live beside them.
 */

const DAY_MS = 86_400_000;

export const podPk = (cluster: string, namespace: string, name: string) => `POD#${cluster}#${namespace}#${name}`;
export const podSk = (uid: string) => uid;
export const uidKey = (cluster: string, uid: string) => `${cluster}#${uid}`;
export const pendingKey = (cluster: string) => `PENDING#${cluster}`;
export const crashKey = (cluster: string) => `CRASH#${cluster}`;
export const nsKey = (cluster: string, namespace: string) => `NS#${cluster}#${namespace}`;
export const ownerKey = (cluster: string, namespace: string, kind: string, name: string) =>
  `OWNER#${cluster}#${namespace}#${kind}/${name}`;
/** UTC creation day of a pod; pods with no creation time fall in day 0000-00-00. */
export const dayOf = (createdMs: number | null) =>
  createdMs == null ? '0000-00-00' : new Date(Math.floor(createdMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
export const dayKey = (cluster: string, day: string) => `DAY#${cluster}#${day}`;
/** Sort key of the indexes: creation time, then uid (unique, and ordered oldest first). */
export const createdKey = (createdIso: string | null, uid: string) => `${createdIso ?? '0000'}#${uid}`;

export const alertPk = (cluster: string) => `ALERT#${cluster}`;
export const alertSk = (kind: 'pending' | 'crashloop', uid: string) => `${kind}#${uid}`;

/** Registry of clusters seen, so the sweep knows which pending partitions to read. */
export const CLUSTERS_PK = 'CLUSTERS';

/** The UTC days from `fromMs` to `toMs` inclusive, for per-cluster range queries. */
export function daysBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(fromMs / DAY_MS) * DAY_MS; t <= toMs; t += DAY_MS) out.push(dayOf(t));
  return out;
}
