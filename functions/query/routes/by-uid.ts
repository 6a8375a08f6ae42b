/**
 * GET /pods/by-uid/{cluster}/{uid}: one incarnation by uid. The byUid index (keys only) gives
 * the item's key; then GetItem of the pod and, beside it, of its name's name-only events item.
 * Without such events (the usual case) the pod item alone is the exact record; with them, the
 * name's partition is read so the events attach exactly as in the history route and replay.
 */
import { ByUidParams, NotFoundError, type PodResponse, parseParams } from '../../../model/api-schemas.ts';
import { podIdentityOfKey } from '../../../model/keys.ts';
import { recordOfItem, recordsOfPartition } from '../../../model/pod-item.ts';
import { identityOf, thresholdFor } from '../../../model/pod-rows.ts';
import {
  getItemRequest,
  historyRequest,
  nameEventsRequest,
  uidLookupRequest,
} from '../../../store/pod-queries.ts';
import type { Route } from '../route.ts';

export const byUidRoute: Route = {
  path: '/pods/by-uid/{cluster}/{uid}',
  async run({ params, reader, now, thresholds }): Promise<PodResponse> {
    const { cluster, uid } = parseParams(ByUidParams, params);
    const notFound = () => new NotFoundError(`no pod with uid ${uid} in cluster ${cluster}`);
    const { items: keys } = await reader.query(uidLookupRequest(reader.tableName, cluster, uid));
    // Only a key of this cluster and this uid: the index's key (`cluster#uid`) is one string, so
    // an item of another cluster must never answer for it, whatever was stored (docs/security.md).
    const found = keys
      .map((k) => ({ pk: String(k.pk), sk: String(k.sk) }))
      .find((k) => podIdentityOfKey(k.pk, k.sk)?.cluster === cluster && k.sk === uid);
    if (!found) throw notFound();
    const key = found;
    const id = identityOf(key);
    const ctx = { now, stuckAfterSeconds: thresholdFor(thresholds, id.namespace) };
    const [item, nameEvents] = await Promise.all([
      reader.get(getItemRequest(reader.tableName, key)),
      reader.get(nameEventsRequest(reader.tableName, key.pk)),
    ]);
    if (!item) throw notFound();
    const pod = nameEvents
      ? recordsOfPartition(
          await reader.queryAll(historyRequest(reader.tableName, id.cluster, id.namespace, id.name)),
          ctx,
        ).find((r) => r.uid === uid)
      : recordOfItem(item, ctx);
    if (!pod) throw notFound();
    return { pod };
  },
};
