/**
 * The ingest use case: a validated snapshot, pod facts or pod event → its facts (the pure engine) → merged
 * into the pod's item (the store). Which item: the incarnation (cluster, namespace, name, uid);
 * an Event without the pod's uid goes to the name's holding item and is attached when read.
 *
 * Before the first write for a cluster in this container, the cluster is registered (so the
 * pending sweep knows it): registry first, pod second, so a pod is never visible in a cluster
 * the registry does not list, and a failure between the two leaves only an idempotent entry.
 */

import type { Fact, FactMap } from '../../core/facts.ts';
import { factOfEvent, factsOfSnapshot } from '../../core/facts.ts';
import type { PodFactsDetail } from '../../core/pod-facts.ts';
import type { CompactEvent, PodSnapshot } from '../../core/snapshot.ts';
import { eventsOnlyItemOf, nameEventsKeyOf, podItemOf, podKeyOf } from '../../model/pod-item.ts';
import type { ItemKey, MergeResult, PodStore } from '../../store/pod-store.ts';

/** Where one input's facts go: the item, its cluster and namespace (for metrics), the facts. */
export interface PodWrite {
  key: ItemKey;
  cluster: string;
  namespace: string;
  facts: Fact[];
}

/** A validated input (snapshot, pod facts or pod event) → the item it merges into and its facts. */
export function podWriteOf(
  input:
    | { kind: 'snapshot'; snapshot: PodSnapshot }
    | { kind: 'facts'; detail: PodFactsDetail; facts: Fact[] }
    | { kind: 'event'; cluster: string; event: CompactEvent },
): PodWrite {
  if (input.kind === 'snapshot') {
    const snap = input.snapshot;
    const { namespace, name, uid } = snap.pod;
    const key = podKeyOf(snap.cluster, namespace, name, uid);
    return { key, cluster: snap.cluster, namespace, facts: factsOfSnapshot(snap) };
  }
  if (input.kind === 'facts') {
    const { cluster, namespace, name, uid } = input.detail;
    return { key: podKeyOf(cluster, namespace, name, uid), cluster, namespace, facts: input.facts };
  }
  const ev = input.event;
  const key = ev.podUid
    ? podKeyOf(input.cluster, ev.namespace, ev.podName, ev.podUid)
    : nameEventsKeyOf(input.cluster, ev.namespace, ev.podName);
  return { key, cluster: input.cluster, namespace: ev.namespace, facts: [factOfEvent(ev)] };
}

export interface IngestOutcome extends MergeResult {
  key: ItemKey;
  cluster: string;
  namespace: string;
}

export interface PodIngestOptions {
  retentionDays: number;
  /** Epoch ms; called once per ingested event. */
  now: () => number;
}

export class PodIngest {
  private readonly clusters = new Set<string>();

  constructor(
    private readonly store: PodStore,
    private readonly opts: PodIngestOptions,
  ) {}

  /** Registers a cluster before its first write in this container (idempotent). */
  async registerOnce(cluster: string, nowMs: number = this.opts.now()): Promise<void> {
    if (this.clusters.has(cluster)) return;
    await this.store.registerCluster(cluster, nowMs, this.opts.retentionDays);
    this.clusters.add(cluster);
  }

  private async merge(
    cluster: string,
    namespace: string,
    key: ItemKey,
    facts: Parameters<PodStore['mergeFacts']>[1],
  ) {
    const now = this.opts.now();
    await this.registerOnce(cluster, now);
    const result = await this.store.mergeFacts(key, facts, this.builder(key, now));
    return { ...result, key, cluster, namespace };
  }

  private builder(key: ItemKey, now: number) {
    const itemOpts = { retentionDays: this.opts.retentionDays, now };
    return (map: FactMap, version: number) =>
      podItemOf(map, version, itemOpts) ?? eventsOnlyItemOf(key, map, version, itemOpts);
  }

  /**
   * One pod's joined facts of a batch, merged into the state the batch read (`getMany`): one
   * conditional write when there is news; a lost race reads again. The cluster must be
   * registered first (`registerOnce`).
   */
  async mergeRead(
    w: PodWrite,
    current: { facts: FactMap; version: number } | undefined,
  ): Promise<IngestOutcome> {
    const result = await this.store.mergeFactsKnown(
      w.key,
      w.facts,
      this.builder(w.key, this.opts.now()),
      current,
    );
    return { ...result, key: w.key, cluster: w.cluster, namespace: w.namespace };
  }

  /** One pod snapshot. */
  snapshot(snap: PodSnapshot): Promise<IngestOutcome> {
    const { namespace, name, uid } = snap.pod;
    return this.merge(
      snap.cluster,
      namespace,
      podKeyOf(snap.cluster, namespace, name, uid),
      factsOfSnapshot(snap),
    );
  }

  /** One `Pod Facts` delta, decoded: merged exactly like a snapshot's facts. */
  facts(detail: PodFactsDetail, facts: Fact[]): Promise<IngestOutcome> {
    const { cluster, namespace, name, uid } = detail;
    return this.merge(cluster, namespace, podKeyOf(cluster, namespace, name, uid), facts);
  }

  /** One core/v1 Event about a pod. */
  event(cluster: string, ev: CompactEvent): Promise<IngestOutcome> {
    const key = ev.podUid
      ? podKeyOf(cluster, ev.namespace, ev.podName, ev.podUid)
      : nameEventsKeyOf(cluster, ev.namespace, ev.podName);
    return this.merge(cluster, ev.namespace, key, [factOfEvent(ev)]);
  }
}
