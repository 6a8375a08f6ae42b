/**
 * Dollars per million pod lifecycles from counted requests and published on-demand prices.
 * Prices: us-east-1, as published on the AWS pricing pages in 2025-2026 (named, dated, sourced
 * here so a reader can check and update them):
 * - EventBridge custom events: $1.00 per million events (each 64 KB chunk of an entry is one
 *   event); delivery to targets is not charged. https://aws.amazon.com/eventbridge/pricing/
 * - SQS standard queue: $0.40 per million requests (each 64 KB chunk of a request is one
 *   request; a ReceiveMessage or DeleteMessageBatch of up to 10 messages is one request); the
 *   first million a month free (not counted here). https://aws.amazon.com/sqs/pricing/
 * - Lambda: $0.20 per million requests and $0.0000166667 per GB-second (x86; arm64, which
 *   podlife uses, is $0.0000133334, so this is the upper bound). https://aws.amazon.com/lambda/pricing/
 * - DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request
 *   units (since the November 2024 price cut). https://aws.amazon.com/dynamodb/pricing/on-demand/
 */
export const PRICES_AS_OF = '2025-2026, us-east-1';
export const EVENTBRIDGE_USD_PER_MILLION_EVENTS = 1.0;
export const SQS_USD_PER_MILLION_REQUESTS = 0.4;
export const LAMBDA_USD_PER_MILLION_REQUESTS = 0.2;
export const LAMBDA_USD_PER_GB_SECOND = 0.0000166667;
export const DYNAMODB_USD_PER_MILLION_WRU = 0.625;
export const DYNAMODB_USD_PER_MILLION_RRU = 0.125;
/** SQS returns (and deletes) at most 10 messages per ReceiveMessage / DeleteMessageBatch request. */
export const SQS_MESSAGES_PER_REQUEST = 10;

/**
 * Billed Lambda duration, modelled: DynamoDB answers a request in single-digit milliseconds
 * (its published latency); an invocation costs a fixed overhead (parsing, metrics) plus one
 * round trip per sequential DynamoDB step. One event: GetItem, PutItem (2). A batch:
 * BatchGetItem, the parallel PutItems, and a lost race's re-read now and then (3).
 */
export const DYNAMODB_ROUND_TRIP_MS = 8;
export const INVOCATION_OVERHEAD_MS = 10;
export function modeledInvocationMs(sequentialRoundTrips: number): number {
  return INVOCATION_OVERHEAD_MS + sequentialRoundTrips * DYNAMODB_ROUND_TRIP_MS;
}

/** What the pipeline did per pod lifecycle (averages over a run). */
export interface PerLifecycle {
  /** Bus entries (EventBridge events, 64 KB chunks). */
  busEvents: number;
  /** SQS requests: sends, receives, deletes (0 without a queue). */
  sqsRequests: number;
  lambdaInvocations: number;
  /** Lambda GB-seconds (duration × memory). */
  lambdaGbSeconds: number;
  wru: number;
  rru: number;
}

export interface CostBreakdown {
  eventBridge: number;
  sqs: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoWrites: number;
  dynamoReads: number;
  total: number;
}

/** Dollars per million pod lifecycles, by service. */
export function costPerMillionLifecycles(p: PerLifecycle): CostBreakdown {
  const c = {
    eventBridge: p.busEvents * EVENTBRIDGE_USD_PER_MILLION_EVENTS,
    sqs: p.sqsRequests * SQS_USD_PER_MILLION_REQUESTS,
    lambdaRequests: p.lambdaInvocations * LAMBDA_USD_PER_MILLION_REQUESTS,
    lambdaDuration: p.lambdaGbSeconds * LAMBDA_USD_PER_GB_SECOND * 1e6,
    dynamoWrites: p.wru * DYNAMODB_USD_PER_MILLION_WRU,
    dynamoReads: p.rru * DYNAMODB_USD_PER_MILLION_RRU,
  };
  return { ...c, total: Object.values(c).reduce((a, b) => a + b, 0) };
}
