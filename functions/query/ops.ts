/**
 * The operations routes: what changes podlife's data on request (silences, a namespace's purge),
 * kept out of the query function so that it stays read-only. The same API (IAM-authenticated),
 * its own Lambda (infra/ops-api.ts) with the writes these routes need and nothing else; in local
 * mode, the same handler behind the same /api prefix (local/local-mode.ts).
 *
 * API Gateway HTTP API payload 2.0 in, JSON out: 200/201 with the body, 400 `{error, parameter,
 * reason}`, 404, 405 (with `allow`), 503 when DynamoDB throttles, 500 otherwise.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BadParameterError, NotFoundError } from '../../model/api-schemas.ts';
import { AlertStore } from '../../store/alert-store.ts';
import { documentClient, StoreUnavailableError } from '../../store/dynamo.ts';
import { PodReader } from '../../store/pod-queries.ts';
import { matchRoute } from './router.ts';
import { PURGE_ROUTES } from './routes/purge.ts';
import { SILENCE_ROUTES } from './routes/silences.ts';

export type OpsMethod = 'GET' | 'POST' | 'DELETE';

export interface OpsRequest {
  pathParams: Record<string, string>;
  query: Record<string, string | undefined>;
  /** The JSON body, parsed (undefined when none). */
  body: unknown;
  /** Epoch ms: one instant for the whole request. */
  now: number;
  /** The IAM caller's ARN as API Gateway saw it (null in local mode). */
  caller: string | null;
  reader: PodReader;
  /** Conditional puts and deletes (create-if-absent, delete-if-present). */
  store: AlertStore;
  doc: DynamoDBDocumentClient;
  tableName: string;
  logger?: Logger | undefined;
}

export interface OpsRoute {
  method: OpsMethod;
  /** With `{param}` segments, matched as the query routes are (functions/query/router.ts). */
  path: string;
  run(req: OpsRequest): Promise<{ status?: number; body: unknown }>;
}

export const OPS_ROUTES: readonly OpsRoute[] = [...SILENCE_ROUTES, ...PURGE_ROUTES];

/** `METHOD /path` of every operations route: what the API declares for the ops function. */
export const OPS_ROUTE_KEYS = OPS_ROUTES.map((r) => `${r.method} ${r.path}`);

export interface OpsHandlerDeps {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  now: () => number;
  logger?: Logger;
}

type OpsHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

function answer(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  } satisfies APIGatewayProxyStructuredResultV2;
}

/** Whether a path is an operations route's (any method). */
export function isOpsPath(rawPath: string): boolean {
  return matchRoute(rawPath, OPS_ROUTES) !== undefined;
}

/**
 * Whether local mode sends a request here, as API Gateway routes by method and path: a GET that
 * a query route serves (`GET /silences`) goes to the query handler, anything else on an
 * operations path here (its 405 names the methods it takes).
 */
export function isOpsRequest(method: string, rawPath: string): boolean {
  if (!isOpsPath(rawPath)) return false;
  return method.toUpperCase() !== 'GET' || matchRoute(rawPath) === undefined;
}

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadParameterError('body', 'not JSON');
  }
}

export function makeOpsHandler(deps: OpsHandlerDeps): OpsHandler {
  const doc = documentClient(deps.client);
  return async (event) => {
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const path = event.rawPath ?? '/';
    const same = OPS_ROUTES.filter((r) => matchRoute(path, [r]));
    if (same.length === 0) return answer(404, { error: `no such route: ${path}` });
    const route = same.find((r) => r.method === method);
    if (!route) {
      const allow = same.map((r) => r.method).join(', ');
      return answer(405, { error: `${method} is not allowed here: ${allow}` }, { allow });
    }
    const pathParams = matchRoute(path, [route])?.pathParams ?? {};
    const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam;
    try {
      const r = await route.run({
        pathParams,
        query: event.queryStringParameters ?? {},
        body: bodyOf(event),
        now: deps.now(),
        caller: iam?.userArn ?? null,
        reader: new PodReader(doc, deps.tableName),
        store: new AlertStore(doc, deps.tableName),
        doc,
        tableName: deps.tableName,
        logger: deps.logger,
      });
      deps.logger?.info('operation', { route: `${route.method} ${route.path}`, caller: iam?.userArn });
      return answer(r.status ?? 200, r.body);
    } catch (err) {
      if (err instanceof BadParameterError)
        return answer(400, { error: 'bad parameter', parameter: err.parameter, reason: err.reason });
      if (err instanceof NotFoundError) return answer(404, { error: err.message });
      if (err instanceof StoreUnavailableError)
        return answer(503, { error: 'the table is busy: retry shortly' }, { 'retry-after': '1' });
      deps.logger?.error('operation failed', { route: route.path, error: err as Error });
      return answer(500, { error: 'internal error', reason: event.requestContext?.requestId });
    }
  };
}
