/**
 * cdk-nag's AwsSolutions pack on the synthesised stack: any finding that is not acknowledged
 * in code (with a reason) fails the test, exactly as it fails `cdk synth`.
 */
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../model/metric-names.ts';
import { synthStack } from '../../testkit/stack.ts';

function violationsOf(stack: ReturnType<typeof synthStack>) {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}: ${v.description.slice(0, 120)}`),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('the default stack has no unacknowledged finding', () => {
    expect(violationsOf(synthStack({ bundle: false }))).toEqual([]);
  });

  it('with an alert e-mail and no cluster filter: still none', () => {
    expect(
      violationsOf(
        synthStack({ bundle: false, pipeline: { alertEmail: 'ops@example.com', clusterNames: [] } }),
      ),
    ).toEqual([]);
  });

  it('with bound senders (podlife:senders: roles, rules, bus policy, alarms): still none', () => {
    const senders = [{ cluster: 'prod' }, { cluster: 'eu', account: '111122223333' }];
    expect(violationsOf(synthStack({ bundle: false, pipeline: { senders } }))).toEqual([]);
  });

  it('every acknowledgement carries a real reason', () => {
    const stack = synthStack({ bundle: false });
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    // Only "no DLQ behind the last queue" is acknowledged: the two parking queues, the ingest
    // queue's dead-letter queue, and (the test stack has a cluster filter) the queue recording
    // what that filter drops. The ingest queue itself has its dead-letter queue: no acknowledgement.
    // And X-Ray's `*` resource on each function's role (one per service: ingest, query, sweep,
    // the console widget, the operations routes).
    expect(acks.map(([id]) => id).sort()).toEqual([
      ...Object.values(SERVICES).map(() => 'Annotation::AwsSolutions-IAM5[Resource::*]'),
      'Annotation::AwsSolutions-SQS3',
      'Annotation::AwsSolutions-SQS3',
      'Annotation::AwsSolutions-SQS3',
      'Annotation::AwsSolutions-SQS3',
    ]);
    for (const [id, reason] of acks) expect(reason.length, id).toBeGreaterThan(60);
  });

  const template = (() => {
    let t: Template | undefined;
    return () => {
      t ??= Template.fromStack(synthStack({ bundle: false }));
      return t;
    };
  })();

  it('the X-Ray acknowledgement hides nothing else: only the two X-Ray actions are granted on "*"', () => {
    type Statement = { Action: string | string[]; Resource: unknown };
    const policies = template().findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { PolicyDocument: { Statement: Statement[] } } }
    >;
    const onStar = Object.entries(policies).flatMap(([id, p]) =>
      p.Properties.PolicyDocument.Statement.filter(
        (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
      ).map((s) => [id, [s.Action].flat().sort()] as const),
    );
    expect(onStar.length).toBe(Object.keys(SERVICES).length);
    for (const [id, actions] of onStar)
      expect(actions, id).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('every function traces actively (X-Ray) and names its Powertools service', () => {
    const fns = Object.values(template().findResources('AWS::Lambda::Function')) as {
      Properties: { TracingConfig?: { Mode: string }; Environment?: { Variables: Record<string, string> } };
    }[];
    const podlife = fns.filter((f) => f.Properties.Environment?.Variables.POWERTOOLS_SERVICE_NAME);
    expect(podlife.map((f) => f.Properties.Environment?.Variables.POWERTOOLS_SERVICE_NAME).sort()).toEqual(
      Object.values(SERVICES).sort(),
    );
    expect(Object.values(SERVICES).sort()).toEqual([
      'podlife-ingest',
      'podlife-ops',
      'podlife-query',
      'podlife-sweep',
      'podlife-widget',
    ]);
    for (const f of podlife) {
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(f.Properties.Environment?.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('podlife');
    }
  });
});
