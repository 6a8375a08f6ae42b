/**
 * The ingest's inventory hook: a `Pod Inventory` entry (core/inventory.ts) marks the stored pods
 * it finds gone as deleted. One entry is acted on alone, whatever the others did:
 *
 * 1. Candidates: the cluster's pods in the sparse `pending` and `crashLooping` indexes created
 *    before the list (store/inventory-store.ts): the pods that keep alerts open.
 * 2. Missing: a candidate whose uid is in the entry's range, whose namespace is in its scope,
 *    and which the entry does not list.
 * 3. Each missing pod's facts are read (one BatchGetItem per 100) and joined with the fact
 *    "absent at listedAt" (`vanished`); if the engine then calls the pod deleted (it was not
 *    observed at or after the list: `vanishedAtOf`), the item is written, conditionally on its
 *    version, like any other merge. A pod observed after the list is left as it is.
 *
 * The next sweep finds the pod gone from the index it was alerted from and resolves its episode
 * (grouped, as for any pod that left the state). Redelivery is safe: the fact joins idempotently,
 * and a pod already marked is no candidate any more.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { mapLimit } from '../../core/concurrency.ts';
import { addFacts } from '../../core/facts.ts';
import { inRange, inScope, type PodInventory, vanishedAtOf, vanishedFact } from '../../core/inventory.ts';
import { INGEST_METRICS } from '../../model/metric-names.ts';
import type { InventoryStore } from '../../store/inventory-store.ts';
import { itemKeyId, type PodStore } from '../../store/pod-store.ts';
import { emitOutcome } from './ingest.ts';
import { PodIngest } from './ingest-pod-facts.ts';

export interface InventoryDeps {
  store: PodStore;
  /** Absent: inventories are parsed and logged, nothing is marked (a store without the reads). */
  inventories?: InventoryStore | undefined;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  retentionDays: number;
  metricNamespaces?: ReadonlySet<string> | undefined;
}

/** What one inventory entry did. */
export interface InventoryOutcome {
  /** Pods Pending or crash-looping, created before the list. */
  candidates: number;
  /** Candidates in the entry's range and scope that it does not list. */
  missing: number;
  /** Missing pods now marked deleted (written). */
  marked: number;
  /** Missing pods left alone: observed at or after the list, or already marked. */
  kept: number;
  /** DynamoDB read units of the candidate queries. */
  readUnits: number;
}

/** Writes in flight at once for one entry. */
const WRITE_CONCURRENCY = 8;

export function makeInventoryIngest(deps: InventoryDeps): (inv: PodInventory) => Promise<InventoryOutcome> {
  const ingest = new PodIngest(deps.store, { retentionDays: deps.retentionDays, now: deps.now });
  return async (inv) => {
    const outcome: InventoryOutcome = { candidates: 0, missing: 0, marked: 0, kept: 0, readUnits: 0 };
    if (!deps.inventories) return outcome;
    const listedAt = Date.parse(inv.listedAt);
    const { candidates, stats } = await deps.inventories.candidates(inv.cluster, listedAt);
    outcome.candidates = candidates.length;
    outcome.readUnits = stats.readUnits;
    const listed = new Set(inv.uids);
    const missing = candidates.filter(
      (c) => inRange(c.uid, inv) && inScope(c.namespace, inv) && !listed.has(c.uid),
    );
    outcome.missing = missing.length;
    if (missing.length > 0) {
      const current = await deps.store.getMany(missing.map((c) => ({ pk: c.pk, sk: c.sk })));
      const fact = vanishedFact(listedAt);
      await mapLimit(missing, WRITE_CONCURRENCY, async (c) => {
        const key = { pk: c.pk, sk: c.sk };
        const cur = current.get(itemKeyId(key));
        const probe = new Map(cur?.facts ?? []);
        if (!cur || addFacts(probe, [fact]).length === 0 || vanishedAtOf(probe) == null) {
          outcome.kept++;
          return;
        }
        const o = await ingest.mergeRead(
          { key, cluster: inv.cluster, namespace: c.namespace, facts: [fact] },
          cur,
        );
        if (!o.written) {
          outcome.kept++;
          return;
        }
        outcome.marked++;
        emitOutcome(deps.metrics, o, deps.metricNamespaces);
        deps.logger.info('pod vanished while no forwarder watched: marked deleted', {
          cluster: inv.cluster,
          namespace: c.namespace,
          name: c.name,
          uid: c.uid,
          listedAt: inv.listedAt,
        });
      });
    }
    const single = deps.metrics.singleMetric();
    single.addDimensions({ cluster: inv.cluster });
    single.addMetric(INGEST_METRICS.podsVanished, MetricUnit.Count, outcome.marked);
    deps.logger.debug('pod inventory', {
      cluster: inv.cluster,
      instance: inv.instance,
      part: inv.part,
      parts: inv.parts,
      uids: inv.uids.length,
      ...outcome,
    });
    return outcome;
  };
}
