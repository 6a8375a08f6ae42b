/**
 * Stage 3, snapshot: a trimmed Pod (or core/v1 Event) → the contract's compact snapshot
 * (core/snapshot.ts), with application-written text withheld unless `forwardMessages`
 * (core/free-text.ts). Withholding happens here, before the ledger and every payload, so what is
 * withheld is never compared, kept or sent. Each function throws when the object does not fit
 * the contract (`invalidReason` says why, for the log line).
 */
import { withholdEventText, withholdSnapshotText } from '../../core/free-text.ts';
import {
  type CompactEvent,
  compactEventOf,
  PodEventSnapshot,
  type PodSnapshot,
  SCHEMA_VERSION,
  snapshotOf,
} from '../../core/snapshot.ts';
import { describeZodError } from '../../core/zod-errors.ts';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface SnapshotContext {
  cluster: string;
  /** When the forwarder observed the object (RFC 3339). */
  observedAt: string;
  /** Keep application-written text (`--forward-messages`). */
  forwardMessages: boolean;
}

/** A snapshot with application text withheld, unless `forwardMessages`. */
export function withheldSnapshot(snap: PodSnapshot, forwardMessages: boolean): PodSnapshot {
  return forwardMessages ? snap : withholdSnapshotText(snap);
}

/** A compact Event with application text withheld, unless `forwardMessages`. */
export function withheldEvent(ev: CompactEvent, forwardMessages: boolean): CompactEvent {
  return forwardMessages ? ev : withholdEventText(ev);
}

/** A Pod's snapshot. Throws when the Pod does not fit the contract. */
export function podSnapshot(raw: unknown, type: WatchType, ctx: SnapshotContext): PodSnapshot {
  const snap = snapshotOf(raw, { cluster: ctx.cluster, type, observedAt: ctx.observedAt });
  return withheldSnapshot(snap, ctx.forwardMessages);
}

/** A core/v1 Event's compact form, or undefined when it is not about a pod. Throws when invalid. */
export function podEvent(raw: unknown, forwardMessages: boolean): CompactEvent | undefined {
  const compact = compactEventOf(raw);
  return compact && withheldEvent(compact, forwardMessages);
}

/** The `Pod Event` detail of a compact Event. Throws when it does not fit the contract. */
export function podEventSnapshot(event: CompactEvent, ctx: Omit<SnapshotContext, 'forwardMessages'>) {
  return PodEventSnapshot.parse({
    schemaVersion: SCHEMA_VERSION,
    cluster: ctx.cluster,
    observedAt: ctx.observedAt,
    event,
  });
}

/** Why an object did not fit the contract, for a log line (never the object itself). */
export function invalidReason(err: unknown): string {
  return err instanceof Error && 'issues' in err ? describeZodError(err as never) : String(err).slice(0, 200);
}
