/**
 * The DynamoDB adapter for pod items: requests built by pure functions (testable without a
 * network), SDK errors turned into named domain errors, and every request's consumed capacity
 * counted, so the benchmark and docs/data-model.md report measured numbers.
 *
 * The one write path is `mergeFacts`: read the item (strongly consistent), join the new facts
 * into it, write back only if something changed, with optimistic concurrency on the version
 * attribute `v`. A lost race re-reads and re-merges: the join is commutative, associative and
 * idempotent, so the merged result is the same whichever invocation wins.
 */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type Backoff, backoffDelayMs, sleep } from '../core/backoff.ts';
import { addFacts, type Fact, type FactMap } from '../core/facts.ts';
import { addFactsBounded } from '../core/fold.ts';
import { parseItem, StoredFactsSchema } from '../model/items.ts';
import { CLUSTERS_PK, NAME_EVENTS_SK } from '../model/keys.ts';
import { decodeFacts } from '../model/pod-item.ts';
import {
  type ItemKey,
  MergeContentionError,
  type Meter,
  type Operation,
  StoreUnavailableError,
  sendCommand,
  VersionConflictError,
} from './dynamo.ts';

// The errors a PodStore throws, for its callers (the ingest handler, the fault tests).
export {
  type ItemKey,
  ItemTooLargeError,
  MergeContentionError,
  StoreError,
  StoreRefusedError,
  StoreUnavailableError,
  storeErrorOf,
  VersionConflictError,
} from './dynamo.ts';

/** A pod item's stored facts and version. */
type Stored = { facts: FactMap; version: number };

/** The item builder of a write: the fact set and its new version → the whole item. */
type ItemBuilder = (facts: FactMap, version: number) => Record<string, unknown>;

/** A key as one string (a Map key): pk and sk joined by NUL, which neither holds. */
export function itemKeyId(key: ItemKey): string {
  return `${key.pk}\u0000${key.sk}`;
}

// ---------------------------------------------------------------------------------------------
// Requests (pure)

/** Strongly consistent read of the two attributes a merge needs. */
export function getPodRequest(tableName: string, key: ItemKey): GetCommandInput {
  return {
    TableName: tableName,
    Key: { pk: key.pk, sk: key.sk },
    ConsistentRead: true,
    ProjectionExpression: '#v, #facts, #fv',
    ExpressionAttributeNames: { '#v': 'v', '#facts': 'facts', '#fv': 'fv' },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/**
 * What a pod read or write asks DynamoDB to report of the capacity it consumed: `INDEXES` (per
 * table and index: the benches' WCU breakdown), or `NONE` (the deployed handler and local mode
 * count no capacity; on DynamoDB Local the breakdown costs 0.1-0.35 ms of CPU a write,
 * docs/cost.md "Throughput"). A read reports TOTAL unless NONE.
 */
export type ConsumedCapacityDetail = 'INDEXES' | 'NONE';

/** BatchGetItem's most keys per request. */
export const BATCH_GET_MAX_KEYS = 100;

/** Strongly consistent batched read of up to 100 items (the same two attributes as `getPodRequest`). */
export function batchGetPodsRequest(
  tableName: string,
  keys: readonly ItemKey[],
  capacity: ConsumedCapacityDetail = 'INDEXES',
): BatchGetCommandInput {
  if (keys.length > BATCH_GET_MAX_KEYS)
    throw new Error(`BatchGetItem takes ${BATCH_GET_MAX_KEYS} keys at most`);
  return {
    RequestItems: {
      [tableName]: {
        Keys: keys.map((k) => ({ pk: k.pk, sk: k.sk })),
        ConsistentRead: true,
        ProjectionExpression: '#pk, #sk, #v, #facts, #fv',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#v': 'v', '#facts': 'facts', '#fv': 'fv' },
      },
    },
    ReturnConsumedCapacity: capacity === 'NONE' ? 'NONE' : 'TOTAL',
  };
}

/**
 * The conditional write of a merged item: a new item must not exist yet, an existing one must
 * still have the version that was read. A lost race fails the condition instead of overwriting.
 */
export function putPodRequest(
  tableName: string,
  item: Record<string, unknown>,
  expectedVersion: number | undefined,
  capacity: ConsumedCapacityDetail = 'INDEXES',
): PutCommandInput {
  // INDEXES: the units per table and per index, so the benchmark shows which index a write pays for.
  // ALL_OLD on a failed condition: the item that won comes back with the error (no read units),
  // so a lost race merges into it without reading again (`PodStore.mergeFacts`).
  const base: PutCommandInput = {
    TableName: tableName,
    Item: item,
    ReturnConsumedCapacity: capacity,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
  if (expectedVersion === undefined) {
    return {
      ...base,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    };
  }
  return {
    ...base,
    ConditionExpression: '#v = :expected',
    ExpressionAttributeNames: { '#v': 'v' },
    ExpressionAttributeValues: { ':expected': expectedVersion },
  };
}

/** The cluster registry entry (idempotent overwrite; refreshes its TTL). */
export function registerClusterRequest(
  tableName: string,
  cluster: string,
  nowMs: number,
  retentionDays: number,
): PutCommandInput {
  return {
    TableName: tableName,
    Item: {
      pk: CLUSTERS_PK,
      sk: cluster,
      cluster,
      lastSeenAt: new Date(nowMs).toISOString(),
      expiresAt: Math.floor(nowMs / 1000) + retentionDays * 86400,
    },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

// ---------------------------------------------------------------------------------------------
// Counting

/** Requests sent and capacity consumed, as DynamoDB reported it (ReturnConsumedCapacity TOTAL). */
export interface StoreStats {
  requests: Record<'GetItem' | 'PutItem' | 'Query' | 'BatchGetItem', number>;
  /** Read capacity units consumed (GetItem, Query). */
  rcu: number;
  /** Write capacity units consumed, base table plus indexes (successful PutItem). */
  wcu: number;
  /** `wcu` split by where it was spent: `table` and each index's name (successful PutItem). */
  wcuByIndex: Record<string, number>;
  /** Conditional writes that lost a race (DynamoDB charges them too; not in `wcu`). */
  conflicts: number;
  /** Requests that failed with any other error. */
  failures: number;
}

function emptyStats(): StoreStats {
  return {
    requests: { GetItem: 0, PutItem: 0, Query: 0, BatchGetItem: 0 },
    rcu: 0,
    wcu: 0,
    wcuByIndex: {},
    conflicts: 0,
    failures: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// The store

export interface MergeResult {
  /** True when the merge changed the stored facts (one PutItem succeeded). */
  written: boolean;
  /** The stored facts before this merge (undefined: no item existed). */
  before: FactMap | undefined;
  /** The stored facts after it. */
  after: FactMap;
  /** The facts that changed the stored set: empty for a duplicate. */
  changed: Fact[];
  /** Read-merge-write rounds (1 unless a concurrent write won a race). */
  attempts: number;
}

export interface PodStoreOptions {
  tableName: string;
  /** The capacity pod reads and writes report (default INDEXES: what the benches count). */
  consumedCapacity?: ConsumedCapacityDetail;
  /** Rounds of read-merge-write before giving up to Lambda's retry (default 8). */
  maxAttempts?: number;
  /** Back-off between rounds: full jitter on base·2^attempt ms (default base 10 ms, core/backoff.ts). */
  backoffBaseMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class PodStore {
  readonly stats: StoreStats = emptyStats();
  readonly tableName: string;
  private readonly maxAttempts: number;
  private readonly capacity: ConsumedCapacityDetail;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly meter: Meter = {
    sent: (op, consumed) => {
      this.count(op);
      if (op === 'PutItem') {
        this.stats.wcu += consumed.units;
        for (const [where, u] of Object.entries(consumed.byIndex))
          this.stats.wcuByIndex[where] = (this.stats.wcuByIndex[where] ?? 0) + u;
      } else this.stats.rcu += consumed.units;
    },
    failed: (op, error) => {
      this.count(op);
      if (error instanceof VersionConflictError) this.stats.conflicts++;
      else this.stats.failures++;
    },
  };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    opts: PodStoreOptions,
  ) {
    this.tableName = opts.tableName;
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.capacity = opts.consumedCapacity ?? 'INDEXES';
    this.backoff = { baseMs: opts.backoffBaseMs ?? 10, capMs: Number.POSITIVE_INFINITY };
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? sleep;
  }

  private count(op: Operation): void {
    if (op === 'GetItem' || op === 'PutItem' || op === 'Query' || op === 'BatchGetItem')
      this.stats.requests[op]++;
  }

  /** The stored facts and version of one item, or undefined. */
  private async read(key: ItemKey): Promise<Stored | undefined> {
    const out = await sendCommand(
      this.doc,
      'GetItem',
      new GetCommand(getPodRequest(this.tableName, key)),
      this.meter,
      key,
    );
    return out.Item ? this.storedOf(out.Item, key) : undefined;
  }

  /** Writes an item if the stored version is still `expectedVersion`; throws VersionConflictError. */
  private async write(
    key: ItemKey,
    item: Record<string, unknown>,
    expectedVersion: number | undefined,
  ): Promise<void> {
    await sendCommand(
      this.doc,
      'PutItem',
      new PutCommand(putPodRequest(this.tableName, item, expectedVersion, this.capacity)),
      this.meter,
      key,
    );
  }

  /**
   * Joins `facts` into the item at `key`. A duplicate costs one read and no write; news costs
   * one read and one write; each lost race adds one failed write, and one read only when the
   * failure did not bring the winning item back (ALL_OLD).
   */
  mergeFacts(key: ItemKey, facts: readonly Fact[], build: ItemBuilder): Promise<MergeResult> {
    return this.mergeLoop(key, facts, build, undefined);
  }

  /** The merge rounds; `known`: the state the first round merges into (undefined: read it). */
  private async mergeLoop(
    key: ItemKey,
    facts: readonly Fact[],
    build: ItemBuilder,
    known: { state: Stored | undefined } | undefined,
  ): Promise<MergeResult> {
    let next = known;
    for (let attempt = 1; ; attempt++) {
      const current = next ? next.state : await this.read(key);
      const after: FactMap = current ? new Map(current.facts) : new Map();
      // A pod's item stays bounded: old runs and Events fold (core/fold.ts). The name-only
      // Events item is not folded: which incarnation its Events belong to is decided at read.
      const changed = key.sk === NAME_EVENTS_SK ? addFacts(after, facts) : addFactsBounded(after, facts);
      if (changed.length === 0) {
        return { written: false, before: current?.facts, after, changed, attempts: attempt };
      }
      const version = (current?.version ?? 0) + 1;
      try {
        await this.write(key, build(after, version), current?.version);
        return { written: true, before: current?.facts, after, changed, attempts: attempt };
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
        if (attempt >= this.maxAttempts) throw new MergeContentionError(key, attempt);
        // The winner's item came back with the failure: the next round merges into it at once.
        next = err.current ? { state: this.storedOf(err.current, key) } : undefined;
        if (!next) await this.sleep(backoffDelayMs(attempt, this.backoff, this.random));
      }
    }
  }

  private storedOf(item: Record<string, unknown>, key: ItemKey): Stored {
    const stored = parseItem(StoredFactsSchema, item, 'pod', key);
    return { facts: decodeFacts(stored.facts, stored.fv), version: stored.v };
  }

  /**
   * The stored facts and version of many items (BatchGetItem, strongly consistent, 100 keys a
   * request), by `pk\u0000sk`; a key with no item is absent. Keys DynamoDB leaves unprocessed
   * (throttling) are asked again with the merge's back-off; still unprocessed after
   * `maxAttempts` rounds: StoreUnavailableError (retryable).
   */
  async getMany(keys: readonly ItemKey[]): Promise<Map<string, { facts: FactMap; version: number }>> {
    const out = new Map<string, { facts: FactMap; version: number }>();
    const unique = [...new Map(keys.map((k) => [itemKeyId(k), k])).values()];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX_KEYS) {
      let pending: ItemKey[] = unique.slice(i, i + BATCH_GET_MAX_KEYS);
      for (let attempt = 1; pending.length > 0; attempt++) {
        const res = await sendCommand(
          this.doc,
          'BatchGetItem',
          new BatchGetCommand(batchGetPodsRequest(this.tableName, pending, this.capacity)),
          this.meter,
        );
        for (const item of res.Responses?.[this.tableName] ?? []) {
          const key = { pk: String(item.pk), sk: String(item.sk) };
          const stored = parseItem(StoredFactsSchema, item, 'pod', key);
          out.set(itemKeyId(key), { facts: decodeFacts(stored.facts, stored.fv), version: stored.v });
        }
        pending = (res.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((k) => ({
          pk: String(k.pk),
          sk: String(k.sk),
        }));
        if (pending.length === 0) break;
        if (attempt >= this.maxAttempts) {
          throw new StoreUnavailableError(
            'BatchGetItem',
            new Error(`${pending.length} keys still unprocessed after ${attempt} attempts`),
          );
        }
        await this.sleep(backoffDelayMs(attempt, this.backoff, this.random));
      }
    }
    return out;
  }

  /**
   * `mergeFacts` whose first round uses a state already read (`current`, from `getMany`;
   * undefined: no item). A lost race merges into the item the failure brought back (or reads
   * again when it brought none); the attempts add up.
   */
  mergeFactsKnown(
    key: ItemKey,
    facts: readonly Fact[],
    build: ItemBuilder,
    current: Stored | undefined,
  ): Promise<MergeResult> {
    return this.mergeLoop(key, facts, build, { state: current });
  }

  /** Records that a cluster sends data (for the pending sweep). Idempotent. */
  async registerCluster(cluster: string, nowMs: number, retentionDays: number): Promise<void> {
    await sendCommand(
      this.doc,
      'PutItem',
      new PutCommand(registerClusterRequest(this.tableName, cluster, nowMs, retentionDays)),
      this.meter,
    );
  }
}
