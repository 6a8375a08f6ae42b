/**
 * The ingest Lambda's entry: SQS batches from the ingest queue (functions/ingest/ingest-batch.ts).
 * Configuration from the environment, read once at load (a missing variable fails the cold start with its name), and the handler built from it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PodStore } from '../../store/pod-store.ts';
import { positiveNumberEnv, requiredEnv } from '../env.ts';
import { makeBatchIngestHandler } from './ingest-batch.ts';
import { eventBridgeInvalidEventSink } from './invalid-event-sink.ts';

const tableName = requiredEnv('TABLE_NAME');
const busName = requiredEnv('EVENT_BUS_NAME');
const retentionDays = positiveNumberEnv('RETENTION_DAYS', 30);

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = makeBatchIngestHandler({
  store: new PodStore(doc, { tableName }),
  invalidEvents: eventBridgeInvalidEventSink(new EventBridgeClient({}), busName),
  logger: new Logger({ serviceName: 'podlife-ingest' }),
  metrics: new Metrics({ namespace: 'podlife', serviceName: 'podlife-ingest' }),
  now: Date.now,
  retentionDays,
});
