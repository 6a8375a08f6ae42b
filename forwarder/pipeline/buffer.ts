/**
 * Stage 7, buffer: the bounded buffer of encoded entries in front of the send loop. It merges a
 * pod's new delta into its entry still waiting (`merge`), lets entries linger so that merges can
 * happen, hands out what is ready (in the order entries became due), and stays bounded.
 *
 * - Linger policy. Each delta comes with a class (delta.ts `classifyNews`): `urgent` (news that
 *   matters soon: ready, a terminal phase, the pod gone, a new termination reason, a
 *   verdict...), `routine` (a repeat or an expected step on the way to Ready: first sight,
 *   scheduled, initialized, a started container not ready yet; a container restarting
 *   inside a back-off loop, the same crash again, a pull back-off retry, an Event's count bump,
 *   a started container not yet ready, a deletion's Terminating before its DELETED) or
 *   `neutral` (says nothing either way: kubectl's columns, restart counts...). A waiting entry's
 *   deltas are joined (`LingerState`: earliest and latest delta, earliest urgent delta, any
 *   routine one: min, max, min, or; commutative, associative, idempotent), and when it is due is
 *   a function of that join alone (`dueAt`):
 *   - urgent (an urgent delta, or no routine one): `keyLingerMs` after its latest delta, at
 *     most `maxKeyLingerMs` after its first urgent delta;
 *   - routine (routine deltas and no urgent one): `routineLingerMs` after its first delta,
 *     rounded up to a whole `routineTickMs` (so that routine entries become due together, in
 *     full PutEvents batches);
 *   and never later than max(`routineLingerMs` + `routineTickMs`, `maxKeyLingerMs`) after its
 *   first delta.
 *   Merging keeps the entry's first time. An urgent entry older than `maxKeyLingerMs` -
 *   `keyLingerMs` (since its first urgent delta), or any entry older than that outer bound, is no
 *   longer taken back: it goes as it is and the newer delta waits on its own, after it. A pod has
 *   at most one entry not yet due, its newest, so its entries leave in the order of their deltas.
 *   On shutdown (`closing`) nothing lingers.
 * - Bound. The buffer holds at most `maxBufferEntries` entries and `maxBufferBytes` bytes. When
 *   full it drops, oldest first, a *superseded* snapshot: one whose pod has a newer snapshot in
 *   the buffer. A pod's latest snapshot is never dropped for that; if nothing superseded is
 *   left, the oldest latest snapshot is pushed out as `deferred`: the pod is handed to
 *   `onDeferred`, which marks it, and its then-current state is re-read from the informer cache
 *   and enqueued again when the buffer has room. So under a sustained outage memory stays
 *   bounded, intermediate snapshots are what is given up, and every pod's latest state still
 *   reaches the bus once it is back. Every drop is counted by reason.
 */
import { canonicalFacts, type Fact, mergeFactMaps } from '../../core/facts.ts';
import type { ForwarderMetrics } from '../metrics.ts';
import type { Entry } from '../sinks.ts';

/**
 * How soon a delta's news matters (delta.ts `classifyNews` decides): `urgent` lingers
 * `keyLingerMs`, `routine` up to `routineLingerMs`, `neutral` follows the rest of its entry
 * (alone: urgent).
 */
export type NewsClass = 'urgent' | 'routine' | 'neutral';
export const NEWS_CLASSES: readonly NewsClass[] = ['urgent', 'routine', 'neutral'];

/**
 * The join of a waiting entry's deltas, as far as lingering goes: a pure, order-free summary
 * (min, max, min, or), so the entry's due time is the same whatever order its deltas came in,
 * and a delta merged twice changes nothing.
 */
export interface LingerState {
  /** When the earliest delta was enqueued. */
  first: number;
  /** When the latest delta was enqueued. */
  last: number;
  /** When the earliest urgent delta was enqueued (undefined: none). */
  urgent: number | undefined;
  /** Some delta is routine. */
  routine: boolean;
}

/** One delta's linger state: enqueued at `at`, of class `news`. */
export function lingerOf(at: number, news: NewsClass): LingerState {
  return { first: at, last: at, urgent: news === 'urgent' ? at : undefined, routine: news === 'routine' };
}

const minDefined = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** The join of two linger states (commutative, associative, idempotent). */
export function joinLinger(a: LingerState, b: LingerState): LingerState {
  return {
    first: Math.min(a.first, b.first),
    last: Math.max(a.last, b.last),
    urgent: minDefined(a.urgent, b.urgent),
    routine: a.routine || b.routine,
  };
}

/** The entry lingers as urgent news: an urgent delta, or no routine one (neutral alone). */
export function isUrgent(s: LingerState): boolean {
  return s.urgent !== undefined || !s.routine;
}

/** The buffer's timing: the urgent linger, its bound, and the routine linger (ms). */
export interface LingerPolicy {
  keyLingerMs: number;
  maxKeyLingerMs: number;
  routineLingerMs: number;
  /** Routine entries are due on whole multiples of this (0: not rounded). */
  routineTickMs?: number | undefined;
}

/** The outer bound: no entry waits longer than this after its first delta. */
export function outerBound(p: LingerPolicy): number {
  return Math.max(p.routineLingerMs + (p.routineTickMs ?? 0), p.maxKeyLingerMs);
}

/** When an entry of this linger state may be sent (see the file comment); a function of `s` alone. */
export function dueAt(s: LingerState, p: LingerPolicy): number {
  const cap = s.first + outerBound(p);
  if (!isUrgent(s)) {
    const tick = p.routineTickMs ?? 0;
    const t = s.first + p.routineLingerMs;
    return Math.min(tick > 0 ? Math.ceil(t / tick) * tick : t, cap);
  }
  const since = s.urgent ?? s.first;
  return Math.min(s.last + p.keyLingerMs, since + p.maxKeyLingerMs, cap);
}

/** What the buffer knows about an entry, enough to re-read the pod (or event) later. */
export interface EntryMeta {
  /** `pod:<uid>` or `event:<uid>`: entries with the same key supersede each other. */
  key: string;
  kind: 'pod' | 'event';
  uid: string;
  namespace: string;
  name: string;
  /** The entry is the pod's DELETED snapshot. */
  deleted: boolean;
}

export interface Outgoing {
  meta: EntryMeta;
  entry: Entry;
  size: number;
  /**
   * The facts of a `Pod Facts` entry (a delta). A delta never supersedes an earlier entry of
   * its pod (each carries facts the other lacks); the unsent one is instead taken back
   * (`merge`) and the join of both enqueued.
   */
  facts?: readonly Fact[] | undefined;
  /** When the oldest delta merged into this entry was enqueued (set by the buffer). */
  first?: number | undefined;
  /**
   * The join of the linger states of the deltas merged into this entry (set by `merge`; absent:
   * one neutral delta enqueued now, first at `first`).
   */
  linger?: LingerState | undefined;
  /**
   * When the entry this one replaces became ready to send, if it was (set by `merge`): a merged
   * entry still due keeps its place in the partial batch's wait for company.
   */
  readySince?: number | undefined;
}

/** A buffered entry. */
export interface Item extends Outgoing {
  first: number;
  linger: LingerState;
  /** When it may be sent (`dueAt` of its linger state; closing: now). */
  due: number;
  /** When it became (or becomes) ready: its due time, its enqueue time if later, or `readySince`. */
  ready: number;
  seq: number;
  at: number;
  inflight: boolean;
  attempts: number;
  superseded: boolean;
}

/** A pod's delta joined with its entry still waiting in the buffer (if any). */
export interface Merged {
  meta: EntryMeta;
  facts: readonly Fact[];
  first: number | undefined;
  linger: LingerState;
  readySince: number | undefined;
}

/** A min-heap of [key, sequence number] pairs: by key, then the older first. */
class Heap {
  private readonly a: [number, number][] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): [number, number] | undefined {
    return this.a[0];
  }
  clear(): void {
    this.a.length = 0;
  }
  push(key: number, seq: number): void {
    const a = this.a;
    a.push([key, seq]);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(p, i);
      i = p;
    }
  }
  pop(): [number, number] | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined) return undefined;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(l, m)) m = l;
        if (r < a.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(m, i);
        i = m;
      }
    }
    return top;
  }
  private less(i: number, j: number): boolean {
    const x = this.a[i];
    const y = this.a[j];
    if (!x || !y) return false;
    return x[0] !== y[0] ? x[0] < y[0] : x[1] < y[1];
  }
  private swap(i: number, j: number): void {
    const a = this.a;
    const x = a[i];
    const y = a[j];
    if (x === undefined || y === undefined) return;
    a[i] = y;
    a[j] = x;
  }
}

export interface BufferOptions {
  metrics: ForwarderMetrics;
  now: () => number;
  maxBufferEntries?: number | undefined;
  maxBufferBytes?: number | undefined;
  /** How long an urgent entry waits after its latest delta, so that a newer delta can join it. */
  keyLingerMs?: number | undefined;
  /** ...at most this long after its first urgent delta (default 4 x keyLingerMs). */
  maxKeyLingerMs?: number | undefined;
  /** How long a routine entry waits after its first delta (default 0: as an urgent one). */
  routineLingerMs?: number | undefined;
  /** Routine entries are due on whole multiples of this (default 0: not rounded). */
  routineTickMs?: number | undefined;
  /** A pod's (or event's) latest entry was pushed out of the full buffer. */
  onDeferred?: ((meta: EntryMeta) => void) | undefined;
}

/** The bounded, lingering, merging buffer (see the file comment). */
export class EntryBuffer {
  private readonly items = new Map<number, Item>();
  private readonly latest = new Map<string, number>();
  private readonly superseded = new Heap();
  /** Entries not yet due, by due time (lazily cleaned: a removed entry's number stays until popped). */
  private readonly waiting = new Heap();
  /** Entries due (or past due), in the order they became due. */
  private readonly due = new Map<number, Item>();
  private seq = 0;
  private bytes = 0;
  private readonly m: ForwarderMetrics;
  private readonly now: () => number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly keyLingerMs: number;
  readonly policy: LingerPolicy;
  private readonly onDeferred: ((meta: EntryMeta) => void) | undefined;

  constructor(o: BufferOptions) {
    this.m = o.metrics;
    this.now = o.now;
    this.maxEntries = o.maxBufferEntries ?? 20_000;
    this.maxBytes = o.maxBufferBytes ?? 32 * 1024 * 1024;
    this.keyLingerMs = Math.max(0, o.keyLingerMs ?? 0);
    this.policy = {
      keyLingerMs: this.keyLingerMs,
      maxKeyLingerMs: Math.max(this.keyLingerMs, o.maxKeyLingerMs ?? 4 * this.keyLingerMs),
      routineLingerMs: Math.max(0, o.routineLingerMs ?? 0),
      routineTickMs: Math.max(0, o.routineTickMs ?? 0),
    };
    this.onDeferred = o.onDeferred;
  }

  /** Entries buffered (in flight included). */
  get size(): number {
    return this.items.size;
  }
  get bufferedBytes(): number {
    return this.bytes;
  }
  /** Free entries before the buffer starts dropping. */
  get free(): number {
    return Math.max(0, this.maxEntries - this.items.size);
  }

  /** Adds an entry; a newer snapshot of the same key supersedes the buffered ones. */
  add(o: Outgoing): void {
    const at = this.now();
    const linger = o.linger ?? { ...lingerOf(at, 'neutral'), first: Math.min(o.first ?? at, at) };
    const due = dueAt(linger, this.policy);
    const item: Item = {
      ...o,
      linger,
      first: linger.first,
      due,
      ready: due <= at && o.readySince !== undefined ? Math.min(at, o.readySince) : Math.max(due, at),
      seq: ++this.seq,
      at,
      inflight: false,
      attempts: 0,
      superseded: false,
    };
    const prev = o.facts ? undefined : this.latest.get(o.meta.key);
    if (prev !== undefined) {
      const p = this.items.get(prev);
      if (p) {
        p.superseded = true;
        this.superseded.push(p.seq, p.seq);
      }
    }
    this.latest.set(o.meta.key, item.seq);
    this.items.set(item.seq, item);
    this.bytes += item.size;
    // Entries already due go first: the due list stays in the order entries became due.
    this.promote(at);
    if (item.due <= at) this.due.set(item.seq, item);
    else this.waiting.push(item.due, item.seq);
    this.makeRoom();
    this.gauges();
  }

  /**
   * Takes back the newest entry of `key` if it is still waiting (not in flight): the caller
   * merges it into the entry it is about to enqueue (passing on its linger state). Counted as
   * coalesced, not dropped. An urgent entry that has waited `maxKeyLingerMs` - `keyLingerMs`
   * since its first urgent delta, or any entry that has waited the outer bound since its first,
   * is not taken back: it goes as it is, so no entry waits past its bound.
   */
  takeUnsent(key: string): Outgoing | undefined {
    return this.take(key);
  }

  private take(key: string): Item | undefined {
    const it = this.takeable(key);
    if (!it) return undefined;
    this.remove(it);
    this.m.coalesced.inc();
    return it;
  }

  /** The newest entry of `key` if `takeUnsent` would take it back. */
  private takeable(key: string): Item | undefined {
    const seq = this.latest.get(key);
    const it = seq === undefined ? undefined : this.items.get(seq);
    if (!it || it.inflight) return undefined;
    const p = this.policy;
    const now = this.now();
    if (p.keyLingerMs > 0 || p.routineLingerMs > 0) {
      const s = it.linger;
      if (isUrgent(s) && now - (s.urgent ?? s.first) > p.maxKeyLingerMs - p.keyLingerMs) return undefined;
      if (now - s.first > outerBound(p)) return undefined;
    }
    return it;
  }

  /**
   * A pod's new delta (of class `news`) joined with its entry still waiting, if one is (taken
   * back): one entry per pod per linger window, and nothing given up (the facts' join does not
   * care about order; nor does the linger state's).
   */
  merge(meta: EntryMeta, delta: readonly Fact[], news: NewsClass = 'neutral'): Merged {
    const now = this.now();
    const mine = lingerOf(now, news);
    const waiting = this.take(meta.key);
    const linger = waiting?.linger ? joinLinger(waiting.linger, mine) : mine;
    const readySince = waiting && waiting.ready <= now ? waiting.ready : undefined;
    if (!waiting?.facts) return { meta, facts: delta, first: waiting?.first, linger, readySince };
    const byId = (list: readonly Fact[]) => new Map(list.map((f) => [f.id, f]));
    return {
      meta: { ...meta, deleted: meta.deleted || waiting.meta.deleted },
      facts: canonicalFacts(mergeFactMaps(byId(waiting.facts), byId(delta))),
      first: waiting.first,
      linger,
      readySince,
    };
  }

  /**
   * True when an entry of `key` waits and `merge` would take it back: for a caller that has no
   * new facts but news all the same (the pod's DELETED, whose facts were all in its Terminating).
   */
  hasWaiting(key: string): boolean {
    return this.takeable(key) !== undefined;
  }

  private makeRoom(): void {
    while (this.items.size > this.maxEntries || this.bytes > this.maxBytes) {
      let victim = this.popSuperseded();
      let reason: 'superseded' | 'deferred' = 'superseded';
      if (!victim) {
        reason = 'deferred';
        for (const it of this.items.values()) {
          if (!it.inflight) {
            victim = it;
            break;
          }
        }
      }
      if (!victim) return; // only in-flight entries left: bounded by concurrency x 10
      this.remove(victim);
      this.m.dropped.inc({ reason });
      if (reason === 'deferred') this.onDeferred?.(victim.meta);
    }
  }

  private popSuperseded(): Item | undefined {
    for (;;) {
      const top = this.superseded.pop();
      if (top === undefined) return undefined;
      const it = this.items.get(top[1]);
      // In flight: skipped now, pushed again if its call fails.
      if (it && !it.inflight) return it;
    }
  }

  /** A superseded entry whose call failed may be dropped again. */
  requeueSuperseded(it: Item): void {
    if (it.superseded && this.items.has(it.seq)) this.superseded.push(it.seq, it.seq);
  }

  remove(it: Item): void {
    if (!this.items.delete(it.seq)) return;
    this.due.delete(it.seq);
    this.bytes -= it.size;
    if (this.latest.get(it.meta.key) === it.seq) this.latest.delete(it.meta.key);
    // Removed entries' numbers stay in the heap until popped; rebuilt when they dominate it.
    if (this.waiting.size > 64 && this.waiting.size > 2 * (this.items.size - this.due.size)) {
      this.waiting.clear();
      for (const x of this.items.values()) if (!this.due.has(x.seq)) this.waiting.push(x.due, x.seq);
    }
  }

  gauges(): void {
    this.m.bufferEntries.set(this.items.size);
    this.m.bufferBytes.set(this.bytes);
  }

  /** Moves the entries whose time has come from the waiting heap to the due list. */
  private promote(now: number): void {
    for (let top = this.waiting.peek(); top !== undefined; top = this.waiting.peek()) {
      const it = this.items.get(top[1]);
      if (it && !this.due.has(it.seq) && it.due > now) return;
      this.waiting.pop();
      if (it) this.due.set(it.seq, it);
    }
  }

  /**
   * Makes up to `max` routine entries due within `horizonMs` due now (a partial batch that goes
   * anyway takes them: routine news leaves a little early, never later). Returns how many.
   */
  advanceRoutine(horizonMs: number, max: number): number {
    const now = this.now();
    this.promote(now);
    const keep: [number, number][] = [];
    let n = 0;
    while (n < max) {
      const top = this.waiting.peek();
      if (!top || top[0] > now + horizonMs) break;
      this.waiting.pop();
      const it = this.items.get(top[1]);
      if (!it || this.due.has(it.seq) || it.due !== top[0]) continue;
      if (isUrgent(it.linger)) {
        keep.push(top);
        continue;
      }
      it.ready = now;
      this.due.set(it.seq, it);
      n++;
    }
    for (const [due, seq] of keep) this.waiting.push(due, seq);
    return n;
  }

  /**
   * Entries ready to go (due, not in flight; closing: all), in the order they became due
   * (closing: in enqueue order).
   */
  *ready(closing: boolean): Generator<Item> {
    if (closing) {
      for (const it of this.items.values()) if (!it.inflight) yield it;
      return;
    }
    this.promote(this.now());
    for (const it of this.due.values()) if (!it.inflight) yield it;
  }

  /** When the first entry still lingering may go (undefined: none lingers). */
  nextLingerEnd(closing: boolean): number | undefined {
    if (closing) return undefined;
    this.promote(this.now());
    return this.waiting.peek()?.[0];
  }

  /** How many entries are ready (up to `limit`), and when the first of them became ready. */
  readyCount(limit: number, closing: boolean): { n: number; oldest: number | undefined } {
    let n = 0;
    let oldest: number | undefined;
    for (const it of this.ready(closing)) {
      oldest = oldest === undefined ? it.ready : Math.min(oldest, it.ready);
      if (++n >= limit) break;
    }
    return { n, oldest };
  }

  /** Drops every entry not in flight (those finish their call, and are dropped if it fails). */
  dropAll(): number {
    let n = 0;
    for (const it of [...this.items.values()]) {
      if (it.inflight) continue;
      this.remove(it);
      n++;
    }
    return n;
  }
}
