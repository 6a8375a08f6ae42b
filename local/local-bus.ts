/**
 * Local mode's event bus: the rules of the synthesised stack (local/wiring.json) route events
 * to the same handlers the Lambdas run. A function target gets Lambda's asynchronous-invocation
 * behaviour: up to two retries, then the on-failure destination (kept here, and reported). A
 * queue with an event source mapping (the ingest queue) gets SQS's and the mapping's: batches of
 * up to `batchSize` messages, a batch leaves when full or when its oldest message has waited
 * the batching window; the messages a partial-batch response lists (or all, if the handler
 * throws) come back after the visibility timeout; past maxReceiveCount receives a message moves
 * to the dead-letter queue (kept, and reported). Other SQS targets (the invalid-events queue)
 * keep what they receive so an operator, or a test, can look.
 *
 * It also stands in for the EventBridge and SNS clients the handlers hold (`eventBridgeClient`,
 * `snsClient`), so handler code that publishes runs unchanged.
 */
import { randomUUID } from 'node:crypto';
import { compilePattern, type Matcher, PatternError } from './event-pattern.ts';
import { type QueueConsumer, rateMillis, type Wiring, type WiringRule } from './wiring.ts';

export interface BusEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date | string;
}

type LocalHandler = (event: Record<string, unknown>) => Promise<unknown>;

interface DeliveryFailure {
  rule: string;
  entry: string;
  event: Record<string, unknown>;
  error: string;
  attempts: number;
}

interface LocalBusOptions {
  /** Handlers by entry file (functions/ingest/handler.ts, ...). */
  handlers: Record<string, LocalHandler>;
  /** Clock for event times (local mode's virtual clock). */
  now: () => number;
  /** Deliveries in flight at once (Lambda runs invocations concurrently). */
  concurrency?: number;
  /** Lambda async retries after the first attempt. */
  retries?: number;
  account?: string;
  region?: string;
  busName?: string;
  onFailure?: (f: DeliveryFailure) => void;
  /**
   * Real milliseconds per second of the template's batching window and visibility timeout
   * (default 1000: as deployed; local mode's replay at 60x passes 1000/60; tests pass less).
   */
  queueMillisPerSecond?: number;
  /** A message moved to a dead-letter queue after maxReceiveCount receives. */
  onDeadLetter?: (d: DeadLetter) => void;
  /**
   * The consumed queues' clock (ms; default performance.now). A benchmark on a virtual clock
   * passes it with `queueTimers: false` and calls `pollQueues()` as its time advances.
   */
  queueClock?: () => number;
  queueTimers?: boolean;
  /** A message deleted after a successful batch (for lag figures). */
  onQueueDelete?: (d: QueueDelete) => void;
}

export interface QueueDelete {
  event: Record<string, unknown>;
  /** Queue clock: when it was sent, when the batch that deleted it left the queue. */
  sentAt: number;
  dispatchedAt: number;
  /** Real ms the batch's handler took. */
  processingMs: number;
  receives: number;
}

export interface DeadLetter {
  queue: string;
  deadLetterQueue: string;
  messageId: string;
  receives: number;
  event: Record<string, unknown>;
}

/** One SQS message in a local queue. */
interface QueueMessage {
  messageId: string;
  body: string;
  event: Record<string, unknown>;
  receives: number;
  /** When it was sent (the queue's clock). */
  sentAt: number;
  /** Queue-clock ms before which it is invisible (in flight or after a failure). */
  visibleAt: number;
  inFlight: boolean;
}

/** What a consumed queue did: messages, batches (invocations), redeliveries, dead letters, lag. */
export interface QueueStats {
  sent: number;
  batches: number;
  received: number;
  deleted: number;
  redelivered: number;
  deadLettered: number;
  /** Per deleted message: ms from send to the end of the batch that deleted it. */
  lagsMs: number[];
}

/**
 * An SQS queue consumed by a function through an event source mapping, in memory. Dispatches go
 * through the bus's concurrency pump, as Lambda runs batches side by side.
 */
export class LocalQueue {
  readonly messages: QueueMessage[] = [];
  readonly stats: QueueStats = {
    sent: 0,
    batches: 0,
    received: 0,
    deleted: 0,
    redelivered: 0,
    deadLettered: 0,
    lagsMs: [],
  };
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** Dispatch partial batches without waiting for the window (drain). */
  flushing = false;

  constructor(
    readonly path: string,
    readonly consumer: QueueConsumer,
    private readonly ms: number,
    private readonly run: (task: () => Promise<void>) => void,
    private readonly handler: () => LocalHandler,
    private readonly deadLetter: (m: QueueMessage) => void,
    private readonly clock: () => number,
    private readonly onDeleted: (n: number) => void = () => {},
    private readonly timers = true,
    private readonly onDelete?: (d: QueueDelete) => void,
  ) {}

  send(event: Record<string, unknown>): void {
    const now = this.clock();
    this.stats.sent++;
    this.messages.push({
      messageId: randomUUID(),
      body: JSON.stringify(event),
      event,
      receives: 0,
      sentAt: now,
      visibleAt: now,
      inFlight: false,
    });
    this.poll();
  }

  /** Messages not yet deleted (waiting, in flight or invisible after a failure). */
  get depth(): number {
    return this.messages.length;
  }

  /** Sends whatever batches are due now and arms a timer for the next one. */
  poll(): void {
    const now = this.clock();
    const visible = () => this.messages.filter((m) => !m.inFlight && m.visibleAt <= now);
    const windowMs = this.consumer.maxBatchingWindowSeconds * this.ms;
    for (let ready = visible(); ready.length > 0; ready = visible()) {
      const oldest = Math.min(...ready.map((m) => m.visibleAt));
      const full = ready.length >= this.consumer.batchSize;
      if (!full && !this.flushing && now - oldest < windowMs) {
        this.arm(oldest + windowMs);
        break;
      }
      this.dispatch(ready.slice(0, this.consumer.batchSize));
    }
    const hidden = this.messages.filter((m) => !m.inFlight && m.visibleAt > now);
    if (hidden.length) this.arm(Math.min(...hidden.map((m) => m.visibleAt)));
  }

  private arm(at: number): void {
    if (!this.timers) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.poll();
      },
      Math.max(0, at - this.clock()),
    );
  }

  private dispatch(batch: QueueMessage[]): void {
    const max = this.consumer.maxReceiveCount;
    const live: QueueMessage[] = [];
    for (const m of batch) {
      // SQS moves a message to the dead-letter queue when a receive would pass maxReceiveCount.
      if (max !== undefined && m.receives >= max) {
        this.remove(m);
        this.stats.deadLettered++;
        this.deadLetter(m);
      } else {
        m.receives++;
        m.inFlight = true;
        live.push(m);
      }
    }
    if (!live.length) return;
    this.stats.batches++;
    this.stats.received += live.length;
    const dispatchedAt = this.clock();
    this.run(async () => {
      const t0 = performance.now();
      const event = {
        Records: live.map((m) => ({
          messageId: m.messageId,
          receiptHandle: m.messageId,
          body: m.body,
          attributes: {
            ApproximateReceiveCount: String(m.receives),
            SentTimestamp: String(Date.now()),
            SenderId: 'local',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:local:000000000000:${this.path}`,
          awsRegion: 'local',
        })),
      };
      let failed: Set<string>;
      try {
        const res = (await this.handler()(event)) as { batchItemFailures?: { itemIdentifier: string }[] };
        failed = new Set(
          this.consumer.reportBatchItemFailures
            ? (res?.batchItemFailures ?? []).map((f) => f.itemIdentifier)
            : [],
        );
      } catch {
        failed = new Set(live.map((m) => m.messageId));
      }
      const processingMs = performance.now() - t0;
      const end = Math.max(this.clock(), dispatchedAt + processingMs);
      for (const m of live) {
        m.inFlight = false;
        if (failed.has(m.messageId)) {
          this.stats.redelivered++;
          m.visibleAt = end + this.consumer.visibilityTimeoutSeconds * this.ms;
        } else {
          this.remove(m);
          this.stats.deleted++;
          this.stats.lagsMs.push(end - m.sentAt);
          this.onDelete?.({
            event: m.event,
            sentAt: m.sentAt,
            dispatchedAt,
            processingMs,
            receives: m.receives,
          });
        }
      }
      this.onDeleted(live.length - failed.size);
      this.poll();
    });
  }

  private remove(m: QueueMessage): void {
    const i = this.messages.indexOf(m);
    if (i >= 0) this.messages.splice(i, 1);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** EventBridge's limit for one entry (the whole entry, as PutEvents counts it). */
export const MAX_ENTRY_BYTES = 256 * 1024;

/** A rule's pattern, compiled; a pattern EventBridge would refuse stops local mode at startup. */
function compileRule(rule: WiringRule): Matcher {
  try {
    return compilePattern(rule.pattern);
  } catch (err) {
    if (err instanceof PatternError) {
      throw new Error(
        `rule ${rule.path}: EventBridge would refuse its event pattern at ${err.path}: ${err.reason}`,
      );
    }
    throw err;
  }
}

/** An entry PutEvents refused: its index in the call, EventBridge's error code and message. */
interface EntryFailure {
  index: number;
  code: string;
  message: string;
}

/** PutEvents' response (the API's own field names). */
interface PutEventsResult {
  FailedEntryCount: number;
  Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
}

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Why EventBridge would refuse this entry (code and message), or null: checks any value (an entry
 * from an HTTP body may be anything) and never throws.
 */
export function validateEntry(e: unknown): { code: string; message: string } | null {
  if (typeof e !== 'object' || e === null || Array.isArray(e))
    return { code: 'InvalidArgument', message: 'entry is not an object' };
  const entry = e as Record<string, unknown>;
  if (typeof entry.Source !== 'string' || entry.Source === '')
    return { code: 'InvalidArgument', message: 'Source is required (a string)' };
  if (typeof entry.DetailType !== 'string' || entry.DetailType === '')
    return { code: 'InvalidArgument', message: 'DetailType is required (a string)' };
  if (typeof entry.Detail !== 'string')
    return { code: 'InvalidArgument', message: 'Detail is required (a string)' };
  if (entry.EventBusName !== undefined && typeof entry.EventBusName !== 'string')
    return { code: 'InvalidArgument', message: 'EventBusName is not a string' };
  if (entry.Resources !== undefined && !isStringArray(entry.Resources))
    return { code: 'InvalidArgument', message: 'Resources is not a list of strings' };
  if (entry.Time !== undefined) {
    const t = entry.Time;
    const ok =
      (t instanceof Date || typeof t === 'string' || typeof t === 'number') &&
      !Number.isNaN(new Date(t as string).getTime());
    if (!ok) return { code: 'InvalidArgument', message: 'Time is not a valid timestamp' };
  }
  const size =
    Buffer.byteLength(entry.Source) +
    Buffer.byteLength(entry.DetailType) +
    Buffer.byteLength(entry.Detail) +
    ((entry.Resources as string[] | undefined) ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0);
  if (size > MAX_ENTRY_BYTES)
    return { code: 'InvalidArgument', message: `entry is ${size} bytes, over ${MAX_ENTRY_BYTES}` };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    return { code: 'MalformedDetail', message: 'Detail is not a JSON object' };
  return null;
}

export class LocalBus {
  readonly queues = new Map<string, Record<string, unknown>[]>();
  /** Queues with a consumer (event source mapping), by path. */
  readonly consumed = new Map<string, LocalQueue>();
  readonly deadLetters: DeadLetter[] = [];
  readonly failures: DeliveryFailure[] = [];
  readonly stats = { put: 0, rejected: 0, matched: 0, delivered: 0, retried: 0, unmatched: 0 };
  private readonly pending: (() => Promise<void>)[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private readonly busRules: { rule: WiringRule; matcher: Matcher }[];
  private readonly scheduled: WiringRule[];

  constructor(
    readonly wiring: Wiring,
    private readonly opts: LocalBusOptions,
  ) {
    this.busRules = wiring.rules
      .filter((r) => r.pattern)
      .map((rule) => ({ rule, matcher: compileRule(rule) }));
    this.scheduled = wiring.rules.filter((r) => r.schedule);
    for (const r of wiring.rules) {
      for (const t of r.targets) {
        if (t.kind !== 'queue' || !t.consumer || this.consumed.has(t.path)) continue;
        const consumer = t.consumer;
        const path = t.path;
        const queue = new LocalQueue(
          path,
          consumer,
          opts.queueMillisPerSecond ?? 1000,
          (task) => this.enqueue(task),
          () => this.opts.handlers[consumer.entry] as LocalHandler,
          (m) => {
            const dl: DeadLetter = {
              queue: path,
              deadLetterQueue: consumer.deadLetterPath ?? '(none)',
              messageId: m.messageId,
              receives: m.receives,
              event: m.event,
            };
            if (consumer.deadLetterPath) {
              const q = this.queues.get(consumer.deadLetterPath) ?? [];
              q.push(m.event);
              this.queues.set(consumer.deadLetterPath, q);
            }
            this.deadLetters.push(dl);
            // Counted with the failed deliveries (local mode's summary line), and reported.
            this.failures.push({
              rule: r.path,
              entry: consumer.entry,
              event: m.event,
              error: `moved to ${dl.deadLetterQueue} after ${m.receives} receives`,
              attempts: m.receives,
            });
            this.opts.onDeadLetter?.(dl);
          },
          opts.queueClock ?? (() => performance.now()),
          (n) => {
            this.stats.delivered += n;
          },
          opts.queueTimers ?? true,
          opts.onQueueDelete,
        );
        this.consumed.set(path, queue);
      }
    }
  }

  /**
   * Fails when a rule targets a function local mode has no handler for. Called once the
   * handlers are in place (they are built after the bus: they publish to it).
   */
  checkHandlers(): void {
    for (const r of this.wiring.rules) {
      for (const t of r.targets) {
        const entry = t.kind === 'function' ? t.entry : t.consumer?.entry;
        if (entry && !this.opts.handlers[entry]) {
          throw new Error(`local mode has no handler for ${entry} (rule ${r.path})`);
        }
      }
    }
  }

  /** The event EventBridge would deliver for an entry (one `validateEntry` accepted). */
  private envelope(e: BusEntry): Record<string, unknown> {
    const time = e.Time !== undefined ? new Date(e.Time) : new Date(this.opts.now());
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': e.DetailType,
      source: e.Source,
      account: this.opts.account ?? '000000000000',
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.opts.region ?? 'local',
      resources: e.Resources ?? [],
      detail: JSON.parse(e.Detail ?? '{}'),
    };
  }

  /**
   * PutEvents: every entry is validated as EventBridge does first, then the good ones are
   * routed in order; the bad ones are reported by index with EventBridge's error code.
   */
  putEvents(entries: readonly unknown[]): { failed: EntryFailure[]; eventIds: (string | null)[] } {
    const checked = entries.map((e) => validateEntry(e));
    const failed: EntryFailure[] = [];
    const eventIds: (string | null)[] = [];
    checked.forEach((problem, index) => {
      this.stats.put++;
      if (problem) {
        this.stats.rejected++;
        failed.push({ index, ...problem });
        eventIds.push(null);
        return;
      }
      const event = this.envelope(entries[index] as BusEntry);
      eventIds.push(event.id as string);
      this.route(event);
    });
    return { failed, eventIds };
  }

  /** PutEvents' own answer for `entries`: FailedEntryCount, and per entry EventId or ErrorCode/ErrorMessage. */
  putEventsResult(entries: readonly unknown[]): PutEventsResult {
    const { failed, eventIds } = this.putEvents(entries);
    const byIndex = new Map(failed.map((f) => [f.index, f]));
    return {
      FailedEntryCount: failed.length,
      Entries: eventIds.map((id, i) => {
        const f = byIndex.get(i);
        return f ? { ErrorCode: f.code, ErrorMessage: f.message } : { EventId: id as string };
      }),
    };
  }

  private route(event: Record<string, unknown>): void {
    let matched = false;
    for (const { rule, matcher } of this.busRules) {
      if (!matcher.matches(event)) continue;
      matched = true;
      this.stats.matched++;
      for (const t of rule.targets) {
        const consumed = t.kind === 'queue' ? this.consumed.get(t.path) : undefined;
        if (consumed) consumed.send(event);
        else if (t.kind === 'queue') {
          const q = this.queues.get(t.path) ?? [];
          q.push(event);
          this.queues.set(t.path, q);
        } else this.enqueue(() => this.deliver(rule, t.entry, event));
      }
    }
    if (!matched) this.stats.unmatched++;
  }

  /** One asynchronous invocation: the first attempt and up to `retries` more. */
  private async deliver(rule: WiringRule, entry: string, event: Record<string, unknown>): Promise<void> {
    const handler = this.opts.handlers[entry];
    const retries = this.opts.retries ?? 2;
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) this.stats.retried++;
      try {
        if (!handler) throw new Error(`local mode has no handler for ${entry}`);
        await handler(event);
        this.stats.delivered++;
        return;
      } catch (err) {
        lastError = err;
      }
    }
    const failure: DeliveryFailure = {
      rule: rule.path,
      entry,
      event,
      error: (lastError as Error)?.message ?? String(lastError),
      attempts: retries + 1,
    };
    this.failures.push(failure);
    this.opts.onFailure?.(failure);
  }

  private enqueue(task: () => Promise<void>): void {
    this.pending.push(task);
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 4;
    while (this.inFlight < limit && this.pending.length) {
      const task = this.pending.shift()!;
      this.inFlight++;
      task().finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.pending.length === 0) {
          for (const w of this.idleWaiters.splice(0)) w();
        }
      });
    }
  }

  /** Deliveries (invocations) waiting or running, queues aside. */
  get running(): number {
    return this.pending.length + this.inFlight;
  }

  /** Sends the batches of consumed queues that are due by their clock (see `queueTimers`). */
  pollQueues(): void {
    for (const q of this.consumed.values()) q.poll();
  }

  /** Deliveries waiting or running, and messages not yet deleted from consumed queues. */
  get backlog(): number {
    let n = this.pending.length + this.inFlight;
    for (const q of this.consumed.values()) n += q.depth;
    return n;
  }

  /**
   * Resolves when every delivery so far has finished and every consumed queue is empty: partial
   * batches leave at once (as if their window had passed); failed messages still wait out their
   * visibility timeout, and end in the dead-letter queue if they keep failing.
   */
  async drain(): Promise<void> {
    for (const q of this.consumed.values()) q.flushing = true;
    try {
      for (;;) {
        for (const q of this.consumed.values()) q.poll();
        if (this.pending.length + this.inFlight > 0) {
          await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
          continue;
        }
        const waiting = [...this.consumed.values()].reduce((n, q) => n + q.depth, 0);
        if (waiting === 0) return;
        // Messages invisible after a failure: wait for their timer.
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      for (const q of this.consumed.values()) q.flushing = false;
    }
  }

  /** Runs every scheduled rule once now (a sweep), as EventBridge's scheduler would. */
  async runSchedules(): Promise<void> {
    for (const rule of this.scheduled) {
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: this.opts.account ?? '000000000000',
        time: new Date(this.opts.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: this.opts.region ?? 'local',
        resources: [`arn:aws:events:local:000000000000:rule/${rule.logicalId}`],
        detail: {},
      };
      for (const t of rule.targets) if (t.kind === 'function') await this.deliver(rule, t.entry, event);
    }
  }

  /** Starts the schedules; `scale` divides their period (a replay at 60x sweeps 60 times as often). */
  startSchedules(scale = 1, minMillis = 1000): void {
    for (const rule of this.scheduled) {
      const every = Math.max(minMillis, rateMillis(rule.schedule!) / scale);
      this.timers.push(setInterval(() => void this.runSchedules(), every));
    }
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const q of this.consumed.values()) q.stop();
  }

  /** An EventBridgeClient stand-in: `send(new PutEventsCommand(...))` puts on this bus. */
  eventBridgeClient(): { send: (cmd: { input: { Entries?: BusEntry[] } }) => Promise<unknown> } {
    return {
      send: async (cmd) => this.putEventsResult(cmd.input.Entries ?? []),
    };
  }
}

/** An SNSClient stand-in for local mode: every Publish goes to `onPublish` (the terminal). */
export function localSnsClient(onPublish: (m: { subject?: string; message: string }) => void) {
  return {
    send: async (cmd: { input: { Subject?: string; Message?: string } }) => {
      const subject = cmd.input.Subject;
      onPublish({ ...(subject !== undefined ? { subject } : {}), message: cmd.input.Message ?? '' });
      return { MessageId: randomUUID() };
    },
  };
}
