/**
 * The query Lambda's entry: configuration from the environment, read once at load (a missing or
 * malformed variable fails the cold start with its name), a traced DynamoDB client, and the
 * handler built from them, wrapped with Powertools' middlewares (functions/powertools.ts).
 */
import { pendingThresholdsFromEnv } from '../../model/alerts.ts';
import { SERVICES } from '../../model/metric-names.ts';
import { positiveNumberEnv, requiredEnv } from '../env.ts';
import { lambdaHandler, powertoolsFor, tracedClients } from '../powertools.ts';
import { makeQueryHandler } from './query.ts';

const powertools = powertoolsFor(SERVICES.query);
const clients = tracedClients(powertools.tracer);

export const handler = lambdaHandler(
  makeQueryHandler({
    client: clients.dynamodb(),
    tableName: requiredEnv('TABLE_NAME'),
    thresholds: pendingThresholdsFromEnv(process.env),
    staleAfterSeconds: positiveNumberEnv('STALE_AFTER_SECONDS', 300),
    now: Date.now,
    logger: powertools.logger,
    metrics: powertools.metrics,
  }),
  powertools,
);
