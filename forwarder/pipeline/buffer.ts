/**
 * Stage 7, buffer: the bounded buffer of encoded entries in front of the send loop. It merges a
 * pod's new delta into its entry still waiting (`merge`), lets entries linger so that merges can
 * happen, hands out what is ready oldest first, and stays bounded.
 *
 * - Linger and merging. An entry first waits `keyLingerMs` after it was enqueued (the forwarder's
 *   per-pod linger, default 0 here): meanwhile a newer delta of the same pod is merged into it
 *   (`takeUnsent`, then the join of both), so a startup burst leaves as one entry. A merge keeps
 *   the entry's first time, and an entry older than `maxKeyLingerMs` is no longer taken back (it
 *   goes, and the newer delta waits on its own): no entry waits more than `maxKeyLingerMs`. On
 *   shutdown (`closing`) nothing lingers.
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
}

/** A buffered entry. */
export interface Item extends Outgoing {
  first: number;
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
}

/** A min-heap of sequence numbers (the oldest superseded entry is the first to drop). */
class SeqHeap {
  private readonly a: number[] = [];
  push(x: number): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.at(p) <= this.at(i)) break;
      this.swap(p, i);
      i = p;
    }
  }
  pop(): number | undefined {
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
        if (l < a.length && this.at(l) < this.at(m)) m = l;
        if (r < a.length && this.at(r) < this.at(m)) m = r;
        if (m === i) break;
        this.swap(m, i);
        i = m;
      }
    }
    return top;
  }
  private at(i: number): number {
    return this.a[i] ?? Number.POSITIVE_INFINITY;
  }
  private swap(i: number, j: number): void {
    const a = this.a;
    [a[i], a[j]] = [this.at(j), this.at(i)];
  }
}

export interface BufferOptions {
  metrics: ForwarderMetrics;
  now: () => number;
  maxBufferEntries?: number | undefined;
  maxBufferBytes?: number | undefined;
  /** How long an entry waits before it may be sent, so that a newer delta can join it. */
  keyLingerMs?: number | undefined;
  /** An entry first enqueued longer ago than this is no longer taken back (default 4 x keyLingerMs). */
  maxKeyLingerMs?: number | undefined;
  /** A pod's (or event's) latest entry was pushed out of the full buffer. */
  onDeferred?: ((meta: EntryMeta) => void) | undefined;
}

/** The bounded, lingering, merging buffer (see the file comment). */
export class EntryBuffer {
  private readonly items = new Map<number, Item>();
  private readonly latest = new Map<string, number>();
  private readonly superseded = new SeqHeap();
  private seq = 0;
  private bytes = 0;
  private readonly m: ForwarderMetrics;
  private readonly now: () => number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly keyLingerMs: number;
  private readonly maxKeyLingerMs: number;
  private readonly onDeferred: ((meta: EntryMeta) => void) | undefined;

  constructor(o: BufferOptions) {
    this.m = o.metrics;
    this.now = o.now;
    this.maxEntries = o.maxBufferEntries ?? 20_000;
    this.maxBytes = o.maxBufferBytes ?? 32 * 1024 * 1024;
    this.keyLingerMs = Math.max(0, o.keyLingerMs ?? 0);
    this.maxKeyLingerMs = Math.max(this.keyLingerMs, o.maxKeyLingerMs ?? 4 * this.keyLingerMs);
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
    const item: Item = {
      ...o,
      first: Math.min(o.first ?? at, at),
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
        this.superseded.push(p.seq);
      }
    }
    this.latest.set(o.meta.key, item.seq);
    this.items.set(item.seq, item);
    this.bytes += item.size;
    this.makeRoom();
    this.gauges();
  }

  /**
   * Takes back the newest entry of `key` if it is still waiting (not in flight): the caller
   * merges it into the entry it is about to enqueue (passing on its `first`). Counted as
   * coalesced, not dropped. An entry that has waited `maxKeyLingerMs` - `keyLingerMs` since its
   * first delta is not taken back: it goes as it is, so no entry waits past `maxKeyLingerMs`.
   */
  takeUnsent(key: string): Outgoing | undefined {
    const seq = this.latest.get(key);
    const it = seq === undefined ? undefined : this.items.get(seq);
    if (!it || it.inflight) return undefined;
    if (this.keyLingerMs > 0 && this.now() - it.first > this.maxKeyLingerMs - this.keyLingerMs)
      return undefined;
    this.remove(it);
    this.m.coalesced.inc();
    return it;
  }

  /**
   * A pod's new delta joined with its entry still waiting, if one is (taken back): one entry per
   * pod per linger window, and nothing given up (the facts' join does not care about order).
   */
  merge(meta: EntryMeta, delta: readonly Fact[]): Merged {
    const waiting = this.takeUnsent(meta.key);
    if (!waiting?.facts) return { meta, facts: delta, first: waiting?.first };
    const byId = (list: readonly Fact[]) => new Map(list.map((f) => [f.id, f]));
    return {
      meta: { ...meta, deleted: meta.deleted || waiting.meta.deleted },
      facts: canonicalFacts(mergeFactMaps(byId(waiting.facts), byId(delta))),
      first: waiting.first,
    };
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
      const s = this.superseded.pop();
      if (s === undefined) return undefined;
      const it = this.items.get(s);
      // In flight: skipped now, pushed again if its call fails.
      if (it && !it.inflight) return it;
    }
  }

  /** A superseded entry whose call failed may be dropped again. */
  requeueSuperseded(it: Item): void {
    if (it.superseded && this.items.has(it.seq)) this.superseded.push(it.seq);
  }

  remove(it: Item): void {
    if (!this.items.delete(it.seq)) return;
    this.bytes -= it.size;
    if (this.latest.get(it.meta.key) === it.seq) this.latest.delete(it.meta.key);
  }

  gauges(): void {
    this.m.bufferEntries.set(this.items.size);
    this.m.bufferBytes.set(this.bytes);
  }

  /**
   * Entries ready to go (buffered, not in flight, lingered `keyLingerMs` unless closing), oldest
   * first. Entries are in enqueue order, so the first one still lingering ends the list.
   */
  *ready(closing: boolean): Generator<Item> {
    const linger = closing ? 0 : this.keyLingerMs;
    const now = linger > 0 ? this.now() : 0;
    for (const it of this.items.values()) {
      if (it.inflight) continue;
      if (linger > 0 && it.at + linger > now) return;
      yield it;
    }
  }

  /** When the first entry still lingering may go (undefined: none lingers). */
  nextLingerEnd(closing: boolean): number | undefined {
    if (this.keyLingerMs === 0 || closing) return undefined;
    for (const it of this.items.values()) if (!it.inflight) return it.at + this.keyLingerMs;
    return undefined;
  }

  /** How many entries are ready (up to `limit`), and when the oldest of them was enqueued. */
  readyCount(limit: number, closing: boolean): { n: number; oldest: number | undefined } {
    let n = 0;
    let oldest: number | undefined;
    for (const it of this.ready(closing)) {
      if (oldest === undefined) oldest = it.at;
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
