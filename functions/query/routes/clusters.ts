/** GET /clusters: the clusters the ingest has seen (the registry partition, one Query). */
import { ClustersParams, type ClustersResponse, parseParams } from '../../../model/api-schemas.ts';
import { clustersRequest } from '../../../store/pod-queries.ts';
import type { Route } from '../route.ts';

export const clustersRoute: Route = {
  path: '/clusters',
  async run({ params, reader }): Promise<ClustersResponse> {
    parseParams(ClustersParams, params);
    const items = await reader.queryAll(clustersRequest(reader.tableName));
    return {
      clusters: items.map((i) => ({
        name: String(i.sk),
        lastSeenAt: typeof i.lastSeenAt === 'string' ? i.lastSeenAt : null,
      })),
    };
  },
};
