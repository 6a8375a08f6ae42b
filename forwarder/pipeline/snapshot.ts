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
import { TIME_PATHS, withoutBadTimes } from '../../core/time-bounds.ts';
import { describeZodError } from '../../core/zod-errors.ts';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface SnapshotContext {
  cluster: string;
  /** When the forwarder observed the object (RFC 3339). */
  observedAt: string;
  /** Keep application-written text (`--forward-messages`). */
  forwardMessages: boolean;
  /** Told each time sent as unknown because it is out of range (`path: reason`), for a log line. */
  onBadTime?: (problem: string) => void;
}

/** The pod's own times (the snapshot's `observedAt` is the forwarder's clock). */
const POD_TIME_PATHS = TIME_PATHS.podSnapshot.filter((p) => p !== 'observedAt');

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
  // A time the ingest would refuse (before 2014-06-01, or more than 24 h ahead of the forwarder's
  // clock: a status patched by hand or by a buggy controller) would get the whole delta parked,
  // the pod's good facts with it. It goes as unknown instead, as Kubernetes' zero times do.
  const observed = Date.parse(ctx.observedAt);
  const { value, dropped } = withoutBadTimes(
    snap,
    POD_TIME_PATHS,
    Number.isFinite(observed) ? observed : Date.now(),
  );
  for (const problem of dropped) ctx.onBadTime?.(problem);
  return withheldSnapshot(value, ctx.forwardMessages);
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
