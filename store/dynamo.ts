/**
 * The one door to DynamoDB. Every adapter (PodStore, PodReader, AlertStore) sends through here:
 *
 * - `dynamoClient` / `documentClient`: the one client factory (handlers, local mode, testkit,
 *   bench), so every document client marshals the same way;
 * - `sendCommand`: sends one command, reports the capacity DynamoDB says it consumed, and turns
 *   an SDK failure into a named domain error (`storeErrorOf`);
 * - `queryPages`: every page of one Query, on lib-dynamodb's `paginateQuery`, each page counted
 *   and checked like a single request;
 * - `partitionQuery`: the request for all items under one partition key.
 *
 * SDK failures are recognised by class (`instanceof ConditionalCheckFailedException`...), as
 * @aws-sdk/client-dynamodb deserialises them; only what has no class of its own (DynamoDB's
 * unmodelled `ValidationException`, socket errors) is recognised by name or code.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientConfig,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ReplicatedWriteConflictException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import type {
  BatchGetCommand,
  BatchGetCommandOutput,
  DeleteCommand,
  DeleteCommandOutput,
  GetCommand,
  GetCommandOutput,
  PutCommand,
  PutCommandOutput,
  QueryCommand,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommand,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';

// ---------------------------------------------------------------------------------------------
// Clients

/** A low-level client (the deployed handlers use the environment's region and credentials). */
export function dynamoClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient(config);
}

/**
 * The document client every adapter sends through: native JS values in and out, `undefined`
 * attributes left out of an item. A document client passed in is used as it is.
 */
export function documentClient(
  client: DynamoDBClient | DynamoDBDocumentClient = dynamoClient(),
): DynamoDBDocumentClient {
  if (client instanceof DynamoDBDocumentClient) return client;
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

// ---------------------------------------------------------------------------------------------
// Named errors

export interface ItemKey {
  pk: string;
  sk: string;
}

const describe = (cause: unknown) =>
  cause instanceof Error ? `${cause.name}: ${cause.message}` : `Error: ${String(cause)}`;

/** DynamoDB is throttling or unavailable: the invocation must fail so that Lambda retries it. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  readonly retryable = true;
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`DynamoDB ${operation} failed transiently: ${describe(cause)}`);
  }
}

/**
 * A conditional write's condition failed: for a pod item, it lost an optimistic-concurrency race
 * (`mergeFacts` retries it); for an alert item, another sweep got there first.
 */
export class VersionConflictError extends Error {
  override name = 'VersionConflictError';
  constructor(
    readonly key: ItemKey,
    /**
     * The item as the failed condition saw it, when the request asked for it
     * (ReturnValuesOnConditionCheckFailure ALL_OLD; no read units): its top-level scalar
     * attributes (N, S, B, BOOL) only. Undefined: not asked, or no item.
     */
    readonly current: Record<string, unknown> | undefined = undefined,
  ) {
    super(`item ${key.pk} / ${key.sk} changed since it was read`);
  }
}

/** An item's top-level scalar attributes (N, S, B, BOOL) as plain values; lists, maps and sets are left out. */
export function scalarAttributesOf(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    const a = v as { N?: string; S?: string; B?: Uint8Array; BOOL?: boolean } | null;
    if (a?.N !== undefined) out[k] = Number(a.N);
    else if (a?.S !== undefined) out[k] = a.S;
    else if (a?.B !== undefined) out[k] = a.B;
    else if (a?.BOOL !== undefined) out[k] = a.BOOL;
  }
  return out;
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
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`DynamoDB refused the ${operation}: ${message.slice(0, 500)}`);
  }
}

/** Any other DynamoDB failure (a bug or a misconfiguration: missing table, denied access). */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`DynamoDB ${operation} failed: ${describe(cause)}`);
  }
}

/** DynamoDB's exceptions that a later retry may not meet (throttling, a 5xx, a lost transaction). */
const TRANSIENT = [
  ProvisionedThroughputExceededException,
  ThrottlingException,
  RequestLimitExceeded,
  InternalServerError,
  TransactionConflictException,
  ReplicatedWriteConflictException,
] as const;
/** Transport failures (no service exception: the request may not have reached DynamoDB). */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

function isTransient(err: unknown): boolean {
  if (TRANSIENT.some((type) => err instanceof type)) return true;
  // Any other service exception DynamoDB answered with a 5xx (InternalFailure, ServiceUnavailable).
  if (err instanceof DynamoDBServiceException) return err.$fault === 'server' || Boolean(err.$retryable);
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && NETWORK_CODES.has(code)) || NETWORK_NAMES.has(err.name);
}

/** DynamoDB's unmodelled `ValidationException` (it has no class: a service exception by name). */
const isValidation = (err: unknown): err is DynamoDBServiceException =>
  err instanceof DynamoDBServiceException && err.name === 'ValidationException';

/** SDK error → named domain error. Exported for the fault-injection tests. */
export function storeErrorOf(operation: string, key: ItemKey | undefined, err: unknown): Error {
  if (err instanceof ConditionalCheckFailedException && key)
    return new VersionConflictError(key, err.Item ? scalarAttributesOf(err.Item) : undefined);
  if (isValidation(err)) {
    if (key && /item size/i.test(err.message)) return new ItemTooLargeError(key);
    return new StoreRefusedError(operation, key, err);
  }
  if (isTransient(err)) return new StoreUnavailableError(operation, err);
  return new StoreError(operation, err);
}

// ---------------------------------------------------------------------------------------------
// Sending and counting

export type Operation = 'GetItem' | 'PutItem' | 'Query' | 'BatchGetItem' | 'UpdateItem' | 'DeleteItem';

/** Capacity one request consumed, as DynamoDB reported it (ReturnConsumedCapacity). */
export interface Consumed {
  /** All units, base table plus indexes. */
  units: number;
  /** Units per place (`table`, or an index's name), when the request asked for INDEXES. */
  byIndex: Record<string, number>;
}

/** What an adapter counts: one call per request sent, success or failure. */
export interface Meter {
  sent(operation: Operation, consumed: Consumed): void;
  /** The request failed; `error` is already the named domain error. */
  failed(operation: Operation, error: Error): void;
}

interface CapacityEntry {
  CapacityUnits?: number | undefined;
  Table?: { CapacityUnits?: number | undefined } | undefined;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number | undefined }> | undefined;
}

const isList = (c: CapacityEntry | readonly CapacityEntry[]): c is readonly CapacityEntry[] =>
  Array.isArray(c);

/** A response's ConsumedCapacity (one entry, or one per table for a batch) summed. */
export function consumedOf(capacity: CapacityEntry | readonly CapacityEntry[] | undefined): Consumed {
  const entries: CapacityEntry[] = [];
  if (capacity !== undefined) entries.push(...(isList(capacity) ? capacity : [capacity]));
  const out: Consumed = { units: 0, byIndex: {} };
  const add = (where: string, u: number | undefined) => {
    if (u) out.byIndex[where] = (out.byIndex[where] ?? 0) + u;
  };
  for (const c of entries) {
    out.units += c.CapacityUnits ?? 0;
    add('table', c.Table?.CapacityUnits);
    for (const [ix, v] of Object.entries(c.GlobalSecondaryIndexes ?? {})) add(ix, v.CapacityUnits);
  }
  return out;
}

/** The commands podlife sends, and what each answers. */
type StoreCommand = GetCommand | PutCommand | QueryCommand | BatchGetCommand | UpdateCommand | DeleteCommand;
type OutputOf<C> = C extends GetCommand
  ? GetCommandOutput
  : C extends PutCommand
    ? PutCommandOutput
    : C extends QueryCommand
      ? QueryCommandOutput
      : C extends BatchGetCommand
        ? BatchGetCommandOutput
        : C extends UpdateCommand
          ? UpdateCommandOutput
          : DeleteCommandOutput;

/**
 * Sends one command through `doc`: counts it on `meter` and throws the named domain error of
 * any failure (`key`: the item a conditional write or an item-size refusal is about).
 */
export async function sendCommand<C extends StoreCommand>(
  doc: DynamoDBDocumentClient,
  operation: Operation,
  command: C,
  meter: Meter,
  key?: ItemKey,
): Promise<OutputOf<C>> {
  let out: OutputOf<C>;
  try {
    // One signature for the document client's per-command overloads.
    const send = doc.send.bind(doc) as (c: StoreCommand) => Promise<unknown>;
    out = (await send(command)) as OutputOf<C>;
  } catch (err) {
    const mapped = storeErrorOf(operation, key, err);
    meter.failed(operation, mapped);
    throw mapped;
  }
  meter.sent(operation, consumedOf(out.ConsumedCapacity));
  return out;
}

/**
 * Every page of one Query, on lib-dynamodb's `paginateQuery` (which follows LastEvaluatedKey),
 * each page counted like a single request. `beforeEach` runs before each request is sent (the
 * next page is requested only when the caller asks for it), so a deadline or budget stops the
 * paging between pages.
 */
export async function* queryPages(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  meter: Meter,
  beforeEach: () => void = () => {},
): AsyncGenerator<QueryCommandOutput> {
  // paginateQuery writes the page token into its input: give it a copy.
  const pages = paginateQuery({ client: doc }, { ...input });
  for (;;) {
    beforeEach();
    let next: IteratorResult<QueryCommandOutput>;
    try {
      next = await pages.next();
    } catch (err) {
      const mapped = storeErrorOf('Query', undefined, err);
      meter.failed('Query', mapped);
      throw mapped;
    }
    if (next.done) return;
    meter.sent('Query', consumedOf(next.value.ConsumedCapacity));
    yield next.value;
    if (!next.value.LastEvaluatedKey) return;
  }
}

/** All items under one partition key of the base table (ReturnConsumedCapacity TOTAL). */
export function partitionQuery(
  tableName: string,
  pk: string,
  opts: { consistent?: boolean } = {},
): QueryCommandInput {
  return {
    TableName: tableName,
    ReturnConsumedCapacity: 'TOTAL',
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ExpressionAttributeValues: { ':pk': pk },
    ...(opts.consistent ? { ConsistentRead: true } : {}),
  };
}
