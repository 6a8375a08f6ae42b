/**
 * The columns of every listing podlife prints, kubectl's where they overlap:
 * - READY is kubectl's READY, `1/2` (the `ready` figure);
 * - STATUS is kubectl's STATUS (the `status` figure);
 * - RESTARTS is kubectl's number with "(5m ago)", the age of kubectl's last restart
 *   (`kubectlLastRestartAt`; for a pod stored before it was kept, its last container termination);
 * - AGE is now − creation in kubectl's format (`HumanDuration`: 45s, 5m30s, 3h4m, 2d3h, 90d).
 * Durations podlife measures have names no kubectl column has: TO-SCHEDULE, PENDING-FOR,
 * TO-READY, INIT-FOR, BACK-OFF (core/time.ts formatSeconds, as in the docs). STUCK is `yes`
 * only for a pod Pending now past its threshold.
 */
import { humanDuration } from '../core/kubectl-status.ts';
import type { PodRecord } from '../core/pod-record.ts';
import type { GroupStats } from '../core/stats.ts';
import { formatSeconds, toMillis } from '../core/time.ts';
import type { TimelineEntry } from '../core/timeline.ts';
import type { CrashLoopingPod, PendingPod, PodOwner } from '../model/api-schemas.ts';
import type { Column, Listing } from './output.ts';

const several = (rows: readonly { cluster: string }[]) => new Set(rows.map((r) => r.cluster)).size > 1;
const cluster = <T extends { cluster: string }>(): Column<T> => ({
  name: 'CLUSTER',
  value: (r) => r.cluster,
  when: several,
});
const owner = (o: PodOwner | null) => (o ? `${o.kind}/${o.name}` : null);
/** A podlife duration (seconds), or nothing. */
const dur = (s: number | null | undefined) => (s == null ? null : formatSeconds(s));
/** kubectl's READY, `ready/total`, or nothing for a pod stored before it was kept. */
export const readyText = (r: { ready: number; total: number } | null | undefined) =>
  r == null ? null : `${r.ready}/${r.total}`;
/** READY's sort key: the share of containers ready (`0/1` before `1/2` before `1/1`). */
export const readyShare = (r: { ready: number; total: number } | null | undefined) =>
  r == null ? null : r.total > 0 ? r.ready / r.total : 0;

/** kubectl's AGE of a number of seconds. */
export const age = (seconds: number | null | undefined) =>
  seconds == null ? null : humanDuration(seconds * 1000);

// ---- pod records (replay, history) -------------------------------------------------------------

/** Epoch ms of the pod's creation (its timeline's Created entry), or null. */
function createdMs(r: PodRecord): number | null {
  return toMillis(r.timeline.find((e) => e.type === 'Created')?.at);
}

/**
 * kubectl's STATUS for the pod's latest state (the `status` figure); for a pod stored before
 * that figure was kept, what a person wants to know first, kubectl-like.
 */
export function statusOf(r: PodRecord): string {
  if (r.status != null) return r.status;
  if (r.deleted && r.phase !== 'Succeeded' && r.phase !== 'Failed') return 'Deleted';
  if (r.waitingReason) return r.waitingReason;
  if (r.statusReason) return r.statusReason;
  if (r.unschedulableMessage && r.phase === 'Pending' && r.scheduledAfterSeconds == null)
    return 'Unschedulable';
  if (r.phase === 'Running' && r.timeToReadySeconds == null) return 'NotReady';
  return '';
}

/** The latest container termination in the timeline (LAST-TERMINATION; "(5m ago)" of a pod stored before kubectlLastRestartAt). */
function lastTermination(r: PodRecord): TimelineEntry | undefined {
  for (let i = r.timeline.length - 1; i >= 0; i--) {
    const e = r.timeline[i];
    if (e?.type === 'ContainerTerminated') return e;
  }
  return undefined;
}

/** kubectl's RESTARTS: the number, and "(5m ago)" after the last termination when known. */
export function restartsText(count: number, lastAt: string | null | undefined, nowMs: number): string {
  const t = toMillis(lastAt);
  return count > 0 && t != null ? `${count} (${humanDuration(nowMs - t)} ago)` : String(count);
}

/** Stuck now: Pending past the threshold, not deleted (a pod that was stuck once is not). */
export const stuckNow = (r: PodRecord) => r.stuckPending && r.phase === 'Pending' && !r.deleted;

function lastTerm(r: PodRecord): string | null {
  const t = lastTermination(r);
  if (!t) return r.lastTerminationReason;
  return `${t.reason ?? '?'} (${t.exitCode})`;
}

/** The pod table's columns at `nowMs` (replay: the trace's end; history: the API's now). */
export function podColumns(nowMs: number): Column<PodRecord>[] {
  const ageSeconds = (r: PodRecord) => {
    const c = createdMs(r);
    return c == null ? null : Math.max(0, (nowMs - c) / 1000);
  };
  const restarts = (r: PodRecord) => r.kubectlRestarts ?? r.restarts;
  return [
    cluster(),
    { name: 'NAMESPACE', value: (r) => r.namespace },
    { name: 'NAME', value: (r) => r.name },
    { name: 'READY', value: (r) => readyText(r.ready), sort: (r) => readyShare(r.ready) },
    { name: 'STATUS', value: statusOf },
    {
      name: 'RESTARTS',
      // kubectl's own "(5m ago)" time; a pod stored before it was kept: its latest termination.
      value: (r) => restartsText(restarts(r), r.kubectlLastRestartAt ?? lastTermination(r)?.at, nowMs),
      sort: restarts,
    },
    { name: 'AGE', value: (r) => age(ageSeconds(r)), sort: ageSeconds },
    { name: 'TO-SCHEDULE', value: (r) => dur(r.scheduledAfterSeconds), sort: (r) => r.scheduledAfterSeconds },
    { name: 'PENDING-FOR', value: (r) => dur(r.pendingSeconds), sort: (r) => r.pendingSeconds },
    { name: 'TO-READY', value: (r) => dur(r.timeToReadySeconds), sort: (r) => r.timeToReadySeconds },
    {
      name: 'BACK-OFF',
      value: (r) => (r.crashLoopBackOffSeconds > 0 ? dur(r.crashLoopBackOffSeconds) : null),
      sort: (r) => r.crashLoopBackOffSeconds,
    },
    { name: 'LAST-TERMINATION', value: lastTerm },
    { name: 'STUCK', value: (r) => (stuckNow(r) ? 'yes' : 'no') },
    { name: 'PHASE', value: (r) => r.phase, wide: true },
    { name: 'INIT-FOR', value: (r) => dur(r.initSeconds), sort: (r) => r.initSeconds, wide: true },
    { name: 'ALL-RESTARTS', value: (r) => r.restarts, wide: true },
    { name: 'NODE', value: (r) => r.node, wide: true },
    { name: 'OWNER', value: (r) => owner(r.owner), wide: true },
    { name: 'UID', value: (r) => r.uid, wide: true },
  ];
}

export function podListing(
  command: string,
  records: readonly PodRecord[],
  nowMs: number,
): Listing<PodRecord> {
  return { command, rows: records, columns: podColumns(nowMs), empty: 'No pods found.' };
}

// ---- timelines (history) ---------------------------------------------------------------------

interface TimelineRow {
  entry: TimelineEntry;
  /** For a termination: the run it ends ("restart #2", "the first run"), when its start was seen. */
  run?: string;
  ranSeconds?: number;
}

/**
 * The timeline's rows, each termination paired with the start of the run it ends (the start
 * before it of the same container not yet paired): a 0-second run reads "Restarted #1" then
 * "Terminated, ends restart #1 (ran 0s)", not as a restart before the crash that caused it.
 */
export function timelineRows(timeline: readonly TimelineEntry[]): TimelineRow[] {
  const open = new Map<string, TimelineEntry>();
  return timeline.map((entry) => {
    const key = `${entry.init ? 'i' : 'c'}:${entry.container ?? ''}`;
    if (entry.type === 'ContainerStarted' || entry.type === 'ContainerRestarted') open.set(key, entry);
    if (entry.type !== 'ContainerTerminated') return { entry };
    const start = open.get(key);
    open.delete(key);
    if (!start) return { entry };
    const run = start.type === 'ContainerRestarted' ? `restart #${start.count ?? '?'}` : 'the first run';
    const a = toMillis(start.at);
    const b = toMillis(entry.at);
    return a != null && b != null ? { entry, run, ranSeconds: Math.max(0, (b - a) / 1000) } : { entry, run };
  });
}

function details({ entry: e, run, ranSeconds }: TimelineRow): string {
  const parts: string[] = [];
  if (e.reason) parts.push(e.reason);
  if (e.exitCode != null) parts.push(`exit ${e.exitCode}${e.signal != null ? `, signal ${e.signal}` : ''}`);
  if (run) parts.push(`ends ${run}${ranSeconds != null ? ` (ran ${formatSeconds(ranSeconds)})` : ''}`);
  if (e.type === 'ContainerRestarted' && e.count != null) parts.push(`restart #${e.count}`);
  if (e.type === 'Event' && e.count != null && e.count > 1) parts.push(`×${e.count}`);
  const head = parts.join(', ');
  return e.message ? `${head}${head ? ': ' : ''}${e.message}` : head;
}

export const TIMELINE_COLUMNS: Column<TimelineRow>[] = [
  { name: 'TIME', value: (r) => r.entry.at?.replace('.000Z', 'Z') },
  { name: 'WHAT', value: (r) => r.entry.type },
  {
    name: 'CONTAINER',
    value: (r) => (r.entry.container ? `${r.entry.container}${r.entry.init ? ' (init)' : ''}` : null),
  },
  { name: 'DETAILS', value: details, long: true },
];

// ---- pending ----------------------------------------------------------------------------------

function pendingReason(p: PendingPod): string | null {
  if (p.schedulingGates) return 'SchedulingGated';
  return p.waitingReason ?? p.statusReason ?? (p.unschedulableMessage ? 'Unschedulable' : null);
}

export const PENDING_COLUMNS: Column<PendingPod>[] = [
  cluster(),
  { name: 'NAMESPACE', value: (p) => p.namespace },
  { name: 'NAME', value: (p) => p.name },
  { name: 'READY', value: (p) => readyText(p.ready), sort: (p) => readyShare(p.ready) },
  { name: 'AGE', value: (p) => age(p.ageSeconds), sort: (p) => p.ageSeconds },
  { name: 'STUCK', value: (p) => (p.stuck ? 'yes' : 'no') },
  { name: 'REASON', value: pendingReason },
  { name: 'OWNER', value: (p) => owner(p.owner) },
  {
    name: 'MESSAGE',
    value: (p) => (p.schedulingGates ? `gates: ${p.schedulingGates.join(', ')}` : p.unschedulableMessage),
    long: true,
  },
  { name: 'NODE', value: (p) => p.node, wide: true },
  { name: 'STUCK-AFTER', value: (p) => dur(p.thresholdSeconds), sort: (p) => p.thresholdSeconds, wide: true },
  { name: 'UID', value: (p) => p.uid, wide: true },
];

/** What makes a pending row worth printing again under --watch (its state, not its age). */
export const pendingSignature = (p: PendingPod) =>
  JSON.stringify([
    pendingReason(p),
    p.stuck,
    p.unschedulableMessage,
    p.schedulingGates,
    p.node,
    p.phase,
    readyText(p.ready),
  ]);

// ---- crash loops ------------------------------------------------------------------------------

export function crashLoopColumns(windowSeconds: number, nowMs: number): Column<CrashLoopingPod>[] {
  return [
    cluster(),
    { name: 'NAMESPACE', value: (p) => p.namespace },
    { name: 'NAME', value: (p) => p.name },
    { name: 'READY', value: (p) => readyText(p.ready), sort: (p) => readyShare(p.ready) },
    {
      name: 'RESTARTS',
      // kubectl's "(5m ago)"; a pod stored before it was kept: its last restart's start.
      value: (p) =>
        restartsText(p.kubectlRestarts ?? p.restarts, p.kubectlLastRestartAt ?? p.lastRestartAt, nowMs),
      sort: (p) => p.kubectlRestarts ?? p.restarts,
    },
    { name: `IN-${formatSeconds(windowSeconds).toUpperCase()}`, value: (p) => p.restartsInWindow },
    {
      name: 'LAST-TERMINATION',
      value: (p) =>
        p.lastTerminationReason
          ? `${p.lastTerminationReason}${p.lastExitCode != null ? ` (${p.lastExitCode})` : ''}`
          : null,
    },
    {
      // The back-offs between runs, and the open one counting up to now (docs/lifecycle-metrics.md).
      name: 'BACK-OFF',
      value: (p) =>
        p.openBackOffSeconds != null
          ? `${formatSeconds(p.crashLoopBackOffSeconds + p.openBackOffSeconds)} (open)`
          : dur(p.crashLoopBackOffSeconds),
      sort: (p) => p.crashLoopBackOffSeconds + (p.openBackOffSeconds ?? 0),
    },
    { name: 'AGE', value: (p) => age(p.ageSeconds), sort: (p) => p.ageSeconds },
    { name: 'OWNER', value: (p) => owner(p.owner) },
    { name: 'NODE', value: (p) => p.node, wide: true },
    { name: 'WAITING', value: (p) => p.waitingReason, wide: true },
    { name: 'UID', value: (p) => p.uid, wide: true },
  ];
}

/** What makes a crash-looping row worth printing again under --watch. */
export const crashLoopSignature = (p: CrashLoopingPod) =>
  JSON.stringify([
    p.restarts,
    p.lastRestartAt,
    p.kubectlLastRestartAt,
    p.kubectlRestarts,
    p.lastTerminationReason,
    p.lastExitCode,
    p.waitingReason,
    p.node,
    readyText(p.ready),
  ]);

// ---- statistics (replay, stats) -----------------------------------------------------------------

export interface StatsRow {
  key: string;
  stats: GroupStats;
}

function triple(d: GroupStats['pendingSeconds']): string | null {
  if (d.count === 0) return null;
  return `${formatSeconds(d.p50)}/${formatSeconds(d.p90)}/${formatSeconds(d.p99)}`;
}

export function statsColumns(title: string): Column<StatsRow>[] {
  return [
    { name: title, value: (g) => g.key },
    { name: 'PODS', value: (g) => g.stats.pods, sort: (g) => g.stats.pods },
    {
      name: 'TO-SCHEDULE p50/90/99',
      value: (g) => triple(g.stats.scheduledAfterSeconds),
      sort: (g) => g.stats.scheduledAfterSeconds.p50,
    },
    {
      name: 'PENDING-FOR p50/90/99',
      value: (g) => triple(g.stats.pendingSeconds),
      sort: (g) => g.stats.pendingSeconds.p50,
    },
    {
      name: 'TO-READY p50/90/99',
      value: (g) => triple(g.stats.timeToReadySeconds),
      sort: (g) => g.stats.timeToReadySeconds.p50,
    },
    {
      name: 'BACK-OFF p50/90/99',
      value: (g) => triple(g.stats.crashLoopBackOffSeconds),
      sort: (g) => g.stats.crashLoopBackOffSeconds.p50,
    },
    { name: 'RESTARTS', value: (g) => g.stats.restarts, sort: (g) => g.stats.restarts },
    {
      name: 'TERMINATIONS',
      value: (g) =>
        Object.entries(g.stats.terminationsByReason)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, n]) => `${k}:${n}`)
          .join(' '),
    },
  ];
}
