/**
 * Where the forwarder's entries go. Every sink takes the same EventBridge-shaped entries
 * (Source, DetailType, Detail, EventBusName) and answers which ones failed, so the sender's
 * batching, retry and buffer policy is the same whatever the destination:
 * - `eventbridge`: PutEvents on the podlife bus (the production path);
 * - `local`: an HTTP POST to the local pipeline (`podlife local`), for a kind or minikube
 *   cluster without an AWS account;
 * - `stdout`: one JSON entry per line, to look at what would be sent.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { z } from 'zod';

/** One entry as PutEvents takes it. */
export interface Entry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName?: string;
  /** When the forwarder observed what the entry says (RFC 3339): the event's `time` on the bus. */
  Time?: string;
}

/** Which entries of a call failed (by index in the call), with the bus's error code if any. */
export interface SinkResult {
  failed: { index: number; code?: string | undefined; message?: string | undefined }[];
}

/**
 * A destination for entries. `put` resolves with the entries that failed individually and
 * rejects when the whole call failed (network, throttling, outage): the sender retries both.
 */
export interface Sink {
  readonly name: string;
  put(entries: Entry[]): Promise<SinkResult>;
  close?(): Promise<void>;
}

/** The error the sender sees when a whole call failed; `code` is the service's error name. */
export class SinkCallError extends Error {
  override name = 'SinkCallError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface EventBridgeSinkOptions {
  client?: EventBridgeClient;
  region?: string | undefined;
}

/** PutEvents' answer (the API's own field names): what EventBridge and the local pipeline answer. */
export const PutEventsAnswer = z.object({
  FailedEntryCount: z.number().int().nonnegative().optional(),
  Entries: z
    .array(
      z.object({
        EventId: z.string().optional(),
        ErrorCode: z.string().optional(),
        ErrorMessage: z.string().optional(),
      }),
    )
    .optional(),
});
export type PutEventsAnswer = z.infer<typeof PutEventsAnswer>;

/**
 * The entries a PutEvents answer refused, by index. An answer that counts failures but does not
 * say which is a whole-call failure (the sender retries every entry).
 */
export function failedEntriesOf(out: PutEventsAnswer): SinkResult['failed'] {
  const failed: SinkResult['failed'] = [];
  if (!out.FailedEntryCount) return failed;
  (out.Entries ?? []).forEach((r, index) => {
    if (r.ErrorCode || !r.EventId) failed.push({ index, code: r.ErrorCode, message: r.ErrorMessage });
  });
  if (failed.length === 0) throw new SinkCallError('FailedEntryCount without entries', 'IncompleteResponse');
  return failed;
}

/** PutEvents. The SDK's own retries are off: the sender retries only the failed entries, and counts them. */
export class EventBridgeSink implements Sink {
  readonly name = 'eventbridge';
  private readonly client: EventBridgeClient;

  constructor(opts: EventBridgeSinkOptions = {}) {
    this.client =
      opts.client ??
      new EventBridgeClient({ ...(opts.region ? { region: opts.region } : {}), maxAttempts: 1 });
  }

  async put(entries: Entry[]): Promise<SinkResult> {
    let out: PutEventsCommandOutput;
    try {
      const Entries = entries.map((e) =>
        e.Time ? { ...e, Time: new Date(e.Time) } : { ...e, Time: undefined },
      );
      out = await this.client.send(new PutEventsCommand({ Entries }));
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new SinkCallError(e.message ?? String(err), e.name ?? 'Error');
    }
    return { failed: failedEntriesOf(out ?? {}) };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** Body of the local sink's POST: the same entries PutEvents would get. */
export interface LocalSinkRequest {
  entries: Entry[];
}

/** POST {"entries":[...]} to the local pipeline, e.g. http://127.0.0.1:PORT/events. */
export class LocalSink implements Sink {
  readonly name = 'local';
  constructor(
    private readonly url: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async put(entries: Entry[]): Promise<SinkResult> {
    const body: LocalSinkRequest = { entries };
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new SinkCallError(`local sink unreachable: ${(err as Error).message}`, 'Unreachable');
    }
    const text = await res.text();
    if (!res.ok) throw new SinkCallError(`local sink answered HTTP ${res.status}`, `HTTP${res.status}`);
    let parsed: PutEventsAnswer;
    try {
      parsed = PutEventsAnswer.parse(JSON.parse(text));
    } catch {
      throw new SinkCallError("local sink answered something else than PutEvents' answer", 'BadResponse');
    }
    return { failed: failedEntriesOf(parsed).filter((f) => f.index < entries.length) };
  }
}

/** One JSON entry per line on a stream (stdout by default). Never fails an entry. */
export class StdoutSink implements Sink {
  readonly name = 'stdout';
  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(l)) {}

  async put(entries: Entry[]): Promise<SinkResult> {
    for (const e of entries) this.write(`${JSON.stringify(e)}\n`);
    return { failed: [] };
  }
}
