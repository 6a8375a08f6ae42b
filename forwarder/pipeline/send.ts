/**
 * Stage 8, send: the loop that drains the buffer (buffer.ts) into a sink in PutEvents-sized
 * batches, retrying only what failed.
 *
 * - Batching. Up to 10 lingered entries per call and at most 256 KB per call, oldest first. A
 *   partial batch waits at most `lingerMs` more to fill up, then takes routine entries due
 *   within two routine ticks (buffer.ts `advanceRoutine`), so under load a call carries ~10
 *   entries. On shutdown nothing lingers: everything buffered is sent.
 * - Retry. Entries the sink reports as failed (FailedEntryCount) stay in the buffer at their
 *   place and are the only ones sent again; a whole-call failure (throttling, outage, network)
 *   keeps the whole batch. Either way the next call waits an exponential back-off with full
 *   jitter (core/backoff.ts). An entry the bus rejects for a reason no retry can fix
 *   (MalformedDetail, InvalidArgument, ValidationException) or that failed `maxEntryAttempts`
 *   times individually is dropped as `rejected`, with an ERROR log line naming it. An entry
 *   throttled individually (ThrottlingException in the result) is not at fault: that does not use
 *   up its attempts (a sustained throttle would otherwise drop every entry after 10 rounds). A whole call
 *   refused for good (ValidationException: one bad entry refuses the request) would otherwise be
 *   retried forever and hold up every entry behind it: its entries go one by one instead
 *   (no back-off), the one refused alone is rejected, the rest go on. Other whole-call failures
 *   are retried for as long as they last: the buffer's bound is what limits memory during an
 *   outage.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Backoff, backoffDelayMs, sleep as realSleep, type Sleep } from '../../core/backoff.ts';
import type { ForwarderMetrics } from '../metrics.ts';
import type { Sink, SinkResult } from '../sinks.ts';
import { EntryBuffer, type EntryMeta, type Item, type Outgoing } from './buffer.ts';

/** PutEvents takes at most 10 entries per call. */
export const MAX_BATCH_ENTRIES = 10;
/** And, conservatively, at most 256 KB of entries per call. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * Error codes that a retry cannot fix: of a PutEvents result entry, or of a whole call (a
 * ValidationException refuses the whole request for one bad entry).
 */
const PERMANENT_ERRORS = new Set(['MalformedDetail', 'InvalidArgument', 'ValidationException']);
/**
 * Error codes of a PutEvents result entry that say nothing against the entry: the bus's rate, not
 * its content (EventBridge's PutEventsResultEntry: retryable). Like a whole-call failure, they
 * do not use up the entry's attempts: retried as long as they last, the buffer bound limits memory.
 */
const TRANSIENT_ENTRY_ERRORS = new Set(['ThrottlingException']);

const LINGER_CUT = 'linger cut short';

export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface SenderOptions {
  sink: Sink;
  metrics: ForwarderMetrics;
  logger?: Log | undefined;
  now?: (() => number) | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
  maxBufferEntries?: number | undefined;
  maxBufferBytes?: number | undefined;
  /** Calls in flight at once. */
  concurrency?: number | undefined;
  /** How long a partial batch may wait for more entries (after `keyLingerMs`). */
  lingerMs?: number | undefined;
  /**
   * How long an entry waits before it may be sent, so that a newer entry of the same key can
   * be merged into it (`takeUnsent`). Default 0.
   */
  keyLingerMs?: number | undefined;
  /** An entry first enqueued longer ago than this is no longer taken back (default 4 x keyLingerMs). */
  maxKeyLingerMs?: number | undefined;
  /** How long an entry of routine news waits after its first delta (buffer.ts; default 0). */
  routineLingerMs?: number | undefined;
  /** Routine entries are due on whole multiples of this (buffer.ts; default 0). */
  routineTickMs?: number | undefined;
  backoffBaseMs?: number | undefined;
  backoffCapMs?: number | undefined;
  /** Individual failures (FailedEntryCount) after which an entry is given up. */
  maxEntryAttempts?: number | undefined;
  /** A pod's (or event's) latest entry was pushed out of the full buffer. */
  onDeferred?: ((meta: EntryMeta) => void) | undefined;
  /** An entry the sink rejected for good was dropped. */
  onRejected?: ((meta: EntryMeta) => void) | undefined;
  /** The buffer has this many free entries again (called after successful calls). */
  onRoom?: ((free: number) => void) | undefined;
}

export type SendOutcome = 'idle' | 'paused' | 'ok' | 'partial' | 'error';

/** The send loop over its bounded buffer. */
export class Sender {
  readonly buffer: EntryBuffer;
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
  private readonly log: Log | undefined;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly lingerMs: number;
  private readonly backoffTiming: Backoff;
  private readonly maxEntryAttempts: number;
  private readonly onRejected: ((meta: EntryMeta) => void) | undefined;
  private readonly onRoom: ((free: number) => void) | undefined;
  /**
   * Entries of a call refused as a whole for a reason no retry fixes: each goes alone next, so
   * the bad one is found (and rejected) and the rest go on.
   */
  private readonly suspects = new WeakSet<Item>();

  constructor(o: SenderOptions) {
    this.sink = o.sink;
    this.m = o.metrics;
    this.log = o.logger;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? realSleep;
    this.random = o.random ?? Math.random;
    this.buffer = new EntryBuffer({
      metrics: o.metrics,
      now: this.now,
      maxBufferEntries: o.maxBufferEntries,
      maxBufferBytes: o.maxBufferBytes,
      keyLingerMs: o.keyLingerMs,
      maxKeyLingerMs: o.maxKeyLingerMs,
      routineLingerMs: o.routineLingerMs,
      routineTickMs: o.routineTickMs,
      onDeferred: o.onDeferred,
    });
    this.concurrency = Math.max(1, o.concurrency ?? 4);
    this.lingerMs = o.lingerMs ?? 200;
    this.backoffTiming = { baseMs: o.backoffBaseMs ?? 250, capMs: o.backoffCapMs ?? 30_000 };
    this.maxEntryAttempts = o.maxEntryAttempts ?? 10;
    this.onRejected = o.onRejected;
    this.onRoom = o.onRoom;
  }

  /** Entries buffered (in flight included). */
  get size(): number {
    return this.buffer.size;
  }
  get bufferedBytes(): number {
    return this.buffer.bufferedBytes;
  }
  get maxEntries(): number {
    return this.buffer.maxEntries;
  }
  get keyLingerMs(): number {
    return this.buffer.keyLingerMs;
  }
  /** Nothing buffered and nothing in flight. */
  get idle(): boolean {
    return this.buffer.size === 0 && this.inflight === 0;
  }
  /** Free entries before the buffer starts dropping. */
  get free(): number {
    return this.buffer.free;
  }

  /** Adds an entry to the buffer and wakes the loop (after shutdown: dropped, counted). */
  enqueue(o: Outgoing): void {
    if (this.stopped) {
      this.m.dropped.inc({ reason: 'shutdown' });
      return;
    }
    this.buffer.add(o);
    this.signal();
  }

  /** See EntryBuffer.takeUnsent. */
  takeUnsent(key: string): Outgoing | undefined {
    return this.buffer.takeUnsent(key);
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
   * Sends one batch (if any is ready and no back-off is pending) and applies the result.
   * The production loop calls it from `run`; tests call it directly under a virtual clock.
   */
  async sendOnce(): Promise<SendOutcome> {
    if (this.now() < this.pauseUntil) return 'paused';
    let batch = this.collect();
    if (batch.length === 0) return 'idle';
    // A partial batch goes anyway: routine entries due within the next two ticks fill it (they
    // leave up to 2 s early, never late), so routine news goes in full batches.
    if (batch.length < MAX_BATCH_ENTRIES && !this.closing) {
      const tick = this.buffer.policy.routineTickMs ?? 0;
      if (tick > 0 && this.buffer.advanceRoutine(2 * tick, MAX_BATCH_ENTRIES - batch.length) > 0)
        batch = this.collect();
    }
    for (const it of batch) {
      it.inflight = true;
      if (it.attempts > 0) this.m.retried.inc();
    }
    this.inflight++;
    let failed: SinkResult['failed'];
    let outcome: SendOutcome;
    let permanent = false;
    try {
      failed = (await this.sink.put(batch.map((b) => b.entry))).failed;
      outcome = failed.length === 0 ? 'ok' : 'partial';
    } catch (err) {
      const e = err as { code?: string; name?: string; message?: string };
      const code = e.code ?? e.name;
      const message = String(e.message ?? err).slice(0, 300);
      failed = batch.map((_, index) => ({ index, code, message }));
      outcome = 'error';
      permanent = code !== undefined && PERMANENT_ERRORS.has(code);
      this.m.failed.inc({ reason: 'call' }, batch.length);
      this.log?.warn(
        permanent
          ? batch.length > 1
            ? 'sink refused the whole call, sending its entries one by one to find the bad one'
            : 'sink refused the entry'
          : 'sink call failed, will retry',
        {
          sink: this.sink.name,
          code,
          error: message,
          entries: batch.length,
          consecutiveFailures: this.failures + 1,
        },
      );
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
        this.buffer.remove(it);
        this.m.forwarded.inc({ detail_type: it.entry.DetailType });
        this.m.forwardedBytes.inc(it.size);
        return;
      }
      if (outcome === 'partial') {
        this.m.failed.inc({ reason: 'entry' });
        codes.set(f.code ?? 'unknown', (codes.get(f.code ?? 'unknown') ?? 0) + 1);
        if (f.code && TRANSIENT_ENTRY_ERRORS.has(f.code)) it.attempts = Math.max(it.attempts, 1);
        else it.attempts++;
        if ((f.code && PERMANENT_ERRORS.has(f.code)) || it.attempts >= this.maxEntryAttempts) {
          this.reject(it, f);
          return;
        }
      } else if (permanent) {
        // The whole call refused for good: alone, the entry is the bad one; in company, any of
        // them may be, so each goes alone next (no back-off: this says nothing of the bus's health).
        it.attempts++;
        if (batch.length === 1) {
          this.reject(it, f);
          return;
        }
        this.suspects.add(it);
      } else {
        // Whole-call failure: not the entry's fault; it does not use up its attempts.
        it.attempts = Math.max(it.attempts, 1);
      }
      if (this.stopped) {
        // The shutdown deadline passed while this call was in flight: no more retries.
        this.buffer.remove(it);
        this.m.dropped.inc({ reason: 'shutdown' });
        return;
      }
      this.buffer.requeueSuperseded(it);
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
    } else if (!permanent) {
      this.pauseUntil = this.now() + backoffDelayMs(this.failures, this.backoffTiming, this.random);
      this.failures++;
    }
    this.buffer.gauges();
    if (outcome !== 'error' && this.onRoom && this.free >= this.maxEntries / 2) this.onRoom(this.free);
    return outcome;
  }

  /** An entry the sink refused for good: dropped (counted), logged with what names it, reported. */
  private reject(it: Item, f: { code?: string | undefined; message?: string | undefined }): void {
    this.buffer.remove(it);
    this.m.dropped.inc({ reason: 'rejected' });
    this.log?.error('entry rejected by the sink, dropped', {
      code: f.code,
      error: f.message?.slice(0, 300),
      kind: it.meta.kind,
      uid: it.meta.uid,
      namespace: it.meta.namespace,
      name: it.meta.name,
      detailType: it.entry.DetailType,
      bytes: it.size,
      attempts: it.attempts,
    });
    this.onRejected?.(it.meta);
  }

  /**
   * The next batch: up to 10 ready entries and 256 KB, in the order they became due. An entry
   * of a call refused as a whole for good goes alone (and ends a batch it would join).
   */
  private collect(): Item[] {
    const batch: Item[] = [];
    let bytes = 0;
    for (const it of this.buffer.ready(this.closing)) {
      if (batch.length >= MAX_BATCH_ENTRIES) break;
      if (batch.length > 0 && bytes + it.size > MAX_REQUEST_BYTES) break;
      if (batch.length > 0 && this.suspects.has(it)) break;
      batch.push(it);
      bytes += it.size;
      if (this.suspects.has(it)) break;
    }
    return batch;
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
    const { n, oldest } = this.buffer.readyCount(MAX_BATCH_ENTRIES, this.closing);
    const now = this.now();
    if (n === 0 || oldest === undefined) {
      const end = this.buffer.nextLingerEnd(this.closing);
      return end === undefined ? undefined : Math.max(1, end - now);
    }
    if (this.pauseUntil > now) return this.pauseUntil - now;
    if (n >= MAX_BATCH_ENTRIES || this.closing) return 0;
    return Math.max(0, oldest + this.lingerMs - now);
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
    // Every entry not in flight (those finish their call, and are dropped if it fails).
    const left = this.buffer.dropAll();
    if (left > 0) this.m.dropped.inc({ reason: 'shutdown' }, left);
    this.buffer.gauges();
    if (left > 0 || timedOut) {
      this.log?.warn('shutdown flush deadline passed, entries dropped', { dropped: left, deadlineMs });
    }
    await this.sink.close?.();
  }
}
