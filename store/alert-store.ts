/**
 * The sweep's writes: an episode's alert item is created only if absent and deleted only if
 * present (conditional), so two sweeps racing over one episode record it once and resolve it
 * once. Requests are pure functions; the adapter turns "the condition failed" into `false`.
 */
import {
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { storeErrorOf } from './pod-store.ts';

type Key = { pk: string; sk: string };

export function putAlertRequest(tableName: string, item: Record<string, unknown>): PutCommandInput {
  return {
    TableName: tableName,
    Item: item,
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

export function deleteAlertRequest(tableName: string, key: Key): DeleteCommandInput {
  return {
    TableName: tableName,
    Key: { pk: key.pk, sk: key.sk },
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** Marks one channel of a notice item delivered (only while the item exists). */
export function channelSentRequest(
  tableName: string,
  key: Key,
  channel: 'sns' | 'events',
): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: { pk: key.pk, sk: key.sk },
    UpdateExpression: 'SET #ch = :sent',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#pk': 'pk', '#ch': channel },
    ExpressionAttributeValues: { ':sent': 'sent' },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

export class AlertStore {
  writeUnits = 0;
  writes = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async send(op: string, command: PutCommand | DeleteCommand | UpdateCommand): Promise<boolean> {
    this.writes++;
    try {
      const out = await this.doc.send(command as PutCommand);
      this.writeUnits += (out.ConsumedCapacity as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw storeErrorOf(op, undefined, err);
    }
  }

  /** Records an open episode; false if another sweep already had. */
  create(item: Record<string, unknown>): Promise<boolean> {
    return this.send('PutItem', new PutCommand(putAlertRequest(this.tableName, item)));
  }

  /** Records that a notice's channel delivered it; false if the notice item is gone. */
  channelSent(key: Key, channel: 'sns' | 'events'): Promise<boolean> {
    return this.send('UpdateItem', new UpdateCommand(channelSentRequest(this.tableName, key, channel)));
  }

  /** Closes an episode; false if another sweep already had. */
  remove(key: Key): Promise<boolean> {
    return this.send('DeleteItem', new DeleteCommand(deleteAlertRequest(this.tableName, key)));
  }
}
