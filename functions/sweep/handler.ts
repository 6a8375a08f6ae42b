/**
 * The sweep Lambda's entry (an EventBridge schedule invokes it every minute): configuration
 * from the environment, read once at load (a missing or malformed variable fails the cold
 * start with its name), traced SDK clients, and the sweep built from them, wrapped with
 * Powertools' middlewares (functions/powertools.ts), which flush its totals even when it fails.
 */
import { alertConfigFromEnv } from '../../model/alerts.ts';
import { SERVICES } from '../../model/metric-names.ts';
import { positiveNumberEnv, requiredEnv } from '../env.ts';
import { lambdaHandler, powertoolsFor, tracedClients } from '../powertools.ts';
import { snsEventBridgeNotifier } from './notifier.ts';
import { makeSweepHandler } from './sweep.ts';

const powertools = powertoolsFor(SERVICES.sweep);
const clients = tracedClients(powertools.tracer);

export const handler = lambdaHandler(
  makeSweepHandler({
    client: clients.dynamodb(),
    tableName: requiredEnv('TABLE_NAME'),
    notifier: snsEventBridgeNotifier({
      sns: clients.sns(),
      topicArn: requiredEnv('ALERT_TOPIC_ARN'),
      events: clients.eventBridge(),
      busName: requiredEnv('EVENT_BUS_NAME'),
    }),
    config: alertConfigFromEnv(process.env),
    now: Date.now,
    logger: powertools.logger,
    metrics: powertools.metrics,
    staleAfterSeconds: positiveNumberEnv('STALE_AFTER_SECONDS', 300),
  }),
  powertools,
);
