/**
 * Synthesising podlife's stack in tests, offline and without credentials. `bundle: false` skips
 * esbuild (CDK's `aws:cdk:bundling-stacks` context) for tests that only read the template.
 */
import { App, RemovalPolicy } from 'aws-cdk-lib';
import type { PodLifecyclePipelineProps } from '../infra/pipeline.ts';
import { PodlifeStack } from '../infra/podlife-stack.ts';

export function synthStack(opts: { bundle: boolean; pipeline?: PodLifecyclePipelineProps }): PodlifeStack {
  const app = new App({
    context: { 'cli-telemetry': false, ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  return new PodlifeStack(app, 'PodlifeTest', {
    pipeline: {
      clusterNames: ['demo', 'prod'],
      retentionDays: 30,
      removalPolicy: RemovalPolicy.DESTROY,
      ...opts.pipeline,
    },
  });
}
