/**
 * The ingest Lambda's entry: SQS batches from the ingest queue (functions/ingest/ingest-batch.ts).
 * Configuration from the environment, read once at load (a missing variable fails the cold start
 * with its name), traced SDK clients, and the handler built from them, wrapped with Powertools'
 * middlewares (functions/powertools.ts).
 */
import { SERVICES } from '../../model/metric-names.ts';
import { HeartbeatStore } from '../../store/cluster-health.ts';
import { InventoryStore } from '../../store/inventory-store.ts';
import { PodStore } from '../../store/pod-store.ts';
import { positiveNumberEnv, requiredEnv } from '../env.ts';
import { lambdaHandler, powertoolsFor, tracedClients } from '../powertools.ts';
import { metricNamespacesFromEnv } from './ingest.ts';
import { makeBatchIngestHandler } from './ingest-batch.ts';
import { eventBridgeInvalidEventSink } from './invalid-event-sink.ts';

const tableName = requiredEnv('TABLE_NAME');
const busName = requiredEnv('EVENT_BUS_NAME');
const retentionDays = positiveNumberEnv('RETENTION_DAYS', 30);

const powertools = powertoolsFor(SERVICES.ingest);
const clients = tracedClients(powertools.tracer);

const doc = clients.document(clients.dynamodb());

export const handler = lambdaHandler(
  makeBatchIngestHandler({
    // No consumed capacity asked: nothing here counts it (the benches do, with INDEXES).
    store: new PodStore(doc, { tableName, consumedCapacity: 'NONE' }),
    heartbeats: new HeartbeatStore(doc, tableName),
    inventories: new InventoryStore(doc, tableName),
    invalidEvents: eventBridgeInvalidEventSink(clients.eventBridge(), busName),
    logger: powertools.logger,
    metrics: powertools.metrics,
    now: Date.now,
    retentionDays,
    metricNamespaces: metricNamespacesFromEnv(process.env),
  }),
  powertools,
);
