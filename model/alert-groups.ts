/**
 * Grouped alert notifications: one per (cluster, namespace, owner, alert kind) and sweep, for
 * the episodes it opens (or resolves), however many pods: a count, the worst pods first (longest
 * Pending, most restarts), the shared cause, capped at `maxPodsListed` pods ("and N more").
 * Every notice carries a severity, a dedup key stable per group (the same for its opening and
 * resolution, e.g. a PagerDuty dedup_key), a runbook link and, per listed pod when known, the
 * container, its waiting message and the pod's last Warning Event. Pure.
 */
import { createHash } from 'node:crypto';
import { formatSeconds } from '../core/time.ts';
import {
  ALERT_SOURCE,
  type AlertKind,
  type AlertMessage,
  DETAIL_TYPE_CRASH_LOOPING,
  DETAIL_TYPE_RESOLVED,
  DETAIL_TYPE_STUCK_PENDING,
  type OpenedAlert,
  openedMessage,
  type ResolvedAlert,
  resolvedMessage,
} from './alerts.ts';
import type { PodOwner } from './api-schemas.ts';
import { type KeyedItem, NoticeItemSchema, parseItem } from './items.ts';
import { alertPk, NOTICE_SK_PREFIX, noticeSk } from './keys.ts';
import type { SilencedBefore } from './silences.ts';

const NOTICE_SCHEMA_VERSION = 2;
type Severity = 'warning' | 'critical';
export type Channel = 'sns' | 'events';
export const CHANNELS: readonly Channel[] = ['sns', 'events'];

/** Runbook anchors of docs/runbooks.md (the same as infra/runbooks.ts's RUNBOOK). */
const POD_ALERT_RUNBOOK: Record<AlertKind, string> = {
  pending: 'pod-alert-stuck-pending',
  crashloop: 'pod-alert-crash-loop',
};
/** Where runbook links point unless `runbookBaseUrl` (context `podlife:runbookBaseUrl`) says otherwise. */
export const DEFAULT_RUNBOOK_BASE_URL = 'docs/runbooks.md';

/** A pod alert's runbook link: the base (any `#fragment` dropped) and the kind's anchor. */
export function runbookLinkOf(kind: AlertKind, base: string = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${base.replace(/#.*$/, '')}#${POD_ALERT_RUNBOOK[kind]}`;
}
/** As the mixin's KubePodNotReady and KubePodCrashLooping. */
const SEVERITY: Record<AlertKind, Severity> = { pending: 'warning', crashloop: 'warning' };

/** What the sweep reads from a listed pod's item, when known. */
export interface PodDetail {
  /** The container waiting (a crash loop's: the one in CrashLoopBackOff), init containers included. */
  container: string | null;
  /** Whether `container` is an init container. */
  initContainer?: boolean;
  /** kubectl's STATUS column when last seen (`Init:CrashLoopBackOff`, `ImagePullBackOff`). */
  status?: string | null;
  waitingMessage: string | null;
  lastWarningEvent: { reason: string; message: string | null; at: string | null } | null;
}

/** A listed pod: the alert, its details when read, and the silence that held it, if one did. */
type ListedPod = (OpenedAlert | ResolvedAlert) & Partial<PodDetail> & { silencedBefore?: SilencedBefore };

export interface AlertNotice {
  schemaVersion: typeof NOTICE_SCHEMA_VERSION;
  state: 'opened' | 'resolved';
  kind: AlertKind;
  cluster: string;
  namespace: string;
  owner: PodOwner | null;
  severity: Severity;
  /** Stable per (cluster, namespace, owner, kind): the opening and the resolution share it. */
  dedupKey: string;
  runbook: string;
  /** When this sweep sent it, ISO 8601. */
  at: string;
  /** Pods in this notice (opened or resolved by this sweep). */
  count: number;
  /** The most frequent cause among them and how many share it. */
  cause: { text: string; pods: number } | null;
  /** The worst pods first, at most `maxPodsListed`. */
  pods: ListedPod[];
  /** count − pods.length. */
  more: number;
  /** Resolutions only: episodes of the same group still open after this sweep (0: all clear). */
  stillOpen?: number;
}

export const groupKeyOf = (a: {
  cluster: string;
  namespace: string;
  owner: PodOwner | null;
  kind: AlertKind;
}): string =>
  JSON.stringify([a.cluster, a.namespace, a.owner ? `${a.owner.kind}/${a.owner.name}` : '', a.kind]);

function dedupKeyOf(a: { cluster: string; namespace: string; owner: PodOwner | null; kind: AlertKind }) {
  return `podlife/${createHash('sha256').update(groupKeyOf(a)).digest('hex').slice(0, 24)}`;
}

/** Group alerts by (cluster, namespace, owner, kind), in first-seen order. */
export function groupAlerts<
  T extends { cluster: string; namespace: string; owner: PodOwner | null; kind: AlertKind },
>(alerts: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const a of alerts) {
    const k = groupKeyOf(a);
    const g = groups.get(k);
    if (g) g.push(a);
    else groups.set(k, [a]);
  }
  return [...groups.values()];
}

/** Worst first: longest Pending / most restarts in the window (then most in all); resolves: longest open. */
export function worstFirst<T extends OpenedAlert | ResolvedAlert>(alerts: readonly T[]): T[] {
  const score = (a: T): [number, number] => {
    if ('resolution' in a) return [a.openSeconds, 0];
    if (a.kind === 'pending') return [a.ageSeconds ?? 0, 0];
    return [a.restartsInWindow, a.restarts];
  };
  return [...alerts].sort((x, y) => {
    const [a1, a2] = score(x);
    const [b1, b2] = score(y);
    return b1 - a1 || b2 - a2 || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  });
}

function causeOf(a: OpenedAlert | ResolvedAlert): string | null {
  if ('resolution' in a) return a.resolution;
  if (a.kind === 'pending') {
    if (a.schedulingGates) return `SchedulingGated: ${a.schedulingGates.join(', ') || '(gates not named)'}`;
    return a.unschedulableMessage ?? a.waitingReason ?? a.statusReason ?? null;
  }
  return a.lastTerminationReason
    ? `${a.lastTerminationReason}${a.lastExitCode != null ? ` (exit code ${a.lastExitCode})` : ''}`
    : null;
}

/** The notice of one group (its members sorted worst first by the caller or here). */
export function noticeOf(
  state: AlertNotice['state'],
  members: readonly ListedPod[],
  opts: { nowMs: number; maxPodsListed: number; stillOpen?: number; runbookBaseUrl?: string },
): AlertNotice {
  const sorted = worstFirst(members);
  const first = sorted[0];
  if (!first) throw new Error('a notice needs at least one pod');
  const causes = new Map<string, number>();
  for (const m of sorted) {
    const c = causeOf(m);
    if (c) causes.set(c, (causes.get(c) ?? 0) + 1);
  }
  let cause: AlertNotice['cause'] = null;
  for (const [text, pods] of causes) if (!cause || pods > cause.pods) cause = { text, pods };
  const pods = sorted.slice(0, opts.maxPodsListed);
  return {
    schemaVersion: NOTICE_SCHEMA_VERSION,
    state,
    kind: first.kind,
    cluster: first.cluster,
    namespace: first.namespace,
    owner: first.owner,
    severity: SEVERITY[first.kind],
    dedupKey: dedupKeyOf(first),
    runbook: runbookLinkOf(first.kind, opts.runbookBaseUrl),
    at: new Date(opts.nowMs).toISOString(),
    count: sorted.length,
    cause,
    pods,
    more: sorted.length - pods.length,
    ...(state === 'resolved' ? { stillOpen: opts.stillOpen ?? 0 } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// SNS and EventBridge

const KIND_TITLE: Record<AlertKind, string> = { pending: 'Stuck Pending', crashloop: 'Crash looping' };
const ownerText = (o: PodOwner | null) => (o ? `${o.kind}/${o.name}` : 'bare pods');

function subjectOf(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 99)}~` : ascii;
}

function podLine(p: ListedPod): string {
  const parts: string[] = [];
  if ('resolution' in p) parts.push(`${p.resolution} after ${formatSeconds(p.openSeconds)}`);
  else if (p.kind === 'pending') parts.push(`Pending ${formatSeconds(p.ageSeconds)}`);
  else
    parts.push(`${p.restartsInWindow} restarts in ${formatSeconds(p.windowSeconds)} (${p.restarts} in all)`);
  if (p.container) parts.push(containerText(p));
  if (p.status) parts.push(`status ${p.status}`);
  if (p.waitingMessage) parts.push(`waiting: ${p.waitingMessage}`);
  if (p.lastWarningEvent)
    parts.push(
      `last Warning ${p.lastWarningEvent.reason}${p.lastWarningEvent.message ? `: ${p.lastWarningEvent.message}` : ''}`,
    );
  if (p.silencedBefore) parts.push(silencedText(p.silencedBefore));
  return `  - ${p.name}: ${parts.join('; ')}\n      ${p.historyCommand}`;
}

const containerText = (p: Partial<PodDetail>) =>
  `${p.initContainer ? 'init container' : 'container'} ${p.container}`;

const silencedText = (s: SilencedBefore) =>
  `silenced by ${s.silenceId} from ${s.since} until ${s.until} (ended; still in the state)`;

function factsOf(n: AlertNotice): string[] {
  return [
    `Severity:         ${n.severity}`,
    n.cause
      ? `Cause:            ${n.cause.text}${n.count > 1 ? ` (${n.cause.pods} of ${n.count})` : ''}`
      : null,
    `Runbook:          ${n.runbook}`,
    `Dedup key:        ${n.dedupKey}`,
  ].filter((x): x is string => x != null);
}

/**
 * The SNS subject and body of a notice. One pod: the per-pod message as before, then severity,
 * runbook, dedup key and the pod's details. Several: a headline with the count, the shared cause,
 * the worst pods first and "... and N more".
 */
function noticeMessage(n: AlertNotice): AlertMessage {
  const p = n.pods[0];
  if (n.count === 1 && p) {
    const m = 'resolution' in p ? resolvedMessage(p) : openedMessage(p);
    const details = [
      p.container ? `Container:        ${p.container}${p.initContainer ? ' (init container)' : ''}` : null,
      p.status ? `Status:           ${p.status}` : null,
      p.waitingMessage ? `Waiting message:  ${p.waitingMessage}` : null,
      p.lastWarningEvent
        ? `Last Warning:     ${p.lastWarningEvent.reason}${p.lastWarningEvent.message ? `: ${p.lastWarningEvent.message}` : ''}`
        : null,
      p.silencedBefore ? `Silence:          ${silencedText(p.silencedBefore)}` : null,
    ].filter((x): x is string => x != null);
    return { subject: m.subject, body: `${m.body}\n${[...factsOf(n), ...details].join('\n')}\n` };
  }
  const group = `${n.namespace}/${ownerText(n.owner)}`;
  const pods = `${n.count} pods`;
  const title = n.state === 'opened' ? `${KIND_TITLE[n.kind]}:` : `Resolved: ${KIND_TITLE[n.kind]}`;
  const subject = subjectOf(`[podlife] ${title} ${pods} of ${group} (${n.cluster})`);
  const state = n.kind === 'pending' ? 'stuck Pending' : 'crash-looping';
  const headline =
    n.state === 'opened'
      ? `${pods} of ${group} in cluster ${n.cluster} are ${state}.`
      : `${pods} of ${group} in cluster ${n.cluster} are no longer ${state}${n.stillOpen ? ` (${n.stillOpen} still open)` : ' (none left open)'}.`;
  const list = n.pods.map(podLine).join('\n');
  const more = n.more > 0 ? `\n  ... and ${n.more} more` : '';
  const cmd =
    n.kind === 'pending'
      ? `podlife pending --cluster ${n.cluster}`
      : `podlife crashloops --cluster ${n.cluster}`;
  return {
    subject,
    body: `${headline}\n\n${factsOf(n).join('\n')}\n\nPods (worst first):\n${list}${more}\n\nAll of them:\n  ${cmd}\n`,
  };
}

function noticeDetailType(n: AlertNotice): string {
  if (n.state === 'resolved') return DETAIL_TYPE_RESOLVED;
  return n.kind === 'pending' ? DETAIL_TYPE_STUCK_PENDING : DETAIL_TYPE_CRASH_LOOPING;
}

export function noticePublishInput(topicArn: string, n: AlertNotice, m: AlertMessage = noticeMessage(n)) {
  const attr = (v: string) => ({ DataType: 'String', StringValue: v });
  return {
    TopicArn: topicArn,
    Subject: m.subject,
    Message: m.body,
    MessageAttributes: {
      cluster: attr(n.cluster),
      namespace: attr(n.namespace),
      kind: attr(n.kind),
      state: attr(n.state),
      severity: attr(n.severity),
      dedupKey: attr(n.dedupKey),
    },
  };
}

export function noticeEventEntry(busName: string, n: AlertNotice) {
  return {
    EventBusName: busName,
    Source: ALERT_SOURCE,
    DetailType: noticeDetailType(n),
    Detail: JSON.stringify(n),
    Resources: [],
  };
}

// ---------------------------------------------------------------------------------------------
// The notice item: an outbox, one per notice, in the cluster's alert partition, deleted once
// every channel has delivered it. `sns` / `events`: 'pending' until that channel succeeded.

export function noticeItemOf(n: AlertNotice, retentionDays: number): KeyedItem {
  return {
    pk: alertPk(n.cluster),
    sk: noticeSk(n.at, n.state, n.dedupKey),
    notice: n,
    sns: 'pending',
    events: 'pending',
    expiresAt: Math.floor(Date.parse(n.at) / 1000) + retentionDays * 86_400,
  };
}

export const isNoticeItem = (item: Record<string, unknown>) =>
  typeof item.sk === 'string' && item.sk.startsWith(NOTICE_SK_PREFIX);

/** A notice item read back: its key, the notice, and which channels have delivered it. */
export function noticeOfItem(item: Record<string, unknown>): {
  key: { pk: string; sk: string };
  notice: AlertNotice;
  sent: Record<'sns' | 'events', boolean>;
} {
  const it = parseItem(NoticeItemSchema, item, 'notice');
  return {
    key: { pk: it.pk, sk: it.sk },
    // The fields the sweep routes on are checked; the rest is the notice as this code wrote it.
    notice: it.notice as unknown as AlertNotice,
    sent: { sns: it.sns === 'sent', events: it.events === 'sent' },
  };
}
