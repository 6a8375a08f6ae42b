/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`). Settings come from cdk.json's context,
 * overridable on the command line: `-c podlife:clusterNames='["prod"]' -c podlife:alertEmail=ops@example.com`.
 * cdk-nag's AwsSolutions checks run on every synth and fail it on any unacknowledged finding.
 */
import { App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  alertsPropsFromContext,
  costTagsFromContext,
  pipelinePropsFromContext,
  queryPropsFromContext,
  startupSloFromContext,
} from './context.ts';
import { PodlifeStack } from './podlife-stack.ts';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

const props = pipelinePropsFromContext((key) => app.node.tryGetContext(key));
new PodlifeStack(app, String(app.node.tryGetContext('podlife:stackName') ?? 'Podlife'), {
  description: 'podlife: per-pod Kubernetes lifecycle histories (EventBridge → Lambda → DynamoDB)',
  env: {
    ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(process.env.CDK_DEFAULT_REGION ? { region: process.env.CDK_DEFAULT_REGION } : {}),
  },
  pipeline: {
    ...props,
    removalPolicy: props.deletionProtection === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  },
  query: queryPropsFromContext((key) => app.node.tryGetContext(key)),
  alerts: alertsPropsFromContext((key) => app.node.tryGetContext(key)),
  costTags: costTagsFromContext((key) => app.node.tryGetContext(key)),
  startupSloSeconds: startupSloFromContext((key) => app.node.tryGetContext(key)),
});
