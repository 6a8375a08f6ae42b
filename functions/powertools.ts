/**
 * Powertools as its own examples wire it, once for every podlife Lambda: one Logger, Metrics
 * and Tracer per function (service name from the function's POWERTOOLS_SERVICE_NAME, set by
 * infra/podlife-function.ts), the AWS SDK clients traced with `captureAWSv3Client`, and the
 * handler wrapped with middy: `captureLambdaHandler` (an X-Ray subsegment per invocation; the response is not
 * copied into the trace: it holds pod names and messages, and may exceed a segment's 64 KB),
 * `injectLambdaContext` (request id, function name, cold start in every log line) and
 * `logMetrics` with `captureColdStartMetric` (a `ColdStart` metric on the first invocation of
 * an execution environment; the stored metrics flushed after every invocation, failed ones too).
 *
 * The factories (`make*Handler`) know none of this: they take a Logger and Metrics like any
 * other dependency, so tests and local mode call them without middy. Off Lambda (no
 * AWS_EXECUTION_ENV) the Tracer disables itself and `captureAWSv3Client` returns the client as it is.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { METRIC_NAMESPACE } from '../model/metric-names.ts';
import { documentClient, dynamoClient } from '../store/dynamo.ts';

/** The three Powertools utilities of one function. */
export interface Powertools {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/** Logger, Metrics (namespace `podlife`) and Tracer for one service (e.g. `podlife-sweep`). */
export function powertoolsFor(serviceName: string): Powertools {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName }),
    tracer: new Tracer({ serviceName }),
  };
}

/**
 * The AWS SDK clients a handler needs, each built once per execution environment and traced
 * (a subsegment per request, with the table, bus or topic it named). The document client shares
 * the traced DynamoDB client's middleware stack, so its requests are traced too.
 */
export const tracedClients = (tracer: Tracer) => ({
  dynamodb: () => tracer.captureAWSv3Client(dynamoClient()),
  document: (client: DynamoDBClient) => documentClient(client),
  eventBridge: () => tracer.captureAWSv3Client(new EventBridgeClient({})),
  sns: () => tracer.captureAWSv3Client(new SNSClient({})),
});

/** A factory-built handler wrapped for Lambda: tracing, log context, metrics flush and cold start. */
export function lambdaHandler<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  { logger, metrics, tracer }: Powertools,
): middy.MiddyfiedHandler<E, R, Error, Context> {
  return middy<E, R, Error, Context>((event: E, context: Context) => handler(event, context))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
