/**
 * Index items → the rows the query API answers with and the sweep alerts on. Pure functions of
 * a stored item's figure attributes (what the indexes project) and `now`; the pod's identity
 * comes from the table keys that every index carries (`podIdentityOfKey`).
 */
import type { FigureRow } from '../core/stats.ts';
import { toIso } from '../core/time.ts';
import type { CrashLoopingPod, PendingPod, PodOwner, PodRowBase } from './api-schemas.ts';
import { podIdentityOfKey } from './keys.ts';

type Item = Record<string, unknown>;

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
  const id = podIdentityOfKey(String(item.pk), String(item.sk));
  if (!id) throw new Error(`not a pod item: ${String(item.pk)} / ${String(item.sk)}`);
  return id;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function ownerOf(item: Item): PodOwner | null {
  const kind = str(item.ownerKind);
  const name = str(item.ownerName);
  return kind && name ? { kind, name } : null;
}

function ageOf(item: Item, nowMs: number): number | null {
  const created = str(item.createdAt);
  const ms = created ? Date.parse(created) : Number.NaN;
  return Number.isFinite(ms) ? Math.max(0, (nowMs - ms) / 1000) : null;
}

/** What every pod row shares: identity, owner, node, phase, creation and age at `nowMs`. */
function rowBaseOf(item: Item, nowMs: number): PodRowBase {
  return {
    ...identityOf(item),
    owner: ownerOf(item),
    node: str(item.node),
    phase: str(item.phase) ?? 'Unknown',
    createdAt: str(item.createdAt),
    ageSeconds: ageOf(item, nowMs),
  };
}

/** `schedulingGates` of a gated pod's item (a list of names), or nothing. */
function gatesOf(item: Item): { schedulingGates?: string[] } {
  const raw = item.schedulingGates;
  const list = Array.isArray(raw) ? raw : raw instanceof Set ? [...raw] : [];
  const names = list.filter((g): g is string => typeof g === 'string');
  return Array.isArray(raw) || raw instanceof Set ? { schedulingGates: names } : {};
}

/** A pending-index item as a Pending pod: age, scheduler's message, owner, and stuck or not. */
export function pendingPodOf(item: Item, nowMs: number, thresholds: PendingThresholds): PendingPod {
  const base = rowBaseOf(item, nowMs);
  const { ageSeconds } = base;
  const thresholdSeconds = thresholdFor(thresholds, base.namespace);
  return {
    ...base,
    waitingReason: str(item.waitingReason),
    unschedulableMessage: str(item.unschedulableMessage),
    ...gatesOf(item),
    statusReason: str(item.statusReason),
    thresholdSeconds,
    stuck: ageSeconds != null && ageSeconds > thresholdSeconds,
  };
}

/** Restart start times (epoch s) on a crash-looping item, oldest first. */
export function restartTimesOfItem(item: Item): number[] {
  const raw = item.restartTimes;
  const list = Array.isArray(raw) ? raw : raw instanceof Set ? [...raw] : [];
  return list.filter((t): t is number => typeof t === 'number').sort((a, b) => a - b);
}

/** A crashLooping-index item as a crash-looping pod, with its restarts in the window before now. */
export function crashLoopingPodOf(item: Item, nowMs: number, windowSeconds: number): CrashLoopingPod {
  const times = restartTimesOfItem(item);
  const from = nowMs / 1000 - windowSeconds;
  const last = times.at(-1);
  return {
    ...rowBaseOf(item, nowMs),
    restarts: num(item.restarts) ?? 0,
    restartsInWindow: times.filter((t) => t >= from && t <= nowMs / 1000).length,
    lastRestartAt: last != null ? toIso(last * 1000) : null,
    lastTerminationReason: str(item.lastTerminationReason),
    lastExitCode: num(item.lastExitCode),
    crashLoopBackOffSeconds: num(item.crashLoopBackOffSeconds) ?? 0,
    waitingReason: str(item.waitingReason),
  };
}

/** `namespace/Kind/name`: the owner key of replay's owner table, for stats grouping. */
export function ownerGroupOf(item: Item): string | null {
  const owner = ownerOf(item);
  return owner ? `${identityOf(item).namespace}/${owner.kind}/${owner.name}` : null;
}

/** The figures `statsOf` reads, from a stored item's figure attributes (absent → null). */
export function figureRowOf(item: Item): Required<FigureRow> {
  return {
    scheduledAfterSeconds: num(item.scheduledAfterSeconds),
    pendingSeconds: num(item.pendingSeconds),
    timeToReadySeconds: num(item.timeToReadySeconds),
    crashLoopBackOffSeconds: num(item.crashLoopBackOffSeconds),
    restarts: num(item.restarts),
    lastTerminationReason: str(item.lastTerminationReason),
  };
}
