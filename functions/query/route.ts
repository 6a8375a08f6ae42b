/**
 * What a route is: its path (one of ROUTE_PATHS) and a function from validated parameters to
 * an answer body. Routes throw BadParameterError / NotFoundError; the handler turns those and
 * DynamoDB's errors into answers, so no route writes a response shape itself.
 */
import type { RoutePath } from '../../model/api-schemas.ts';
import type { PendingThresholds } from '../../model/pod-rows.ts';
import type { PodReader } from '../../store/pod-queries.ts';

export interface RouteContext {
  /** Path and query parameters, merged (a query parameter may not repeat a path one). */
  params: Record<string, string | undefined>;
  reader: PodReader;
  /** Epoch ms: one instant for the whole request. */
  now: number;
  thresholds: PendingThresholds;
  /** A cluster whose last heartbeat is older than this is answered `stale: true` (default 300). */
  staleAfterSeconds?: number | undefined;
}

export interface Route {
  path: RoutePath;
  run(ctx: RouteContext): Promise<unknown>;
}
