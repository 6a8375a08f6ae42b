/**
 * The ingest Lambda's entry: configuration from the environment, read once at load (a missing
 * variable fails the cold start with its name), and the handler built from it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { documentClient } from '../../store/dynamo.ts';
import { PodStore } from '../../store/pod-store.ts';
import { positiveNumberEnv, requiredEnv } from '../env.ts';
import { makeIngestHandler } from './ingest.ts';
import { eventBridgeInvalidEventSink } from './invalid-event-sink.ts';

const tableName = requiredEnv('TABLE_NAME');
const busName = requiredEnv('EVENT_BUS_NAME');
const retentionDays = positiveNumberEnv('RETENTION_DAYS', 30);

export const handler = makeIngestHandler({
  store: new PodStore(documentClient(), { tableName }),
  invalidEvents: eventBridgeInvalidEventSink(new EventBridgeClient({}), busName),
  logger: new Logger({ serviceName: 'podlife-ingest' }),
  metrics: new Metrics({ namespace: 'podlife', serviceName: 'podlife-ingest' }),
  now: Date.now,
  retentionDays,
});
