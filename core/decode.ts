/**
 * Decoding of the objects a user hands podlife (watch lines, Pods, Pod Lists, core/v1 Events,
 * Event Lists) into compact snapshots and events. Pure: the callers own files and streams.
 * Every rejection carries a reason that names the field, so `FILE:LINE: reason` reads well.
 */
import { z } from 'zod';
import { type ParsedDetail, parseDetail } from './bus-contract.ts';
import type { Fact } from './facts.ts';
import { WatchType } from './kube-schemas.ts';
import type { PodFactsDetail } from './pod-facts.ts';
import {
  type CompactEvent,
  compactEventOf,
  type PodSnapshot,
  type SnapshotContext,
  snapshotOf,
} from './snapshot.ts';
import { checkTimes, TIME_PATHS } from './time-bounds.ts';
import { describeZodError, shown } from './zod-errors.ts';

export { describeZodError };

export type Decoded =
  | { kind: 'snapshot'; snapshot: PodSnapshot }
  | { kind: 'event'; cluster: string; event: CompactEvent }
  | { kind: 'facts'; cluster: string; uid: string; detail: PodFactsDetail; facts: Fact[] }
  | { kind: 'skip' };

export class DecodeError extends Error {
  override name = 'DecodeError';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function wrap<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof z.ZodError) throw new DecodeError(`${prefix}${describeZodError(err)}`);
    throw err;
  }
}

export interface DecodeContext {
  cluster: string;
  /** Observation time to stamp on snapshots (e.g. a recording's timestamp). */
  observedAt?: string;
  /**
   * When the input is received (epoch ms; replay: the wall clock): no time in it may be later
   * than this plus the clock-skew allowance (core/time-bounds.ts).
   */
  now: number;
}

/** Throws DecodeError naming the first time of `value` out of range, if any. */
function assertTimes(value: unknown, paths: readonly string[], ctx: DecodeContext, prefix: string): void {
  const bad = checkTimes(value, paths, ctx.now) ?? checkTimes(ctx, ['observedAt'], ctx.now);
  if (bad) throw new DecodeError(`${prefix}${bad}`);
}

/**
 * One object → what it says. Lists are expanded by the caller (see `listItems`), so this sees
 * one watch line, Pod or Event at a time. Throws DecodeError with a field-level reason.
 */
function snapshotContext(ctx: DecodeContext, type: SnapshotContext['type']): SnapshotContext {
  return ctx.observedAt === undefined
    ? { cluster: ctx.cluster, type }
    : { cluster: ctx.cluster, type, observedAt: ctx.observedAt };
}

export function decodeObject(obj: unknown, ctx: DecodeContext, itemKind?: string): Decoded {
  if (!isObject(obj)) throw new DecodeError('not an object');
  // An EventBridge event from the podlife bus (an archive, a capture): it names its own cluster.
  if ('detail-type' in obj && 'source' in obj && 'detail' in obj) {
    const { source, 'detail-type': detailType } = obj;
    if (typeof source !== 'string') throw new DecodeError(`source: not a string (${shown(source)})`);
    if (typeof detailType !== 'string')
      throw new DecodeError(`detail-type: not a string (${shown(detailType)})`);
    return decodedOf(parseDetail(source, detailType, obj.detail, ctx.now));
  }
  // List items often omit kind: take it from the List (PodList, EventList) or from the shape.
  if (
    obj.kind === undefined &&
    (itemKind === 'Event' || (itemKind === undefined && 'involvedObject' in obj))
  ) {
    return decodeEvent(obj, ctx, '');
  }
  // A watch line: {"type": ..., "object": {...}}, keys in any order.
  if ('object' in obj && 'type' in obj && !('metadata' in obj)) {
    const type = WatchType.safeParse(obj.type);
    if (obj.type === 'BOOKMARK') return { kind: 'skip' };
    if (obj.type === 'ERROR') throw new DecodeError(`watch ERROR event: ${shown(obj.object, 200)}`);
    if (!type.success) throw new DecodeError(`type: not a watch event type (${shown(obj.type)})`);
    const inner = obj.object;
    if (isObject(inner) && inner.kind === 'Event') return decodeEvent(inner, ctx, 'object.');
    if (isObject(inner) && inner.kind !== undefined && inner.kind !== 'Pod') {
      throw new DecodeError(`object.kind: not a Pod or Event (${shown(inner.kind)})`);
    }
    const snapshot = wrap('object.', () => snapshotOf(inner, snapshotContext(ctx, type.data)));
    assertTimes(inner, TIME_PATHS.kubePod, ctx, 'object.');
    return { kind: 'snapshot', snapshot };
  }
  if (obj.kind === 'Event') return decodeEvent(obj, ctx, '');
  if (obj.kind !== undefined && obj.kind !== 'Pod')
    throw new DecodeError(`kind: not a Pod or Event (${shown(obj.kind)})`);
  const snapshot = wrap('', () => snapshotOf(obj, snapshotContext(ctx, 'MODIFIED')));
  assertTimes(obj, TIME_PATHS.kubePod, ctx, '');
  return { kind: 'snapshot', snapshot };
}

function decodedOf(p: ParsedDetail): Decoded {
  if (!p.ok) throw new DecodeError(p.reason);
  if (p.kind === 'snapshot') return { kind: 'snapshot', snapshot: p.snapshot };
  if (p.kind === 'event') return { kind: 'event', cluster: p.cluster, event: p.event };
  // A forwarder's heartbeat says nothing about a pod: a captured one replays as nothing.
  if (p.kind === 'heartbeat') return { kind: 'skip' };
  // An inventory acts on stored pods after a gap; a replay has no gap: a captured one replays as nothing.
  if (p.kind === 'inventory') return { kind: 'skip' };
  return { kind: 'facts', cluster: p.detail.cluster, uid: p.detail.uid, detail: p.detail, facts: p.facts };
}

function decodeEvent(obj: Record<string, unknown>, ctx: DecodeContext, prefix: string): Decoded {
  const event = wrap(prefix, () => compactEventOf(obj));
  if (event) assertTimes(obj, TIME_PATHS.kubeEvent, ctx, prefix);
  return event ? { kind: 'event', cluster: ctx.cluster, event } : { kind: 'skip' };
}

/** True when the object is a List (PodList, EventList, kubectl's `List`). */
export function isList(obj: unknown): obj is { kind: string; items: unknown[] } {
  return (
    isObject(obj) && Array.isArray(obj.items) && typeof obj.kind === 'string' && obj.kind.endsWith('List')
  );
}

/** The kind of a List's items when the List says it (`PodList` → `Pod`), else undefined. */
export function itemKindOf(list: { kind: string }): string | undefined {
  return list.kind === 'List' ? undefined : list.kind.slice(0, -'List'.length);
}
