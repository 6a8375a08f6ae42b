/**
 * How every podlife Lambda is built, so adding one (the query API, the pending sweep) is one
 * call: NodejsFunction bundled locally by esbuild (never Docker) as an ESM bundle, arm64, an
 * explicit current Node.js runtime, its own log group with a retention, and its own role that
 * may write only to that log group: no managed policy, the caller grants the rest.
 */

import { fileURLToPath } from 'node:url';
import { type CfnResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '../model/metric-names.ts';

/** Template metadata key holding a function's handler entry file (read by local mode). */
const ENTRY_METADATA_KEY = 'podlife:entry';

/** The repository root (the bundler's project root and lock file). */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The newest Node.js runtime that Lambda runs generally available and CDK 2.276 knows. */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** esbuild settings shared by every function and by the benchmark's size/cold-start bundle. */
export const BUNDLING = {
  format: nodejs.OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS; an ESM bundle needs a real `require` for them.
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  // The runtime ships AWS SDK v3; bundling it would add ~1 MB and cold-start time.
  externalModules: ['@aws-sdk/*'],
  // The console widget bundles the page's stylesheet as a string (functions/widget/handler.ts).
  loader: { '.css': 'text' },
  // Warnings and errors only: `cdk synth` prints no size table per function (issue 14's "quiet").
  logLevel: nodejs.LogLevel.WARNING,
} as const;

/**
 * esbuild's options for a handler bundled as every PodlifeFunction is (for the bench and the tests
 * that run the Lambda bundles outside CDK).
 */
export function lambdaBuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node' as const,
    outfile,
    format: 'esm' as const,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    external: [...BUNDLING.externalModules],
    loader: { ...BUNDLING.loader },
    logLevel: 'silent' as const,
  };
}

interface PodlifeFunctionProps {
  /** Handler file, relative to the repository root (e.g. functions/ingest/handler.ts). */
  entry: string;
  description: string;
  environment?: Record<string, string> | undefined;
  memorySize?: number | undefined;
  timeout?: Duration | undefined;
  reservedConcurrentExecutions?: number | undefined;
  logRetention?: logs.RetentionDays | undefined;
  removalPolicy?: RemovalPolicy | undefined;
  /** Service name for Powertools' logger and metrics. */
  serviceName: string;
}

export class PodlifeFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PodlifeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName}: writes its own logs; other grants are explicit`,
    });
    const logStreams = new iam.Policy(this, 'LogsPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          // The log group's ARN attribute ends in `:*`: its streams, which Lambda names itself.
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    this.role.attachInlinePolicy(logStreams);
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(15),
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      role: this.role,
      logGroup: this.logGroup,
      // X-Ray active tracing: Powertools' Tracer (functions/powertools.ts) adds a subsegment per
      // SDK request. CDK grants xray:PutTraceSegments and PutTelemetryRecords on the role.
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        ...BUNDLING,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
        loader: { ...BUNDLING.loader },
      },
    });
    // X-Ray takes no resource-level permissions: the two actions CDK's `tracing` grants are on
    // `*`. Acknowledged for that finding only, on the policy that holds them (nag.test.ts
    // checks that no statement but these two actions has a `*` resource).
    const tracingPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (tracingPolicy)
      Validations.of(tracingPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*" for them (what lambda.Tracing.ACTIVE grants); nothing else on this role is granted on "*".',
      });
    // The role's policy must exist before the function can log.
    this.fn.node.addDependency(logStreams);
    // Local mode wires the same handlers the way this template wires the functions: the
    // entry file in the template's metadata says which handler a rule's target is.
    (this.fn.node.defaultChild as CfnResource).addMetadata(ENTRY_METADATA_KEY, props.entry);
  }
}
