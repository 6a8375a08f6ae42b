/**
 * The console widget Lambda's entry: the query handler as functions/query/handler.ts builds it
 * (configuration from the environment, a traced DynamoDB client) and the page's stylesheet,
 * bundled into the function as text (esbuild's text loader, infra/podlife-function.ts).
 */
import { pendingThresholdsFromEnv } from '../../model/alerts.ts';
import { SERVICES } from '../../model/metric-names.ts';
import css from '../../web/static/style.css';
import { requiredEnv } from '../env.ts';
import { lambdaHandler, powertoolsFor, tracedClients } from '../powertools.ts';
import { makeQueryHandler } from '../query/query.ts';
import { makeWidgetHandler } from './widget.ts';

const powertools = powertoolsFor(SERVICES.widget);
const clients = tracedClients(powertools.tracer);

export const handler = lambdaHandler(
  makeWidgetHandler({
    query: makeQueryHandler({
      client: clients.dynamodb(),
      tableName: requiredEnv('TABLE_NAME'),
      thresholds: pendingThresholdsFromEnv(process.env),
      now: Date.now,
      logger: powertools.logger,
      metrics: powertools.metrics,
    }),
    css,
  }),
  powertools,
);
