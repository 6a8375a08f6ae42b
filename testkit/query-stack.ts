/**
 * A test stack composing the query API, the alerts and the dashboard with the real pipeline,
 * wired the way docs/query-api.md tells the stack to wire them. Offline, no credentials;
 * `bundle: false` skips esbuild for tests that only read the template.
 */
import { App, type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PodlifeAlerts, type PodlifeAlertsProps } from '../infra/alerts.ts';
import { busRef, httpApiRef, tableRef } from '../infra/cdk-types.ts';
import { PodlifeDashboard } from '../infra/dashboard.ts';
import { PodLifecyclePipeline } from '../infra/pipeline.ts';
import { PodlifeQueryApi } from '../infra/query-api.ts';

export interface QueryStackOptions {
  bundle: boolean;
  /** Use the pipeline's alert topic (default) or let PodlifeAlerts create its own. */
  ownTopic?: boolean;
  alerts?: Partial<PodlifeAlertsProps>;
  clusters?: string[];
}

export function synthQueryStack(opts: QueryStackOptions) {
  const app = new App({
    context: { 'cli-telemetry': false, ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new Stack(app, 'PodlifeQueryTest');
  const clusters = opts.clusters ?? ['demo', 'prod'];
  const pipeline = new PodLifecyclePipeline(stack, 'Pipeline', {
    clusterNames: clusters,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const query = new PodlifeQueryApi(stack, 'Query', {
    table: tableRef(pipeline.table),
    stuckPendingSeconds: pipeline.stuckPendingSeconds,
    stuckPendingOverrides: { batch: 1800 },
  });
  const alerts = new PodlifeAlerts(stack, 'Alerts', {
    table: tableRef(pipeline.table),
    bus: busRef(pipeline.bus),
    topic: opts.ownTopic ? undefined : pipeline.alertTopic,
    alarmTopic: opts.ownTopic ? undefined : pipeline.healthTopic,
    clusters,
    stuckPendingSeconds: pipeline.stuckPendingSeconds,
    stuckPendingOverrides: { batch: 1800 },
    retentionDays: pipeline.retentionDays,
    ...opts.alerts,
  });
  const pipelineAlarms = pipeline.alarms;
  const dashboard = new PodlifeDashboard(stack, 'Dashboard', {
    dashboardName: 'podlife',
    clusters,
    namespaces: ['default'],
    ingestFunction: pipeline.ingestFunction,
    failureQueue: pipeline.failureQueue,
    invalidEventsQueue: pipeline.invalidEventsQueue,
    ingestRule: pipeline.ingestRule,
    bus: busRef(pipeline.bus),
    table: tableRef(pipeline.table),
    sweepFunction: alerts.sweepFunction,
    queryApi: httpApiRef(query.api),
    alarms: [...pipelineAlarms, ...alerts.alarms],
  });
  // A caller, as a user's stack would grant it.
  const reader = new iam.Role(stack, 'PodlifeReader', { assumedBy: new iam.AccountRootPrincipal() });
  query.grantQuery(reader);
  const apiId = stack.getLogicalId(query.api.node.defaultChild as CfnElement);
  Validations.of(reader).acknowledge({
    // cdk-nag names each wildcard finding by its resource.
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/$default/GET/*]`,
    reason:
      'execute-api:Invoke on GET /* of the podlife API: the routes carry cluster, namespace, pod and uid as path parameters, so any useful grant ends in a wildcard; the API is read-only.',
  });
  return { app, stack, pipeline, query, alerts, dashboard, reader, pipelineAlarms };
}
