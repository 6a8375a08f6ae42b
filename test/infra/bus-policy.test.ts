/**
 * Forwarders in other accounts: the bus's resource policy (context `podlife:senderAccounts`,
 * `podlife:senderOrganizationId`) lets listed accounts or an Organization put events for the
 * forwarder's and the exporter's sources only; without either, no policy (this account only).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EXPORTER_SOURCE } from '../../core/exporter-event.ts';
import { EVENT_SOURCE } from '../../core/snapshot.ts';
import { pipelinePropsFromContext } from '../../infra/context.ts';
import { synthStack } from '../../testkit/stack.ts';

const policies = (t: Template) => Object.values(t.findResources('AWS::Events::EventBusPolicy'));
const statementsOf = (t: Template) =>
  policies(t).flatMap((p) =>
    p.Properties.Statement ? [p.Properties.Statement] : p.Properties.Policy.Statement,
  );

describe('the bus resource policy', () => {
  it('none by default', () => {
    const t = Template.fromStack(synthStack({ bundle: false }));
    expect(policies(t)).toEqual([]);
  });

  it('listed accounts and an Organization may PutEvents, for the senders’ sources only', () => {
    const t = Template.fromStack(
      synthStack({
        bundle: false,
        pipeline: { senderAccounts: ['111122223333', '444455556666'], senderOrganizationId: 'o-abcdef1234' },
      }),
    );
    const statements = statementsOf(t);
    expect(statements).toHaveLength(2);
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(s.Action).toBe('events:PutEvents');
      expect(s.Condition.StringEquals['events:source']).toEqual([EVENT_SOURCE, EXPORTER_SOURCE]);
      expect(JSON.stringify(s.Resource)).toMatch(/PipelineBus/);
    }
    const listed = statements.find((s: { Sid: string }) => s.Sid === 'cdk-ForwardersInListedAccounts');
    expect(JSON.stringify(listed.Principal)).toContain('111122223333');
    expect(JSON.stringify(listed.Principal)).toContain('444455556666');
    const org = statements.find((s: { Sid: string }) => s.Sid === 'cdk-ForwardersInOrganization');
    expect(org.Principal).toEqual({ AWS: '*' });
    expect(org.Condition.StringEquals['aws:PrincipalOrgID']).toBe('o-abcdef1234');
  });

  it('refuses what is not an account or an Organization id', () => {
    expect(() => synthStack({ bundle: false, pipeline: { senderAccounts: ['12345'] } })).toThrow(
      /account id/,
    );
    expect(() => synthStack({ bundle: false, pipeline: { senderOrganizationId: 'acme' } })).toThrow(
      /Organization/,
    );
  });

  it('reads them from cdk.json context', () => {
    const ctx: Record<string, unknown> = {
      'podlife:senderAccounts': '111122223333,444455556666',
      'podlife:senderOrganizationId': 'o-abcdef1234',
    };
    const props = pipelinePropsFromContext((k) => ctx[k]);
    expect(props.senderAccounts).toEqual(['111122223333', '444455556666']);
    expect(props.senderOrganizationId).toBe('o-abcdef1234');
    expect(() =>
      pipelinePropsFromContext((k) => (k === 'podlife:senderAccounts' ? ['nope'] : undefined)),
    ).toThrow(/account/);
  });
});
