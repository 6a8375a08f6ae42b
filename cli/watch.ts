/**
 * `-w/--watch` for the listing commands, kubectl style: the listing once (with its header), then
 * the API is asked again every `--interval`, and only the rows that are new or have changed are
 * printed, under the same columns, without a header. Ctrl-C (SIGINT) or SIGTERM ends it with
 * exit status 0. Time alone changes nothing: what counts as a change is the command's
 * `signature` of a row (its state, not its age).
 */
import { stringify as yamlStringify } from 'yaml';
import { parseDuration } from '../core/time.ts';
import type { Io } from './api-options.ts';
import { UsageError } from './errors.ts';
import {
  isTerminal,
  type Listing,
  layoutTable,
  type OutputValues,
  outputFormatOf,
  renderListing,
  sortRows,
  tableRows,
  visible,
} from './output.ts';

export interface WatchSpec<T> {
  command: string;
  /** One look at the API. */
  fetch: () => Promise<Listing<T>>;
  /** A row's identity (cluster/namespace/name/uid). */
  key: (row: T) => string;
  /** What must differ for a row to be printed again. */
  signature: (row: T) => string;
  intervalMs: number;
  /** Stops the watch (tests); SIGINT and SIGTERM stop it too. */
  signal?: AbortSignal;
  /** The empty listing's message goes here on the first look (stderr). */
  err: NodeJS.WritableStream;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Watches until stopped; returns exit status 0. API errors on a later look are thrown as on the first. */
export async function watchListing<T>(
  spec: WatchSpec<T>,
  values: OutputValues,
  out: NodeJS.WritableStream,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  spec.signal?.addEventListener('abort', onSignal, { once: true });
  if (spec.signal?.aborted) stop.abort();
  try {
    const format = outputFormatOf(spec.command, values.output);
    const seen = new Map<string, string>();
    let widths: number[] = [];
    // Columns fixed at the first print, so later rows line up under the same headers.
    let cols: ReturnType<typeof visible<T>> | undefined;
    let first = true;
    // The header goes above the first rows printed, even when the first look found none.
    let headed = false;
    while (!stop.signal.aborted) {
      const listing = await spec.fetch();
      const rows = values['sort-by'] ? sortRows(listing, values['sort-by']) : listing.rows;
      const changed = rows.filter((r) => seen.get(spec.key(r)) !== spec.signature(r));
      for (const r of rows) seen.set(spec.key(r), spec.signature(r));
      if (first && rows.length === 0 && listing.empty) spec.err.write(`${listing.empty}\n`);
      if (changed.length > 0) {
        const batch: Listing<T> = { command: listing.command, rows: changed, columns: listing.columns };
        if (format === 'table' || format === 'wide') {
          cols ??= visible({ ...listing, rows }, format === 'wide');
          const headers = !headed && !values['no-headers'] ? cols.map((c) => c.name) : null;
          const truncate = format === 'table' && isTerminal(out);
          const t = layoutTable(headers, tableRows(batch, cols, { headers: true, truncate }), widths);
          widths = t.widths;
          out.write(`${t.text}\n`);
        } else if (format === 'yaml') {
          for (const r of changed) out.write(`---\n${yamlStringify(r, { lineWidth: 0 })}`);
        } else if (format === 'json') {
          // One object per look and row, as `kubectl get -w -o json` prints each object.
          for (const r of changed) out.write(`${JSON.stringify(r, null, 2)}\n`);
        } else {
          out.write(
            renderListing(
              { ...batch, data: changed },
              { ...values, 'sort-by': undefined, 'no-headers': values['no-headers'] || headed },
              out,
            ),
          );
        }
        headed = true;
      }
      first = false;
      await sleep(spec.intervalMs, stop.signal);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The watch options of `pending` and `crashloops`, parseArgs style. */
export const WATCH_OPTIONS = {
  watch: { type: 'boolean', short: 'w', default: false },
  interval: { type: 'string', default: '2s' },
} as const;

export const WATCH_HELP = `  -w, --watch          after the list, ask again every --interval and print the rows that are
                       new or changed (kubectl get -w); Ctrl-C ends it (exit status 0)
  --interval DUR       how often --watch asks the API (default: 2s)`;

/** `--interval` in milliseconds; a usage error unless it is a duration above 0. */
export function intervalMsOf(values: { interval?: string | undefined }): number {
  const ms = parseDuration(values.interval ?? '') * 1000;
  if (!(ms > 0)) throw new UsageError(`--interval ${values.interval}: give a duration above 0`);
  return ms;
}

/**
 * A listing command's output: the listing once, or with `--watch` the listing and then its new and
 * changed rows every `--interval` (pending and crashloops share it).
 */
export async function printOrWatch<T>(
  spec: Pick<WatchSpec<T>, 'command' | 'fetch' | 'key' | 'signature'> & { intervalMs: number },
  values: OutputValues & { watch?: boolean | undefined },
  io: Io,
): Promise<number> {
  if (values.watch) {
    return watchListing(
      { ...spec, err: io.err, ...(io.signal ? { signal: io.signal } : {}) },
      values,
      io.out,
    );
  }
  io.out.write(renderListing(await spec.fetch(), values, io.out));
  return 0;
}
