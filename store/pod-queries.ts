/**
 * Every read of the query API and the sweep: DynamoDB requests built by pure functions (tested
 * with toStrictEqual, no network), and one small reader that sends them and counts what they
 * cost, as DynamoDB reports it (ReturnConsumedCapacity TOTAL): requests, read units and items
 * read. No Scan anywhere: each request is a Query on one partition of the table or an index,
 * or a GetItem. docs/query-api.md lists each route's requests and measured cost.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { backoffDelayMs, sleep } from '../core/backoff.ts';
import {
  alertPk,
  CLUSTERS_PK,
  crashKey,
  dayKey,
  dayOf,
  daysBetween,
  NAME_EVENTS_SK,
  nsKey,
  pendingKey,
  podPk,
  podPkPrefix,
  uidKey,
} from '../model/keys.ts';
import type { IndexName } from '../model/table-spec.ts';
import { type Meter, partitionQuery, queryPages, StoreUnavailableError, sendCommand } from './dynamo.ts';

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;

/** The key attributes of a page's LastEvaluatedKey, per index (the table's keys are in every one). */
export const PAGE_KEY_ATTRIBUTES: Record<'pending' | 'crashLooping', readonly string[]> = {
  pending: ['pk', 'sk', 'pendingKey', 'createdKey'],
  crashLooping: ['pk', 'sk', 'crashKey', 'createdKey'],
};

const base = (tableName: string) => ({ TableName: tableName, ReturnConsumedCapacity: 'TOTAL' as const });

// ---------------------------------------------------------------------------------------------
// Requests (pure)

/** The cluster registry: one item per cluster the ingest has seen. */
export function clustersRequest(tableName: string): QueryCommandInput {
  return partitionQuery(tableName, CLUSTERS_PK);
}

/** Every item of one pod name: its incarnations and its name-only events item (eventually consistent). */
export function historyRequest(
  tableName: string,
  cluster: string,
  namespace: string,
  name: string,
): QueryCommandInput {
  return partitionQuery(tableName, podPk(cluster, namespace, name));
}

/** The keys of the pod with this uid (byUid is KEYS_ONLY: 1 item, about 200 bytes). */
export function uidLookupRequest(tableName: string, cluster: string, uid: string): QueryCommandInput {
  return {
    ...base(tableName),
    IndexName: 'byUid' satisfies IndexName,
    KeyConditionExpression: '#uk = :uk',
    ExpressionAttributeNames: { '#uk': 'uidKey' },
    ExpressionAttributeValues: { ':uk': uidKey(cluster, uid) },
  };
}

/** One item by its primary key (eventually consistent unless `consistent`). */
export function getItemRequest(
  tableName: string,
  key: { pk: string; sk: string },
  consistent = false,
): GetCommandInput {
  return {
    ...base(tableName),
    Key: { pk: key.pk, sk: key.sk },
    ...(consistent ? { ConsistentRead: true } : {}),
  };
}

/** The name-only events item of a pod name (events that name the pod without its uid). */
export function nameEventsRequest(tableName: string, pk: string): GetCommandInput {
  return getItemRequest(tableName, { pk, sk: NAME_EVENTS_SK });
}

/** `begins_with(pk, POD#cluster#namespace#)`: the namespace filter on an index of a whole cluster. */
function namespaceFilter(cluster: string, namespace: string | undefined) {
  if (!namespace) return {};
  return {
    FilterExpression: 'begins_with(#tpk, :podPrefix)',
    names: { '#tpk': 'pk' },
    values: { ':podPrefix': podPkPrefix(cluster, namespace) },
  };
}

interface IndexQueryOptions {
  cluster: string;
  namespace?: string;
  limit?: number;
  startKey?: Key;
}

function indexQuery(
  tableName: string,
  index: 'pending' | 'crashLooping',
  partition: { attr: string; value: string },
  opts: IndexQueryOptions,
  before?: string,
): QueryCommandInput {
  const f = namespaceFilter(opts.cluster, opts.namespace);
  return {
    ...base(tableName),
    IndexName: index,
    KeyConditionExpression: before ? '#p = :p AND #ck < :before' : '#p = :p',
    ExpressionAttributeNames: {
      '#p': partition.attr,
      ...(before ? { '#ck': 'createdKey' } : {}),
      ...f.names,
    },
    ExpressionAttributeValues: {
      ':p': partition.value,
      ...(before ? { ':before': before } : {}),
      ...f.values,
    },
    ...(f.FilterExpression ? { FilterExpression: f.FilterExpression } : {}),
    ...(opts.limit ? { Limit: opts.limit } : {}),
    ...(opts.startKey ? { ExclusiveStartKey: opts.startKey } : {}),
  };
}

/**
 * Pods of a cluster still Pending and created before `createdBefore` (ISO 8601), oldest first:
 * the sparse `pending` index holds only pods that are Pending now, so its cost follows the
 * number of Pending pods, never the number stored.
 */
export function pendingRequest(
  tableName: string,
  opts: IndexQueryOptions & { createdBefore: string },
): QueryCommandInput {
  return indexQuery(
    tableName,
    'pending',
    { attr: 'pendingKey', value: pendingKey(opts.cluster) },
    opts,
    opts.createdBefore,
  );
}

/** Pods of a cluster crash-looping now, oldest first (the sparse `crashLooping` index). */
export function crashLoopingRequest(tableName: string, opts: IndexQueryOptions): QueryCommandInput {
  return indexQuery(tableName, 'crashLooping', { attr: 'crashKey', value: crashKey(opts.cluster) }, opts);
}

interface StatsScope {
  cluster: string;
  namespace?: string;
  owner?: { kind: string; name: string };
  /** Creation-time range [from, to), ISO 8601. */
  fromIso: string;
  toIso: string;
}

/**
 * The queries that read every pod of a scope created in [from, to): one on byNamespace (a
 * namespace, or an owner: its pods are the namespace's whose item names that owner, which the
 * caller keeps; there is no byOwner index since issue 12) or, for a whole cluster, one per UTC
 * creation day on byClusterDay. The sort key is `createdIso#uid`, so `BETWEEN from AND to` takes
 * pods created at `from` and leaves out pods created at `to`.
 */
export function statsRequests(
  tableName: string,
  scope: StatsScope,
  days: readonly string[],
): QueryCommandInput[] {
  const range = (index: IndexName, attr: string, value: string): QueryCommandInput => ({
    ...base(tableName),
    IndexName: index,
    KeyConditionExpression: '#p = :p AND #ck BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#p': attr, '#ck': 'createdKey' },
    ExpressionAttributeValues: { ':p': value, ':from': scope.fromIso, ':to': scope.toIso },
  });
  if (scope.namespace) return [range('byNamespace', 'nsKey', nsKey(scope.cluster, scope.namespace))];
  return days.map((day) => range('byClusterDay', 'dayKey', dayKey(scope.cluster, day)));
}

/**
 * One page of a /stats segment: the keys (byNamespace, KEYS_ONLY) or the stats projection
 * (byClusterDay, the UTC day of `lo`: the caller moves on to the next day when it is read) of
 * the scope's pods whose createdKey is in [lo, hi], oldest first, at most `limit`. `lo` is an
 * ISO time or the createdKey of the last pod read (included by BETWEEN: the caller leaves it
 * out); an ISO `hi` leaves out the pods created at that instant.
 */
export function statsSegmentRequest(
  tableName: string,
  scope: { cluster: string; namespace?: string },
  segment: { lo: string; hi: string },
  limit: number,
): QueryCommandInput {
  const [attr, value, index]: [string, string, IndexName] =
    scope.namespace !== undefined
      ? ['nsKey', nsKey(scope.cluster, scope.namespace), 'byNamespace']
      : ['dayKey', dayKey(scope.cluster, dayOf(Date.parse(segment.lo.split('#')[0] ?? ''))), 'byClusterDay'];
  return {
    ...base(tableName),
    IndexName: index,
    KeyConditionExpression: '#p = :p AND #ck BETWEEN :lo AND :hi',
    ExpressionAttributeNames: { '#p': attr, '#ck': 'createdKey' },
    ExpressionAttributeValues: { ':p': value, ':lo': segment.lo, ':hi': segment.hi },
    Limit: limit,
  };
}

/** Which pods /pods reads: a cluster, narrowed by a namespace and an owner (the owner needs the namespace). */
export interface SearchScope {
  cluster: string;
  namespace?: string;
  owner?: { kind: string; name: string };
}

/**
 * The queries that list the keys of a scope's pods whose createdKey is in [lo, hi], in
 * creation order (`forward`: oldest first; else newest first): one on byNamespace (keys only;
 * for an owner too: the caller keeps the pods whose item names it, as `podFilterOf` does),
 * else one per UTC creation day of byClusterDay, the days in the same order. `lo` and `hi` are
 * creation ISO times or createdKeys (`ISO#uid`); as in `statsRequests`, an ISO `hi` leaves out
 * the pods created at that instant.
 */
export function podSearchRequests(
  tableName: string,
  scope: SearchScope,
  range: { lo: string; hi: string },
  forward: boolean,
): QueryCommandInput[] {
  const one = (index: IndexName, attr: string, value: string): QueryCommandInput => ({
    ...base(tableName),
    IndexName: index,
    KeyConditionExpression: '#p = :p AND #ck BETWEEN :lo AND :hi',
    ExpressionAttributeNames: { '#p': attr, '#ck': 'createdKey' },
    ExpressionAttributeValues: { ':p': value, ':lo': range.lo, ':hi': range.hi },
    ...(forward ? {} : { ScanIndexForward: false }),
  });
  if (scope.namespace) return [one('byNamespace', 'nsKey', nsKey(scope.cluster, scope.namespace))];
  const days = daysBetween(Date.parse(range.lo.slice(0, 10)), Date.parse(range.hi.slice(0, 10)));
  const requests = days.map((day) => one('byClusterDay', 'dayKey', dayKey(scope.cluster, day)));
  return forward ? requests : requests.reverse();
}

/** The open alerts of a cluster (the sweep's episodes). */
export function openAlertsRequest(tableName: string, cluster: string): QueryCommandInput {
  return partitionQuery(tableName, alertPk(cluster), { consistent: true });
}

// ---------------------------------------------------------------------------------------------
// The reader

/** What a reader's requests cost, as DynamoDB reported it. */
export interface ReadStats {
  requests: number;
  /** Read capacity units consumed (ReturnConsumedCapacity TOTAL). */
  readUnits: number;
  /** Items DynamoDB read: a Query's ScannedCount (before any filter), 1 per GetItem that found one. */
  itemsRead: number;
  /** Items read per index (`table` for the base table). */
  itemsByIndex: Record<string, number>;
}

function emptyReadStats(): ReadStats {
  return { requests: 0, readUnits: 0, itemsRead: 0, itemsByIndex: {} };
}

export interface Page {
  items: Item[];
  /** DynamoDB's LastEvaluatedKey: more may follow. */
  lastKey?: Key;
}

/** BatchGetItem requests per 100 keys before unprocessed keys are given up as throttling. */
const BATCH_GET_ATTEMPTS = 8;
/** Back-off before re-sending unprocessed keys: full jitter on 10·2^attempt ms. */
const BATCH_GET_BACKOFF = { baseMs: 10, capMs: Number.POSITIVE_INFINITY };

/** At most this many requests fill one API page when a filter drops items (bounds a call's cost). */
const MAX_REQUESTS_PER_PAGE = 10;

/** A request that read for longer than its deadline: cut short (503), whatever it had read. */
export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
}

interface PodReaderOptions {
  /** Epoch ms (wall clock) after which no further request is sent: DeadlineExceededError. */
  deadline?: number;
  clock?: () => number;
}

/**
 * Sends the requests above (store/dynamo.ts) and counts their cost; SDK errors become the named
 * store errors. Bounded: no request after the deadline, and no more items than `limitItems`
 * allows.
 */
export class PodReader {
  readonly stats: ReadStats = emptyReadStats();
  private budget?: { maxItems: number; exceeded: () => Error };
  /** Requests count whether they succeed or fail; read units as DynamoDB reported them. */
  private readonly meter: Meter = {
    sent: (_op, consumed) => {
      this.stats.requests++;
      this.stats.readUnits += consumed.units;
    },
    failed: () => {
      this.stats.requests++;
    },
  };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly opts: PodReaderOptions = {},
  ) {}

  /** At most `maxItems` items read by this reader: past them, the next read throws `exceeded()`. */
  limitItems(maxItems: number, exceeded: () => Error): void {
    this.budget = { maxItems, exceeded };
  }

  /** Items DynamoDB read for one request; past the item budget, throws its error. */
  private countItems(index: string | undefined, items: number): void {
    this.stats.itemsRead += items;
    const k = index ?? 'table';
    this.stats.itemsByIndex[k] = (this.stats.itemsByIndex[k] ?? 0) + items;
  }

  private checkBudget(): void {
    if (this.budget && this.stats.itemsRead > this.budget.maxItems) throw this.budget.exceeded();
  }

  private checkDeadline(): void {
    const { deadline, clock = Date.now } = this.opts;
    if (deadline !== undefined && clock() > deadline)
      throw new DeadlineExceededError('the query took too long: narrow it');
  }

  /** Before each request: within the deadline and the item budget. */
  private check(): void {
    this.checkBudget();
    this.checkDeadline();
  }

  /** One Query request: one page. */
  async query(input: QueryCommandInput): Promise<Page> {
    this.check();
    const out = await sendCommand(this.doc, 'Query', new QueryCommand(input), this.meter);
    this.countItems(input.IndexName, out.ScannedCount ?? out.Items?.length ?? 0);
    this.checkBudget();
    const items = out.Items ?? [];
    return out.LastEvaluatedKey ? { items, lastKey: out.LastEvaluatedKey } : { items };
  }

  /** Every page of a Query (lib-dynamodb's paginateQuery, through store/dynamo.ts). */
  async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of queryPages(this.doc, input, this.meter, () => this.check())) {
      this.countItems(input.IndexName, page.ScannedCount ?? page.Items?.length ?? 0);
      this.checkBudget();
      items.push(...(page.Items ?? []));
    }
    return items;
  }

  /**
   * Up to `limit` items that `accept` keeps, reading on while a filter (DynamoDB's or `accept`)
   * leaves the page short, for at most MAX_REQUESTS_PER_PAGE requests. Each request asks only for
   * as many items as are still missing, so the page never overshoots and `lastKey` resumes
   * exactly after the last item read.
   */
  async queryUpTo(
    input: QueryCommandInput,
    limit: number,
    accept: (item: Item) => boolean = () => true,
  ): Promise<Page> {
    const items: Item[] = [];
    let startKey: Key | undefined = input.ExclusiveStartKey;
    for (let n = 0; n < MAX_REQUESTS_PER_PAGE; n++) {
      const page = await this.query({ ...input, Limit: limit - items.length, ExclusiveStartKey: startKey });
      items.push(...page.items.filter(accept));
      startKey = page.lastKey;
      if (!startKey || items.length >= limit) break;
    }
    return startKey ? { items, lastKey: startKey } : { items };
  }

  /**
   * The base-table items of `keys` (items read from a KEYS_ONLY index), in the order of `keys`,
   * with only `attributes`: BatchGetItem, 100 keys per request, unprocessed keys sent again
   * after a jittered back-off (core/backoff.ts), at most BATCH_GET_ATTEMPTS times. Eventually
   * consistent, like the index read before it. An item gone since (TTL) is left out. Counted in
   * `itemsRead`, but not held to `limitItems`: the keys were, when read.
   */
  async batchGet(keys: readonly Key[], attributes: readonly string[]): Promise<Item[]> {
    const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
    const found = new Map<string, Item>();
    const keyId = (k: Key) => `${String(k.pk)}\u0000${String(k.sk)}`;
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Key[] = keys.slice(i, i + 100).map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        this.checkDeadline();
        if (attempt >= BATCH_GET_ATTEMPTS) {
          throw new StoreUnavailableError(
            'BatchGetItem',
            new Error(`${pending.length} keys still unprocessed after ${attempt} requests`),
          );
        }
        if (attempt > 0) await sleep(backoffDelayMs(attempt, BATCH_GET_BACKOFF));
        const out = await sendCommand(
          this.doc,
          'BatchGetItem',
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: pending,
                ProjectionExpression: ['#pk', '#sk', ...Object.keys(names)].join(', '),
                ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', ...names },
              },
            },
            ReturnConsumedCapacity: 'TOTAL',
          }),
          this.meter,
        );
        const items = out.Responses?.[this.tableName] ?? [];
        for (const it of items) found.set(keyId(it), it);
        this.countItems(undefined, items.length);
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return keys.flatMap((k): Item[] => {
      const it = found.get(keyId(k));
      return it ? [it] : [];
    });
  }

  /** One GetItem. */
  async get(input: GetCommandInput): Promise<Item | undefined> {
    this.check();
    const out = await sendCommand(this.doc, 'GetItem', new GetCommand(input), this.meter);
    this.countItems(undefined, out.Item ? 1 : 0);
    return out.Item;
  }
}
