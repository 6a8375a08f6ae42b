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

  private async registerOnce(cluster: string, nowMs: number): Promise<void> {
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
    const itemOpts = { retentionDays: this.opts.retentionDays, now };
    const build = (map: FactMap, version: number) =>
      podItemOf(map, version, itemOpts) ?? eventsOnlyItemOf(key, map, version, itemOpts);
    const result = await this.store.mergeFacts(key, facts, build);
    return { ...result, key, cluster, namespace };
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
