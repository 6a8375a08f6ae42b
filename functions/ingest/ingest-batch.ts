/**
 * The batched ingest: an SQS batch (the bus rule's queue → the event source mapping) in, SQS's
 * partial-batch response out (Powertools' BatchProcessor, ReportBatchItemFailures).
 *
 * 1. Each message's body is the EventBridge event the rule queued; it is parsed as the single
 *    handler does. An invalid one is parked (invalid-event sink) and counts as processed.
 * 2. The valid messages are grouped by the item they merge into (the pod) and their facts
 *    joined: a pod's startup burst becomes one set of facts.
 * 3. Each cluster of the batch is registered (once per container), then ONE batched, strongly
 *    consistent read (`getMany`: BatchGetItem, 100 keys a request, unprocessed keys retried
 *    with back-off) fetches every pod's stored facts, except a pod's first sight (below).
 * 4. One conditional write per pod with news (a lost race merges into the item the failed write
 *    returns, ALL_OLD). A pod whose batch holds the forwarder's first sight of it (a Pod Facts
 *    delta with the `pod` fact, the pod created at most FIRST_SIGHT_MAX_AGE_MS ago by the
 *    ingest's clock) is not read: it is written as a new item (attribute_not_exists), and if an
 *    item is there after all (a redelivery, a sender's restart) the failed write brings it back
 *    and the merge joins into it, as after a lost race. Older pods' first sights (a restarted
 *    forwarder re-sends one for every pod it lists) are read as before: a failed conditional
 *    write costs write units (the existing item's size), a read a fraction of that
 *    (docs/cost.md, "Throughput").
 * 5. Only the messages of pods whose write failed (transiently) are reported in
 *    `batchItemFailures`: SQS makes them visible again after the visibility timeout and, after
 *    maxReceiveCount receives, moves them to the dead-letter queue. Redelivery is safe: the
 *    join is idempotent. A pod whose joined write DynamoDB refuses for good (item too large,
 *    ValidationException) is retried message by message, so only the message that cannot be
 *    stored is parked, with its reason.
 */

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Fact, FactMap } from '../../core/facts.ts';
import {
  BATCH_GET_MAX_KEYS,
  ItemTooLargeError,
  itemKeyId,
  StoreRefusedError,
} from '../../store/pod-store.ts';
import { makeHeartbeatIngest } from './heartbeat.ts';
import type { IngestHandlerDeps } from './ingest.ts';
import { emitOutcome, makeIngestHandler, parker } from './ingest.ts';
import { PodIngest, type PodWrite, podWriteOf } from './ingest-pod-facts.ts';
import { makeInventoryIngest } from './inventory.ts';
import { parseBusEvent } from './parse-bus-event.ts';

/** What one batch did (returned beside the response, for tests, local mode and the bench). */
export interface BatchStats {
  messages: number;
  invalid: number;
  pods: number;
  written: number;
  failedPods: number;
  /** Pods written without a read (their first sight: FIRST_SIGHT_MAX_AGE_MS). */
  unread: number;
}

/**
 * How recently a pod must have been created (its `pod` fact's creation, by the ingest's clock)
 * for its first sight to be written without a read. In steady state a first sight reaches the
 * ingest within the forwarder's routine linger (30 s by default, 5 min at most) plus the queue's
 * batching window of the pod's creation, and its item does not exist yet. An older pod's first
 * sight is a restarted forwarder's re-send (its item exists: a read costs less than a failed
 * conditional write) or sits in a backlog, where batches running side by side hold the same
 * pod's later entries and often write it first (measured: 4× the lost races when every first
 * sight of a backlog skips its read; docs/cost.md, "Throughput").
 */
export const FIRST_SIGHT_MAX_AGE_MS = 10 * 60_000;

/** A Pod Facts delta's facts hold the pod's first sight, of a pod created at most `maxAgeMs` before `now`. */
export function isRecentFirstSight(facts: readonly Fact[], now: number, maxAgeMs: number): boolean {
  for (const f of facts) if (f.kind === 'pod') return f.created !== null && f.created >= now - maxAgeMs;
  return false;
}

/** Chunks of pods (BATCH_GET_MAX_KEYS each: one BatchGetItem) read and written side by side. */
export const CHUNKS_IN_FLIGHT = 2;

export type BatchIngestHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

interface Group {
  write: PodWrite;
  /** Written without a read (isRecentFirstSight of one of its Pod Facts messages). */
  firstSight: boolean;
  records: { record: SQSRecord; event: unknown; id: string; write: PodWrite }[];
}

export function makeBatchIngestHandler(
  deps: IngestHandlerDeps & {
    onBatch?: (s: BatchStats) => void;
    /** FIRST_SIGHT_MAX_AGE_MS unless given (0: every pod is read). */
    firstSightMaxAgeMs?: number;
  },
): BatchIngestHandler {
  const { logger, metrics } = deps;
  const firstSightMaxAgeMs = deps.firstSightMaxAgeMs ?? FIRST_SIGHT_MAX_AGE_MS;
  const ingest = new PodIngest(deps.store, { retentionDays: deps.retentionDays, now: deps.now });
  const park = parker(deps);
  // The one-event path, for a pod whose joined write is refused for good: message by message.
  const single = makeIngestHandler(deps);
  const heartbeat = makeHeartbeatIngest(deps);
  const inventory = makeInventoryIngest(deps);

  /** The batch's work; resolves to each message's outcome (undefined: done; an Error: failed). */
  async function plan(
    records: readonly SQSRecord[],
    stats: BatchStats,
  ): Promise<Map<string, Error | undefined>> {
    const result = new Map<string, Error | undefined>();
    const groups = new Map<string, Group>();
    await Promise.all(
      records.map(async (record) => {
        let event: unknown;
        try {
          event = JSON.parse(record.body);
        } catch {
          event = record.body;
        }
        const parsed = parseBusEvent(event, deps.now());
        if (!parsed.ok) {
          stats.invalid++;
          try {
            await park(event, parsed.kind, parsed.reason, parsed.id);
            result.set(record.messageId, undefined);
          } catch (err) {
            result.set(record.messageId, err as Error);
          }
          return;
        }
        if (parsed.kind === 'heartbeat' || parsed.kind === 'inventory') {
          // Not a pod: recorded on its own (functions/ingest/heartbeat.ts, inventory.ts), never grouped.
          try {
            if (parsed.kind === 'heartbeat') await heartbeat(parsed.heartbeat);
            else await inventory(parsed.inventory);
            result.set(record.messageId, undefined);
          } catch (err) {
            result.set(record.messageId, err as Error);
          }
          return;
        }
        const write = podWriteOf(parsed);
        const id = itemKeyId(write.key);
        const firstSight =
          firstSightMaxAgeMs > 0 &&
          parsed.kind === 'facts' &&
          isRecentFirstSight(write.facts, deps.now(), firstSightMaxAgeMs);
        const g = groups.get(id);
        if (g) {
          g.write.facts.push(...write.facts);
          g.firstSight ||= firstSight;
          g.records.push({ record, event, id: parsed.id, write });
        } else {
          groups.set(id, {
            write: { ...write, facts: [...write.facts] },
            firstSight,
            records: [{ record, event, id: parsed.id, write }],
          });
        }
      }),
    );
    stats.pods = groups.size;
    const fail = (g: Group, err: Error) => {
      stats.failedPods++;
      for (const r of g.records) result.set(r.record.messageId, err);
    };
    // Registry first, pods second (a pod is never visible in a cluster the registry lacks).
    const clusters = new Map<string, Error | undefined>();
    for (const g of groups.values()) clusters.set(g.write.cluster, undefined);
    for (const cluster of clusters.keys()) {
      try {
        await ingest.registerOnce(cluster);
      } catch (err) {
        clusters.set(cluster, err as Error);
      }
    }
    const live = [...groups.values()].filter((g) => {
      const err = clusters.get(g.write.cluster);
      if (err) fail(g, err);
      return !err;
    });
    // Read (all but the first sights), then write, a chunk of pods at a time (one BatchGetItem each), CHUNKS_IN_FLIGHT
    // chunks side by side, in the order the pods first appear in the batch: a pod's write
    // follows its read closely, so a batch running beside this one (holding the same pod's
    // later entries) rarely writes it in between, and reads and writes overlap.
    const chunks: Group[][] = [];
    for (let i = 0; i < live.length; i += BATCH_GET_MAX_KEYS)
      chunks.push(live.slice(i, i + BATCH_GET_MAX_KEYS));
    let nextChunk = 0;
    const readAndWrite = async (chunk: Group[]) => {
      let current: Map<string, { facts: FactMap; version: number }>;
      try {
        current = await deps.store.getMany(chunk.filter((g) => !g.firstSight).map((g) => g.write.key));
      } catch (err) {
        logger.error('batched read failed; its pods are retried', {
          pods: chunk.length,
          error: err as Error,
        });
        for (const g of chunk) fail(g, err as Error);
        return;
      }
      await Promise.all(chunk.map((g) => writePod(g, current.get(itemKeyId(g.write.key)))));
    };
    const writePod = async (g: Group, known: { facts: FactMap; version: number } | undefined) => {
      try {
        const outcome = await ingest.mergeRead(g.write, known);
        if (outcome.written) stats.written++;
        if (g.firstSight) stats.unread++;
        emitOutcome(metrics, outcome, deps.metricNamespaces);
        for (const r of g.records) result.set(r.record.messageId, undefined);
      } catch (err) {
        if (err instanceof ItemTooLargeError || err instanceof StoreRefusedError) {
          // Which message cannot be stored: each on its own (a refused one is parked).
          for (const r of g.records) {
            try {
              await single(r.event);
              result.set(r.record.messageId, undefined);
            } catch (e) {
              result.set(r.record.messageId, e as Error);
            }
          }
          return;
        }
        logger.error('pod write failed; its messages are redelivered', {
          key: g.write.key,
          messages: g.records.length,
          error: err as Error,
        });
        fail(g, err as Error);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(CHUNKS_IN_FLIGHT, chunks.length) }, async () => {
        while (nextChunk < chunks.length) await readAndWrite(chunks[nextChunk++] as Group[]);
      }),
    );
    return result;
  }

  return async (event) => {
    const records = event.Records ?? [];
    const stats: BatchStats = {
      messages: records.length,
      invalid: 0,
      pods: 0,
      written: 0,
      failedPods: 0,
      unread: 0,
    };
    const outcomes = plan(records, stats);
    const processor = new BatchProcessor(EventType.SQS);
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const err = (await outcomes).get(record.messageId);
        if (err) throw err;
      },
      processor,
      // A batch whose every message failed is answered the same way (all listed), not thrown:
      // SQS redelivers exactly the listed messages either way.
      { throwOnFullBatchFailure: false },
    );
    deps.onBatch?.(stats);
    return response as SQSBatchResponse;
  };
}
