/**
 * Reads what users hand `podlife replay` (and local mode): watch streams as JSON lines, Pod
 * Lists and single Pods or Events as JSON or YAML documents, from files or stdin. Streams JSON
 * lines one at a time (memory stays flat on a multi-GB stream); documents are read whole.
 * Every problem is reported as `FILE:LINE: reason` and never stops the rest of the input.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { LineCounter, parseAllDocuments } from 'yaml';
import {
  type DecodeContext,
  type Decoded,
  DecodeError,
  decodeObject,
  isList,
  itemKindOf,
} from '../functions/core/decode.ts';

export interface InputProblem {
  file: string;
  line: number;
  reason: string;
}

export interface ReadStats {
  lines: number;
  objects: number;
  rejected: number;
  bytes: number;
}

export interface ReadOptions extends DecodeContext {
  /** Called with each decoded snapshot or event, in input order. */
  onDecoded: (d: Exclude<Decoded, { kind: 'skip' }>, where: { file: string; line: number }) => void;
  onProblem: (p: InputProblem) => void;
  /** Bytes consumed so far, for a progress bar. */
  onBytes?: (bytesSoFar: number, totalBytes: number | null) => void;
  stdin?: Readable;
}

/** `# {"time":"…"}` headers of recorded streams (kspan) give the observation time. */
function recordedTime(comment: string | null | undefined): string | undefined {
  if (!comment) return undefined;
  const m = /\{"time":"([^"]+)"/.exec(comment);
  return m ? m[1] : undefined;
}

interface Where {
  file: string;
  line: number;
  observedAt?: string;
}

/** Decodes one object (not a List) and reports it; `prefix` names it inside its List. */
function handleOne(
  v: unknown,
  at: Where,
  opts: ReadOptions,
  stats: ReadStats,
  prefix = '',
  itemKind?: string,
) {
  stats.objects++;
  try {
    const d = decodeObject(
      v,
      { cluster: opts.cluster, observedAt: at.observedAt ?? opts.observedAt, now: opts.now },
      itemKind,
    );
    if (d.kind !== 'skip') opts.onDecoded(d, { file: at.file, line: at.line });
  } catch (err) {
    stats.rejected++;
    const reason = err instanceof DecodeError ? err.message : `internal error: ${(err as Error).message}`;
    opts.onProblem({ file: at.file, line: at.line, reason: prefix + reason });
  }
}

/** Decodes an object or every item of a List; `itemLine` gives an item's own line if known. */
function handle(
  value: unknown,
  at: Where,
  opts: ReadOptions,
  stats: ReadStats,
  itemLine?: (i: number) => number,
) {
  if (!isList(value)) return handleOne(value, at, opts, stats);
  const kind = itemKindOf(value);
  value.items.forEach((item, i) => {
    handleOne(item, { ...at, line: itemLine?.(i) ?? at.line }, opts, stats, `items[${i}]: `, kind);
  });
}

type ItemsSeq = { items?: { range?: [number, number, number] }[] } | undefined;

/** The `items` sequence node of a parsed List document, for the items' line numbers. */
function itemsSeqOf(doc: { contents: unknown } | undefined): ItemsSeq {
  const contents = doc?.contents as { get?: (k: string, keep: boolean) => unknown } | undefined;
  return contents?.get?.('items', true) as ItemsSeq;
}

/** A whole JSON or YAML document (possibly multi-document YAML), with line numbers per object. */
function handleDocument(text: string, file: string, firstLine: number, opts: ReadOptions, stats: ReadStats) {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const value = JSON.parse(text);
      const items = Array.isArray(value) ? value : [value];
      // Line numbers of List items are worked out only when one is rejected (the rare path).
      const problems: InputProblem[] = [];
      const inner = { ...opts, onProblem: (p: InputProblem) => problems.push(p) };
      for (const v of items) handle(v, { file, line: firstLine }, inner, stats);
      if (problems.length) {
        const lines = itemLines(text);
        for (const p of problems) {
          const m = /^items\[(\d+)\]: /.exec(p.reason);
          opts.onProblem({ ...p, line: firstLine - 1 + (m ? (lines[Number(m[1])] ?? 1) : 1) });
        }
      }
      return;
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      // Not JSON after all (YAML flow style): fall through to the YAML parser.
    }
  }
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const start = doc.contents?.range?.[0] ?? 0;
    const line = firstLine - 1 + lc.linePos(start).line;
    if (doc.errors.length) {
      stats.objects++;
      stats.rejected++;
      const e = doc.errors[0];
      opts.onProblem({
        file,
        line: firstLine - 1 + lc.linePos(e.pos[0]).line,
        reason: `not YAML or JSON: ${e.message.split('\n')[0]}`,
      });
      continue;
    }
    if (doc.contents == null) continue; // an empty document (a trailing `---`)
    const value = doc.toJS({ maxAliasCount: 100 });
    const observedAt = recordedTime(doc.commentBefore);
    const seq = itemsSeqOf(doc);
    const itemLine = (i: number) => {
      const off = seq?.items?.[i]?.range?.[0];
      return off == null ? line : firstLine - 1 + lc.linePos(off).line;
    };
    handle(value, { file, line, observedAt }, opts, stats, itemLine);
  }
}

/** Line (1-based, within `text`) where each top-level `items` element of a JSON List starts. */
function itemLines(text: string): number[] {
  const lc = new LineCounter();
  const doc = parseAllDocuments(text, { lineCounter: lc })[0];
  const seq = itemsSeqOf(doc);
  return (seq?.items ?? []).map((n) => (n.range ? lc.linePos(n.range[0]).line : 1));
}

function looksLikeJsonLine(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** Reads one file (or `-` for stdin), calling back for every decoded object and problem. */
export async function readInput(file: string, opts: ReadOptions, stats: ReadStats): Promise<void> {
  const isStdin = file === '-';
  const total = isStdin ? null : statSync(file).size;
  const stream = isStdin ? (opts.stdin ?? process.stdin) : createReadStream(file);
  const name = isStdin ? '<stdin>' : file;
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let mode: 'unknown' | 'jsonl' | 'document' = 'unknown';
  let doc: string[] = [];
  let docStart = 1;
  let lineNo = 0;
  let bytes = 0;
  let lastReport = 0;
  for await (const line of rl) {
    lineNo++;
    bytes += Buffer.byteLength(line) + 1;
    stats.bytes += Buffer.byteLength(line) + 1;
    if (opts.onBytes && bytes - lastReport > 1 << 20) {
      lastReport = bytes;
      opts.onBytes(bytes, total);
    }
    if (mode === 'unknown') {
      if (line.trim() === '') continue;
      mode = looksLikeJsonLine(line) ? 'jsonl' : 'document';
      docStart = lineNo;
    }
    if (mode === 'document') {
      doc.push(line);
      continue;
    }
    stats.lines++;
    const t = line.trim();
    if (t === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (err) {
      stats.objects++;
      stats.rejected++;
      opts.onProblem({ file: name, line: lineNo, reason: `not JSON: ${(err as Error).message}` });
      continue;
    }
    handle(value, { file: name, line: lineNo }, opts, stats);
  }
  if (mode === 'document') {
    stats.lines += doc.length;
    handleDocument(doc.join('\n'), name, docStart, opts, stats);
    doc = [];
  }
  opts.onBytes?.(bytes, total);
}
