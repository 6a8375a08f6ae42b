/**
 * The route table and path matching. API Gateway only forwards the routes the CDK construct
 * declares (ROUTE_PATHS); local mode's HTTP adapter forwards everything, so the handler matches
 * the raw path itself, the same way in both. Literal segments win over parameters, as in API
 * Gateway (`/pods/by-uid/c/u` is the uid route, never a pod named `u` in namespace `c`).
 */
import type { RoutePath } from '../../model/api-schemas.ts';
import type { Route } from './route.ts';
import { byUidRoute } from './routes/by-uid.ts';
import { clustersRoute } from './routes/clusters.ts';
import { crashLoopsRoute } from './routes/crashloops.ts';
import { historyRoute } from './routes/history.ts';
import { pendingRoute } from './routes/pending.ts';
import { podsRoute } from './routes/pods.ts';
import { silencesRoute } from './routes/silences.ts';
import { statsRoute } from './routes/stats.ts';
import { traceRoute } from './routes/trace.ts';

export const ROUTES: readonly Route[] = [
  clustersRoute,
  historyRoute,
  byUidRoute,
  pendingRoute,
  crashLoopsRoute,
  statsRoute,
  traceRoute,
  podsRoute,
  silencesRoute,
];

const segmentsOf = (path: string) => path.replace(/\/+$/, '').split('/').slice(1);
const isParam = (s: string) => s.startsWith('{') && s.endsWith('}');
const literals = (p: RoutePath | string) => segmentsOf(p).filter((s) => !isParam(s)).length;

/** The route for a raw path and its decoded path parameters, or undefined (a 404). */
export function matchRoute<R extends { path: string } = Route>(
  rawPath: string,
  routes: readonly R[] = ROUTES as unknown as readonly R[],
): { route: R; pathParams: Record<string, string> } | undefined {
  const got = segmentsOf(rawPath);
  const ordered = [...routes].sort((a, b) => literals(b.path) - literals(a.path));
  for (const route of ordered) {
    const want = segmentsOf(route.path);
    if (want.length !== got.length) continue;
    const pathParams: Record<string, string> = {};
    let ok = true;
    for (const [i, w] of want.entries()) {
      const g = got[i] ?? '';
      if (isParam(w)) {
        let value: string;
        try {
          value = decodeURIComponent(g);
        } catch {
          value = '';
        }
        pathParams[w.slice(1, -1)] = value;
        ok = value.length > 0;
      } else ok = w === g;
      if (!ok) break;
    }
    if (ok) return { route, pathParams };
  }
  return undefined;
}
