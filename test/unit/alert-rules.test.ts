/**
 * Alert rules end to end: cdk.json context `podlife:alerts` (validated at synth) → PodlifeAlerts
 * props → the sweep's ALERT_RULES environment (validated at load) → the rule a pod gets. The
 * defaults are the kubernetes-mixin's: 15 minutes, Job pods excluded. The synthesised half (context →
 * the sweep's environment) is test/infra/alert-rules.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { alertsPropsFromContext } from '../../infra/context.ts';
import { alertConfigFromEnv, alertRulesFromEnv, DEFAULT_ALERT_CONFIG, ruleFor } from '../../model/alerts.ts';

const context = (v: unknown) => alertsPropsFromContext((k) => (k === 'podlife:alerts' ? v : undefined));

describe('alert rules', () => {
  it('defaults: 15 minutes Pending or crash-looping, Job pods excluded', () => {
    const c = alertConfigFromEnv({});
    expect(c).toStrictEqual(DEFAULT_ALERT_CONFIG);
    expect(ruleFor(c, 'web', 'Deployment')).toEqual({
      enabled: true,
      stuckPendingSeconds: 900,
      crashLoopMinRestarts: 3,
      crashLoopForSeconds: 900,
    });
    expect(ruleFor(c, 'web', 'Job').enabled).toBe(false);
    expect(ruleFor(c, 'web', null).enabled).toBe(true);
  });

  it('a namespace wins over its owner kind, field by field', () => {
    const c = {
      ...DEFAULT_ALERT_CONFIG,
      rules: alertRulesFromEnv({
        ALERT_RULES: JSON.stringify({
          namespaces: { batch: { stuckPendingSeconds: 3600 }, ci: { enabled: true } },
          ownerKinds: { StatefulSet: { stuckPendingSeconds: 1800, crashLoopMinRestarts: 5 } },
        }),
      }),
    };
    expect(ruleFor(c, 'batch', 'StatefulSet')).toMatchObject({
      stuckPendingSeconds: 3600,
      crashLoopMinRestarts: 5,
    });
    expect(ruleFor(c, 'batch', 'Job').enabled).toBe(false);
    expect(ruleFor(c, 'ci', 'Job').enabled).toBe(true);
    expect(ruleFor(c, 'web', 'StatefulSet').stuckPendingSeconds).toBe(1800);
  });

  it('hostile or mistyped rules fail the cold start / the synth, naming the field', () => {
    const env = (v: string) => () => alertRulesFromEnv({ ALERT_RULES: v });
    expect(env('{nope')).toThrow(/ALERT_RULES must be JSON/);
    expect(env('{"namespaces": {"Bad_NS": {}}}')).toThrow(/ALERT_RULES: namespaces/);
    expect(env('{"ownerKinds": {"Job": {"enabled": "no"}}}')).toThrow(/ownerKinds.Job.enabled/);
    expect(env('{"ownerKinds": {"Job": {"stuckPendingSeconds": -5}}}')).toThrow(/stuckPendingSeconds/);
    expect(env('{"namespaces": {"web": {"silence": true}}}')).toThrow(/ALERT_RULES/);
    expect(env('{"__proto__": {"enabled": false}}')).toThrow(/ALERT_RULES/);
    expect(() => context({ stuckPendingSecond: 900 })).toThrow(/context podlife:alerts/);
    expect(() => context('{oops')).toThrow(/must be a JSON object/);
    expect(() => context({ maxPodsListed: 1000 })).toThrow(/maxPodsListed/);
  });
});
