/**
 * The forwarder's IAM role (infra/forwarder-access.ts), synthesised on a tiny stack:
 * events:PutEvents on the podlife bus and nothing else; trusted by EKS Pod Identity
 * (sts:AssumeRole + sts:TagSession) and, with an OIDC provider, by IRSA for the forwarder's
 * ServiceAccount only; the role ARN as an output; no cdk-nag AwsSolutions finding.
 */
import { App, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EXPORTER_SOURCE } from '../../core/exporter-event.ts';
import { EVENT_SOURCE } from '../../core/snapshot.ts';
import { busRef } from '../../infra/cdk-types.ts';
import { ForwarderAccess, type ForwarderAccessProps } from '../../infra/forwarder-access.ts';

const PROVIDER =
  'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789';

function synth(props: Omit<ForwarderAccessProps, 'bus'> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Podlife', { env: { account: '111122223333', region: 'eu-west-1' } });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'podlife' });
  new ForwarderAccess(stack, 'ForwarderAccess', { bus: busRef(bus), ...props });
  return { stack, template: Template.fromStack(stack) };
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Principal?: Record<string, unknown>;
  Condition?: unknown;
  Resource?: unknown;
};
const actions = (s: Statement) => [s.Action].flat().sort();

describe('ForwarderAccess', () => {
  it('allows only events:PutEvents, only on the podlife bus', () => {
    const { template } = synth();
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
          .Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'events:PutEvents' });
    // Only the forwarder's own source: it cannot forge podlife.alerts or invalid-event reports.
    expect(statements[0]!.Condition).toEqual({ StringEquals: { 'events:source': EVENT_SOURCE } });
    const busId = Object.keys(template.findResources('AWS::Events::EventBus'))[0];
    expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    // No managed policies, no inline policies on the role besides that one.
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
  });

  it("kubernetes-event-exporter's role: the same single permission, for its own source only", () => {
    const { template } = synth({
      source: EXPORTER_SOURCE,
      serviceAccount: { namespace: 'monitoring', name: 'event-exporter' },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'events:PutEvents',
            Condition: { StringEquals: { 'events:source': 'kubernetes-event-exporter' } },
          }),
        ],
      },
    });
    expect(() => synth({ source: 'a b' })).toThrow(/source/);
    expect(() => synth({ source: '' })).toThrow(/source/);
  });

  it('is trusted by EKS Pod Identity with sts:AssumeRole and sts:TagSession', () => {
    const { template } = synth();
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as {
      Properties: { AssumeRolePolicyDocument: { Statement: Statement[] } };
    };
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]!.Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
    expect(actions(trust[0]!)).toEqual(['sts:AssumeRole', 'sts:TagSession']);
  });

  it('with an OIDC provider, is also trusted by IRSA for the forwarder ServiceAccount only', () => {
    const { template } = synth({ oidcProviderArn: PROVIDER });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as {
      Properties: { AssumeRolePolicyDocument: { Statement: Statement[] } };
    };
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    const irsa = trust.find((s) => actions(s).includes('sts:AssumeRoleWithWebIdentity'))!;
    expect(irsa.Principal).toEqual({ Federated: PROVIDER });
    expect(irsa.Condition).toEqual({
      StringEquals: {
        [`${ISSUER}:sub`]: 'system:serviceaccount:podlife:podlife-forwarder',
        [`${ISSUER}:aud`]: 'sts.amazonaws.com',
      },
    });
    expect(
      trust.some(
        (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'pods.eks.amazonaws.com' }),
      ),
    ).toBe(true);
    // A literal issuer needs no custom resource.
    expect(template.findResources('AWS::Lambda::Function')).toEqual({});
  });

  it('with a provider from another construct (a token), resolves the condition keys with CfnJson', () => {
    const app = new App();
    const stack = new Stack(app, 'Podlife');
    const bus = new events.EventBus(stack, 'Bus');
    const provider = new iam.OpenIdConnectProvider(stack, 'Oidc', {
      url: `https://${ISSUER}`,
      clientIds: ['sts.amazonaws.com'],
    });
    new ForwarderAccess(stack, 'ForwarderAccess', {
      bus: busRef(bus),
      oidcProviderArn: provider.openIdConnectProviderArn,
      oidcIssuer: provider.openIdConnectProviderIssuer,
    });
    const template = Template.fromStack(stack);
    const json = Object.values(template.findResources('Custom::AWSCDKCfnJson'));
    expect(json).toHaveLength(1);
    expect(JSON.stringify(json[0])).toContain(':sub');
    expect(JSON.stringify(json[0])).toContain('system:serviceaccount:podlife:podlife-forwarder');
  });

  it('IRSA only, for another ServiceAccount', () => {
    const { template } = synth({
      oidcProviderArn: PROVIDER,
      podIdentity: false,
      serviceAccount: { namespace: 'observability', name: 'podlife' },
    });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as {
      Properties: { AssumeRolePolicyDocument: { Statement: Statement[] } };
    };
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toHaveLength(1);
    expect(JSON.stringify(template.toJSON())).toContain('system:serviceaccount:observability:podlife');
  });

  it('refuses to trust nobody, and a token provider ARN without an issuer', () => {
    expect(() => synth({ podIdentity: false })).toThrow(/trust nobody/);
    expect(() => synth({ oidcProviderArn: Token.asString({ Ref: 'ProviderArn' }) })).toThrow(
      /oidcIssuer is required/,
    );
  });

  it('outputs the role ARN for the user to wire to the ServiceAccount', () => {
    const { template } = synth();
    const outputs = template.findOutputs('*');
    const out = Object.values(outputs).find((o) => JSON.stringify(o.Value).includes('Arn'))!;
    expect(out.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ForwarderAccessRole/), 'Arn'] });
    expect(out.Description).toMatch(/Pod Identity/);
  });

  it('passes the cdk-nag AwsSolutions checks', () => {
    const { stack } = synth({ oidcProviderArn: PROVIDER });
    const result = new AwsSolutionsChecks().validateScope(stack) as {
      success: boolean;
      violations: unknown[];
    };
    expect(result.violations.flat()).toEqual([]);
  });
});
