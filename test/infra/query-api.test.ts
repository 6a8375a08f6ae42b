/**
 * The synthesised query API (bundled by esbuild, locally): every route of the handler's route
 * table and no other, each GET with the IAM authorizer (so API Gateway refuses an unsigned
 * call), access logs and throttling on the stage, the function's runtime and configuration,
 * and the read-only grant: Query and GetItem on the table and its indexes, never Scan.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/query/router.ts';
import { queryPropsFromContext } from '../../infra/context.ts';
import { PodlifeStack } from '../../infra/podlife-stack.ts';
import { ACCESS_LOG_FORMAT, DEFAULT_QUERY_RESERVED_CONCURRENCY } from '../../infra/query-api.ts';
import { ROUTE_PATHS } from '../../model/api-schemas.ts';
import { TABLE_SPEC } from '../../model/table-spec.ts';
import { synthQueryStack } from '../../testkit/query-stack.ts';
import { synthStack } from '../../testkit/stack.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
let built: ReturnType<typeof synthQueryStack>;
let template: Template;

beforeAll(() => {
  built = synthQueryStack({ bundle: true });
  template = Template.fromStack(built.stack);
}, 180_000);

const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  built.stack.getLogicalId(c.node.defaultChild as never);

describe('the HTTP API', () => {
  it('declares exactly the routes of the handler, each GET with AWS_IAM authorization', () => {
    expect(ROUTES.map((r) => r.path).sort()).toEqual([...ROUTE_PATHS].sort());
    const routes = resources('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(ROUTE_PATHS.map((p) => `GET ${p}`).sort());
    for (const r of routes) {
      expect(r.AuthorizationType, String(r.RouteKey)).toBe('AWS_IAM');
      expect(r.ApiId).toEqual({ Ref: logicalId(built.query.api) });
    }
    // No catch-all route: anything else is API Gateway's own 404, signed or not.
    expect(
      routes.some((r) => String(r.RouteKey).includes('$default') || String(r.RouteKey).startsWith('ANY')),
    ).toBe(false);
  });

  it('routes to the query function with payload format 2.0', () => {
    const [, integration] = resources('AWS::ApiGatewayV2::Integration')[0]!;
    expect(resources('AWS::ApiGatewayV2::Integration')).toHaveLength(1);
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(
      logicalId(built.query.queryFunction),
    );
  });

  it('one $default stage: auto-deployed, throttled, with JSON access logs to their own log group', () => {
    const stages = resources('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]![1].Properties as {
      StageName: string;
      AutoDeploy: boolean;
      AccessLogSettings: { DestinationArn: unknown; Format: string };
      DefaultRouteSettings: Record<string, number>;
    };
    expect(stage).toMatchObject({ StageName: '$default', AutoDeploy: true });
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(stage.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(built.query.accessLogs), 'Arn'],
    });
    expect(JSON.parse(stage.AccessLogSettings.Format)).toEqual(ACCESS_LOG_FORMAT);
  });

  it('grantQuery allows execute-api:Invoke of GET on the $default stage only', () => {
    const policies = resources('AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(logicalId(built.reader)),
    );
    const statements = policies.flatMap(
      ([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('execute-api:Invoke');
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':execute-api:');
    expect(JSON.stringify(statements[0]!.Resource)).toContain('/$default/GET/*');
  });
});

describe('the query function', () => {
  const fn = () =>
    resources('AWS::Lambda::Function').find(([, r]) =>
      String(r.Properties.Description).startsWith('podlife query API'),
    )!;

  it('arm64, Node.js 24, an ESM bundle built locally, its configuration from the environment', () => {
    const [, f] = fn();
    expect(f.Properties).toMatchObject({
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 25,
      // A flood of calls is throttled, not taken from the account's (and the ingest's) concurrency.
      ReservedConcurrentExecutions: DEFAULT_QUERY_RESERVED_CONCURRENCY,
    });
    const env = (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({
      TABLE_NAME: { Ref: expect.any(String) },
      STUCK_PENDING_SECONDS: '300',
      STUCK_PENDING_OVERRIDES: '{"batch":1800}',
      POWERTOOLS_SERVICE_NAME: 'podlife-query',
    });
    // The query and the sweep handlers bundle (esbuild, locally) into ESM entry files.
    for (const description of ['podlife query API', 'podlife alert sweep']) {
      const [, bundled] = resources('AWS::Lambda::Function').find(([, r]) =>
        String(r.Properties.Description).startsWith(description),
      )!;
      const key = String((bundled.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
      expect(existsSync(join(built.app.outdir, `asset.${key}`, 'index.mjs')), description).toBe(true);
    }
  });

  it('may only Query and GetItem the table and its indexes, and BatchGetItem the table (read-only; no Scan)', () => {
    const role = logicalId(built.query.query.role);
    const statements = resources('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      );
    const table = logicalId(built.pipeline.table);
    const all = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    const batch = all.filter((s) => JSON.stringify(s.Action).includes('BatchGetItem'));
    expect(batch).toHaveLength(1);
    expect(batch[0]!.Action).toBe('dynamodb:BatchGetItem');
    // The table itself only: no index, no wildcard.
    expect(JSON.stringify(batch[0]!.Resource)).toContain(table);
    expect(JSON.stringify(batch[0]!.Resource)).not.toContain('/index/');
    expect(JSON.stringify(batch[0]!.Resource)).not.toContain('*');
    const data = all.filter((s) => s !== batch[0]);
    expect(data).toHaveLength(1);
    expect(data[0]!.Action).toEqual(['dynamodb:Query', 'dynamodb:GetItem']);
    const resourcesJson = JSON.stringify(data[0]!.Resource);
    expect(resourcesJson).toContain(table);
    for (const ix of TABLE_SPEC.indexes) expect(resourcesJson).toContain(`/index/${ix.name}`);
    expect(resourcesJson).not.toContain('/index/*');
    // The rest is the function's own log group, and X-Ray's two actions (on "*": X-Ray has no resources).
    expect(
      statements.filter((s) => !JSON.stringify(s.Action).includes('dynamodb:')).map((s) => s.Action),
    ).toEqual([
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
    ]);
  });

  it('no role in the stack may Scan', () => {
    const all = JSON.stringify(template.toJSON());
    expect(all).not.toContain('dynamodb:Scan');
    expect(all).not.toContain('dynamodb:*');
  });
});

describe("the query function's reserved concurrency, from the stack's context", () => {
  const reservedOf = (context: Record<string, unknown>) => {
    const app = new App({ context: { 'cli-telemetry': false, 'aws:cdk:bundling-stacks': [], ...context } });
    const stack = new PodlifeStack(app, 'PodlifeCtx', {
      query: queryPropsFromContext((k) => app.node.tryGetContext(k)),
    });
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const query = Object.values(fns).find((f) =>
      String(f.Properties.Description).startsWith('podlife query API'),
    );
    return query?.Properties.ReservedConcurrentExecutions;
  };

  it('10 by default, podlife:queryReservedConcurrency when given (as cdk -c passes it, a string)', () => {
    expect(reservedOf({})).toBe(10);
    expect(reservedOf({ 'podlife:queryReservedConcurrency': '3' })).toBe(3);
    expect(reservedOf({ 'podlife:queryReservedConcurrency': 25 })).toBe(25);
  });

  it("a wrong value fails the synth with the key's name", () => {
    for (const bad of ['0', '-1', 'many', 2.5]) {
      expect(() =>
        queryPropsFromContext((k) => (k === 'podlife:queryReservedConcurrency' ? bad : undefined)),
      ).toThrow(/podlife:queryReservedConcurrency/);
    }
  });
});

describe('operations routes (silences, purge)', () => {
  it('their own function, IAM-authenticated routes, writes limited to silence items and purge deletes', async () => {
    const { OPS_ROUTE_KEYS } = await import('../../functions/query/ops.ts');
    const { OPS_ROUTES } = await import('../../infra/ops-api.ts');
    expect(OPS_ROUTES.map(([m, p]) => `${m} ${p}`).sort()).toEqual([...OPS_ROUTE_KEYS].sort());
    const t = Template.fromStack(synthStack({ bundle: false }));
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')) as {
      Properties: { RouteKey: string; AuthorizationType: string };
    }[];
    for (const key of OPS_ROUTE_KEYS) {
      const r = routes.find((x) => x.Properties.RouteKey === key);
      expect(r, key).toBeDefined();
      expect(r!.Properties.AuthorizationType).toBe('AWS_IAM');
    }
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Sid?: string }[] } } }).Properties.PolicyDocument
          .Statement,
    );
    expect(statements.find((s) => s.Sid === 'SilenceItemsOnly')).toMatchObject({
      Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['SILENCES'] } },
    });
    expect(statements.find((s) => s.Sid === 'PurgeDeletes')).toMatchObject({
      Action: 'dynamodb:BatchWriteItem',
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POD#*', 'ALERT#*'] } },
    });
  });
});
