/**
 * PodlifeQueryApi: the query Lambda behind an API Gateway HTTP API. Every route (exactly
 * ROUTE_PATHS, the handler's route table) is GET and uses the IAM authorizer, so an unsigned
 * call is refused by API Gateway before it reaches the function; callers need
 * `execute-api:Invoke` (see `grantQuery`). Access logs go to their own log group; the stage is
 * throttled; the function has a reserved concurrency and may only Query and GetItem the table
 * and the indexes it reads.
 */

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_STALE_AFTER_SECONDS } from '../core/heartbeat.ts';
import { ROUTE_PATHS } from '../model/api-schemas.ts';
import { SERVICES } from '../model/metric-names.ts';
import type { IndexName } from '../model/table-spec.ts';
import { PodlifeFunction } from './podlife-function.ts';

/** The indexes the routes query (every one: history uses the table, uid byUid, ...). */
const QUERY_INDEXES: readonly IndexName[] = [
  'byUid',
  'pending',
  'crashLooping',
  'byNamespace',
  'byClusterDay',
];

/**
 * What the query routes read, and nothing else: Query and GetItem on the table and the indexes
 * they use; BatchGetItem on the table (/stats on a namespace or an owner reads keys from a
 * KEYS_ONLY index, then the pod items' figures: docs/data-model.md). The query function's policy,
 * and the console widget's (it runs the same routes in process).
 */
export function podReadPolicy(scope: Construct, id: string, table: dynamodb.ITableV2): iam.Policy {
  return new iam.Policy(scope, id, {
    statements: [
      new iam.PolicyStatement({
        sid: 'ReadPods',
        actions: ['dynamodb:Query', 'dynamodb:GetItem'],
        resources: [table.tableArn, ...QUERY_INDEXES.map((ix) => `${table.tableArn}/index/${ix}`)],
      }),
      new iam.PolicyStatement({
        sid: 'BatchReadPods',
        actions: ['dynamodb:BatchGetItem'],
        resources: [table.tableArn],
      }),
    ],
  });
}

/** The query function's reserved concurrency unless `reservedConcurrency` says otherwise. */
export const DEFAULT_QUERY_RESERVED_CONCURRENCY = 10;

/** The access-log line: who called which route, the answer, and how long it took. */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.userArn',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
};

interface PodlifeQueryApiProps {
  table: dynamodb.ITableV2;
  /** Pending longer than this is "stuck" in the answers. Default 300. */
  stuckPendingSeconds?: number;
  /** Per-namespace thresholds, `{namespace: seconds}`. */
  stuckPendingOverrides?: Record<string, number>;
  /**
   * Concurrent query invocations at most (reserved concurrency): a flood of calls is throttled
   * (API Gateway answers 503) instead of taking the account's concurrency from the ingest and
   * the sweep, and of multiplying reads of the table. Default 10.
   */
  reservedConcurrency?: number | undefined;
  /** Requests per second over the stage (default rate 50, burst 100). */
  throttle?: apigwv2.ThrottleSettings;
  logRetention?: logs.RetentionDays;
  removalPolicy?: RemovalPolicy;
}

export class PodlifeQueryApi extends Construct {
  readonly query: PodlifeFunction;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;

  get queryFunction() {
    return this.query.fn;
  }

  /** The API's base URL (`https://ID.execute-api.REGION.amazonaws.com`): `podlife --api URL`. */
  get url(): string {
    return this.api.apiEndpoint;
  }

  constructor(scope: Construct, id: string, props: PodlifeQueryApiProps) {
    super(scope, id);
    this.query = new PodlifeFunction(this, 'Query', {
      entry: 'functions/query/handler.ts',
      description: 'podlife query API: pod histories, pending and crash-looping pods, statistics',
      serviceName: SERVICES.query,
      memorySize: 512,
      // API Gateway gives up after 30 s; the largest answer (a 92-day stats range) takes far less.
      timeout: Duration.seconds(25),
      reservedConcurrentExecutions: props.reservedConcurrency ?? DEFAULT_QUERY_RESERVED_CONCURRENCY,
      logRetention: props.logRetention,
      environment: {
        TABLE_NAME: props.table.tableName,
        STUCK_PENDING_SECONDS: String(props.stuckPendingSeconds ?? 300),
        STUCK_PENDING_OVERRIDES: JSON.stringify(props.stuckPendingOverrides ?? {}),
        // The sweep's staleness threshold (infra/alerts.ts), so both say "stale" alike.
        STALE_AFTER_SECONDS: String(DEFAULT_STALE_AFTER_SECONDS),
      },
    });
    this.query.role.attachInlinePolicy(podReadPolicy(this, 'QueryPolicy', props.table));

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'podlife query API (IAM-authorised; see docs/query-api.md)',
      defaultAuthorizer: new HttpIamAuthorizer(),
      createDefaultStage: false,
    });
    const integration = new HttpLambdaIntegration('QueryIntegration', this.query.fn);
    for (const path of ROUTE_PATHS) {
      this.api.addRoutes({ path, methods: [apigwv2.HttpMethod.GET], integration });
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
  }

  /** Lets a user, role or group call every route (`execute-api:Invoke` on GET /*). */
  grantQuery(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.api.arnForExecuteApi('GET', '/*', '$default')],
    });
  }
}
