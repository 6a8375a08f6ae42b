/**
 * Index items → the rows the query API answers with and the sweep alerts on. Pure functions of
 * a stored item's figure attributes (what the indexes project) and `now`; the pod's identity
 * comes from the table keys that every index carries (`podIdentityOfKey`).
 */
import type { PodView } from '../core/figures.ts';
import type { PodRecord } from '../core/pod-record.ts';
import type { FigureRow } from '../core/stats.ts';
import { toIso } from '../core/time.ts';
import type { CrashLoopingPod, PendingPod, PodOwner, PodRowBase } from './api-schemas.ts';
import { type PodRowItem, PodRowItemSchema, parseItem, STARTUP_KEYS } from './items.ts';
import { podIdentityOfKey } from './keys.ts';

type Item = Record<string, unknown>;

/**
 * Where a pod's creation time comes from: its `creationTimestamp`, or, when Kubernetes gave none
 * (some published fixtures, hand-written manifests), the first time its facts show (the earliest
 * time in its timeline) standing in. docs/lifecycle-metrics.md ("Creation time").
 */
export type CreatedAtSource = 'creationTimestamp' | 'firstSeen';

/**
 * The time a pod counts as created at, for the index keys (so /stats, /pending and the dashboard
 * count every pod replay does) and the rows: the creation time, else its stand-in; null only
 * for a pod whose facts hold no time at all. A pure function of the record, hence of the facts:
 * the same in any delivery order.
 */
export function createdAtOf(
  rec: Pick<PodRecord, 'timeline'>,
): { at: string; source: CreatedAtSource } | null {
  const created = rec.timeline.find((e) => e.type === 'Created')?.at;
  if (created) return { at: created, source: 'creationTimestamp' };
  // The timeline is in time order, entries without a time last.
  const first = rec.timeline.find((e) => e.at != null)?.at;
  return first ? { at: first, source: 'firstSeen' } : null;
}

/** The time part of an index sort key (`createdIso#uid`), or null for a pod with no time (`0000#uid`). */
export function createdOfKey(key: string | null | undefined): string | null {
  const at = key?.slice(0, key.indexOf('#')) ?? '';
  return /^\d{4}-\d{2}-\d{2}T/.test(at) ? at : null;
}

/**
 * The open back-off of a crash-looping pod: since when the container waiting in CrashLoopBackOff
 * has been waiting, i.e. its last termination (epoch ms), or null when the pod is not waiting in
 * CrashLoopBackOff or that termination's time is unknown. It is stored on the item
 * (`backOffSince`); the rows turn it into seconds up to `now` (`openBackOffSeconds`).
 */
export function backOffSinceOf(v: PodView): number | null {
  const waiting = v.get<'latest'>('latest')?.waiting;
  if (waiting?.reason !== 'CrashLoopBackOff') return null;
  let since: number | null = null;
  for (const r of v.runs) {
    const t = r.container === waiting.container ? r.term?.finishedAt : null;
    if (t != null && (since == null || t > since)) since = t;
  }
  for (const f of v.runFolds) {
    const t = f.container === waiting.container ? f.segs.at(-1)?.[3] : null;
    if (t != null && (since == null || t > since)) since = t;
  }
  return since;
}

/** The waiting reason of every crash-looping item (`isCrashLooping`), which it does not repeat. */
const CRASH_LOOP_BACK_OFF = 'CrashLoopBackOff';

/** The stuck-Pending thresholds: one for all namespaces, overridable per namespace. */
export interface PendingThresholds {
  defaultSeconds: number;
  /** namespace → seconds. */
  overrides: Readonly<Record<string, number>>;
}

export function thresholdFor(t: PendingThresholds, namespace: string): number {
  return (Object.hasOwn(t.overrides, namespace) ? t.overrides[namespace] : undefined) ?? t.defaultSeconds;
}

/** The lowest threshold of any namespace: how old a pod must be before any could be stuck. */
export function minThreshold(t: PendingThresholds): number {
  return Math.min(t.defaultSeconds, ...Object.values(t.overrides));
}

export interface PodIdentity {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
}

/** Identity of an index or table item from its table keys. */
export function identityOf(item: Item): PodIdentity {
  const { pk, sk } = parseItem(PodRowItemSchema, item, 'pod');
  return identityOfKey(pk, sk);
}

function identityOfKey(pk: string, sk: string): PodIdentity {
  const id = podIdentityOfKey(pk, sk);
  if (!id) throw new Error(`not a pod item: ${pk} / ${sk}`);
  return id;
}

function ownerOfRow(row: PodRowItem): PodOwner | null {
  return row.ownerKind && row.ownerName ? { kind: row.ownerKind, name: row.ownerName } : null;
}

export function ownerOf(item: Item): PodOwner | null {
  return ownerOfRow(parseItem(PodRowItemSchema, item, 'pod'));
}

/** Seconds from `iso` to `nowMs` (never negative), or null without a time. */
function secondsSince(iso: string | null | undefined, nowMs: number): number | null {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? Math.max(0, (nowMs - ms) / 1000) : null;
}

/**
 * What every pod row shares: identity, owner, node, phase, creation and age at `nowMs`. A pod
 * without a creationTimestamp has its first-seen time in the index key (`createdAtOf`): the row
 * gives it, marked `createdAtSource: "firstSeen"`.
 */
function rowBaseOf(row: PodRowItem, nowMs: number): PodRowBase {
  // `createdAt` "" (the compact form): the creationTimestamp is createdKey's time.
  const fromKey = createdOfKey(row.createdKey);
  const createdAt = row.createdAt || fromKey;
  const source = row.createdAt != null && (row.createdAt !== '' || fromKey) ? 'creationTimestamp' : null;
  return {
    ...identityOfKey(row.pk, row.sk),
    owner: ownerOfRow(row),
    node: row.node ?? null,
    phase: row.phase ?? 'Unknown',
    createdAt,
    createdAtSource: source ?? (createdAt ? 'firstSeen' : null),
    ageSeconds: secondsSince(createdAt, nowMs),
  };
}

/** kubectl's READY of a Pending or crash-looping item (`1/2` stored), or null without it. */
function readyOfRow(row: PodRowItem): { ready: number; total: number } | null {
  const m = row.ready ? /^(\d+)\/(\d+)$/.exec(row.ready) : null;
  return m ? { ready: Number(m[1]), total: Number(m[2]) } : null;
}

/** `schedulingGates` of a gated pod's item (a list of names, or a string set), or nothing. */
function gatesOf(row: PodRowItem): { schedulingGates?: string[] } {
  const raw = row.schedulingGates;
  return raw ? { schedulingGates: [...raw] } : {};
}

/** A pending-index item as a Pending pod: age, scheduler's message, owner, and stuck or not. */
export function pendingPodOf(item: Item, nowMs: number, thresholds: PendingThresholds): PendingPod {
  const row = parseItem(PodRowItemSchema, item, 'pod');
  const base = rowBaseOf(row, nowMs);
  const { ageSeconds } = base;
  const thresholdSeconds = thresholdFor(thresholds, base.namespace);
  return {
    ...base,
    ready: readyOfRow(row),
    waitingReason: row.waitingReason ?? null,
    unschedulableMessage: row.unschedulableMessage ?? null,
    ...gatesOf(row),
    statusReason: row.statusReason ?? null,
    thresholdSeconds,
    stuck: ageSeconds != null && ageSeconds > thresholdSeconds,
  };
}

function restartTimesOfRow(row: PodRowItem): number[] {
  const raw = row.restartTimes;
  const list = raw instanceof Set ? [...raw] : (raw ?? []);
  return [...list].sort((a, b) => a - b);
}

/** Restart start times (epoch s) on a crash-looping item, oldest first. */
export function restartTimesOfItem(item: Item): number[] {
  return restartTimesOfRow(parseItem(PodRowItemSchema, item, 'pod'));
}

/** A crashLooping-index item as a crash-looping pod, with its restarts in the window before now. */
export function crashLoopingPodOf(item: Item, nowMs: number, windowSeconds: number): CrashLoopingPod {
  const row = parseItem(PodRowItemSchema, item, 'pod');
  const times = restartTimesOfRow(row);
  // Epoch ms on the item (ISO on items written before issue 12's compact form).
  const since = typeof row.backOffSince === 'number' ? toIso(row.backOffSince) : (row.backOffSince ?? null);
  const from = nowMs / 1000 - windowSeconds;
  const last = times.at(-1);
  return {
    ...rowBaseOf(row, nowMs),
    ready: readyOfRow(row),
    restarts: row.restarts ?? 0,
    restartsInWindow: times.filter((t) => t >= from && t <= nowMs / 1000).length,
    lastRestartAt: last != null ? toIso(last * 1000) : null,
    // kubectl's "(5m ago)" and RESTARTS: kept on the item only where they differ from
    // backOffSince and restarts (podItemOf), which stand in for them otherwise. An item written
    // before either was kept reads the same way (kubectl's answer for the waiting container).
    kubectlLastRestartAt: row.lastRestart != null ? toIso(row.lastRestart) : since,
    kubectlRestarts: row.kRestarts ?? row.restarts ?? null,
    lastTerminationReason: row.lastTerminationReason ?? null,
    lastExitCode: row.lastExitCode ?? null,
    crashLoopBackOffSeconds: row.crashLoopBackOffSeconds ?? 0,
    backOffOpenSince: since,
    openBackOffSeconds: secondsSince(since, nowMs),
    // A crash-looping item omits it (pod-item.ts): its crashKey says CrashLoopBackOff.
    waitingReason: row.waitingReason ?? (row.crashKey ? CRASH_LOOP_BACK_OFF : null),
  };
}

/** `namespace/Kind/name`: the owner key of replay's owner table, for stats grouping. */
function ownerGroupOfRow(row: PodRowItem): string | null {
  const owner = ownerOfRow(row);
  return owner ? `${identityOfKey(row.pk, row.sk).namespace}/${owner.kind}/${owner.name}` : null;
}

/** A startup figure from the item's `startup` map (absent: null, as for an item stored before it). */
function startupOf(row: PodRowItem, figure: keyof typeof STARTUP_KEYS): number | null {
  return row.startup?.[STARTUP_KEYS[figure]] ?? null;
}

function figuresOfRow(row: PodRowItem): Required<FigureRow> {
  return {
    scheduledAfterSeconds: row.scheduledAfterSeconds ?? null,
    pendingSeconds: row.pendingSeconds ?? null,
    timeToReadySeconds: row.timeToReadySeconds ?? null,
    crashLoopBackOffSeconds: row.crashLoopBackOffSeconds ?? null,
    restarts: row.restarts ?? null,
    lastTerminationReason: row.lastTerminationReason ?? null,
    sandboxReadyAfterSeconds: startupOf(row, 'sandboxReadyAfterSeconds'),
    initializedAfterSeconds: startupOf(row, 'initializedAfterSeconds'),
    imagePullSeconds: startupOf(row, 'imagePullSeconds'),
    containersStartedAfterSeconds: startupOf(row, 'containersStartedAfterSeconds'),
    containersReadyAfterSeconds: startupOf(row, 'containersReadyAfterSeconds'),
    startupSliSeconds: startupOf(row, 'startupSliSeconds'),
  };
}

/** The figures `statsOf` reads, from a stored item's figure attributes (absent → null). */
export function figureRowOf(item: Item): Required<FigureRow> {
  return figuresOfRow(parseItem(PodRowItemSchema, item, 'pod'));
}

/** What the stats route needs of one item, parsed once: its figures and its two group keys. */
export interface StatsRow extends Required<FigureRow> {
  namespace: string;
  /** `namespace/Kind/name`, or null for a pod without an owner. */
  ownerGroup: string | null;
  /** The pod's node, or null while it has none (never scheduled). */
  node: string | null;
}

export function statsRowOf(item: Item): StatsRow {
  const row = parseItem(PodRowItemSchema, item, 'pod');
  return {
    ...figuresOfRow(row),
    namespace: identityOfKey(row.pk, row.sk).namespace,
    ownerGroup: ownerGroupOfRow(row),
    node: row.node ?? null,
  };
}
