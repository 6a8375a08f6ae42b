/**
 * The one definition of podlife's DynamoDB table: keys, indexes and their projections.
 * The CDK construct builds the table from it, and local mode and the integration tests create
 * DynamoDB Local's table from it, so the two can never drift. Pure data: no SDK, no CDK.
 * docs/data-model.md explains each access pattern and its cost.
 */

export type AttrType = 'S' | 'N' | 'B';

export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey?: string;
  projection: 'KEYS_ONLY' | 'ALL' | readonly string[];
}

/**
 * What each index projects: only what its route reads (model/pod-rows.ts), since a
 * GSI is written (1 WCU per KB) only when one of its projected attributes or keys changes. A
 * figure the route never reads (a stats index does not read phase, node or waitingReason) would
 * make every write that changes it pay one more WCU per index (docs/data-model.md).
 */
// DynamoDB allows at most 100 INCLUDE attributes summed over all indexes: these make 32.
/** Every pod row: owner, node, phase, creation (`rowBaseOf`). */
const ROW_BASE_ATTRIBUTES = ['ownerKind', 'ownerName', 'node', 'phase', 'createdAt'] as const;
/** `pendingPodOf`: the pending route and the sweep. */
const PENDING_PROJECTION = [
  ...ROW_BASE_ATTRIBUTES,
  'waitingReason',
  'unschedulableMessage',
  'schedulingGates',
  'statusReason',
  // kubectl's READY (issue 14). While a pod is Pending its app containers have not started, so
  // READY stays 0/N (a sidecar turning ready is the one change), and it leaves the index when
  // they start: it adds no index writes worth counting.
  'ready',
] as const;
/** `crashLoopingPodOf`: the crashloops route and the sweep. */
const CRASH_PROJECTION = [
  ...ROW_BASE_ATTRIBUTES,
  'restarts',
  'restartTimes',
  'lastTerminationReason',
  'lastExitCode',
  'crashLoopBackOffSeconds',
  'waitingReason',
  'backOffSince',
  // kubectl's "(5m ago)" of RESTARTS (kubectlLastRestartAt): changes with restarts, as restartTimes does.
  'lastRestart',
  // kubectl's RESTARTS number (kubectlRestarts): changes with restarts, as `restarts` does.
  'kRestarts',
  // kubectl's READY (issue 14). The container waiting in CrashLoopBackOff is not ready, so READY
  // moves only when another container's readiness does: rare, where restarts and restartTimes
  // already change the projection on every restart.
  'ready',
] as const;
/**
 * `statsRowOf`: the stats route (byClusterDay; a namespace's or an owner's pods read these from
 * the pod items, by BatchGetItem, after byNamespace gave their keys).
 */
export const STATS_PROJECTION = [
  'ownerKind',
  'ownerName',
  'scheduledAfterSeconds',
  'pendingSeconds',
  'timeToReadySeconds',
  'crashLoopBackOffSeconds',
  'restarts',
  'lastTerminationReason',
  // Issue 11: the startup waterfall's stages and the pod startup SLI (one map), the node to group by.
  'node',
  'startup',
] as const;

/** DynamoDB's limit on INCLUDE-projected attributes, summed over all secondary indexes. */
export const MAX_PROJECTED_ATTRIBUTES = 100;

export const TABLE_SPEC = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  attributeTypes: {
    pk: 'S',
    sk: 'S',
    uidKey: 'S',
    pendingKey: 'S',
    crashKey: 'S',
    nsKey: 'S',
    dayKey: 'S',
    createdKey: 'S',
  } satisfies Record<string, AttrType>,
  indexes: [
    /** A pod by uid: keys only, then GetItem (see data-model.md for why not ALL). */
    { name: 'byUid', partitionKey: 'uidKey', projection: 'KEYS_ONLY' },
    /** Sparse: only pods still Pending carry pendingKey. Sorted by creation: oldest first. */
    { name: 'pending', partitionKey: 'pendingKey', sortKey: 'createdKey', projection: PENDING_PROJECTION },
    /** Sparse: only pods whose latest state is CrashLoopBackOff carry crashKey. */
    {
      name: 'crashLooping',
      partitionKey: 'crashKey',
      sortKey: 'createdKey',
      projection: CRASH_PROJECTION,
    },
    /**
     * A namespace's pods by creation; also an owner's (issue 12): the owner's pods are the
     * namespace's whose item says that owner, so a separate byOwner index (1 WCU on every pod's
     * first write) was dropped (docs/data-model.md, "Deploying over an older table").
     */
    { name: 'byNamespace', partitionKey: 'nsKey', sortKey: 'createdKey', projection: 'KEYS_ONLY' },
    /** Every pod of a cluster, bucketed by its creation day (UTC) to keep partitions bounded. */
    { name: 'byClusterDay', partitionKey: 'dayKey', sortKey: 'createdKey', projection: STATS_PROJECTION },
  ] as const satisfies readonly IndexSpec[],
} as const;

export type IndexName = (typeof TABLE_SPEC.indexes)[number]['name'];

/** What an index projects (undefined: the base table). */
export function projectionOf(index: string | undefined): IndexSpec['projection'] | undefined {
  return TABLE_SPEC.indexes.find((ix) => ix.name === index)?.projection;
}
