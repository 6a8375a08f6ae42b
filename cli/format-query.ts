/**
 * kubectl-style tables for the query commands, in the same columns and units as `podlife
 * replay` (its podTable and statsTable are reused as they are), so a pod looks the same
 * whichever command shows it.
 */

import type { PodRecord } from '../core/pod-record.ts';
import type { GroupStats } from '../core/stats.ts';
import { safeText } from '../core/terminal-text.ts';
import { formatSeconds } from '../core/time.ts';
import type { TimelineEntry } from '../core/timeline.ts';
import type { CrashLoopingPod, PendingPod, PodOwner } from '../model/api-schemas.ts';
import { podTable, statsTable } from './replay.ts';
import { ellipsis, renderTable } from './table.ts';

const owner = (o: PodOwner | null) => (o ? `${o.kind}/${o.name}` : '');
const multi = (pods: readonly { cluster: string }[]) => new Set(pods.map((p) => p.cluster)).size > 1;

/** `ago` of an ISO time relative to now, kubectl style (`5m`, `2h3m`). */
function since(iso: string | null, nowMs: number): string {
  if (!iso) return '-';
  return formatSeconds(Math.max(0, (nowMs - Date.parse(iso)) / 1000));
}

export function pendingTable(pods: readonly PendingPod[]): string {
  const withCluster = multi(pods);
  return renderTable(
    [
      ...(withCluster ? ['CLUSTER'] : []),
      'NAMESPACE',
      'NAME',
      'AGE',
      'STUCK',
      'REASON',
      'OWNER',
      'NODE',
      'MESSAGE',
    ],
    pods.map((p) => [
      ...(withCluster ? [p.cluster] : []),
      p.namespace,
      p.name,
      formatSeconds(p.ageSeconds),
      p.stuck ? 'yes' : '',
      p.schedulingGates
        ? 'SchedulingGated'
        : (p.waitingReason ?? p.statusReason ?? (p.unschedulableMessage ? 'Unschedulable' : '')),
      owner(p.owner),
      p.node ?? '',
      ellipsis(p.schedulingGates ? `gates: ${p.schedulingGates.join(', ')}` : p.unschedulableMessage, 90),
    ]),
  );
}

export function crashLoopTable(
  pods: readonly CrashLoopingPod[],
  windowSeconds: number,
  nowMs: number,
): string {
  const withCluster = multi(pods);
  return renderTable(
    [
      ...(withCluster ? ['CLUSTER'] : []),
      'NAMESPACE',
      'NAME',
      'RESTARTS',
      `IN-${formatSeconds(windowSeconds).toUpperCase()}`,
      'LAST-RESTART',
      'LAST-TERMINATION',
      'BACK-OFF',
      'AGE',
      'OWNER',
      'NODE',
    ],
    pods.map((p) => [
      ...(withCluster ? [p.cluster] : []),
      p.namespace,
      p.name,
      String(p.restarts),
      String(p.restartsInWindow),
      p.lastRestartAt ? `${since(p.lastRestartAt, nowMs)} ago` : '-',
      p.lastTerminationReason
        ? `${p.lastTerminationReason}${p.lastExitCode != null ? ` (${p.lastExitCode})` : ''}`
        : '',
      formatSeconds(p.crashLoopBackOffSeconds),
      formatSeconds(p.ageSeconds),
      owner(p.owner),
      p.node ?? '',
    ]),
  );
}

function what(e: TimelineEntry): string {
  const parts: string[] = [];
  if (e.reason) parts.push(e.reason);
  if (e.exitCode != null) parts.push(`exit ${e.exitCode}${e.signal != null ? `, signal ${e.signal}` : ''}`);
  if (e.type === 'ContainerRestarted' && e.count != null) parts.push(`restart #${e.count}`);
  if (e.type === 'Event' && e.count != null && e.count > 1) parts.push(`×${e.count}`);
  const head = parts.join(', ');
  return e.message ? `${head}${head ? ': ' : ''}${ellipsis(e.message, 100)}` : head;
}

/** One incarnation's story: a header line, then its timeline as a table. */
export function timelineBlock(r: PodRecord): string {
  const header =
    `${r.namespace}/${r.name}  uid ${r.uid}  cluster ${r.cluster}` +
    (r.owner ? `  owner ${r.owner.kind}/${r.owner.name}` : '') +
    (r.node ? `  node ${r.node}` : '');
  const rows = r.timeline.map((e) => [
    e.at ? e.at.replace('.000Z', 'Z') : '(no time)',
    e.type,
    e.container ? `${e.container}${e.init ? ' (init)' : ''}` : '',
    what(e),
  ]);
  return `${safeText(header)}\n${renderTable(['TIME', 'WHAT', 'CONTAINER', 'DETAILS'], rows)}`;
}

/** `podlife history`: the figures of every incarnation (newest first), then each one's timeline. */
export function historyOutput(records: readonly PodRecord[]): string {
  return [podTable(records), ...records.map(timelineBlock)].join('\n\n');
}

/** `podlife stats`: the scope's total first, then its groups, in replay's statistics table. */
export function statsOutput(
  title: string,
  scope: string,
  total: GroupStats,
  groups: { key: string; stats: GroupStats }[],
): string {
  return statsTable(title, [
    [`${scope} (all)`, total],
    ...groups.map((g): [string, GroupStats] => [g.key, g.stats]),
  ]);
}
