/**
 * The query Lambda's entry: configuration from the environment, read once at load (a missing or
 * malformed variable fails the cold start with its name), and the handler built from it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { pendingThresholdsFromEnv } from '../../model/alerts.ts';
import { dynamoClient } from '../../store/dynamo.ts';
import { requiredEnv } from '../env.ts';
import { makeQueryHandler } from './query.ts';

export const handler = makeQueryHandler({
  client: dynamoClient(),
  tableName: requiredEnv('TABLE_NAME'),
  thresholds: pendingThresholdsFromEnv(process.env),
  now: Date.now,
  logger: new Logger({ serviceName: 'podlife-query' }),
});
