/**
 * The forwarders' heartbeats in DynamoDB: one item per cluster (pk `HEARTBEATS`, sk the
 * cluster) holding the latest heartbeat. Requests are built by pure functions; the write is one
 * conditional PutItem that only moves forward in time, so redelivery, reordering and two
 * replicas sending at once all leave the newest heartbeat (idempotent, order-free).
 */
import {
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ForwarderHeartbeat } from '../core/heartbeat.ts';
import { HEARTBEATS_PK } from '../model/keys.ts';
import { type Meter, partitionQuery, sendCommand, VersionConflictError } from './dynamo.ts';

/** The stored heartbeat of a cluster, as the sweep and the query API read it. */
export interface ClusterHeartbeat {
  cluster: string;
  /** RFC 3339, normalised (`toISOString`), so that text order is time order. */
  lastHeartbeatAt: string;
  instance: string;
  version: string;
  ready: boolean;
  bufferEntries: number;
  dropped: number;
  podsWatched: number;
  intervalSeconds: number;
}

/** The heartbeat's time as the item keeps it (normalised: text order is time order). */
export function heartbeatTimeOf(hb: Pick<ForwarderHeartbeat, 'sentAt'>): string {
  return new Date(Date.parse(hb.sentAt)).toISOString();
}

/** The conditional write of a heartbeat: only a newer one replaces the stored one. */
export function heartbeatRequest(
  tableName: string,
  hb: ForwarderHeartbeat,
  nowMs: number,
  retentionDays: number,
): PutCommandInput {
  const at = heartbeatTimeOf(hb);
  const item: ClusterHeartbeat & Record<string, unknown> = {
    cluster: hb.cluster,
    lastHeartbeatAt: at,
    instance: hb.instance,
    version: hb.version,
    ready: hb.ready,
    bufferEntries: hb.bufferEntries,
    dropped: hb.dropped,
    podsWatched: hb.podsWatched,
    intervalSeconds: hb.intervalSeconds,
  };
  return {
    TableName: tableName,
    Item: {
      pk: HEARTBEATS_PK,
      sk: hb.cluster,
      ...item,
      expiresAt: Math.floor(nowMs / 1000) + retentionDays * 86400,
    },
    ConditionExpression: 'attribute_not_exists(#pk) OR #at < :at',
    ExpressionAttributeNames: { '#pk': 'pk', '#at': 'lastHeartbeatAt' },
    ExpressionAttributeValues: { ':at': at },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** Every cluster's latest heartbeat (one Query). */
export function heartbeatsRequest(tableName: string): QueryCommandInput {
  return partitionQuery(tableName, HEARTBEATS_PK);
}

/** A stored heartbeat item → its fields (undefined when the item is not one). */
export function heartbeatOfItem(item: Record<string, unknown>): ClusterHeartbeat | undefined {
  const { cluster, lastHeartbeatAt } = item;
  if (typeof cluster !== 'string' || typeof lastHeartbeatAt !== 'string') return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    cluster,
    lastHeartbeatAt,
    instance: typeof item.instance === 'string' ? item.instance : '',
    version: typeof item.version === 'string' ? item.version : '',
    ready: item.ready === true,
    bufferEntries: num(item.bufferEntries),
    dropped: num(item.dropped),
    podsWatched: num(item.podsWatched),
    intervalSeconds: num(item.intervalSeconds),
  };
}

const noMeter: Meter = { sent: () => {}, failed: () => {} };

/** Writes heartbeats. */
export class HeartbeatStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly meter: Meter = noMeter,
  ) {}

  /**
   * Records a heartbeat; true when it is now the cluster's latest, false when a newer (or the
   * same) one is already stored: a duplicate or late delivery changes nothing.
   */
  async record(hb: ForwarderHeartbeat, nowMs: number, retentionDays: number): Promise<boolean> {
    const req = heartbeatRequest(this.tableName, hb, nowMs, retentionDays);
    try {
      await sendCommand(this.doc, 'PutItem', new PutCommand(req), this.meter, {
        pk: HEARTBEATS_PK,
        sk: hb.cluster,
      });
      return true;
    } catch (err) {
      if (err instanceof VersionConflictError) return false;
      throw err;
    }
  }
}
