/**
 * The inventory stage: after each complete list of pods (the first at (re)start, and every
 * relist), the uids it held go to the bus as `Pod Inventory` entries (core/inventory.ts), so the
 * ingest can mark deleted the stored pods that vanished while no forwarder watched.
 *
 * Beside the buffer, like the heartbeat: an inventory is not a pod's news, it must not push a
 * pod out of the buffer, and a pod's entries never wait behind it. Entries go in PutEvents calls
 * of at most 10 entries and 256 KB; the failed ones are retried with the sender's back-off
 * (full jitter): as long as the bus is throttling or down, and up to `maxAttempts` rounds in
 * which an entry was refused for itself. A shutdown ends the retries. A newer list of the same path supersedes an
 * inventory still retrying (its entries would say less). Every entry is self-sufficient, so one
 * that is finally lost costs only its range until the next list.
 */
import { type Backoff, backoffDelayMs, sleep as realSleep, type Sleep } from '../../core/backoff.ts';
import { DETAIL_TYPE_INVENTORY, type InventoryList, inventoryEntries } from '../../core/inventory.ts';
import { EVENT_SOURCE } from '../../core/snapshot.ts';
import type { ForwarderMetrics } from '../metrics.ts';
import type { Entry, Sink } from '../sinks.ts';
import { entrySize } from './encode.ts';
import { type Log, MAX_BATCH_ENTRIES, MAX_REQUEST_BYTES } from './send.ts';

export interface InventorySenderOptions {
  sink: Sink;
  bus?: string | undefined;
  /** The entries' source: `podlife.forwarder` unless bound (`podlife.forwarder.CLUSTER`, --cluster-source). */
  source?: string | undefined;
  metrics: ForwarderMetrics;
  logger?: Log | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
  /** Rounds with an entry refused for itself (not throttled, not an outage) before the rest is given up (default 10). */
  maxAttempts?: number | undefined;
  backoff?: Backoff | undefined;
}

/** PutEvents calls for `entries`: at most 10 entries and 256 KB each, in order. */
export function inventoryCalls(entries: readonly Entry[]): Entry[][] {
  const calls: Entry[][] = [];
  let call: Entry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = entrySize(e);
    if (call.length > 0 && (call.length >= MAX_BATCH_ENTRIES || bytes + size > MAX_REQUEST_BYTES)) {
      calls.push(call);
      call = [];
      bytes = 0;
    }
    call.push(e);
    bytes += size;
  }
  if (call.length > 0) calls.push(call);
  return calls;
}

export class InventorySender {
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly backoff: Backoff;
  /** The newest list per path: an older one still retrying stops. */
  private readonly generation = new Map<string, number>();
  private readonly inFlight = new Set<Promise<boolean>>();
  private closed = false;
  /** Cuts a back-off short at close: a shutdown does not wait out a 30 s back-off step. */
  private readonly abort = new AbortController();

  constructor(private readonly opts: InventorySenderOptions) {
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.maxAttempts = opts.maxAttempts ?? 10;
    this.backoff = opts.backoff ?? { baseMs: 250, capMs: 30_000 };
  }

  /** The entries one list becomes (core/inventory.ts `inventoryEntries`), as sink entries. */
  entriesOf(list: InventoryList): Entry[] {
    return inventoryEntries(list).map((detail) => ({
      Source: this.opts.source ?? EVENT_SOURCE,
      DetailType: DETAIL_TYPE_INVENTORY,
      Detail: JSON.stringify(detail),
      ...(this.opts.bus ? { EventBusName: this.opts.bus } : {}),
      Time: list.listedAt,
    }));
  }

  /** Sends one list's inventory (in the background); resolves true once every entry was accepted. */
  send(path: string, list: InventoryList): Promise<boolean> {
    const gen = (this.generation.get(path) ?? 0) + 1;
    this.generation.set(path, gen);
    const p = this.run(path, gen, this.entriesOf(list)).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  /**
   * Stops retrying (a back-off under way ends at once); waits for the calls in flight, at most
   * `deadlineMs` (a hung call must not hold the shutdown past its grace period).
   */
  async close(deadlineMs = 5_000): Promise<void> {
    this.closed = true;
    this.abort.abort();
    const timer = new AbortController();
    await Promise.race([Promise.allSettled([...this.inFlight]), realSleep(deadlineMs, timer.signal)]);
    timer.abort();
  }

  private async run(path: string, gen: number, entries: Entry[]): Promise<boolean> {
    const { metrics: m, logger } = this.opts;
    let pending = entries;
    // Rounds in which an entry was refused for itself: throttling and whole-call failures (an
    // outage) do not count, so an inventory outlasts them (the next list may be days away).
    let rounds = 0;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (this.generation.get(path) !== gen) {
        m.inventories.inc({ outcome: 'superseded' });
        return false;
      }
      if (rounds >= this.maxAttempts || (this.closed && attempt > 0)) {
        m.inventories.inc({ outcome: 'failed' });
        logger?.warn('pod inventory not sent', { path, entries: entries.length, unsent: pending.length });
        return false;
      }
      if (attempt > 0) {
        await this.sleep(backoffDelayMs(attempt - 1, this.backoff, this.random), this.abort.signal);
        if (this.closed) {
          m.inventories.inc({ outcome: 'failed' });
          logger?.warn('pod inventory not sent (shutdown)', {
            path,
            entries: entries.length,
            unsent: pending.length,
          });
          return false;
        }
      }
      const failed: Entry[] = [];
      let refused = false;
      for (const call of inventoryCalls(pending)) {
        try {
          const res = await this.opts.sink.put(call);
          const bad = new Set(res.failed.map((f) => f.index));
          call.forEach((e, i) => {
            if (bad.has(i)) failed.push(e);
          });
          if (res.failed.some((f) => f.code !== 'ThrottlingException')) refused = true;
          m.inventoryEntries.inc(call.length - bad.size);
        } catch (err) {
          failed.push(...call);
          const code = (err as { code?: unknown }).code;
          if (code === 'ValidationException') refused = true;
          logger?.debug('pod inventory call failed', { path, error: (err as Error).message });
        }
      }
      if (refused) rounds++;
      pending = failed;
    }
    m.inventories.inc({ outcome: 'ok' });
    logger?.info('pod inventory sent', { path, entries: entries.length });
    return true;
  }
}
