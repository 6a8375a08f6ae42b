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
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { addFacts, type Fact, type FactMap } from '../core/facts.ts';
import { addFactsBounded } from '../core/fold.ts';
import { CLUSTERS_PK, NAME_EVENTS_SK, podPk } from '../model/keys.ts';
import { factsOfItem } from '../model/pod-item.ts';

export interface ItemKey {
  pk: string;
  sk: string;
}

/** The item builder of a write: the fact set and its new version → the whole item. */
export type ItemBuilder = (facts: FactMap, version: number) => Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Named errors

/** DynamoDB is throttling or unavailable: the invocation must fail so that Lambda retries it. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  readonly retryable = true;
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(
      `DynamoDB ${operation} failed transiently: ${(cause as Error)?.name ?? 'Error'}: ${(cause as Error)?.message}`,
    );
  }
}

/** The write lost an optimistic-concurrency race (internal: `mergeFacts` retries it). */
export class VersionConflictError extends Error {
  override name = 'VersionConflictError';
  constructor(readonly key: ItemKey) {
    super(`pod item ${key.pk} / ${key.sk} changed since it was read`);
  }
}

/** Every attempt of a merge lost a race: retryable, the next invocation will merge. */
export class MergeContentionError extends Error {
  override name = 'MergeContentionError';
  readonly retryable = true;
  constructor(
    readonly key: ItemKey,
    readonly attempts: number,
  ) {
    super(`pod item ${key.pk} / ${key.sk}: ${attempts} concurrent-write conflicts in a row`);
  }
}

/** The pod's item would exceed DynamoDB's 400 KB item limit: no retry can fix that. */
export class ItemTooLargeError extends Error {
  override name = 'ItemTooLargeError';
  readonly retryable = false;
  constructor(readonly key: ItemKey) {
    super(`pod item ${key.pk} / ${key.sk} would exceed DynamoDB's 400 KB item size`);
  }
}

/**
 * DynamoDB refused the request as invalid (`ValidationException`: a key or attribute past its
 * size limit, a number out of range...): the same request fails the same way however often it
 * is retried, so it is a permanent refusal, parked with the reason, never retried.
 */
export class StoreRefusedError extends Error {
  override name = 'StoreRefusedError';
  readonly retryable = false;
  constructor(
    readonly operation: string,
    readonly key: ItemKey | undefined,
    override readonly cause: unknown,
  ) {
    super(`DynamoDB refused the ${operation}: ${String((cause as Error)?.message ?? cause).slice(0, 500)}`);
  }
}

/** Any other DynamoDB failure (a bug or a misconfiguration: missing table, denied access). */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`DynamoDB ${operation} failed: ${(cause as Error)?.name ?? 'Error'}: ${(cause as Error)?.message}`);
  }
}

const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionConflictException',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** SDK error → named domain error. Exported for the fault-injection tests. */
export function storeErrorOf(operation: string, key: ItemKey | undefined, err: unknown): Error {
  const e = err as { name?: string; code?: string; message?: string; $retryable?: unknown; $fault?: string };
  const name = e?.name ?? '';
  if (name === 'ConditionalCheckFailedException' && key) return new VersionConflictError(key);
  if (name === 'ValidationException' && /item size/i.test(e.message ?? '') && key)
    return new ItemTooLargeError(key);
  if (name === 'ValidationException') return new StoreRefusedError(operation, key, err);
  if (TRANSIENT.has(name) || NETWORK.has(e?.code ?? '') || e?.$retryable || e?.$fault === 'server') {
    return new StoreUnavailableError(operation, err);
  }
  return new StoreError(operation, err);
}

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

/** BatchGetItem's most keys per request. */
export const BATCH_GET_MAX_KEYS = 100;

/** Strongly consistent batched read of up to 100 items (the same two attributes as `getPodRequest`). */
export function batchGetPodsRequest(tableName: string, keys: readonly ItemKey[]): BatchGetCommandInput {
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
    ReturnConsumedCapacity: 'TOTAL',
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
): PutCommandInput {
  // INDEXES: the units per table and per index, so the benchmark shows which index a write pays for.
  const base: PutCommandInput = { TableName: tableName, Item: item, ReturnConsumedCapacity: 'INDEXES' };
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

/** All items of one name (every incarnation, then the name-only events item), oldest uid order. */
export function partitionRequest(
  tableName: string,
  pk: string,
  startKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ExpressionAttributeValues: { ':pk': pk },
    ConsistentRead: true,
    ExclusiveStartKey: startKey,
    ReturnConsumedCapacity: 'TOTAL',
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

export type Operation = 'GetItem' | 'PutItem' | 'Query' | 'BatchGetItem';

/** Requests sent and capacity consumed, as DynamoDB reported it (ReturnConsumedCapacity TOTAL). */
export interface StoreStats {
  requests: Record<Operation, number>;
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

interface ConsumedByIndex {
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

export function emptyStats(): StoreStats {
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
  /** Rounds of read-merge-write before giving up to Lambda's retry (default 8). */
  maxAttempts?: number;
  /** Back-off between rounds: full jitter on base·2^attempt ms (default base 10 ms). */
  backoffBaseMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class PodStore {
  readonly stats: StoreStats = emptyStats();
  readonly tableName: string;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    opts: PodStoreOptions,
  ) {
    this.tableName = opts.tableName;
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.backoffBaseMs = opts.backoffBaseMs ?? 10;
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  private async send<T extends { ConsumedCapacity?: unknown }>(
    op: Operation,
    key: ItemKey | undefined,
    command: GetCommand | PutCommand | QueryCommand | BatchGetCommand,
  ): Promise<T> {
    this.stats.requests[op]++;
    let out: T;
    try {
      out = (await this.doc.send(command as GetCommand)) as unknown as T;
    } catch (err) {
      const mapped = storeErrorOf(op, key, err);
      if (mapped instanceof VersionConflictError) this.stats.conflicts++;
      else this.stats.failures++;
      throw mapped;
    }
    // BatchGetItem reports a list (one entry per table); the others one object.
    const consumed = Array.isArray(out.ConsumedCapacity) ? out.ConsumedCapacity : [out.ConsumedCapacity];
    const units = consumed.reduce(
      (n: number, c) => n + ((c as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0),
      0,
    );
    if (op === 'PutItem') {
      this.stats.wcu += units;
      const c = out.ConsumedCapacity as ConsumedByIndex | undefined;
      const add = (k: string, u: number | undefined) => {
        if (u) this.stats.wcuByIndex[k] = (this.stats.wcuByIndex[k] ?? 0) + u;
      };
      add('table', c?.Table?.CapacityUnits);
      for (const [ix, v] of Object.entries(c?.GlobalSecondaryIndexes ?? {})) add(ix, v.CapacityUnits);
    } else this.stats.rcu += units;
    return out;
  }

  /** The stored facts and version of one item, or undefined. */
  async read(key: ItemKey): Promise<{ facts: FactMap; version: number } | undefined> {
    const out = await this.send<{ Item?: Record<string, unknown>; ConsumedCapacity?: unknown }>(
      'GetItem',
      key,
      new GetCommand(getPodRequest(this.tableName, key)),
    );
    if (!out.Item) return undefined;
    return { facts: factsOfItem(out.Item), version: Number(out.Item.v) };
  }

  /** Writes an item if the stored version is still `expectedVersion`; throws VersionConflictError. */
  async write(
    key: ItemKey,
    item: Record<string, unknown>,
    expectedVersion: number | undefined,
  ): Promise<void> {
    await this.send('PutItem', key, new PutCommand(putPodRequest(this.tableName, item, expectedVersion)));
  }

  /**
   * Joins `facts` into the item at `key`. A duplicate costs one read and no write; news costs
   * one read and one write; each lost race adds one failed write and one read.
   */
  async mergeFacts(key: ItemKey, facts: readonly Fact[], build: ItemBuilder): Promise<MergeResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(key);
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
        await this.sleep(this.random() * this.backoffBaseMs * 2 ** attempt);
      }
    }
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
        const res = await this.send<{
          Responses?: Record<string, Record<string, unknown>[]>;
          UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
          ConsumedCapacity?: unknown;
        }>('BatchGetItem', undefined, new BatchGetCommand(batchGetPodsRequest(this.tableName, pending)));
        for (const item of res.Responses?.[this.tableName] ?? []) {
          const key = { pk: String(item.pk), sk: String(item.sk) };
          out.set(itemKeyId(key), { facts: factsOfItem(item), version: Number(item.v) });
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
        await this.sleep(this.random() * this.backoffBaseMs * 2 ** attempt);
      }
    }
    return out;
  }

  /**
   * `mergeFacts` whose first round uses a state already read (`current`, from `getMany`;
   * undefined: no item). A lost race falls back to `mergeFacts` (which reads again); the
   * attempts add up.
   */
  async mergeFactsKnown(
    key: ItemKey,
    facts: readonly Fact[],
    build: ItemBuilder,
    current: { facts: FactMap; version: number } | undefined,
  ): Promise<MergeResult> {
    const after: FactMap = current ? new Map(current.facts) : new Map();
    const changed = key.sk === NAME_EVENTS_SK ? addFacts(after, facts) : addFactsBounded(after, facts);
    if (changed.length === 0) return { written: false, before: current?.facts, after, changed, attempts: 1 };
    try {
      await this.write(key, build(after, (current?.version ?? 0) + 1), current?.version);
      return { written: true, before: current?.facts, after, changed, attempts: 1 };
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
    const again = await this.mergeFacts(key, facts, build);
    return { ...again, attempts: again.attempts + 1 };
  }

  /** Every item of one pod name: its incarnations and its name-only events item. */
  async partition(cluster: string, namespace: string, name: string): Promise<Record<string, unknown>[]> {
    const pk = podPk(cluster, namespace, name);
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.send<{
        Items?: Record<string, unknown>[];
        LastEvaluatedKey?: Record<string, unknown>;
        ConsumedCapacity?: unknown;
      }>('Query', undefined, new QueryCommand(partitionRequest(this.tableName, pk, startKey)));
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Records that a cluster sends data (for the pending sweep). Idempotent. */
  async registerCluster(cluster: string, nowMs: number, retentionDays: number): Promise<void> {
    await this.send(
      'PutItem',
      undefined,
      new PutCommand(registerClusterRequest(this.tableName, cluster, nowMs, retentionDays)),
    );
  }
}
