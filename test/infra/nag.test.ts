/**
 * cdk-nag's AwsSolutions pack on the synthesised stack: any finding that is not acknowledged
 * in code (with a reason) fails the test, exactly as it fails `cdk synth`.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
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

  it('every acknowledgement carries a real reason', () => {
    const stack = synthStack({ bundle: false });
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    // Only "no DLQ behind the last queue" is acknowledged: the two parking queues, the ingest
    // queue's dead-letter queue, and (the test stack has a cluster filter) the queue recording
    // what that filter drops. The ingest queue itself has its dead-letter queue: no acknowledgement.
    expect(acks.map(([id]) => id)).toEqual([
      'Annotation::AwsSolutions-SQS3',
      'Annotation::AwsSolutions-SQS3',
      'Annotation::AwsSolutions-SQS3',
      'Annotation::AwsSolutions-SQS3',
    ]);
    for (const [id, reason] of acks) expect(reason.length, id).toBeGreaterThan(60);
  });
});
