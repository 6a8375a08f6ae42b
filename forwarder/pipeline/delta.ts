/**
 * Stage 5, delta against the ledger: "does this update change anything lifecycle-relevant?"
 * Two answers, one per payload:
 * - Pod Facts (the default): the forwarder keeps, per pod uid, the facts it has sent (a
 *   ledger), and sends only the facts of an update that are news to it (`newFacts`). No news:
 *   nothing is sent.
 * - Pod Snapshot: it remembers a digest of the last compact projection it sent (minus
 *   resourceVersion, which changes on every write) and skips an update whose projection is the same.
 * Either way a label or annotation edit, a resourceVersion bump, a managedFields change or a
 * probe's lastProbeTime sends nothing.
 *
 * Memory: per live pod its ledger (an array of the facts sent, ~1 KB) or one 20-byte digest, plus a
 * bounded set of recently deleted uids (so a DELETED seen twice, e.g. synthesized at a relist
 * and then reported by the informer, is sent once).
 */
import { createHash } from 'node:crypto';
import { type Fact, type FactMap, factsOfSnapshot, joinFacts } from '../../core/facts.ts';
import { KEEP_RUNS } from '../../core/fold.ts';
import type { CompactEvent, CompactPod, PodSnapshot } from '../../core/snapshot.ts';

/**
 * True when two facts of one id say the same to every figure and timeline entry. The latest
 * state, the status reason and the scheduler's verdict carry the order (`at`) of the snapshot
 * they came from, for the join; a newer snapshot that repeats them moves only that order, which
 * nothing reads: not news.
 */
function saysTheSame(a: Fact, b: Fact): boolean {
  if (a.kind === 'latest' && b.kind === 'latest')
    return (
      a.phase === b.phase &&
      a.status === b.status &&
      a.restarts === b.restarts &&
      JSON.stringify(a.waiting) === JSON.stringify(b.waiting)
    );
  if (a.kind === 'status' && b.kind === 'status') return a.reason === b.reason && a.message === b.message;
  if (a.kind === 'unschedulable' && b.kind === 'unschedulable')
    return (
      a.t === b.t &&
      a.message === b.message &&
      a.reason === b.reason &&
      JSON.stringify(a.gates) === JSON.stringify(b.gates)
    );
  return false;
}

/**
 * The facts of `facts` that are news to `sent` (what was already sent for this pod), joined
 * with what was sent; `sent` is updated with them. Empty: the update changes no figure.
 */
export function newFacts(sent: FactMap, facts: readonly Fact[]): Fact[] {
  const out = new Map<string, Fact>();
  for (const f of facts) {
    const old = sent.get(f.id);
    const next = old ? joinFacts(old, f) : f;
    if (next === old || (old && saysTheSame(old, next))) continue;
    sent.set(f.id, next);
    out.set(next.id, next);
  }
  return [...out.values()];
}

/** Digest of the lifecycle-relevant content of a pod: its compact projection without resourceVersion. */
export function podSignature(pod: CompactPod): string {
  const { resourceVersion: _rv, ...rest } = pod;
  return createHash('sha1').update(JSON.stringify(rest)).digest('base64');
}

/** Digest of a compact core/v1 Event (count and lastTimestamp change when it repeats). */
export function eventSignature(ev: CompactEvent): string {
  return createHash('sha1').update(JSON.stringify(ev)).digest('base64');
}

export type Decision = 'send' | 'noop';

/** Insertion-ordered set that forgets its oldest members past `max`. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  add(k: string): void {
    this.items.delete(k);
    this.items.add(k);
    while (this.items.size > this.max) {
      const oldest = this.items.values().next().value as string;
      this.items.delete(oldest);
    }
  }
  has(k: string): boolean {
    return this.items.has(k);
  }
}

export interface LedgerOptions {
  /** How many deleted uids to remember (for skipping a repeated DELETED). */
  maxTombstones?: number;
}

/** Last-sent state per pod uid and per event uid: the ledger. */
export class Ledger {
  private readonly pods = new Map<string, string>();
  /**
   * Pod Facts: the facts sent, per pod uid. A plain array (a Map is made of it for the moment of
   * an update): a small Map per pod costs several hundred bytes more, times 150,000 pods.
   */
  private readonly ledgers = new Map<string, readonly Fact[]>();
  private readonly events = new Map<string, string>();
  private readonly tombstones: BoundedSet;

  constructor(opts: LedgerOptions = {}) {
    this.tombstones = new BoundedSet(opts.maxTombstones ?? 50_000);
  }

  /**
   * Decides for one pod snapshot and, when it is to be sent, records it as sent.
   * DELETED is sent once per uid; an update of an already deleted uid is a no-op.
   * `force` sends an unchanged snapshot anyway (a re-send after the buffer gave it up).
   */
  pod(snap: PodSnapshot, force = false): Decision {
    const uid = snap.pod.uid;
    if (this.tombstones.has(uid)) return 'noop';
    if (snap.type === 'DELETED') {
      this.pods.delete(uid);
      this.tombstones.add(uid);
      return 'send';
    }
    const sig = podSignature(snap.pod);
    if (!force && this.pods.get(uid) === sig) return 'noop';
    this.pods.set(uid, sig);
    return 'send';
  }

  /**
   * Pod Facts: the facts of this snapshot that were not sent yet (recorded as sent), or 'noop'.
   * `force` starts the pod's ledger afresh, so every fact of the snapshot goes (a re-send after
   * the buffer gave an entry up). A DELETED ends the ledger; later updates of the uid are no-ops.
   */
  podFacts(snap: PodSnapshot, force = false): Fact[] | 'noop' {
    const uid = snap.pod.uid;
    if (this.tombstones.has(uid)) return 'noop';
    const before = force ? undefined : this.ledgers.get(uid);
    const sent: FactMap = new Map();
    if (before) for (const f of before) sent.set(f.id, f);
    const delta = newFacts(sent, factsOfSnapshot(snap));
    if (snap.type === 'DELETED') {
      this.ledgers.delete(uid);
      this.tombstones.add(uid);
    } else if (!before || delta.length > 0) {
      this.ledgers.set(uid, trimLedger([...sent.values()]));
    }
    return delta.length ? delta : 'noop';
  }

  /**
   * What was sent for this pod may not have arrived (an entry rejected for good): forget it,
   * so the pod's next update sends all its facts again.
   */
  forgetSent(uid: string): void {
    if (this.ledgers.has(uid)) this.ledgers.set(uid, []);
    if (this.pods.has(uid)) this.pods.set(uid, '');
  }

  /** The facts sent for a live pod (its ledger, canonical order), or undefined. */
  sentFacts(uid: string): Fact[] | undefined {
    const sent = this.ledgers.get(uid);
    return sent && sent.length > 0 ? [...sent] : undefined;
  }

  /**
   * A pod known only by its identity is gone: ends its ledger. False when its DELETED was
   * already sent (nothing to do).
   */
  markDeleted(uid: string): boolean {
    if (this.tombstones.has(uid)) return false;
    this.ledgers.delete(uid);
    this.pods.delete(uid);
    this.tombstones.add(uid);
    return true;
  }

  /** Same for a compact core/v1 Event, keyed by the Event's uid. */
  event(ev: CompactEvent): Decision {
    const sig = eventSignature(ev);
    if (this.events.get(ev.uid) === sig) return 'noop';
    this.events.set(ev.uid, sig);
    return 'send';
  }

  /** The Event object was deleted (TTL): forget it. */
  forgetEvent(uid: string): void {
    this.events.delete(uid);
  }

  /** True when this uid was seen and not deleted. */
  isLive(uid: string): boolean {
    return this.pods.has(uid) || this.ledgers.has(uid);
  }

  /** True when a DELETED was already sent for this uid. */
  isDeleted(uid: string): boolean {
    return this.tombstones.has(uid);
  }

  get livePods(): number {
    return this.pods.size + this.ledgers.size;
  }
}

/**
 * A pod's ledger keeps each container's latest KEEP_RUNS numbered runs: a snapshot carries only a
 * container's current and last run, so an older run can never be news again, and a pod that
 * crash-loops for weeks keeps a bounded ledger (the ingest folds the same runs, fold.ts).
 */
export function trimLedger(facts: Fact[]): Fact[] {
  let runs = 0;
  const newest = new Map<string, number>();
  for (const f of facts) {
    if (f.kind !== 'run' || f.ordinal === null) continue;
    runs++;
    const key = `${f.init ? 'init' : 'app'}/${f.container}`;
    newest.set(key, Math.max(newest.get(key) ?? 0, f.ordinal));
  }
  if (runs <= KEEP_RUNS) return facts;
  return facts.filter(
    (f) =>
      f.kind !== 'run' ||
      f.ordinal === null ||
      f.ordinal > (newest.get(`${f.init ? 'init' : 'app'}/${f.container}`) ?? 0) - KEEP_RUNS,
  );
}
