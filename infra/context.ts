/**
 * The app's settings from CDK context (cdk.json or `-c key=value`), validated: a wrong value
 * fails the synth with the key's name instead of deploying something unintended.
 */
import { z } from 'zod';
import { CLUSTER_NAME } from '../core/sender-binding.ts';
import {
  boolSetting,
  contextLabel,
  jsonSetting,
  listSetting,
  numberSetting,
  textSetting,
} from '../core/settings.ts';
import { type AlertRule, AlertRulesSchema } from '../model/alerts.ts';
import type { PodlifeAlertsProps } from './alerts.ts';
import type { PodLifecyclePipelineProps } from './pipeline.ts';
import type { SenderBinding } from './sender-binding.ts';

type Lookup = (key: string) => unknown;

/** Context values given on the command line arrive as strings: each parser reads both (core/settings.ts). */
const list = (key: string, v: unknown) =>
  listSetting(contextLabel(key), v, {
    item: (x) => x.length > 0 && x.length <= 63,
    what: 'a list of cluster names',
  });
const positive = (key: string, v: unknown) =>
  numberSetting(contextLabel(key), v, { positive: true, integer: true });
const bool = (key: string, v: unknown) => boolSetting(contextLabel(key), v);
const text = (key: string, v: unknown) => textSetting(contextLabel(key), v);

export function pipelinePropsFromContext(get: Lookup): PodLifecyclePipelineProps {
  return {
    clusterNames: list('podlife:clusterNames', get('podlife:clusterNames')),
    retentionDays: positive('podlife:retentionDays', get('podlife:retentionDays')),
    stuckPendingSeconds: positive('podlife:stuckPendingSeconds', get('podlife:stuckPendingSeconds')),
    deletionProtection: bool('podlife:deletionProtection', get('podlife:deletionProtection')),
    alertEmail: text('podlife:alertEmail', get('podlife:alertEmail')),
    healthEmail: text('podlife:healthEmail', get('podlife:healthEmail')),
    runbookBaseUrl: text('podlife:runbookBaseUrl', get('podlife:runbookBaseUrl')),
    metricNamespaces: listSetting(contextLabel('podlife:metricNamespaces'), get('podlife:metricNamespaces'), {
      item: (x) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(x) && x.length <= 63,
      what: 'a list of Kubernetes namespaces',
    }),
    eventBusName: text('podlife:eventBusName', get('podlife:eventBusName')),
    senderAccounts: listSetting(contextLabel('podlife:senderAccounts'), get('podlife:senderAccounts'), {
      item: (x) => /^\d{12}$/.test(x),
      what: 'a list of 12-digit AWS account ids',
    }),
    senderOrganizationId: text('podlife:senderOrganizationId', get('podlife:senderOrganizationId')),
    ingestReservedConcurrency: positive(
      'podlife:ingestReservedConcurrency',
      get('podlife:ingestReservedConcurrency'),
    ),
    ingestBatchingWindowSeconds: numberSetting(
      contextLabel('podlife:ingestBatchingWindowSeconds'),
      get('podlife:ingestBatchingWindowSeconds'),
      { min: 0, integer: true },
    ),
    ingestBatchSize: positive('podlife:ingestBatchSize', get('podlife:ingestBatchSize')),
    senders: sendersFromContext(get),
  };
}

const SendersContext = z
  .array(
    z.strictObject({
      cluster: z.string().regex(CLUSTER_NAME, 'a cluster name: 1-63 letters, digits, ".", "_", "-"'),
      account: z
        .string()
        .regex(/^\d{12}$/, 'a 12-digit AWS account id')
        .optional(),
      serviceAccount: z
        .strictObject({
          namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes namespace'),
          name: z.string().regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, 'a ServiceAccount name'),
        })
        .optional(),
      podIdentity: z.boolean().optional(),
      oidcProviderArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/, 'an IAM OIDC provider ARN')
        .optional(),
      oidcIssuer: z.string().min(1).optional(),
    }),
  )
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((b, i) => {
      const first = seen.get(b.cluster);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'cluster'],
          message: `${b.cluster} is bound already at [${first}]`,
        });
      else seen.set(b.cluster, i);
    });
  });

/**
 * `podlife:senders`: clusters bound to their senders, e.g.
 * `[{"cluster": "prod-eu"}, {"cluster": "prod-us", "account": "111122223333"}]` (infra/sender-binding.ts,
 * docs/security.md). Absent: none. A wrong entry fails the synth naming its index and field.
 */
export function sendersFromContext(get: Lookup): SenderBinding[] | undefined {
  const key = 'podlife:senders';
  const raw = get(key);
  if (raw === undefined) return undefined;
  const parsed = SendersContext.safeParse(jsonSetting(contextLabel(key), raw, 'a JSON list of bindings'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new Error(`context ${key}${at || ' (top)'}: ${issue?.message ?? 'invalid'}`);
  }
  // Unset fields left out (exactOptionalPropertyTypes: absent, not undefined).
  return parsed.data.map((b) => {
    const out: SenderBinding = { cluster: b.cluster };
    if (b.account !== undefined) out.account = b.account;
    if (b.serviceAccount !== undefined) out.serviceAccount = b.serviceAccount;
    if (b.podIdentity !== undefined) out.podIdentity = b.podIdentity;
    if (b.oidcProviderArn !== undefined) out.oidcProviderArn = b.oidcProviderArn;
    if (b.oidcIssuer !== undefined) out.oidcIssuer = b.oidcIssuer;
    return out;
  });
}

/** The query API's settings from context: `podlife:queryReservedConcurrency` (default 10). */
export function queryPropsFromContext(get: Lookup): { reservedConcurrency?: number | undefined } {
  return {
    reservedConcurrency: positive(
      'podlife:queryReservedConcurrency',
      get('podlife:queryReservedConcurrency'),
    ),
  };
}

/** The alert settings `podlife:alerts` may hold (an object, or its JSON on the command line). */
const AlertsContext = AlertRulesSchema.extend({
  stuckPendingSeconds: z.number().int().positive().optional(),
  crashLoopWindowSeconds: z.number().int().positive().optional(),
  crashLoopMinRestarts: z.number().int().positive().optional(),
  crashLoopForSeconds: z.number().int().nonnegative().optional(),
  crashLoopQuietSeconds: z.number().int().positive().optional(),
  maxPodsListed: z.number().int().positive().max(100).optional(),
  alertArchiveDays: z.number().int().positive().optional(),
}).strict();

export type AlertsContextProps = Pick<
  PodlifeAlertsProps,
  | 'stuckPendingSeconds'
  | 'crashLoopWindowSeconds'
  | 'crashLoopMinRestarts'
  | 'crashLoopForSeconds'
  | 'crashLoopQuietSeconds'
  | 'maxPodsListed'
  | 'alertArchiveDays'
  | 'namespaces'
  | 'ownerKinds'
>;

/**
 * `podlife:alerts`: e.g. `{"stuckPendingSeconds": 900, "namespaces": {"batch": {"stuckPendingSeconds": 3600}},
 * "ownerKinds": {"Job": {"enabled": false}}}`. Absent: the mixin's defaults. Unknown keys fail the synth.
 */
export function alertsPropsFromContext(get: Lookup): AlertsContextProps {
  const key = 'podlife:alerts';
  const raw = get(key);
  if (raw === undefined) return {};
  const v = jsonSetting(contextLabel(key), raw, 'a JSON object');
  const parsed = AlertsContext.safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`context ${key}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  const { namespaces, ownerKinds, ...thresholds } = parsed.data;
  return {
    ...thresholds,
    ...(namespaces === undefined ? {} : { namespaces: rulesOf(namespaces) }),
    ...(ownerKinds === undefined ? {} : { ownerKinds: rulesOf(ownerKinds) }),
  };
}

type ParsedRule = { [K in keyof AlertRule]?: AlertRule[K] | undefined };

/** Parsed rules with their unset fields left out (AlertRule's fields are absent, not undefined). */
function rulesOf(parsed: Record<string, ParsedRule>): Record<string, AlertRule> {
  // fromEntries defines own properties (a key never reaches the prototype).
  return Object.fromEntries(
    Object.entries(parsed).map(([key, rule]) => {
      const r: AlertRule = {};
      if (rule.enabled !== undefined) r.enabled = rule.enabled;
      if (rule.stuckPendingSeconds !== undefined) r.stuckPendingSeconds = rule.stuckPendingSeconds;
      if (rule.crashLoopMinRestarts !== undefined) r.crashLoopMinRestarts = rule.crashLoopMinRestarts;
      if (rule.crashLoopForSeconds !== undefined) r.crashLoopForSeconds = rule.crashLoopForSeconds;
      return [key, r];
    }),
  );
}

const CostTagsContext = z.strictObject({
  clusterSet: z.string().min(1).max(256).optional(),
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
});

/** `podlife:costTags`: `{"clusterSet": "eu-prod", "tags": {"cost-center": "1234"}}` (absent: cluster set `default`). */
export function costTagsFromContext(get: Lookup): { clusterSet?: string; tags?: Record<string, string> } {
  const key = 'podlife:costTags';
  const raw = get(key);
  if (raw === undefined) return {};
  const parsed = CostTagsContext.safeParse(jsonSetting(contextLabel(key), raw, 'a JSON object'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`context ${key}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  return {
    ...(parsed.data.clusterSet ? { clusterSet: parsed.data.clusterSet } : {}),
    ...(parsed.data.tags ? { tags: parsed.data.tags } : {}),
  };
}

/** The optional pod startup SLO alarm (infra/startup-slo.ts): `podlife:startupSloSeconds`, e.g. 5; absent: no alarm. */
export function startupSloFromContext(get: Lookup): number | undefined {
  return numberSetting(contextLabel('podlife:startupSloSeconds'), get('podlife:startupSloSeconds'), {
    positive: true,
  });
}
