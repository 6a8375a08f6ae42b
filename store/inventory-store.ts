/**
 * The pod inventory's reads (core/inventory.ts): which stored pods of a cluster an inventory
 * entry may find gone. Only the sparse `pending` and `crashLooping` indexes are read: they hold
 * just the pods Pending or crash-looping now, the ones that keep alerts open, so the cost
 * follows those pods, never the pods stored (docs/ingest.md, "Pod Inventory"). Each query asks
 * only for pods created before the list (less the skew allowance): the sort key is
 * `createdIso#uid`. Requests are pure builders; the rest of the decision is the ingest's.
 */
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { INVENTORY_SKEW_MS } from '../core/inventory.ts';
import { crashKey, pendingKey, podIdentityOfKey } from '../model/keys.ts';
import type { IndexName } from '../model/table-spec.ts';
import { type Meter, queryPages } from './dynamo.ts';

/** A stored pod an inventory may find gone: its item key and identity. */
export interface InventoryCandidate {
  pk: string;
  sk: string;
  namespace: string;
  name: string;
  uid: string;
}

/**
 * The queries for one cluster's candidates: every pod in the `pending` and `crashLooping`
 * indexes created before `listedAtMs` − INVENTORY_SKEW_MS, keys only (the index's projection
 * is read and billed, the answer carries only pk and sk).
 */
export function inventoryCandidateRequests(
  tableName: string,
  cluster: string,
  listedAtMs: number,
): QueryCommandInput[] {
  const before = new Date(listedAtMs - INVENTORY_SKEW_MS).toISOString();
  const one = (index: IndexName, attr: string, value: string): QueryCommandInput => ({
    TableName: tableName,
    IndexName: index,
    KeyConditionExpression: '#p = :p AND #ck < :before',
    ProjectionExpression: '#pk, #sk',
    ExpressionAttributeNames: { '#p': attr, '#ck': 'createdKey', '#pk': 'pk', '#sk': 'sk' },
    ExpressionAttributeValues: { ':p': value, ':before': before },
    ReturnConsumedCapacity: 'TOTAL',
  });
  return [
    one('pending', 'pendingKey', pendingKey(cluster)),
    one('crashLooping', 'crashKey', crashKey(cluster)),
  ];
}

/** What reading candidates cost. */
export interface InventoryReadStats {
  requests: number;
  readUnits: number;
  itemsRead: number;
}

/** Reads inventory candidates. */
export class InventoryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** The cluster's pods Pending or crash-looping now, created before the list (each once). */
  async candidates(
    cluster: string,
    listedAtMs: number,
  ): Promise<{ candidates: InventoryCandidate[]; stats: InventoryReadStats }> {
    const stats: InventoryReadStats = { requests: 0, readUnits: 0, itemsRead: 0 };
    const meter: Meter = {
      sent: (_op, consumed) => {
        stats.requests++;
        stats.readUnits += consumed.units;
      },
      failed: () => {
        stats.requests++;
      },
    };
    const out = new Map<string, InventoryCandidate>();
    for (const req of inventoryCandidateRequests(this.tableName, cluster, listedAtMs)) {
      for await (const page of queryPages(this.doc, req, meter)) {
        for (const item of page.Items ?? []) {
          stats.itemsRead++;
          const pk = String(item.pk);
          const sk = String(item.sk);
          const id = podIdentityOfKey(pk, sk);
          if (!id || id.cluster !== cluster) continue;
          out.set(`${pk}\u0000${sk}`, { pk, sk, namespace: id.namespace, name: id.name, uid: id.uid });
        }
      }
    }
    return { candidates: [...out.values()], stats };
  }
}
