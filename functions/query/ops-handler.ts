/**
 * The operations Lambda's entry (silences, purge: functions/query/ops.ts): configuration from
 * the environment, read once at load, a traced DynamoDB client, Powertools' middlewares.
 */
import { SERVICES } from '../../model/metric-names.ts';
import { requiredEnv } from '../env.ts';
import { lambdaHandler, powertoolsFor, tracedClients } from '../powertools.ts';
import { makeOpsHandler } from './ops.ts';

const powertools = powertoolsFor(SERVICES.ops);
const clients = tracedClients(powertools.tracer);

export const handler = lambdaHandler(
  makeOpsHandler({
    client: clients.dynamodb(),
    tableName: requiredEnv('TABLE_NAME'),
    now: Date.now,
    logger: powertools.logger,
  }),
  powertools,
);
