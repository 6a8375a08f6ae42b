/**
 * functions/powertools.ts: the wrapper every Lambda entry uses. With a fake Lambda context:
 * the first invocation of an execution environment emits one `ColdStart` metric (with the
 * function's name), the next ones none; the handler's stored metrics are flushed after every
 * invocation, a failed one too; log lines carry the request id and cold start. Off Lambda the
 * Tracer is disabled and leaves the SDK clients as they are (local mode and tests build none).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaHandler, powertoolsFor, tracedClients } from '../../functions/powertools.ts';
import { METRIC_NAMESPACE } from '../../model/metric-names.ts';

const context = (awsRequestId: string): Context =>
  ({
    functionName: 'podlife-sweep-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:podlife-sweep-fn',
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: '/aws/lambda/podlife-sweep-fn',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as Context;

let out: string[] = [];
const saved = { ...process.env };

beforeEach(() => {
  // What Lambda sets for an on-demand execution environment (Powertools reads it at construction).
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  delete process.env.AWS_EXECUTION_ENV;
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
});

const records = () => out.map((l) => JSON.parse(l) as Record<string, unknown>);
const emf = () => records().filter((r) => r._aws);
const logs = () => records().filter((r) => !r._aws);

function wrapped(fail = false) {
  const powertools = {
    ...powertoolsFor('podlife-sweep'),
    logger: new Logger({ serviceName: 'podlife-sweep', logLevel: 'INFO' }),
  };
  const handler = lambdaHandler(async (event: { n: number }) => {
    powertools.metrics.addMetric('TestCount', MetricUnit.Count, event.n);
    powertools.logger.info('handled');
    if (fail) throw new Error('boom');
    return event.n;
  }, powertools);
  return { handler, powertools };
}

describe('lambdaHandler (Powertools middlewares)', () => {
  it('a ColdStart metric on the first invocation only; stored metrics flushed after each', async () => {
    const { handler } = wrapped();
    expect(await handler({ n: 1 }, context('r1'))).toBe(1);
    const first = emf();
    const cold = first.filter((r) => r.ColdStart !== undefined);
    expect(cold).toHaveLength(1);
    expect(cold[0]).toMatchObject({
      ColdStart: 1,
      function_name: 'podlife-sweep-fn',
      service: 'podlife-sweep',
    });
    expect(
      (cold[0]!._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]!.Namespace,
    ).toBe(METRIC_NAMESPACE);
    expect(first.filter((r) => r.TestCount !== undefined).map((r) => r.TestCount)).toEqual([1]);

    out = [];
    expect(await handler({ n: 2 }, context('r2'))).toBe(2);
    expect(emf().filter((r) => r.ColdStart !== undefined)).toEqual([]);
    expect(emf().map((r) => r.TestCount)).toEqual([2]);
  });

  it('a failed invocation still flushes its metrics and rethrows', async () => {
    const { handler } = wrapped(true);
    await expect(handler({ n: 7 }, context('r1'))).rejects.toThrow('boom');
    expect(
      emf()
        .filter((r) => r.TestCount !== undefined)
        .map((r) => r.TestCount),
    ).toEqual([7]);
  });

  it('log lines carry the Lambda context: request id, function name, cold start', async () => {
    const { handler } = wrapped();
    await handler({ n: 1 }, context('r1'));
    await handler({ n: 1 }, context('r2'));
    const handled = logs().filter((l) => l.message === 'handled');
    expect(handled).toHaveLength(2);
    expect(handled[0]).toMatchObject({
      function_request_id: 'r1',
      function_name: 'podlife-sweep-fn',
      cold_start: true,
      service: 'podlife-sweep',
    });
    expect(handled[1]).toMatchObject({ function_request_id: 'r2', cold_start: false });
  });

  it('off Lambda the Tracer is disabled and leaves the SDK clients untouched', async () => {
    const { tracer } = powertoolsFor('podlife-query');
    expect(tracer.isTracingEnabled()).toBe(false);
    const clients = tracedClients(tracer);
    const ddb = clients.dynamodb();
    expect(ddb.middlewareStack.identify().some((m) => /xray|tracer/i.test(m))).toBe(false);
    // The wrapper still runs the handler as it is.
    const handler = lambdaHandler(async () => 'ok', { ...powertoolsFor('podlife-query'), tracer });
    expect(await handler(undefined, context('r1'))).toBe('ok');
  });

  it('on Lambda the Tracer wraps each client with an X-Ray middleware', () => {
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    const { tracer } = powertoolsFor('podlife-query');
    expect(tracer.isTracingEnabled()).toBe(true);
    const names = tracedClients(tracer).eventBridge().middlewareStack.identify();
    expect(
      names.some((m) => /xray|tracer|segment/i.test(m)),
      names.join(', '),
    ).toBe(true);
  });
});
