/**
 * DELETE /namespaces/{namespace}?cluster=C: deletes a namespace's history (docs/alerts.md#purge).
 *
 * Reads the namespace's pods from the byNamespace index (keys only, a page at a time), then each
 * pod name's whole partition (its incarnations and its name-only events item), and deletes them
 * with BatchWriteItem, 25 at a time; then the namespace's alert episodes and silenced records in
 * the cluster's alert partition. One call works for at most `PURGE_BUDGET_MS` and answers
 * `done: false` when items remain: calling again resumes (what is deleted is gone from the
 * index, and deleting an absent item is no error), so the purge is idempotent and resumable.
 * The answer also says which copies podlife cannot delete and when each expires.
 */
import { z } from 'zod';
import { BadParameterError } from '../../../model/api-schemas.ts';
import { alertPk, nsKey, podIdentityOfKey, podPk } from '../../../model/keys.ts';
import { batchDelete } from '../../../store/alert-store.ts';
import { partitionQuery } from '../../../store/dynamo.ts';
import type { OpsRoute } from '../ops.ts';

/** Wall-clock ms one call may spend deleting (API Gateway waits 30 s at most). */
export const PURGE_BUDGET_MS = 15_000;
const PAGE = 200;

const PurgeParams = z.strictObject({
  namespace: z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a Kubernetes namespace'),
  cluster: z.string().min(1).max(63),
});

/** How long the copies podlife does not delete are kept (the stack's settings, PURGE_COPIES). */
export interface RetainedCopies {
  /** The bus archive of forwarder events (replayable): podlife:retentionDays. */
  eventArchiveDays: number;
  /** The failure and invalid-event queues, the ingest dead-letter queue. */
  queueDays: number;
  /** Lambda and access logs (pod names appear in warnings and errors). */
  logDays: number;
  /** DynamoDB point-in-time recovery (continuous backups). */
  pitrDays: number;
  /** The alert event archive (podlife.alerts events: namespaces and pod names). */
  alertArchiveDays: number;
}

export const DEFAULT_RETAINED_COPIES: RetainedCopies = {
  eventArchiveDays: 30,
  queueDays: 14,
  logDays: 30,
  pitrDays: 35,
  alertArchiveDays: 90,
};

export function retainedCopiesFromEnv(env: NodeJS.ProcessEnv): RetainedCopies {
  const raw = env.PURGE_COPIES;
  if (!raw) return DEFAULT_RETAINED_COPIES;
  return { ...DEFAULT_RETAINED_COPIES, ...(JSON.parse(raw) as Partial<RetainedCopies>) };
}

export interface PurgeResponse {
  cluster: string;
  namespace: string;
  /** Items deleted by this call (pod items, name-events items, alert records). */
  deleted: number;
  /** false: the time budget ran out with items left; call again to resume. */
  done: boolean;
  /** What remains elsewhere, and when it expires (ISO 8601, from now). */
  remaining: { copy: string; expiresBy: string; note: string }[];
}

export function remainingCopies(c: RetainedCopies, nowMs: number): PurgeResponse['remaining'] {
  const by = (days: number) => new Date(nowMs + days * 86_400_000).toISOString();
  return [
    {
      copy: 'EventBridge archive of forwarder events',
      expiresBy: by(c.eventArchiveDays),
      note: 'raw pod snapshots and events; a replay would re-create the history',
    },
    {
      copy: 'EventBridge archive of alert events',
      expiresBy: by(c.alertArchiveDays),
      note: 'podlife.alerts events naming the namespace and its pods',
    },
    {
      copy: 'SQS failure, invalid-event and dead-letter queues',
      expiresBy: by(c.queueDays),
      note: 'only events that failed or were refused; purge the queues to remove them now',
    },
    {
      copy: 'CloudWatch Logs (Lambda and API access logs)',
      expiresBy: by(c.logDays),
      note: 'pod names in warnings and errors',
    },
    {
      copy: 'DynamoDB point-in-time recovery',
      expiresBy: by(c.pitrDays),
      note: 'continuous backups of the table; a restore to an earlier time brings the items back',
    },
  ];
}

export function makePurgeRoute(
  copies: RetainedCopies = DEFAULT_RETAINED_COPIES,
  clock: () => number = Date.now,
): OpsRoute {
  return {
    method: 'DELETE',
    path: '/namespaces/{namespace}',
    async run({ pathParams, query, now, reader, doc, tableName, logger }) {
      const r = PurgeParams.safeParse({ ...query, ...pathParams });
      if (!r.success) {
        const issue = r.error.issues[0];
        throw new BadParameterError(
          issue?.path.map(String).join('.') || 'query',
          issue?.message ?? 'invalid',
        );
      }
      const { cluster, namespace } = r.data;
      const deadline = clock() + PURGE_BUDGET_MS;
      let deleted = 0;
      let done = false;
      const names = new Set<string>();
      // One pass over the index, a page at a time; a name's partition is read from the table
      // (consistent), so index entries of items already deleted only cost a read.
      let startKey: Record<string, unknown> | undefined;
      while (clock() <= deadline) {
        const page = await reader.query({
          TableName: tableName,
          IndexName: 'byNamespace',
          KeyConditionExpression: '#p = :p',
          ExpressionAttributeNames: { '#p': 'nsKey' },
          ExpressionAttributeValues: { ':p': nsKey(cluster, namespace) },
          Limit: PAGE,
          ReturnConsumedCapacity: 'TOTAL',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        });
        for (const i of page.items) {
          const id = podIdentityOfKey(String(i.pk), String(i.sk));
          if (!id || names.has(id.name)) continue;
          names.add(id.name);
          const items = await reader.queryAll(
            partitionQuery(tableName, podPk(cluster, namespace, id.name), { consistent: true }),
          );
          deleted += await batchDelete(
            doc,
            tableName,
            items.map((x) => ({ pk: String(x.pk), sk: String(x.sk) })),
          );
        }
        startKey = page.lastKey;
        if (!startKey) {
          done = true;
          break;
        }
      }
      if (done) {
        const alertItems = await reader.queryAll(
          partitionQuery(tableName, alertPk(cluster), { consistent: true }),
        );
        const mine = alertItems.filter((i) => {
          const opened = i.opened as { namespace?: unknown } | undefined;
          return i.namespace === namespace || opened?.namespace === namespace;
        });
        deleted += await batchDelete(
          doc,
          tableName,
          mine.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })),
        );
      }
      logger?.info('namespace purged', { cluster, namespace, deleted, done, names: names.size });
      const body: PurgeResponse = {
        cluster,
        namespace,
        deleted,
        done,
        remaining: remainingCopies(copies, now),
      };
      return { body };
    },
  };
}

export const PURGE_ROUTES: readonly OpsRoute[] = [makePurgeRoute(retainedCopiesFromEnv(process.env))];
