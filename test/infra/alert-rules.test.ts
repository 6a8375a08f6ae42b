/**
 * Alert rules through the synthesised stack: cdk.json context `podlife:alerts` (validated at synth)
 * → PodlifeAlerts props → the sweep's ALERT_RULES environment, read back as the same rules. The
 * pure half (defaults, precedence, hostile rules) is test/unit/alert-rules.test.ts.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { alertsPropsFromContext } from '../../infra/context.ts';
import { alertConfigFromEnv, ruleFor } from '../../model/alerts.ts';
import { synthQueryStack } from '../../testkit/query-stack.ts';

const context = (v: unknown) => alertsPropsFromContext((k) => (k === 'podlife:alerts' ? v : undefined));

describe('alert rules', () => {
  it('context → props → the sweep environment, read back as the same rules', () => {
    const props = context(
      JSON.stringify({
        stuckPendingSeconds: 600,
        namespaces: { batch: { enabled: false } },
        ownerKinds: { Job: { enabled: true, stuckPendingSeconds: 3600 } },
      }),
    );
    expect(props).toMatchObject({ stuckPendingSeconds: 600 });
    const built = synthQueryStack({ bundle: false, alerts: props });
    const fns = Template.fromStack(built.stack).findResources('AWS::Lambda::Function');
    const sweep = Object.values(fns).find((r) =>
      String(r.Properties.Description).startsWith('podlife alert sweep'),
    )!;
    const vars = sweep.Properties.Environment.Variables as Record<string, string>;
    expect(vars.STUCK_PENDING_SECONDS).toBe('600');
    const config = alertConfigFromEnv(vars);
    expect(ruleFor(config, 'batch', 'Deployment').enabled).toBe(false);
    expect(ruleFor(config, 'web', 'Job')).toMatchObject({ enabled: true, stuckPendingSeconds: 3600 });
    expect(ruleFor(config, 'web', 'Deployment').stuckPendingSeconds).toBe(600);
  }, 60_000);
});
