/**
 * podlife's DynamoDB table, built from model/table-spec.ts: the same definition that
 * creates DynamoDB Local's table in local mode and the integration tests, so keys and indexes
 * cannot drift. On-demand, point-in-time recovery, TTL for retention.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { type AttrType, type IndexSpec, TABLE_SPEC } from '../model/table-spec.ts';

const ATTRIBUTE_TYPE: Record<AttrType, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

function attribute(name: string): dynamodb.Attribute {
  const type = (TABLE_SPEC.attributeTypes as Record<string, AttrType>)[name];
  if (!type) throw new Error(`TABLE_SPEC has no attribute type for key attribute ${name}`);
  return { name, type: ATTRIBUTE_TYPE[type] };
}

/** One TABLE_SPEC index as a TableV2 global secondary index. */
function globalIndexOf(ix: IndexSpec): dynamodb.GlobalSecondaryIndexPropsV2 {
  const keys = {
    indexName: ix.name,
    partitionKey: attribute(ix.partitionKey),
    ...(ix.sortKey ? { sortKey: attribute(ix.sortKey) } : {}),
  };
  if (ix.projection === 'KEYS_ONLY') return { ...keys, projectionType: dynamodb.ProjectionType.KEYS_ONLY };
  if (ix.projection === 'ALL') return { ...keys, projectionType: dynamodb.ProjectionType.ALL };
  return { ...keys, projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...ix.projection] };
}

interface PodTableProps {
  deletionProtection: boolean;
  removalPolicy: RemovalPolicy;
}

/** The table (AWS::DynamoDB::GlobalTable with one replica: TableV2, CDK's current table construct). */
export function podTable(scope: Construct, id: string, props: PodTableProps): dynamodb.TableV2 {
  const indexes: readonly IndexSpec[] = TABLE_SPEC.indexes;
  return new dynamodb.TableV2(scope, id, {
    partitionKey: attribute(TABLE_SPEC.partitionKey),
    sortKey: attribute(TABLE_SPEC.sortKey),
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: TABLE_SPEC.ttlAttribute,
    deletionProtection: props.deletionProtection,
    removalPolicy: props.removalPolicy,
    globalSecondaryIndexes: indexes.map(globalIndexOf),
  });
}
