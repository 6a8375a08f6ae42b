/**
 * Creating podlife's table from TABLE_SPEC through the DynamoDB API: what local mode, the
 * integration tests and the benchmark use against DynamoDB Local. The CDK construct builds the
 * deployed table from the same spec (infra/table.ts), so keys and indexes cannot drift.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type IndexSpec, TABLE_SPEC } from '../model/table-spec.ts';

type AttrName = keyof typeof TABLE_SPEC.attributeTypes;

function projectionOf(spec: IndexSpec['projection']) {
  if (spec === 'KEYS_ONLY' || spec === 'ALL') return { ProjectionType: spec };
  return { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...spec] };
}

/** The CreateTable request for TABLE_SPEC (on-demand, like the deployed table). Pure. */
function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes: readonly IndexSpec[] = TABLE_SPEC.indexes;
  const keyNames = new Set<string>([TABLE_SPEC.partitionKey, TABLE_SPEC.sortKey]);
  for (const ix of indexes) {
    keyNames.add(ix.partitionKey);
    if (ix.sortKey) keyNames.add(ix.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((name) => ({
      AttributeName: name,
      AttributeType: TABLE_SPEC.attributeTypes[name as AttrName],
    })),
    KeySchema: [
      { AttributeName: TABLE_SPEC.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SPEC.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((ix) => ({
      IndexName: ix.name,
      KeySchema: [
        { AttributeName: ix.partitionKey, KeyType: 'HASH' as const },
        ...(ix.sortKey ? [{ AttributeName: ix.sortKey, KeyType: 'RANGE' as const }] : []),
      ],
      Projection: projectionOf(ix.projection),
    })),
  };
}

/**
 * Creates the table (and its TTL setting) and waits until it is active. An existing table of
 * that name is left as it is, so local mode can restart on a persistent DynamoDB Local.
 */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_SPEC.ttlAttribute, Enabled: true },
    }),
  );
}
