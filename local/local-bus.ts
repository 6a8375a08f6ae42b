/**
 * Local mode's event bus: the rules of the synthesised stack (local/wiring.json) route events
 * to the same handlers the Lambdas run, with Lambda's asynchronous-invocation behaviour: up to
 * two retries, then the on-failure destination (kept here, and reported). SQS targets (the
 * invalid-events queue) keep what they receive so an operator, or a test, can look.
 *
 * It also stands in for the EventBridge and SNS clients the handlers hold (`eventBridgeClient`,
 * `snsClient`), so handler code that publishes runs unchanged.
 */
import { randomUUID } from 'node:crypto';
import { compilePattern, type Matcher, PatternError } from './event-pattern.ts';
import { rateMillis, type Wiring, type WiringRule } from './wiring.ts';

export interface BusEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date | string;
}

export type LocalHandler = (event: Record<string, unknown>) => Promise<unknown>;

export interface DeliveryFailure {
  rule: string;
  entry: string;
  event: Record<string, unknown>;
  error: string;
  attempts: number;
}

export interface LocalBusOptions {
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
export interface EntryFailure {
  index: number;
  code: string;
  message: string;
}

/** PutEvents' response (the API's own field names). */
export interface PutEventsResult {
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
  }

  /**
   * Fails when a rule targets a function local mode has no handler for. Called once the
   * handlers are in place (they are built after the bus: they publish to it).
   */
  checkHandlers(): void {
    for (const r of this.wiring.rules) {
      for (const t of r.targets) {
        if (t.kind === 'function' && !this.opts.handlers[t.entry]) {
          throw new Error(`local mode has no handler for ${t.entry} (rule ${r.path})`);
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
        if (t.kind === 'queue') {
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

  /** Deliveries waiting or running. */
  get backlog(): number {
    return this.pending.length + this.inFlight;
  }

  /** Resolves when every delivery so far has finished. */
  drain(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
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
      onPublish({ subject: cmd.input.Subject, message: cmd.input.Message ?? '' });
      return { MessageId: randomUUID() };
    },
  };
}
