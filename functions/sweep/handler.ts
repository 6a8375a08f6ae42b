/**
 * The sweep Lambda's entry (an EventBridge schedule invokes it every minute): configuration
 * from the environment, read once at load (a missing or malformed variable fails the cold
 * start with its name), and the sweep built from it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { alertConfigFromEnv } from '../../model/alerts.ts';
import { dynamoClient } from '../../store/dynamo.ts';
import { requiredEnv } from '../env.ts';
import { snsEventBridgeNotifier } from './notifier.ts';
import { makeSweepHandler } from './sweep.ts';

export const handler = makeSweepHandler({
  client: dynamoClient(),
  tableName: requiredEnv('TABLE_NAME'),
  notifier: snsEventBridgeNotifier({
    sns: new SNSClient({}),
    topicArn: requiredEnv('ALERT_TOPIC_ARN'),
    events: new EventBridgeClient({}),
    busName: requiredEnv('EVENT_BUS_NAME'),
  }),
  config: alertConfigFromEnv(process.env),
  now: Date.now,
  logger: new Logger({ serviceName: 'podlife-sweep' }),
  metrics: new Metrics({ namespace: 'podlife', serviceName: 'podlife-sweep' }),
});
