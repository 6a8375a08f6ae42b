/**
 * The query API's Lambda handler, built from its dependencies (`makeQueryHandler({ client,
 * tableName, now })`) so tests and local mode run it against DynamoDB Local. API Gateway HTTP
 * API payload 2.0 in, JSON out. Routes return bodies; this file alone writes responses:
 * 200 with the body (strong ETag, `no-cache`; 304 for a matching If-None-Match: etag.ts), 400 `{error, parameter, reason}`, 404, 405, 503 when DynamoDB throttles
 * (retry) or the request read past its deadline, 500 otherwise (never for a client's input:
 * every parameter is bounded in api-schemas.ts QUERY_BOUNDS before any read). Every answer says what it cost in `x-podlife-*` headers.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../../core/figures.ts';
import { BadParameterError, type ErrorBody, NotFoundError, QUERY_BOUNDS } from '../../model/api-schemas.ts';
import { QUERY_METRICS } from '../../model/metric-names.ts';
import type { PendingThresholds } from '../../model/pod-rows.ts';
import { documentClient, StoreUnavailableError } from '../../store/dynamo.ts';
import { DeadlineExceededError, PodReader, type ReadStats } from '../../store/pod-queries.ts';
import { withEtag } from './etag.ts';
import type { Route } from './route.ts';
import { matchRoute, ROUTES } from './router.ts';

export interface QueryHandlerDeps {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  /** Epoch ms; read once per request. */
  now: () => number;
  /** Stuck-Pending thresholds (default: 300 s everywhere). */
  thresholds?: PendingThresholds;
  /** A cluster whose last forwarder heartbeat is older than this is answered `stale: true`. */
  staleAfterSeconds?: number | undefined;
  logger?: Logger;
  /** Where each request's read capacity is counted (QUERY_METRICS.readUnits); flushed by the caller. */
  metrics?: Metrics;
  routes?: readonly Route[];
  /** Wall-clock ms a request may spend reading (default QUERY_BOUNDS.deadlineMs). */
  deadlineMs?: number;
  /** The wall clock the deadline is measured on (default Date.now; `now` may be a replay's). */
  clock?: () => number;
}

export type QueryHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

function answer(statusCode: number, body: unknown, cost?: ReadStats, headers: Record<string, string> = {}) {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...(cost
        ? {
            'x-podlife-requests': String(cost.requests),
            'x-podlife-read-units': String(cost.readUnits),
            'x-podlife-items-read': String(cost.itemsRead),
          }
        : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  } satisfies APIGatewayProxyStructuredResultV2;
}

const error = (error: string, extra: Omit<ErrorBody, 'error'> = {}): ErrorBody => ({ error, ...extra });

export function makeQueryHandler(deps: QueryHandlerDeps): QueryHandler {
  const doc = documentClient(deps.client);
  const thresholds = deps.thresholds ?? { defaultSeconds: DEFAULT_STUCK_AFTER_SECONDS, overrides: {} };
  const routes = deps.routes ?? ROUTES;
  // Every answer through one place: a strong ETag on 200s, 304 for a matching If-None-Match.
  const answerOf = async (event: APIGatewayProxyEventV2) => withEtag(event, await respond(event));

  const respond = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext?.http?.method ?? 'GET';
    const match = matchRoute(event.rawPath ?? '/', routes);
    if (!match) return answer(404, error(`no such route: ${event.rawPath}`));
    if (method !== 'GET')
      return answer(405, error(`${method} is not allowed: every route is GET`), undefined, { allow: 'GET' });
    const query = event.queryStringParameters ?? {};
    const clash = Object.keys(query).find((k) => k in match.pathParams);
    if (clash)
      return answer(
        400,
        error('bad parameter', { parameter: clash, reason: 'unknown parameter for this route' }),
      );
    const clock = deps.clock ?? Date.now;
    const reader = new PodReader(doc, deps.tableName, {
      deadline: clock() + (deps.deadlineMs ?? QUERY_BOUNDS.deadlineMs),
      clock,
    });
    try {
      const body = await match.route.run({
        params: { ...query, ...match.pathParams },
        reader,
        now: deps.now(),
        thresholds,
        staleAfterSeconds: deps.staleAfterSeconds,
      });
      deps.logger?.debug('answered', { route: match.route.path, cost: reader.stats });
      return answer(200, body, reader.stats);
    } catch (err) {
      if (err instanceof BadParameterError) {
        return answer(
          400,
          error('bad parameter', { parameter: err.parameter, reason: err.reason }),
          reader.stats,
        );
      }
      if (err instanceof NotFoundError) return answer(404, error(err.message), reader.stats);
      if (err instanceof DeadlineExceededError) {
        deps.logger?.warn('deadline exceeded', { route: match.route.path, cost: reader.stats });
        return answer(
          503,
          error(`${err.message} (more than ${deps.deadlineMs ?? QUERY_BOUNDS.deadlineMs} ms)`),
          reader.stats,
        );
      }
      if (err instanceof StoreUnavailableError) {
        deps.logger?.warn('DynamoDB unavailable', { route: match.route.path, error: err });
        return answer(503, error('the table is busy: retry shortly'), reader.stats, { 'retry-after': '1' });
      }
      deps.logger?.error('query failed', { route: match.route.path, error: err as Error });
      return answer(500, error('internal error', { reason: event.requestContext?.requestId }), reader.stats);
    } finally {
      deps.metrics?.addMetric(QUERY_METRICS.readUnits, MetricUnit.Count, reader.stats.readUnits);
    }
  };
  return answerOf;
}
