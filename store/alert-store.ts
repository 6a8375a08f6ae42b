/**
 * The sweep's writes: an episode's alert item is created only if absent and deleted only if
 * present (conditional), so two sweeps racing over one episode record it once and resolve it
 * once. Requests are pure functions; the adapter turns "the condition failed" into `false`.
 */
import {
  BatchWriteCommand,
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type ItemKey, type Meter, type Operation, sendCommand, VersionConflictError } from './dynamo.ts';

export function putAlertRequest(tableName: string, item: Record<string, unknown>): PutCommandInput {
  return {
    TableName: tableName,
    Item: item,
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

export function deleteAlertRequest(tableName: string, key: ItemKey): DeleteCommandInput {
  return {
    TableName: tableName,
    Key: { pk: key.pk, sk: key.sk },
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** Marks one channel of a notice item delivered (only while the item exists). */
function channelSentRequest(tableName: string, key: ItemKey, channel: 'sns' | 'events'): UpdateCommandInput {
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
  private readonly meter: Meter = {
    sent: (_op, consumed) => {
      this.writes++;
      this.writeUnits += consumed.units;
    },
    failed: () => {
      this.writes++;
    },
  };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Sends a conditional write: false when its condition failed (the item was, or was not, there). */
  private async send(
    op: Operation,
    key: ItemKey,
    command: PutCommand | DeleteCommand | UpdateCommand,
  ): Promise<boolean> {
    try {
      await sendCommand(this.doc, op, command, this.meter, key);
      return true;
    } catch (err) {
      if (err instanceof VersionConflictError) return false;
      throw err;
    }
  }

  /** Records an open episode; false if another sweep already had. */
  create(item: Record<string, unknown> & ItemKey): Promise<boolean> {
    return this.send('PutItem', item, new PutCommand(putAlertRequest(this.tableName, item)));
  }

  /** Records that a notice's channel delivered it; false if the notice item is gone. */
  channelSent(key: ItemKey, channel: 'sns' | 'events'): Promise<boolean> {
    return this.send('UpdateItem', key, new UpdateCommand(channelSentRequest(this.tableName, key, channel)));
  }

  /** Closes an episode; false if another sweep already had. */
  remove(key: ItemKey): Promise<boolean> {
    return this.send('DeleteItem', key, new DeleteCommand(deleteAlertRequest(this.tableName, key)));
  }
}

/**
 * Deletes items by key, 25 per BatchWriteItem (DynamoDB's limit), re-sending what DynamoDB left
 * unprocessed (with a short back-off) until all are gone. Deleting an absent item succeeds, so a
 * purge repeated or resumed after a failure deletes nothing twice and fails on nothing.
 * Answers the number of delete requests DynamoDB accepted.
 */
export async function batchDelete(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<number> {
  let done = 0;
  for (let i = 0; i < keys.length; i += 25) {
    let requests: { DeleteRequest: { Key: Record<string, unknown> } }[] = keys
      .slice(i, i + 25)
      .map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed 8 times`);
      if (attempt > 0) await sleep(Math.min(1000, 50 * 2 ** attempt));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      const left = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      done += requests.length - left.length;
      requests = left;
    }
  }
  return done;
}
