/**
 * Runbook links for alarms and alerts: every AlarmDescription ends with one. The base is
 * configurable (context `podlife:runbookBaseUrl`, e.g. your fork's
 * `https://github.com/ORG/podlife/blob/main/docs/runbooks.md`); the default is the repository
 * path. Each anchor is a heading of docs/runbooks.md (test/infra/health-alarms.test.ts checks).
 */
const DEFAULT_RUNBOOK_BASE_URL = 'docs/runbooks.md';

/** The docs/runbooks.md heading anchors, one per alarm and per pod alert kind. */
export const RUNBOOK = {
  stuckPending: 'stuckpendingpods-per-cluster',
  podStuckPending: 'pod-alert-stuck-pending',
  podCrashLoop: 'pod-alert-crash-loop',
  sweepErrors: 'sweeperrors',
  sweepNotInvoked: 'sweepnotinvoked',
  ingestThrottles: 'ingestthrottles',
  ingestErrors: 'ingesterrors',
  ingestEventAge: 'ingesteventage',
  ingestRuleFailedInvocations: 'ingestrulefailedinvocations',
  tableThrottles: 'tablethrottles-and-indexthrottles',
  failureQueue: 'failurequeue-new-messages-and-oldest-message',
  ingestDeadLetterQueue: 'ingestdeadletterqueue-new-messages-and-oldest-message',
  invalidEvents: 'invalidevents-new-messages-and-oldest-message',
  filteredClusters: 'filteredclusters',
  wrongSender: 'wrongsender',
  snsDeliveryFailures: 'snsdeliveryfailures',
  staleClusters: 'staleclusters',
  startupSlo: 'startupslo-per-cluster-optional',
} as const;

export type RunbookAnchor = (typeof RUNBOOK)[keyof typeof RUNBOOK];

function runbookUrl(anchor: RunbookAnchor, base: string = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${base.replace(/#.*$/, '')}#${anchor}`;
}

/** An alarm description with its runbook link last (CloudWatch allows 1024 characters). */
export function describeAlarm(text: string, anchor: RunbookAnchor, base?: string): string {
  const d = `podlife: ${text} Runbook: ${runbookUrl(anchor, base)}`;
  if (d.length > 1024) throw new Error(`alarm description over 1024 characters: ${d.slice(0, 80)}…`);
  return d;
}
