/**
 * The ingest handler, built from its dependencies so tests pass a real local store or fakes:
 * parse the EventBridge event → the engine's facts → merge into DynamoDB → metrics.
 *
 * - Invalid events (nothing a retry could fix: a schema failure, a time out of range, an item
 *   past 400 KB, any request DynamoDB refuses with ValidationException) are parked with their
 *   reason and counted; the invocation succeeds, so Lambda does not retry them.
 * - Any other failure (throttling, timeouts, a lost-race streak) is thrown: the invocation fails,
 *   Lambda retries it, and after the last retry it lands in the on-failure queue. A retry is
 *   safe: each write is a conditional merge of facts, so a replay adds nothing twice.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { invalidEventReport } from '../../model/invalid-event.ts';
import { INGEST_METRICS } from '../../model/metric-names.ts';
import type { HeartbeatStore } from '../../store/cluster-health.ts';
import type { InventoryStore } from '../../store/inventory-store.ts';
import { ItemTooLargeError, type PodStore, StoreRefusedError } from '../../store/pod-store.ts';
import { makeHeartbeatIngest } from './heartbeat.ts';
import { type IngestOutcome, PodIngest } from './ingest-pod-facts.ts';
import type { InvalidEventSink } from './invalid-event-sink.ts';
import { makeInventoryIngest } from './inventory.ts';
import { lifecycleMetricsOf } from './lifecycle-metrics.ts';
import { parseBusEvent } from './parse-bus-event.ts';

export interface IngestHandlerDeps {
  store: PodStore;
  invalidEvents: InvalidEventSink;
  logger: Logger;
  metrics: Metrics;
  /** Epoch ms. */
  now: () => number;
  retentionDays: number;
  /** Where forwarder heartbeats are recorded (functions/ingest/heartbeat.ts). */
  heartbeats?: HeartbeatStore | undefined;
  /** Where `Pod Inventory` entries find their candidates (functions/ingest/inventory.ts). */
  inventories?: InventoryStore | undefined;
  /**
   * Namespaces whose metrics are also emitted per namespace (METRIC_NAMESPACES, context
   * `podlife:metricNamespaces`); default none: per-cluster metrics only (docs/cost.md).
   */
  metricNamespaces?: ReadonlySet<string> | undefined;
}

export type IngestResult =
  | { status: 'written' | 'duplicate'; facts: number; attempts: number }
  | { status: 'heartbeat'; outcome: string }
  | { status: 'inventory'; marked: number }
  | { status: 'invalid'; kind: string; reason: string };

/** Parks an invalid event: logged, reported to the invalid-event sink, counted. */
export function parker(deps: Pick<IngestHandlerDeps, 'logger' | 'metrics' | 'invalidEvents' | 'now'>) {
  return async (event: unknown, kind: string, reason: string, id?: string): Promise<IngestResult> => {
    deps.logger.warn('invalid event parked', { kind, reason, eventId: id });
    await deps.invalidEvents.record(invalidEventReport(event, kind, reason, deps.now()));
    deps.metrics
      .singleMetric()
      .addDimensions({ kind })
      .addMetric(INGEST_METRICS.invalidEvents, MetricUnit.Count, 1);
    return { status: 'invalid', kind, reason };
  };
}

/**
 * The metrics of one merge (written or duplicate), published at once: one EMF record per
 * cluster (dimensions `service, cluster`), and, for a namespace in `perNamespace`, a second with
 * `service, cluster, namespace`. One dimension set per record: Powertools warns ("EMF key cluster
 * is defined as both a dimension set and ...") on every record whose sets share a key, and
 * per-namespace metrics for every namespace cost ~17 custom metrics each (docs/cost.md).
 */
export function emitOutcome(metrics: Metrics, o: IngestOutcome, perNamespace?: ReadonlySet<string>): void {
  const points = o.written ? lifecycleMetricsOf(o.before, o.after) : [];
  const scopes: Record<string, string>[] = [{ cluster: o.cluster }];
  if (perNamespace?.has(o.namespace)) scopes.push({ cluster: o.cluster, namespace: o.namespace });
  for (const scope of scopes) {
    for (const [k, v] of Object.entries(scope)) metrics.addDimension(k, v);
    metrics.addMetric(
      o.written ? INGEST_METRICS.factsWritten : INGEST_METRICS.duplicateEvents,
      MetricUnit.Count,
      o.written ? o.changed.length : 1,
    );
    if (o.attempts > 1) metrics.addMetric(INGEST_METRICS.writeConflicts, MetricUnit.Count, o.attempts - 1);
    for (const p of points) {
      if (!p.dimensions) metrics.addMetric(p.name, p.unit, p.value);
      else {
        const single = metrics.singleMetric();
        for (const [k, v] of Object.entries({ ...scope, ...p.dimensions })) single.addDimension(k, v);
        single.addMetric(p.name, p.unit, p.value);
      }
    }
    // Flushed per outcome and scope: its dimensions (this pod's cluster, namespace) are its own.
    metrics.publishStoredMetrics();
  }
}

/** METRIC_NAMESPACES: a comma-separated list (or a JSON array) of namespaces; empty: none. */
export function metricNamespacesFromEnv(env: NodeJS.ProcessEnv): ReadonlySet<string> {
  const raw = env.METRIC_NAMESPACES?.trim() ?? '';
  if (raw === '') return new Set();
  const list = raw.startsWith('[') ? (JSON.parse(raw) as unknown[]).map(String) : raw.split(',');
  return new Set(list.map((x) => x.trim()).filter((x) => x !== ''));
}

export function makeIngestHandler(deps: IngestHandlerDeps): (event: unknown) => Promise<IngestResult> {
  const { logger, metrics } = deps;
  const ingest = new PodIngest(deps.store, { retentionDays: deps.retentionDays, now: deps.now });
  const park = parker(deps);
  const emit = (o: IngestOutcome) => emitOutcome(metrics, o, deps.metricNamespaces);
  const heartbeat = makeHeartbeatIngest(deps);
  const inventory = makeInventoryIngest(deps);

  return async (event) => {
    const parsed = parseBusEvent(event, deps.now());
    if (!parsed.ok) return park(event, parsed.kind, parsed.reason, parsed.id);
    if (parsed.kind === 'heartbeat')
      return { status: 'heartbeat', outcome: await heartbeat(parsed.heartbeat) };
    if (parsed.kind === 'inventory')
      return { status: 'inventory', marked: (await inventory(parsed.inventory)).marked };
    let outcome: IngestOutcome;
    try {
      outcome =
        parsed.kind === 'snapshot'
          ? await ingest.snapshot(parsed.snapshot)
          : parsed.kind === 'facts'
            ? await ingest.facts(parsed.detail, parsed.facts)
            : await ingest.event(parsed.cluster, parsed.event);
    } catch (err) {
      if (err instanceof ItemTooLargeError) return park(event, 'item-too-large', err.message, parsed.id);
      // A request DynamoDB refuses as invalid fails the same way on every retry: parked, not retried.
      if (err instanceof StoreRefusedError) return park(event, 'store-refused', err.message, parsed.id);
      logger.error('ingest failed; the invocation fails so Lambda retries it', {
        eventId: parsed.id,
        error: err as Error,
      });
      throw err;
    }
    emit(outcome);
    logger.debug('ingested', {
      eventId: parsed.id,
      key: outcome.key,
      written: outcome.written,
      facts: outcome.changed.length,
    });
    return {
      status: outcome.written ? 'written' : 'duplicate',
      facts: outcome.changed.length,
      attempts: outcome.attempts,
    };
  };
}
