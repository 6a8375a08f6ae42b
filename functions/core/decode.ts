/**
 * Decoding of the objects a user hands podlife (watch lines, Pods, Pod Lists, core/v1 Events,
 * Event Lists) into compact snapshots and events. Pure: the callers own files and streams.
 * Every rejection carries a reason that names the field, so `FILE:LINE: reason` reads well.
 */
import { z } from 'zod';
import { WatchType } from './kube-schemas.ts';
import { type CompactEvent, compactEventOf, type PodSnapshot, snapshotOf } from './snapshot.ts';

export type Decoded =
  | { kind: 'snapshot'; snapshot: PodSnapshot }
  | { kind: 'event'; cluster: string; event: CompactEvent }
  | { kind: 'skip' };

export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** One line of a zod error: `path.to[0].field: message` for the first issues. */
export function describeZodError(err: z.ZodError, max = 2): string {
  const parts = err.issues.slice(0, max).map((i) => {
    const path = i.path
      .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return path ? `${path}: ${i.message}` : i.message;
  });
  if (err.issues.length > max) parts.push(`(+${err.issues.length - max} more)`);
  return parts.join('; ');
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
}

/**
 * One object → what it says. Lists are expanded by the caller (see `listItems`), so this sees
 * one watch line, Pod or Event at a time. Throws DecodeError with a field-level reason.
 */
export function decodeObject(obj: unknown, ctx: DecodeContext, itemKind?: string): Decoded {
  if (!isObject(obj)) throw new DecodeError('not an object');
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
    if (obj.type === 'ERROR')
      throw new DecodeError(`watch ERROR event: ${JSON.stringify(obj.object).slice(0, 200)}`);
    if (!type.success) throw new DecodeError(`type: not a watch event type (${JSON.stringify(obj.type)})`);
    const inner = obj.object;
    if (isObject(inner) && inner.kind === 'Event') return decodeEvent(inner, ctx, 'object.');
    if (isObject(inner) && inner.kind !== undefined && inner.kind !== 'Pod') {
      throw new DecodeError(`object.kind: not a Pod or Event (${String(inner.kind)})`);
    }
    return {
      kind: 'snapshot',
      snapshot: wrap('object.', () =>
        snapshotOf(inner, { cluster: ctx.cluster, type: type.data, observedAt: ctx.observedAt }),
      ),
    };
  }
  if (obj.kind === 'Event') return decodeEvent(obj, ctx, '');
  if (obj.kind !== undefined && obj.kind !== 'Pod')
    throw new DecodeError(`kind: not a Pod or Event (${String(obj.kind)})`);
  return {
    kind: 'snapshot',
    snapshot: wrap('', () =>
      snapshotOf(obj, { cluster: ctx.cluster, type: 'MODIFIED', observedAt: ctx.observedAt }),
    ),
  };
}

function decodeEvent(obj: Record<string, unknown>, ctx: DecodeContext, prefix: string): Decoded {
  const event = wrap(prefix, () => compactEventOf(obj));
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
