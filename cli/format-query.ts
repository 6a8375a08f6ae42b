/**
 * The listings of the query commands, in the same columns and units as `podlife replay`
 * (cli/columns.ts), printed by the one output module (cli/output.ts), so a pod looks the same
 * whichever command shows it. The string-returning helpers print the default table, as on a
 * pipe (nothing cut).
 */

import type { PodRecord } from '../core/pod-record.ts';
import type { GroupStats } from '../core/stats.ts';
import { safeText } from '../core/terminal-text.ts';
import type { CrashLoopingPod, PendingPod } from '../model/api-schemas.ts';
import {
  crashLoopColumns,
  PENDING_COLUMNS,
  podColumns,
  type StatsRow,
  statsColumns,
  TIMELINE_COLUMNS,
  timelineRows,
} from './columns.ts';
import { type Listing, OUTPUT_FORMATS, type RenderOptions } from './output.ts';

const PIPE: RenderOptions = { headers: true, truncate: false };
const table = <T>(l: Listing<T>, opts: RenderOptions = PIPE) =>
  OUTPUT_FORMATS.table?.render(l as Listing<unknown>, opts) ?? '';

export function pendingListing(pods: readonly PendingPod[]): Listing<PendingPod> {
  return { command: 'pending', rows: pods, columns: PENDING_COLUMNS, empty: 'No Pending pods.' };
}

export function pendingTable(pods: readonly PendingPod[]): string {
  return table(pendingListing(pods));
}

export function crashLoopListing(
  pods: readonly CrashLoopingPod[],
  windowSeconds: number,
  nowMs: number,
): Listing<CrashLoopingPod> {
  return {
    command: 'crashloops',
    rows: pods,
    columns: crashLoopColumns(windowSeconds, nowMs),
    empty: 'No crash-looping pods.',
  };
}

export function crashLoopTable(
  pods: readonly CrashLoopingPod[],
  windowSeconds: number,
  nowMs: number,
): string {
  return table(crashLoopListing(pods, windowSeconds, nowMs));
}

/** One incarnation's story: a header line, then its timeline as a table. */
export function timelineBlock(r: PodRecord): string {
  return timelineBlockWith(r, PIPE);
}

function timelineBlockWith(r: PodRecord, opts: RenderOptions): string {
  const header =
    `${r.namespace}/${r.name}  uid ${r.uid}  cluster ${r.cluster}` +
    (r.owner ? `  owner ${r.owner.kind}/${r.owner.name}` : '') +
    (r.node ? `  node ${r.node}` : '');
  const rows = table(
    { command: 'history', rows: timelineRows(r.timeline), columns: TIMELINE_COLUMNS },
    { ...opts, headers: true },
  );
  return `${safeText(header)}\n${rows}`;
}

/** `podlife history`: the figures of every incarnation (newest first), then each one's timeline. */
export function historyListing(records: readonly PodRecord[], nowMs: number): Listing<PodRecord> {
  return {
    command: 'history',
    rows: records,
    columns: podColumns(nowMs),
    after: (opts) => records.map((r) => timelineBlockWith(r, opts)),
  };
}

export function historyOutput(records: readonly PodRecord[], nowMs = Date.now()): string {
  return table(historyListing(records, nowMs));
}

/** `podlife stats` and replay: the scope's total first (kept first by --sort-by), then its groups. */
export function statsListing(
  command: string,
  title: string,
  rows: readonly StatsRow[],
  opts: { pinned?: number; data?: unknown } = {},
): Listing<StatsRow> {
  return {
    command,
    rows,
    columns: statsColumns(title),
    ...(opts.pinned !== undefined ? { pinned: opts.pinned } : {}),
    ...(opts.data !== undefined ? { data: opts.data } : {}),
  };
}

export function statsOutput(
  title: string,
  scope: string,
  total: GroupStats,
  groups: { key: string; stats: GroupStats }[],
): string {
  return table(
    statsListing('stats', title, [{ key: `${scope} (all)`, stats: total }, ...groups], { pinned: 1 }),
  );
}
