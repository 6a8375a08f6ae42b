/**
 * The pod inventory: after each (re)start's first list and after each relist, the forwarder
 * sends the uids of every pod the list held, as `Pod Inventory` entries. With it the ingest
 * marks the stored pods that vanished while no forwarder watched (a restart, a rollout, a crash)
 * as deleted, so they stop being "Pending" or crash-looping and their alerts resolve.
 *
 * Each entry is self-sufficient: it covers one range of the uid space, `[from, to)` in
 * JavaScript string order (`to: null`: no upper bound), and lists every listed uid in it. The
 * ranges of one list partition the whole space, so the ingest can act on each entry alone, in
 * any order, with no state across messages: a stored pod whose uid falls in the range, whose
 * namespace is in the scope, and which is not listed, was not in the cluster at `listedAt`.
 * A range is a bucket of uids that the forwarder cuts where the entry's size says, so no
 * assumption about the uids' format (UUIDs) is needed, and no bucket can overflow an entry.
 *
 * The deletion is a fact (`vanished`, joined like any other: earliest and latest absence), and
 * whether it holds is decided from the pod's facts alone (`vanishedAtOf`): never for a pod
 * Kubernetes deleted itself, and never for a pod observed at or after the list (created after
 * it, or with any Kubernetes time later than it, less a clock skew allowance). So a pod created
 * during the list is never marked, and a later real observation wins over the inventory.
 */
import { z } from 'zod';
import { type Fact, type FactMap, latestTimeOf } from './facts.ts';
import { ClusterName, KUBE_LIMITS, keyPart } from './kube-schemas.ts';

export const DETAIL_TYPE_INVENTORY = 'Pod Inventory';

/**
 * How far a Kubernetes time may lag the forwarder's clock and still mean "after the list":
 * Kubernetes truncates its times to the second, and node clocks drift a little from the
 * forwarder's. A pod with any time within this of the list is left alone (docs/forwarder.md).
 */
export const INVENTORY_SKEW_MS = 5_000;

/**
 * The largest inventory entry's detail, bytes of JSON: under the ingest's 64 KiB detail limit
 * (core/bus-contract.ts MAX_DETAIL_BYTES) with room for EventBridge's other fields, so each
 * entry is one billed 64 KB event. ~1,500 UUIDs an entry: 150,000 pods are ~100 entries.
 */
export const INVENTORY_MAX_DETAIL_BYTES = 60_000;

const Uid = z.string().min(1).max(KUBE_LIMITS.uid);
const Namespace = keyPart(z.string().min(1).max(KUBE_LIMITS.label));

/** The `Pod Inventory` detail (source `podlife.forwarder`, schemaVersion 1). */
export const PodInventory = z
  .strictObject({
    schemaVersion: z.literal(1),
    cluster: ClusterName,
    /** When the list began (RFC 3339): every pod not in it was gone by then. */
    listedAt: z.string().max(64),
    /** The list's resourceVersion (its snapshot of etcd); '' when the server gave none. */
    resourceVersion: z.string().max(64),
    /** The forwarder process that listed (as in its heartbeats). */
    instance: z.string().min(1).max(253),
    /** What the list covered: every namespace (null), or these namespaces only. */
    namespaces: z.array(Namespace).min(1).max(10_000).nullable(),
    /** This entry's place among the list's entries (0-based) and their number: for logs only. */
    part: z.int().nonnegative(),
    parts: z.int().positive(),
    /** The uid range covered, [from, to) in string order; `to` null: up to the end. */
    from: z.string().max(KUBE_LIMITS.uid),
    to: Uid.nullable(),
    /** Every listed pod uid in the range (sorted). */
    uids: z.array(Uid).max(20_000),
  })
  .superRefine((inv, ctx) => {
    if (inv.to !== null && inv.to <= inv.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must sort after from' });
    const i = inv.uids.findIndex((u) => !inRange(u, inv));
    if (i >= 0) ctx.addIssue({ code: 'custom', path: ['uids', i], message: 'outside [from, to)' });
  })
  .describe('podlife Pod Inventory (EventBridge detail, detail-type "Pod Inventory")');
export type PodInventory = z.infer<typeof PodInventory>;

/** The inventory's time paths (core/time-bounds.ts). */
export const INVENTORY_TIME_PATHS = ['listedAt'] as const;

/** Whether a uid is in an entry's range. */
export function inRange(uid: string, r: { from: string; to: string | null }): boolean {
  return uid >= r.from && (r.to === null || uid < r.to);
}

/** Whether a namespace is in an entry's scope. */
export function inScope(namespace: string, inv: Pick<PodInventory, 'namespaces'>): boolean {
  return inv.namespaces === null || inv.namespaces.includes(namespace);
}

/** What one list says, before it is cut into entries. */
export interface InventoryList {
  cluster: string;
  listedAt: string;
  resourceVersion: string;
  instance: string;
  namespaces: string[] | null;
  uids: Iterable<string>;
}

/**
 * One list → its entries: the uids sorted and deduplicated, cut into consecutive ranges so that
 * each entry's detail stays under `maxBytes`. The first range starts at '' and the last has no
 * upper bound, each `to` is the next entry's first uid: together they cover every uid, once.
 * An empty list is one entry covering everything with no uid (every stored pod in scope is gone).
 */
export function inventoryEntries(list: InventoryList, maxBytes = INVENTORY_MAX_DETAIL_BYTES): PodInventory[] {
  const uids = [...new Set(list.uids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const head = {
    schemaVersion: 1 as const,
    cluster: list.cluster,
    listedAt: list.listedAt,
    resourceVersion: list.resourceVersion,
    instance: list.instance,
    namespaces: list.namespaces,
  };
  // The fixed part's size, with room for the part numbers and the range's two uids.
  const fixed =
    Buffer.byteLength(
      JSON.stringify({ ...head, part: 999_999, parts: 999_999, from: '', to: null, uids: [] }),
    ) +
    2 * (KUBE_LIMITS.uid + 8);
  const groups: string[][] = [];
  let group: string[] = [];
  let size = fixed;
  for (const uid of uids) {
    const add = Buffer.byteLength(JSON.stringify(uid)) + 1;
    if (group.length > 0 && size + add > maxBytes) {
      groups.push(group);
      group = [];
      size = fixed;
    }
    group.push(uid);
    size += add;
  }
  groups.push(group);
  return groups.map((g, i) => ({
    ...head,
    part: i,
    parts: groups.length,
    from: i === 0 ? '' : (g[0] ?? ''),
    to: groups[i + 1]?.[0] ?? null,
    uids: g,
  }));
}

export type VanishedFact = Extract<Fact, { kind: 'vanished' }>;

/** The fact an inventory states about a stored pod it does not list: absent at `t` (epoch ms). */
export function vanishedFact(t: number): VanishedFact {
  return { id: 'vanished', kind: 'vanished', first: t, last: t };
}

/**
 * When an inventory found the pod gone (epoch ms), or null when none did or it does not hold:
 * - a pod Kubernetes deleted (a DELETED event, a deletionTimestamp) is Kubernetes' deletion;
 * - an absence counts only if it is later than every Kubernetes time of the pod (creation,
 *   conditions, container starts and ends, Events; deletion deadlines aside) by more than
 *   INVENTORY_SKEW_MS: a pod created or observed at or after the list is never marked, and a
 *   later real observation undoes the mark;
 * - the earliest absence that counts is the deletion time (an upper bound: the pod was gone by
 *   then); of the absences, the fact keeps the earliest and the latest only.
 * A function of the fact set: any order, any duplicates give the same answer.
 */
export function vanishedAtOf(facts: FactMap): number | null {
  const v = facts.get('vanished');
  if (v?.kind !== 'vanished' || facts.has('deleted')) return null;
  const seen = latestTimeOf(facts.values());
  if (seen == null) return null;
  if (v.first - INVENTORY_SKEW_MS > seen) return v.first;
  if (v.last - INVENTORY_SKEW_MS > seen) return v.last;
  return null;
}
