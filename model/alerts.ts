/**
 * podlife's alerts as data: their configuration (read from the environment once, validated),
 * the EventBridge events and SNS messages of an alert episode's opening and resolution, and the
 * alert item that records an open episode. Pure: the sweep sends them, docs/alerts.md shows them.
 */
import { z } from 'zod';
import { envLabel, jsonSetting, numberSetting } from '../core/settings.ts';
import { formatSeconds } from '../core/time.ts';
import type { CrashLoopingPod, PendingPod, PodOwner } from './api-schemas.ts';
import { AlertItemSchema, type KeyedItem, parseItem } from './items.ts';
import { alertPk, alertSk, podPk, podSk } from './keys.ts';
import { minThreshold, type PendingThresholds, thresholdFor } from './pod-rows.ts';

/** Source and detail-types of the alert events on podlife's bus. */
export const ALERT_SOURCE = 'podlife.alerts';
export const DETAIL_TYPE_STUCK_PENDING = 'Pod Stuck Pending';
export const DETAIL_TYPE_CRASH_LOOPING = 'Pod Crash Looping';
export const DETAIL_TYPE_RESOLVED = 'Pod Alert Resolved';
const ALERT_SCHEMA_VERSION = 1;

export type AlertKind = 'pending' | 'crashloop';

// ---------------------------------------------------------------------------------------------
// Configuration

export interface AlertConfig {
  pending: PendingThresholds;
  /** Restarts are counted within this window before now. */
  crashLoopWindowSeconds: number;
  /** A crash-looping pod alerts once it has this many restarts in the window. */
  crashLoopMinRestarts: number;
  /**
   * A crash-loop episode ends when the pod has run this long without a restart (or is deleted,
   * or finished). Between two crashes a pod is briefly Running and out of CrashLoopBackOff; the
   * quiet period (default twice the kubelet's 5-minute maximum back-off) keeps that from
   * resolving and re-opening the alert at every restart.
   */
  crashLoopQuietSeconds: number;
  /** Days an alert item is kept at most (its TTL), like the pod items. */
  retentionDays: number;
  /**
   * A crash loop alerts once its first restart counted in the window is at least this old (the
   * kubernetes-mixin's KubePodCrashLooping `for: 15m`). 0: as soon as the restarts are counted.
   */
  crashLoopForSeconds: number;
  /** Per namespace and per owner kind (a namespace's setting wins over its owner kind's). */
  rules: AlertRules;
  /** Pods listed in one grouped notification at most (the worst first); the rest are counted. */
  maxPodsListed: number;
  /** Where alerts link their runbook (RUNBOOK_BASE_URL; default `docs/runbooks.md`). */
  runbookBaseUrl?: string | undefined;
}

/** What a namespace or an owner kind may change; unset fields fall through. */
export interface AlertRule {
  /** false: no alert for these pods (default: Job pods are not alerted, as in the mixin). */
  enabled?: boolean | undefined;
  stuckPendingSeconds?: number | undefined;
  crashLoopMinRestarts?: number | undefined;
  crashLoopForSeconds?: number | undefined;
}

/** A rule with every setting resolved (the namespace's, else the owner kind's, else the defaults). */
export type ResolvedAlertRule = { [K in keyof AlertRule]-?: NonNullable<AlertRule[K]> };

interface AlertRules {
  namespaces: Record<string, AlertRule>;
  ownerKinds: Record<string, AlertRule>;
}

/** The kubernetes-mixin's defaults: 15 minutes (KubePodNotReady, KubePodCrashLooping), Job pods excluded. */
const MIXIN_STUCK_PENDING_SECONDS = 900;
const DEFAULT_OWNER_KIND_RULES: Record<string, AlertRule> = { Job: { enabled: false } };

const AlertRuleSchema = z.strictObject({
  enabled: z.boolean().optional(),
  stuckPendingSeconds: z.number().int().positive().optional(),
  crashLoopMinRestarts: z.number().int().positive().optional(),
  crashLoopForSeconds: z.number().int().nonnegative().optional(),
});
const NamespaceKey = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
const OwnerKindKey = z
  .string()
  .max(63)
  .regex(/^[A-Z][A-Za-z0-9]*$/);

/** The rules as JSON (env ALERT_RULES, construct props, cdk.json context `podlife:alerts`). */
export const AlertRulesSchema = z.strictObject({
  namespaces: z.record(NamespaceKey, AlertRuleSchema).optional(),
  ownerKinds: z.record(OwnerKindKey, AlertRuleSchema).optional(),
});

/** Rules from JSON (validated); the owner kinds merge over the default (Job excluded). */
export function alertRulesOf(json: unknown, where: string): AlertRules {
  const parsed = AlertRulesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  return {
    namespaces: parsed.data.namespaces ?? {},
    ownerKinds: { ...DEFAULT_OWNER_KIND_RULES, ...(parsed.data.ownerKinds ?? {}) },
  };
}

/** The rule that applies to a pod: per field, its namespace's, else its owner kind's, else the global. */
export function ruleFor(config: AlertConfig, namespace: string, ownerKind: string | null): ResolvedAlertRule {
  const ns =
    (Object.hasOwn(config.rules.namespaces, namespace) ? config.rules.namespaces[namespace] : undefined) ??
    {};
  const ok =
    (ownerKind && Object.hasOwn(config.rules.ownerKinds, ownerKind)
      ? config.rules.ownerKinds[ownerKind]
      : undefined) ?? {};
  return {
    enabled: ns.enabled ?? ok.enabled ?? true,
    stuckPendingSeconds:
      ns.stuckPendingSeconds ?? ok.stuckPendingSeconds ?? thresholdFor(config.pending, namespace),
    crashLoopMinRestarts: ns.crashLoopMinRestarts ?? ok.crashLoopMinRestarts ?? config.crashLoopMinRestarts,
    crashLoopForSeconds: ns.crashLoopForSeconds ?? ok.crashLoopForSeconds ?? config.crashLoopForSeconds,
  };
}

/** The lowest stuck-Pending threshold any pod can have: how old a pod must be to be read. */
export function minStuckPendingSeconds(config: AlertConfig): number {
  const rules = [...Object.values(config.rules.namespaces), ...Object.values(config.rules.ownerKinds)];
  return Math.min(
    minThreshold(config.pending),
    ...rules.map((r) => r.stuckPendingSeconds ?? Number.POSITIVE_INFINITY),
  );
}

export const DEFAULT_ALERT_CONFIG: AlertConfig = {
  pending: { defaultSeconds: MIXIN_STUCK_PENDING_SECONDS, overrides: {} },
  crashLoopWindowSeconds: 3600,
  crashLoopMinRestarts: 3,
  crashLoopQuietSeconds: 600,
  retentionDays: 30,
  crashLoopForSeconds: MIXIN_STUCK_PENDING_SECONDS,
  rules: { namespaces: {}, ownerKinds: DEFAULT_OWNER_KIND_RULES },
  maxPodsListed: 20,
};

const Overrides = z.record(
  z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  z.number().positive('seconds > 0'),
);

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  return numberSetting(envLabel(name), env[name], { min }) ?? fallback;
}

/** STUCK_PENDING_SECONDS (default 900) and STUCK_PENDING_OVERRIDES (JSON `{"namespace": seconds}`). */
export function pendingThresholdsFromEnv(env: NodeJS.ProcessEnv): PendingThresholds {
  const defaultSeconds = envNumber(env, 'STUCK_PENDING_SECONDS', MIXIN_STUCK_PENDING_SECONDS, 1);
  const raw = env.STUCK_PENDING_OVERRIDES;
  if (raw === undefined || raw.trim() === '') return { defaultSeconds, overrides: {} };
  const json = jsonSetting(envLabel('STUCK_PENDING_OVERRIDES'), raw, 'JSON like {"batch": 1800}');
  const parsed = Overrides.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason =
      issue?.code === 'invalid_key' ? 'not a Kubernetes namespace' : (issue?.message ?? 'invalid');
    throw new Error(
      `environment variable STUCK_PENDING_OVERRIDES: ${issue?.path.join('.') ?? ''}: ${reason}`,
    );
  }
  return { defaultSeconds, overrides: parsed.data };
}

/** The sweep's whole configuration from its environment (see AlertConfig for each variable's meaning). */
export function alertConfigFromEnv(env: NodeJS.ProcessEnv): AlertConfig {
  const d = DEFAULT_ALERT_CONFIG;
  return {
    pending: pendingThresholdsFromEnv(env),
    crashLoopWindowSeconds: envNumber(env, 'CRASHLOOP_WINDOW_SECONDS', d.crashLoopWindowSeconds, 1),
    crashLoopMinRestarts: envNumber(env, 'CRASHLOOP_MIN_RESTARTS', d.crashLoopMinRestarts, 1),
    crashLoopQuietSeconds: envNumber(env, 'CRASHLOOP_QUIET_SECONDS', d.crashLoopQuietSeconds, 1),
    retentionDays: envNumber(env, 'RETENTION_DAYS', d.retentionDays, 1),
    crashLoopForSeconds: envNumber(env, 'CRASHLOOP_FOR_SECONDS', d.crashLoopForSeconds, 0),
    rules: alertRulesFromEnv(env),
    maxPodsListed: envNumber(env, 'ALERT_MAX_PODS_LISTED', d.maxPodsListed, 1),
    ...(env.RUNBOOK_BASE_URL?.trim() ? { runbookBaseUrl: env.RUNBOOK_BASE_URL.trim() } : {}),
  };
}

/** ALERT_RULES: JSON `{"namespaces": {ns: rule}, "ownerKinds": {Kind: rule}}` (see AlertRule). */
export function alertRulesFromEnv(env: NodeJS.ProcessEnv): AlertRules {
  const raw = env.ALERT_RULES;
  if (raw === undefined || raw.trim() === '') return alertRulesOf({}, 'ALERT_RULES');
  const json = jsonSetting(
    envLabel('ALERT_RULES'),
    raw,
    'JSON like {"ownerKinds": {"Job": {"enabled": false}}}',
  );
  return alertRulesOf(json, 'environment variable ALERT_RULES');
}

// ---------------------------------------------------------------------------------------------
// Events (the `detail` of the EventBridge events; SNS carries the same facts as text)

interface AlertCommon {
  schemaVersion: typeof ALERT_SCHEMA_VERSION;
  kind: AlertKind;
  /** When the episode was opened (the sweep that first saw it), ISO 8601. */
  openedAt: string;
  /** A command line that shows the pod's whole story. */
  historyCommand: string;
}

type StuckPendingAlert = AlertCommon & { kind: 'pending' } & PendingPod;
type CrashLoopAlert = AlertCommon & { kind: 'crashloop'; windowSeconds: number } & CrashLoopingPod;
export type OpenedAlert = StuckPendingAlert | CrashLoopAlert;

/** How an episode ended: the pod's state when the sweep saw it leave. `Gone`: its item expired. */
export type Resolution = 'Running' | 'Succeeded' | 'Failed' | 'Deleted' | 'Gone';

export interface ResolvedAlert extends AlertCommon {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  owner: PodOwner | null;
  resolvedAt: string;
  resolution: Resolution;
  /** resolvedAt − openedAt. */
  openSeconds: number;
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9._:/@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function historyCommandOf(p: { cluster: string; namespace: string; name: string }): string {
  return `podlife history ${shellWord(`${p.namespace}/${p.name}`)} --cluster ${shellWord(p.cluster)}`;
}

export function stuckPendingAlertOf(pod: PendingPod, nowMs: number): StuckPendingAlert {
  return {
    schemaVersion: ALERT_SCHEMA_VERSION,
    kind: 'pending',
    openedAt: new Date(nowMs).toISOString(),
    historyCommand: historyCommandOf(pod),
    ...pod,
  };
}

export function crashLoopAlertOf(pod: CrashLoopingPod, nowMs: number, windowSeconds: number): CrashLoopAlert {
  return {
    schemaVersion: ALERT_SCHEMA_VERSION,
    kind: 'crashloop',
    openedAt: new Date(nowMs).toISOString(),
    historyCommand: historyCommandOf(pod),
    windowSeconds,
    ...pod,
  };
}

export function resolvedAlertOf(opened: OpenedAlert, resolution: Resolution, nowMs: number): ResolvedAlert {
  return {
    schemaVersion: ALERT_SCHEMA_VERSION,
    kind: opened.kind,
    cluster: opened.cluster,
    namespace: opened.namespace,
    name: opened.name,
    uid: opened.uid,
    owner: opened.owner,
    openedAt: opened.openedAt,
    historyCommand: opened.historyCommand,
    resolvedAt: new Date(nowMs).toISOString(),
    resolution,
    openSeconds: Math.max(0, (nowMs - Date.parse(opened.openedAt)) / 1000),
  };
}

// ---------------------------------------------------------------------------------------------
// Messages for people (SNS: e-mail, chat, SMS)

export interface AlertMessage {
  /** SNS subjects: at most 100 printable ASCII characters, one line. */
  subject: string;
  body: string;
}

const KIND_TITLE: Record<AlertKind, string> = { pending: 'Stuck Pending', crashloop: 'Crash looping' };

function subjectOf(text: string): string {
  // SNS subjects allow printable ASCII only.
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 99)}~` : ascii;
}

const ownerText = (o: PodOwner | null) => (o ? `${o.kind}/${o.name}` : '(none: a bare pod)');
const lines = (rows: [string, string | null | undefined][]) =>
  rows
    .filter(([, v]) => v != null && v !== '')
    .map(([k, v]) => `${`${k}:`.padEnd(18)}${v}`)
    .join('\n');

/** Subject and body of an episode's opening: what an on-call engineer needs, first line first. */
export function openedMessage(a: OpenedAlert): AlertMessage {
  const where = `${a.namespace}/${a.name}`;
  const common: [string, string | null][] = [
    ['Cluster', a.cluster],
    ['Pod', `${where} (uid ${a.uid})`],
    ['Owner', ownerText(a.owner)],
    ['Created', a.createdAt ? `${a.createdAt} (${formatSeconds(a.ageSeconds)} ago)` : 'unknown'],
    ['Node', a.node ?? '(not scheduled)'],
  ];
  if (a.kind === 'pending') {
    const headline = `Pod ${where} in cluster ${a.cluster} has been Pending for ${formatSeconds(a.ageSeconds)} (threshold ${formatSeconds(a.thresholdSeconds)}).`;
    const facts = lines([
      ...common,
      [
        'Gated by',
        a.schedulingGates ? `${a.schedulingGates.join(', ') || '(gates not named)'} (SchedulingGated)` : null,
      ],
      ['Scheduler', a.unschedulableMessage],
      ['Waiting', a.waitingReason],
      ['Status reason', a.statusReason],
    ]);
    return {
      subject: subjectOf(
        `[podlife] ${KIND_TITLE.pending}: ${where} (${a.cluster}) for ${formatSeconds(a.ageSeconds)}`,
      ),
      body: `${headline}\n\n${facts}\n\nInvestigate:\n  ${a.historyCommand}\n  kubectl describe pod -n ${a.namespace} ${a.name}\n`,
    };
  }
  const term = a.lastTerminationReason
    ? `${a.lastTerminationReason}${a.lastExitCode != null ? ` (exit code ${a.lastExitCode})` : ''}`
    : 'unknown';
  const headline = `Pod ${where} in cluster ${a.cluster} is crash-looping: ${a.restartsInWindow} restarts in the last ${formatSeconds(a.windowSeconds)} (${a.restarts} in all), last terminated ${term}.`;
  const facts = lines([
    ...common,
    ['Last termination', term],
    ['Last restart', a.lastRestartAt],
    ['Back-off so far', formatSeconds(a.crashLoopBackOffSeconds)],
  ]);
  return {
    subject: subjectOf(`[podlife] ${KIND_TITLE.crashloop}: ${where} (${a.cluster}) ${term}`),
    body: `${headline}\n\n${facts}\n\nInvestigate:\n  ${a.historyCommand}\n  kubectl logs -n ${a.namespace} ${a.name} --previous\n`,
  };
}

const RESOLUTION_TEXT: Record<Resolution, string> = {
  Running: 'it is running now',
  Succeeded: 'it has succeeded',
  Failed: 'it has failed (terminal)',
  Deleted: 'it was deleted',
  Gone: 'its record has expired',
};

export function resolvedMessage(r: ResolvedAlert): AlertMessage {
  const where = `${r.namespace}/${r.name}`;
  const state = r.kind === 'pending' ? 'stuck Pending' : 'crash-looping';
  return {
    subject: subjectOf(`[podlife] Resolved: ${KIND_TITLE[r.kind]} ${where} (${r.cluster})`),
    body:
      `Pod ${where} in cluster ${r.cluster} is no longer ${state}: ${RESOLUTION_TEXT[r.resolution]}.\n\n` +
      `${lines([
        ['Cluster', r.cluster],
        ['Pod', `${where} (uid ${r.uid})`],
        ['Owner', ownerText(r.owner)],
        ['Alert opened', r.openedAt],
        ['Open for', formatSeconds(r.openSeconds)],
      ])}\n\nHistory:\n  ${r.historyCommand}\n`,
  };
}

// ---------------------------------------------------------------------------------------------
// The alert item: one open episode (pk ALERT#cluster, sk pending#uid | crashloop#uid)

function alertKeyOf(kind: AlertKind, cluster: string, uid: string) {
  return { pk: alertPk(cluster), sk: alertSk(kind, uid) };
}

export function alertItemOf(a: OpenedAlert, retentionDays: number): KeyedItem {
  return {
    ...alertKeyOf(a.kind, a.cluster, a.uid),
    kind: a.kind,
    podPk: podPk(a.cluster, a.namespace, a.name),
    podSk: podSk(a.uid),
    opened: a,
    expiresAt: Math.floor(Date.parse(a.openedAt) / 1000) + retentionDays * 86_400,
  };
}

/** An alert item read back: its key, the alert as opened, and its pod's item key. */
export function alertOfItem(item: Record<string, unknown>): {
  key: { pk: string; sk: string };
  opened: OpenedAlert;
  podKey: { pk: string; sk: string };
} {
  const it = parseItem(AlertItemSchema, item, 'alert');
  return {
    key: { pk: it.pk, sk: it.sk },
    // The identity the sweep reads is checked; the rest is the alert as this code wrote it.
    opened: it.opened as unknown as OpenedAlert,
    podKey: { pk: it.podPk, sk: it.podSk },
  };
}

/** The opened alert an alert item records. */
export function openedAlertOfItem(item: Record<string, unknown>): OpenedAlert {
  return alertOfItem(item).opened;
}
