/**
 * The output of every listing command (history, pending, crashloops, stats, replay), in one
 * place: kubectl's habits, once.
 *
 * A command describes its rows as a `Listing`: the objects (what `-o json` / `-o yaml` print,
 * exactly as the API or `replay --json` gives them) and its columns (what the table, `-o wide`
 * and `-o csv` print). `OUTPUT_FORMATS` is the table of formats, name → renderer; a format
 * for one command only (say `-o otlp` for history) is one more entry with `commands: [...]`.
 *
 * Rules every command gets from here:
 * - one empty-cell marker, `<none>` (kubectl's), in tables; CSV leaves the field empty;
 * - long text (messages) cut with `…` only in the default table on a terminal; into a pipe, a
 *   file, `-o wide` or `-o csv` the text is whole;
 * - `--no-headers` drops the header line of tables and CSV;
 * - `--sort-by F` sorts rows by a column (`AGE`, `RESTARTS`, `TO-READY`) or a field of the
 *   JSON objects (`ageSeconds`, `restarts`, `.timeToReadySeconds`), ascending, rows without a
 *   value last, ties in the command's own order.
 */
import { stringify as yamlStringify } from 'yaml';
import { safeLines, safeText } from '../core/terminal-text.ts';
import { didYouMean, UsageError } from './errors.ts';

/** kubectl's marker for an empty cell, used in every table podlife prints. */
export const NONE = '<none>';

/** How many characters of a long cell a terminal table shows. */
export const LONG_CELL_MAX = 90;

export type Cell = string | number | null | undefined;

export interface Column<T> {
  /** The header, kubectl-style: upper case, words joined by `-`. */
  name: string;
  value: (row: T) => Cell;
  /** Only with `-o wide` (and in CSV). */
  wide?: boolean;
  /** Free text (messages): cut to LONG_CELL_MAX on a terminal's default table. */
  long?: boolean;
  /** The value `--sort-by COLUMN` sorts on (default: the cell). */
  sort?: (row: T) => string | number | null | undefined;
  /** Shown only when this holds for the rows (e.g. CLUSTER when there are several). */
  when?: (rows: readonly T[]) => boolean;
}

export interface Listing<T> {
  /** The command, for `commands`-limited formats and messages. */
  command: string;
  rows: readonly T[];
  columns: readonly Column<T>[];
  /** What `-o json` / `-o yaml` print (default: the rows). */
  data?: unknown;
  /** Printed by the table formats instead of an empty table (e.g. "No Pending pods."). */
  empty?: string;
  /** Leading rows `--sort-by` leaves first (a total above its groups). */
  pinned?: number;
  /** More blocks after the table (history's timelines, replay's statistics), table formats only. */
  after?: (opts: RenderOptions) => string[];
}

export interface RenderOptions {
  /** Print header lines (tables, CSV). */
  headers: boolean;
  /** Cut long cells with `…`: only for a terminal. */
  truncate: boolean;
}

export interface OutputFormat {
  /** One line for --help. */
  describe: string;
  /** The whole output, without the final newline ('' prints nothing). */
  render: (listing: Listing<unknown>, opts: RenderOptions) => string;
  /** Formats for some commands only; default: every listing command. */
  commands?: readonly string[];
}

// ---- cells ---------------------------------------------------------------------------------

const isEmpty = (c: Cell): c is null | undefined | '' => c == null || c === '';

/** A table cell: one line, control characters escaped, empty as `<none>`. */
function tableCell(c: Cell, long: boolean, truncate: boolean): string {
  if (isEmpty(c)) return NONE;
  const one = String(c).replace(/\s+/g, ' ').trim();
  const cut = long && truncate && one.length > LONG_CELL_MAX ? `${one.slice(0, LONG_CELL_MAX - 1)}…` : one;
  return safeText(cut);
}

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, a quote, a CR or LF (quotes doubled);
 * newlines kept, other control characters escaped.
 */
export function csvField(c: Cell): string {
  if (isEmpty(c)) return '';
  const s = safeLines(String(c));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The columns a format shows for these rows. */
export function visible<T>(listing: Listing<T>, wide: boolean): Column<T>[] {
  return listing.columns.filter((c) => (wide || !c.wide) && (!c.when || c.when(listing.rows)));
}

/**
 * kubectl-style plain table: headers, columns padded with three spaces, no borders; every
 * cell through `safeText`. `minWidths` keeps the columns of a later batch (--watch) aligned
 * with the first.
 */
export function layoutTable(
  headers: readonly string[] | null,
  rows: readonly (readonly string[])[],
  minWidths: readonly number[] = [],
): { text: string; widths: number[] } {
  const n = headers?.length ?? rows[0]?.length ?? 0;
  const widths = Array.from({ length: n }, (_, i) =>
    Math.max(minWidths[i] ?? 0, headers?.[i]?.length ?? 0, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  const lines = [...(headers ? [line(headers.map((h) => safeText(h)))] : []), ...rows.map(line)];
  return { text: lines.join('\n'), widths };
}

export function tableRows<T>(
  listing: Listing<T>,
  cols: readonly Column<T>[],
  opts: RenderOptions,
): string[][] {
  return listing.rows.map((r) => cols.map((c) => tableCell(c.value(r), c.long ?? false, opts.truncate)));
}

function tableFormat(wide: boolean): OutputFormat['render'] {
  return (listing, opts) => {
    const cols = visible(listing, wide);
    const blocks: string[] = [];
    if (listing.rows.length === 0 && listing.empty !== undefined) blocks.push(listing.empty);
    else
      blocks.push(
        layoutTable(
          opts.headers ? cols.map((c) => c.name) : null,
          tableRows(listing, cols, { ...opts, truncate: opts.truncate && !wide }),
        ).text,
      );
    if (listing.after) blocks.push(...listing.after({ ...opts, truncate: opts.truncate && !wide }));
    return blocks.join('\n\n');
  };
}

function csvFormat(listing: Listing<unknown>, opts: RenderOptions): string {
  const cols = visible(listing, true);
  const lines = listing.rows.map((r) => cols.map((c) => csvField(c.value(r))).join(','));
  if (opts.headers) lines.unshift(cols.map((c) => csvField(c.name)).join(','));
  return lines.join('\r\n');
}

const dataOf = (listing: Listing<unknown>) => listing.data ?? listing.rows;

/**
 * The output formats, by `-o` name. Add a format here (or with `addOutputFormat` from its own
 * module) and every command's `-o`, its --help and its "did you mean" know it.
 */
export const OUTPUT_FORMATS: Record<string, OutputFormat> = {
  table: { describe: 'a table (the default)', render: tableFormat(false) },
  wide: {
    describe: 'the table with more columns (owner, node, ...), text never cut',
    render: tableFormat(true),
  },
  json: { describe: 'the objects as JSON (an array)', render: (l) => JSON.stringify(dataOf(l), null, 2) },
  yaml: {
    describe: 'the same objects as YAML',
    render: (l) => yamlStringify(dataOf(l), { lineWidth: 0 }).trimEnd(),
  },
  csv: { describe: "the wide table's columns as CSV (RFC 4180)", render: csvFormat },
};

/** Registers a format (e.g. `otlp` for history) in the table above. */
export function addOutputFormat(name: string, format: OutputFormat): void {
  OUTPUT_FORMATS[name] = format;
}

/** The formats one command takes, in the table's order. */
export function formatsOf(command: string): string[] {
  return Object.entries(OUTPUT_FORMATS)
    .filter(([, f]) => !f.commands || f.commands.includes(command))
    .map(([name]) => name);
}

/** `-o` checked against the command's formats: a UsageError with "did you mean" otherwise. */
export function outputFormatOf(command: string, output: string | undefined): string {
  const o = output ?? 'table';
  const known = formatsOf(command);
  if (known.includes(o)) return o;
  const hint = didYouMean(o, known);
  throw new UsageError(`-o ${o}: use ${known.join(', ')}${hint ? ` (${hint})` : ''}`);
}

/** The `-o` line of a command's --help. */
export function outputHelp(command: string): string {
  return `  -o, --output FMT     ${formatsOf(command).join('|')} (default: table)`;
}

// ---- sorting ---------------------------------------------------------------------------------

type SortValue = string | number | null | undefined;

function fieldOf(row: unknown, path: string): SortValue {
  let v: unknown = row;
  for (const k of path.split('.')) {
    if (v == null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' || typeof v === 'string' ? v : undefined;
}

/** Ascending, numbers before strings, no value last. */
function compareValues(a: SortValue, b: SortValue): number {
  const ea = a == null || a === '';
  const eb = b == null || b === '';
  if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The names `--sort-by` takes for a listing: its columns and its objects' fields. */
export function sortKeysOf<T>(listing: Listing<T>): string[] {
  const fields = new Set<string>();
  for (const r of listing.rows.slice(0, 50))
    if (r && typeof r === 'object')
      for (const [k, v] of Object.entries(r))
        if (v == null || ['string', 'number', 'boolean'].includes(typeof v)) fields.add(k);
  return [...listing.columns.map((c) => c.name), ...fields];
}

/**
 * The rows sorted by `key`: a column's name (any case) or a field of the objects (`restarts`,
 * `.ageSeconds`, `{.owner.name}`: kubectl's JSONPath forms are accepted for a plain path).
 * Stable: equal rows keep the command's order.
 */
export function sortRows<T>(listing: Listing<T>, key: string): T[] {
  const path = key.replace(/^\{(.*)\}$/, '$1').replace(/^\./, '');
  const column = listing.columns.find((c) => c.name.toLowerCase() === path.toLowerCase());
  let value: (r: T) => SortValue;
  if (column) value = column.sort ?? ((r) => column.value(r));
  else if (listing.rows.length === 0 || listing.rows.some((r) => fieldOf(r, path) !== undefined))
    value = (r) => fieldOf(r, path);
  else {
    const known = sortKeysOf(listing);
    const hint = didYouMean(path, known);
    throw new UsageError(
      `--sort-by ${key}: no such column or field${hint ? ` (${hint})` : ''}; columns: ${listing.columns
        .map((c) => c.name)
        .join(', ')}`,
    );
  }
  const pinned = listing.pinned ?? 0;
  return [
    ...listing.rows.slice(0, pinned),
    ...listing.rows
      .slice(pinned)
      .map((r, i) => ({ r, i, v: value(r) }))
      .sort((a, b) => compareValues(a.v, b.v) || a.i - b.i)
      .map((x) => x.r),
  ];
}

// ---- the options every listing command takes --------------------------------------------------

/** The output options, parseArgs style, merged into each listing command's options. */
export const OUTPUT_OPTIONS = {
  output: { type: 'string', short: 'o', default: 'table' },
  'no-headers': { type: 'boolean', default: false },
  'sort-by': { type: 'string' },
} as const;

export interface OutputValues {
  output?: string | undefined;
  'no-headers'?: boolean | undefined;
  'sort-by'?: string | undefined;
}

/** The --help lines of the output options. */
export function outputOptionsHelp(command: string): string {
  return [
    outputHelp(command),
    '  --no-headers         no header line (tables, CSV)',
    '  --sort-by F          sort by a column (AGE, RESTARTS, ...) or a JSON field (ageSeconds, restarts)',
  ].join('\n');
}

/** Is this stream a terminal (where long cells are cut to fit)? */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** The text a listing prints for the options given (with a final newline, or '' for nothing). */
export function renderListing<T>(
  listing: Listing<T>,
  values: OutputValues,
  out: NodeJS.WritableStream,
): string {
  const format = outputFormatOf(listing.command, values.output);
  const sorted = values['sort-by'] ? { ...listing, rows: sortRows(listing, values['sort-by']) } : listing;
  // -o json/yaml print the objects: sorted too when asked, unless the command gave other data.
  const data = listing.data !== undefined ? listing.data : sorted.rows;
  const f = OUTPUT_FORMATS[format];
  if (!f) throw new UsageError(`-o ${format}: no such format`);
  const text = f.render({ ...(sorted as Listing<unknown>), data } as Listing<unknown>, {
    headers: !values['no-headers'],
    truncate: isTerminal(out),
  });
  return text === '' ? '' : `${text}\n`;
}
