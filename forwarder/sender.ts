/**
 * The sender: a bounded buffer of entries in front of a sink, drained in PutEvents-sized
 * batches, retrying only what failed.
 *
 * Policy, in the order it applies:
 * 1. Size. Each entry's size is computed the way EventBridge computes it (see `entrySize`).
 *    An entry over 64 KB (one billed event per 64 KB chunk) gets its free-text messages cut
 *    until it fits; if even that cannot bring it under 256 KB (EventBridge's hard limit) it is
 *    dropped as `too_large`. The lifecycle facts (times, reasons, exit codes) are never cut.
 * 2. Linger and batching. An entry first waits `keyLingerMs` after it was enqueued (the
 *    forwarder's per-pod linger, default 0 here): meanwhile a newer delta of the same pod is
 *    merged into it (`takeUnsent`), so a startup burst leaves as one entry. A merge keeps the
 *    entry's first time, and an entry older than `maxKeyLingerMs` is no longer taken back (it
 *    goes, and the newer delta waits on its own): no entry waits more than `maxKeyLingerMs`.
 *    Then up to 10 lingered entries per call and at most 256 KB per call, oldest first. A
 *    partial batch waits at most `lingerMs` more to fill up, so under load a call carries ~10
 *    entries. On shutdown nothing lingers: everything buffered is sent.
 * 3. Retry. Entries the sink reports as failed (FailedEntryCount) stay in the buffer at their
 *    place and are the only ones sent again; a whole-call failure (throttling, outage, network)
 *    keeps the whole batch. Either way the next call waits an exponential back-off with full
 *    jitter (delay = random(0, min(cap, base * 2^failures))). An entry the bus rejects for a
 *    reason no retry can fix (MalformedDetail, InvalidArgument) or that failed `maxEntryAttempts`
 *    times individually is dropped as `rejected`. Whole-call failures are retried for as long as
 *    they last: the buffer bound below is what limits memory during an outage.
 * 4. Bound. The buffer holds at most `maxBufferEntries` entries and `maxBufferBytes` bytes. When
 *    full it drops, oldest first, a *superseded* snapshot: one whose pod has a newer snapshot in
 *    the buffer. A pod's latest snapshot is never dropped for that; if nothing superseded is
 *    left, the oldest latest snapshot is pushed out as `deferred`: the pod is handed to
 *    `onDeferred`, which marks it, and its then-current state is re-read from the informer cache
 *    and enqueued again when the buffer has room (`onRoom`). So under a sustained outage memory
 *    stays bounded, intermediate snapshots are what is given up, and every pod's latest state
 *    still reaches the bus once it is back. Every drop is counted by reason.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Fact } from '../core/facts.ts';
import type { ForwarderMetrics } from './metrics.ts';
import type { Entry, Sink } from './sinks.ts';

/** EventBridge: "The total entry size must be less than 256KB". */
export const MAX_ENTRY_BYTES = 256 * 1024;
/** EventBridge bills each 64 KB chunk of an event as one event. */
export const TARGET_ENTRY_BYTES = 64 * 1024;
/** PutEvents takes at most 10 entries per call. */
export const MAX_BATCH_ENTRIES = 10;
/** And, conservatively, at most 256 KB of entries per call. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** Error codes of a PutEvents result entry that a retry cannot fix. */
const PERMANENT_ERRORS = new Set(['MalformedDetail', 'InvalidArgument', 'ValidationException']);

/**
 * The size EventBridge counts for one PutEventsRequestEntry, from "Calculating Amazon
 * EventBridge PutEvents event entry size"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html):
 * Time, if specified, is 14 bytes; Source and DetailType are the bytes of their UTF-8 forms;
 * Detail, if specified, is the bytes of its UTF-8 form; each Resources entry is the bytes of its
 * UTF-8 form. EventBusName does not count. "The total entry size must be less than 256KB."
 */
export function entrySize(e: {
  Source: string;
  DetailType: string;
  Detail?: string;
  Time?: Date | string;
  Resources?: string[];
}): number {
  let size = e.Time !== undefined ? 14 : 0;
  size += Buffer.byteLength(e.Source, 'utf8');
  size += Buffer.byteLength(e.DetailType, 'utf8');
  if (e.Detail !== undefined) size += Buffer.byteLength(e.Detail, 'utf8');
  for (const r of e.Resources ?? []) size += Buffer.byteLength(r, 'utf8');
  return size;
}

/** Returns a copy of a JSON value with every string under a `message` key cut to `max` characters. */
export function cutMessages<T>(value: T, max: number): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] =
          k === 'message' && typeof x === 'string' && x.length > max ? `${x.slice(0, max - 1)}…` : walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

export type BuiltEntry =
  | { ok: true; entry: Entry; size: number; trimmed: boolean }
  | { ok: false; size: number };

/**
 * Serialises a detail (or a function that builds it with its messages cut to a length: a
 * compressed detail cannot be cut after the fact) into an entry that fits: as is when under 64 KB; else with messages cut
 * to 256, then 64 characters, taking the first form under 64 KB; else the first form under
 * 256 KB (sent as is, billed as several events); else not at all. With `compressed` (a
 * compressed form of the same detail), a detail over 64 KB as is goes compressed instead, by
 * the same rules: readable when it fits, compressed only when it would not.
 */
export function buildEntry(
  source: string,
  detailType: string,
  detail: object | ((cutMessagesTo?: number) => object),
  bus?: string,
  time?: string,
  compressed?: (cutMessagesTo?: number) => object,
): BuiltEntry {
  const detailOf =
    typeof detail === 'function' ? detail : (max?: number) => (max ? cutMessages(detail, max) : detail);
  const make = (d: object): Entry => {
    const e: Entry = { Source: source, DetailType: detailType, Detail: JSON.stringify(d) };
    if (bus) e.EventBusName = bus;
    if (time) e.Time = time;
    return e;
  };
  const first = make(detailOf());
  const firstSize = entrySize(first);
  if (firstSize <= TARGET_ENTRY_BYTES) return { ok: true, entry: first, size: firstSize, trimmed: false };
  if (compressed) return buildEntry(source, detailType, compressed, bus, time);
  const forms: { entry: Entry; size: number; trimmed: boolean }[] = [
    { entry: first, size: firstSize, trimmed: false },
  ];
  for (const max of [256, 64]) {
    const e = make(detailOf(max));
    const size = entrySize(e);
    if (size <= TARGET_ENTRY_BYTES) return { ok: true, entry: e, size, trimmed: true };
    forms.push({ entry: e, size, trimmed: true });
  }
  const fits = forms.find((f) => f.size < MAX_ENTRY_BYTES);
  return fits ? { ok: true, ...fits } : { ok: false, size: forms[forms.length - 1].size };
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
   * its pod (each carries facts the other lacks); the forwarder instead takes the unsent one
   * back (`takeUnsent`) and enqueues the merge of both.
   */
  facts?: readonly Fact[];
  /** When the oldest delta merged into this entry was enqueued (set by the sender). */
  first?: number;
}

interface Item extends Outgoing {
  first: number;
  seq: number;
  at: number;
  inflight: boolean;
  attempts: number;
  superseded: boolean;
}

/** A min-heap of sequence numbers (the oldest superseded entry is the first to drop). */
class SeqHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(x: number): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  clear(): void {
    this.a.length = 0;
  }
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const LINGER_CUT = 'linger cut short';

/** setTimeout as a promise that an AbortSignal ends early (resolving, not rejecting). */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface SenderOptions {
  sink: Sink;
  metrics: ForwarderMetrics;
  logger?: Log;
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
  maxBufferEntries?: number;
  maxBufferBytes?: number;
  /** Calls in flight at once. */
  concurrency?: number;
  /** How long a partial batch may wait for more entries (after `keyLingerMs`). */
  lingerMs?: number;
  /**
   * How long an entry waits before it may be sent, so that a newer entry of the same key can
   * be merged into it (`takeUnsent`). Default 0.
   */
  keyLingerMs?: number;
  /** An entry first enqueued longer ago than this is no longer taken back (default 4 x keyLingerMs). */
  maxKeyLingerMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Individual failures (FailedEntryCount) after which an entry is given up. */
  maxEntryAttempts?: number;
  /** A pod's (or event's) latest entry was pushed out of the full buffer. */
  onDeferred?: (meta: EntryMeta) => void;
  /** An entry the sink rejected for good was dropped. */
  onRejected?: (meta: EntryMeta) => void;
  /** The buffer has this many free entries again (called after successful calls). */
  onRoom?: (free: number) => void;
}

export type SendOutcome = 'idle' | 'paused' | 'ok' | 'partial' | 'error';

/** The bounded, batching, retrying buffer in front of a sink. */
export class Sender {
  private readonly buffer = new Map<number, Item>();
  private readonly latest = new Map<string, number>();
  private readonly superseded = new SeqHeap();
  private seq = 0;
  private bytes = 0;
  private inflight = 0;
  private failures = 0;
  private pauseUntil = 0;
  private closing = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private wakePromise: Promise<void> | undefined;
  private workers: Promise<void>[] = [];
  private readonly aborted = new Promise<void>((r) =>
    this.abort.signal.addEventListener('abort', () => r(), { once: true }),
  );

  private readonly sink: Sink;
  private readonly m: ForwarderMetrics;
  private readonly log?: Log;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly concurrency: number;
  private readonly lingerMs: number;
  readonly keyLingerMs: number;
  private readonly maxKeyLingerMs: number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly maxEntryAttempts: number;
  private readonly onDeferred?: (meta: EntryMeta) => void;
  private readonly onRejected?: (meta: EntryMeta) => void;
  private readonly onRoom?: (free: number) => void;

  constructor(o: SenderOptions) {
    this.sink = o.sink;
    this.m = o.metrics;
    this.log = o.logger;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? realSleep;
    this.random = o.random ?? Math.random;
    this.maxEntries = o.maxBufferEntries ?? 20_000;
    this.maxBytes = o.maxBufferBytes ?? 32 * 1024 * 1024;
    this.concurrency = Math.max(1, o.concurrency ?? 4);
    this.lingerMs = o.lingerMs ?? 200;
    this.keyLingerMs = Math.max(0, o.keyLingerMs ?? 0);
    this.maxKeyLingerMs = Math.max(this.keyLingerMs, o.maxKeyLingerMs ?? 4 * this.keyLingerMs);
    this.baseMs = o.backoffBaseMs ?? 250;
    this.capMs = o.backoffCapMs ?? 30_000;
    this.maxEntryAttempts = o.maxEntryAttempts ?? 10;
    this.onDeferred = o.onDeferred;
    this.onRejected = o.onRejected;
    this.onRoom = o.onRoom;
  }

  /** Entries buffered (in flight included). */
  get size(): number {
    return this.buffer.size;
  }
  get bufferedBytes(): number {
    return this.bytes;
  }
  /** Nothing buffered and nothing in flight. */
  get idle(): boolean {
    return this.buffer.size === 0 && this.inflight === 0;
  }
  /** Free entries before the buffer starts dropping. */
  get free(): number {
    return Math.max(0, this.maxEntries - this.buffer.size);
  }

  /** Adds an entry; a newer entry of the same key supersedes the buffered ones. */
  enqueue(o: Outgoing): void {
    if (this.stopped) {
      this.m.dropped.inc({ reason: 'shutdown' });
      return;
    }
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
      const p = this.buffer.get(prev);
      if (p) {
        p.superseded = true;
        this.superseded.push(p.seq);
      }
    }
    this.latest.set(o.meta.key, item.seq);
    this.buffer.set(item.seq, item);
    this.bytes += item.size;
    this.makeRoom();
    this.gauges();
    this.signal();
  }

  /**
   * Takes back the newest entry of `key` if it is still waiting (not in flight): the caller
   * merges it into the entry it is about to enqueue (passing on its `first`). Counted as
   * coalesced, not dropped. An entry that has waited `maxKeyLingerMs` - `keyLingerMs` since its
   * first delta is not taken back: it goes as it is, so no entry waits past `maxKeyLingerMs`.
   */
  takeUnsent(key: string): Outgoing | undefined {
    const seq = this.latest.get(key);
    const it = seq === undefined ? undefined : this.buffer.get(seq);
    if (!it || it.inflight) return undefined;
    if (this.keyLingerMs > 0 && this.now() - it.first > this.maxKeyLingerMs - this.keyLingerMs)
      return undefined;
    this.remove(it);
    this.m.coalesced.inc();
    return it;
  }

  private makeRoom(): void {
    while (this.buffer.size > this.maxEntries || this.bytes > this.maxBytes) {
      let victim = this.popSuperseded();
      let reason: 'superseded' | 'deferred' = 'superseded';
      if (!victim) {
        reason = 'deferred';
        for (const it of this.buffer.values()) {
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
      const it = this.buffer.get(s);
      // In flight: skipped now, pushed again if its call fails.
      if (it && !it.inflight) return it;
    }
  }

  private remove(it: Item): void {
    if (!this.buffer.delete(it.seq)) return;
    this.bytes -= it.size;
    if (this.latest.get(it.meta.key) === it.seq) this.latest.delete(it.meta.key);
  }

  private gauges(): void {
    this.m.bufferEntries.set(this.buffer.size);
    this.m.bufferBytes.set(this.bytes);
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    this.wakePromise = undefined;
    w?.();
  }

  private waitForWork(): Promise<void> {
    if (!this.wakePromise) this.wakePromise = new Promise((r) => (this.wake = r));
    return this.wakePromise;
  }

  /**
   * Entries ready to go (buffered, not in flight, lingered `keyLingerMs` unless closing), oldest
   * first. Entries are in enqueue order, so the first one still lingering ends the list.
   */
  private *ready(): Generator<Item> {
    const linger = this.closing ? 0 : this.keyLingerMs;
    const now = linger > 0 ? this.now() : 0;
    for (const it of this.buffer.values()) {
      if (it.inflight) continue;
      if (linger > 0 && it.at + linger > now) return;
      yield it;
    }
  }

  /** When the first entry still lingering may go (undefined: none lingers). */
  private nextLingerEnd(): number | undefined {
    if (this.keyLingerMs === 0 || this.closing) return undefined;
    for (const it of this.buffer.values()) if (!it.inflight) return it.at + this.keyLingerMs;
    return undefined;
  }

  private readyCount(limit: number): { n: number; oldest: number | undefined } {
    let n = 0;
    let oldest: number | undefined;
    for (const it of this.ready()) {
      if (oldest === undefined) oldest = it.at;
      if (++n >= limit) break;
    }
    return { n, oldest };
  }

  private backoff(): number {
    const exp = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.failures, 30));
    return Math.floor(this.random() * exp);
  }

  /**
   * Sends one batch (if any is ready and no back-off is pending) and applies the result.
   * The production loop calls it from `run`; tests call it directly under a virtual clock.
   */
  async sendOnce(): Promise<SendOutcome> {
    if (this.now() < this.pauseUntil) return 'paused';
    const batch: Item[] = [];
    let bytes = 0;
    for (const it of this.ready()) {
      if (batch.length >= MAX_BATCH_ENTRIES) break;
      if (batch.length > 0 && bytes + it.size > MAX_REQUEST_BYTES) break;
      batch.push(it);
      bytes += it.size;
    }
    if (batch.length === 0) return 'idle';
    for (const it of batch) {
      it.inflight = true;
      if (it.attempts > 0) this.m.retried.inc();
    }
    this.inflight++;
    let failed: { index: number; code?: string; message?: string }[];
    let outcome: SendOutcome;
    try {
      failed = (await this.sink.put(batch.map((b) => b.entry))).failed;
      outcome = failed.length === 0 ? 'ok' : 'partial';
    } catch (err) {
      const e = err as { code?: string; name?: string; message?: string };
      failed = batch.map((_, index) => ({ index, code: e.code ?? e.name }));
      outcome = 'error';
      this.m.failed.inc({ reason: 'call' }, batch.length);
      this.log?.warn('sink call failed, will retry', {
        sink: this.sink.name,
        code: e.code ?? e.name,
        error: String(e.message ?? err).slice(0, 300),
        entries: batch.length,
        consecutiveFailures: this.failures + 1,
      });
    } finally {
      this.inflight--;
    }
    this.m.putCalls.inc({ outcome });
    const failedAt = new Map(failed.map((f) => [f.index, f]));
    const codes = new Map<string, number>();
    batch.forEach((it, index) => {
      it.inflight = false;
      const f = failedAt.get(index);
      if (!f) {
        this.remove(it);
        this.m.forwarded.inc({ detail_type: it.entry.DetailType });
        this.m.forwardedBytes.inc(it.size);
        return;
      }
      if (outcome === 'partial') {
        it.attempts++;
        this.m.failed.inc({ reason: 'entry' });
        codes.set(f.code ?? 'unknown', (codes.get(f.code ?? 'unknown') ?? 0) + 1);
        if ((f.code && PERMANENT_ERRORS.has(f.code)) || it.attempts >= this.maxEntryAttempts) {
          this.remove(it);
          this.m.dropped.inc({ reason: 'rejected' });
          this.log?.error('entry rejected by the sink, dropped', {
            code: f.code,
            error: f.message?.slice(0, 300),
            kind: it.meta.kind,
            uid: it.meta.uid,
            attempts: it.attempts,
          });
          this.onRejected?.(it.meta);
          return;
        }
      } else {
        // Whole-call failure: not the entry's fault; it does not use up its attempts.
        it.attempts = Math.max(it.attempts, 1);
      }
      if (this.stopped) {
        // The shutdown deadline passed while this call was in flight: no more retries.
        this.remove(it);
        this.m.dropped.inc({ reason: 'shutdown' });
        return;
      }
      if (it.superseded && this.buffer.has(it.seq)) this.superseded.push(it.seq);
    });
    if (outcome === 'partial') {
      this.log?.warn('some entries failed, retrying only those', {
        sink: this.sink.name,
        failed: failed.length,
        of: batch.length,
        codes: Object.fromEntries(codes),
      });
    }
    if (outcome === 'ok') {
      this.failures = 0;
    } else {
      this.pauseUntil = this.now() + this.backoff();
      this.failures++;
    }
    this.gauges();
    if (outcome !== 'error' && this.onRoom && this.free >= this.maxEntries / 2) this.onRoom(this.free);
    return outcome;
  }

  /** Starts the send loop (`concurrency` workers). */
  start(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.worker());
  }

  /**
   * When the next batch should go: 0 now (a full batch, a partial one that has lingered
   * `lingerMs`, or anything while closing), the milliseconds left otherwise (back-off or
   * linger), undefined when nothing is waiting.
   */
  nextSendIn(): number | undefined {
    const { n, oldest } = this.readyCount(MAX_BATCH_ENTRIES);
    const now = this.now();
    if (n === 0 || oldest === undefined) {
      const end = this.nextLingerEnd();
      return end === undefined ? undefined : Math.max(1, end - now);
    }
    if (this.pauseUntil > now) return this.pauseUntil - now;
    if (n >= MAX_BATCH_ENTRIES || this.closing) return 0;
    return Math.max(0, oldest + this.keyLingerMs + this.lingerMs - now);
  }

  private async worker(): Promise<void> {
    const signal = this.abort.signal;
    while (!this.stopped) {
      const pause = this.pauseUntil - this.now();
      if (pause > 0) {
        await this.sleep(pause, signal);
        continue;
      }
      const wait = this.nextSendIn();
      if (wait === undefined) {
        if (this.closing) return;
        await Promise.race([this.waitForWork(), this.aborted]);
        continue;
      }
      if (wait > 0) {
        // Its own signal, so a linger cut short by new work does not leave a timer behind.
        const linger = new AbortController();
        await Promise.race([this.sleep(wait, linger.signal), this.waitForWork(), this.aborted]);
        linger.abort(LINGER_CUT); // an explicit reason: no DOMException built per linger
        continue;
      }
      await this.sendOnce();
    }
  }

  /**
   * Graceful shutdown: stops lingering, sends what is buffered until it is empty or
   * `deadlineMs` has passed, then drops (and counts) what is left.
   */
  async close(deadlineMs = 20_000): Promise<void> {
    this.closing = true;
    this.signal();
    if (this.workers.length === 0) this.start();
    let timedOut = false;
    const deadline = new AbortController();
    await Promise.race([
      Promise.all(this.workers).then(() => deadline.abort()),
      this.sleep(deadlineMs, deadline.signal).then(() => {
        timedOut = !deadline.signal.aborted;
      }),
    ]);
    deadline.abort();
    this.stopped = true;
    this.abort.abort();
    const left = this.dropAll('shutdown');
    this.gauges();
    if (left > 0 || timedOut) {
      this.log?.warn('shutdown flush deadline passed, entries dropped', { dropped: left, deadlineMs });
    }
    await this.sink.close?.();
  }

  /** Drops every entry not in flight (those finish their call, and are dropped if it fails). */
  private dropAll(reason: 'shutdown'): number {
    let n = 0;
    for (const it of [...this.buffer.values()]) {
      if (it.inflight) continue;
      this.remove(it);
      n++;
    }
    if (n > 0) this.m.dropped.inc({ reason }, n);
    return n;
  }
}
