/**
 * PodlifeOpsRoutes: the operations routes (silences, a namespace's purge: functions/query/ops.ts)
 * on the query API, IAM-authenticated like the others, served by their own function so that the
 * query function stays read-only. This one may: Query the table (the silence and alert
 * partitions, a pod name's partition) and the byNamespace index; Put and Delete silence items
 * (`SILENCES`); BatchWriteItem deletes (a purge: pod items and the namespace's alert records).
 * `grantOperate` lets an operator call them (execute-api:Invoke on these routes only).
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SILENCES_PK } from '../model/keys.ts';
import { SERVICES } from '../model/metric-names.ts';
import { PodlifeFunction } from './podlife-function.ts';

/** `METHOD /path` of the operations routes (functions/query/ops.ts OPS_ROUTE_KEYS, checked by a test). */
export const OPS_ROUTES = [
  ['POST', '/silences'],
  ['DELETE', '/silences/{id}'],
  ['DELETE', '/namespaces/{namespace}'],
] as const;

/** How long the copies a purge cannot delete are kept, for its answer (functions/query/routes/purge.ts). */
export interface RetainedCopiesProps {
  eventArchiveDays: number;
  queueDays: number;
  logDays: number;
  pitrDays: number;
  alertArchiveDays: number;
}

interface PodlifeOpsRoutesProps {
  api: apigwv2.HttpApi;
  table: dynamodb.ITableV2;
  copies?: Partial<RetainedCopiesProps> | undefined;
  logRetention?: logs.RetentionDays | undefined;
}

export class PodlifeOpsRoutes extends Construct {
  readonly ops: PodlifeFunction;
  private readonly api: apigwv2.HttpApi;

  constructor(scope: Construct, id: string, props: PodlifeOpsRoutesProps) {
    super(scope, id);
    this.api = props.api;
    this.ops = new PodlifeFunction(this, 'Ops', {
      entry: 'functions/query/ops-handler.ts',
      description: 'podlife operations API: silences, namespace purge',
      serviceName: SERVICES.ops,
      timeout: Duration.seconds(25),
      reservedConcurrentExecutions: 2,
      logRetention: props.logRetention,
      environment: {
        TABLE_NAME: props.table.tableName,
        PURGE_COPIES: JSON.stringify(props.copies ?? {}),
      },
    });
    const table = props.table.tableArn;
    this.ops.role.attachInlinePolicy(
      new iam.Policy(this, 'OpsPolicy', {
        statements: [
          new iam.PolicyStatement({
            sid: 'Read',
            actions: ['dynamodb:Query'],
            resources: [table, `${table}/index/byNamespace`],
          }),
          new iam.PolicyStatement({
            sid: 'SilenceItemsOnly',
            actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
            resources: [table],
            conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [SILENCES_PK] } },
          }),
          new iam.PolicyStatement({
            sid: 'PurgeDeletes',
            actions: ['dynamodb:BatchWriteItem'],
            resources: [table],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POD#*', 'ALERT#*'] } },
          }),
        ],
      }),
    );
    const integration = new HttpLambdaIntegration('OpsIntegration', this.ops.fn);
    for (const [method, path] of OPS_ROUTES) {
      props.api.addRoutes({ path, methods: [method as apigwv2.HttpMethod], integration });
    }
  }

  /**
   * Lets a user, role or group create, list and delete silences and purge namespaces (the list,
   * `GET /silences`, is a query route: granted here too, so an operator needs no other grant).
   */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [...OPS_ROUTES, ['GET', '/silences'] as const].map(([m, p]) =>
        this.api.arnForExecuteApi(m, p.replace(/\{[^}]+\}/g, '*'), '$default'),
      ),
    });
  }
}
