/**
 * Reads what users hand `podlife replay` (and local mode): watch streams as JSON lines, Pod
 * Lists and single Pods or Events as JSON or YAML documents, from files or stdin. Every problem
 * is reported as `FILE:LINE: reason` and never stops the rest of the input; nothing in the
 * input can make the reader throw, stall or hold more than a bounded amount of memory:
 *
 * - The format is chosen per file, never from the first line alone: `.jsonl`/`.ndjson` are JSON
 *   lines, `.yaml`/`.yml` YAML; anything else (`.json`, stdin) is JSON lines when most of its
 *   first non-empty lines are JSON objects, else a JSON or YAML document.
 * - JSON lines are streamed: memory is bounded by the longest line, and a line over
 *   MAX_LINE_CHARS is skipped (a problem), never buffered whole.
 * - Documents are split at YAML's `---` markers and each is read whole, up to
 *   MAX_DOCUMENT_CHARS for JSON and MAX_YAML_DOCUMENT_CHARS for YAML (the YAML library takes
 *   ~40 times the text in memory); a bigger one is a problem (memory stays bounded by the cap).
 * - Any error of the YAML library (alias bombs, depth, tags, ...) is a problem at its line.
 * - UTF-16 is detected from its BOM (or the NULs of its first character) and decoded; a UTF-8
 *   BOM is dropped; UTF-32 is refused with how to convert it.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { LineCounter, parseAllDocuments } from 'yaml';
import {
  type DecodeContext,
  type Decoded,
  DecodeError,
  decodeObject,
  isList,
  itemKindOf,
} from '../core/decode.ts';
import { safeText } from '../core/terminal-text.ts';

/** A JSON line longer than this (in characters) is reported and skipped, never held whole. */
const MAX_LINE_CHARS = 16 << 20;
/** A JSON document (one between `---` markers) longer than this is reported and skipped. */
const MAX_DOCUMENT_CHARS = 128 << 20;
/** The same for a YAML document: ~8 MiB of YAML takes ~350 MB to parse (`kubectl -o json` for more). */
const MAX_YAML_DOCUMENT_CHARS = 8 << 20;
/** How many non-empty lines are sampled to tell JSON lines from a document. */
const SNIFF_LINES = 16;

export interface InputProblem {
  file: string;
  /** 1-based; 0 when the problem is the file itself (it cannot be read). */
  line: number;
  reason: string;
}

/** `FILE:LINE: reason`, with any control character of the file name or reason escaped. */
export function formatProblem(p: InputProblem): string {
  return p.line > 0
    ? `${safeText(p.file)}:${p.line}: ${safeText(p.reason)}`
    : `${safeText(p.file)}: ${safeText(p.reason)}`;
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
  /** Caps (tests pass small ones): defaults MAX_LINE_CHARS, MAX_DOCUMENT_CHARS, MAX_YAML_DOCUMENT_CHARS. */
  maxLineChars?: number;
  maxDocumentChars?: number;
  maxYamlDocumentChars?: number;
}

/** `# {"time":"…"}` headers of recorded streams (kspan) give the observation time. */
function recordedTime(comment: string | null | undefined): string | undefined {
  if (!comment) return undefined;
  const m = /\{"time":"([^"]+)"/.exec(comment);
  return m ? m[1] : undefined;
}

/** The decode context of one object: `observedAt` only when the input recorded one. */
function contextOf(cluster: string, observedAt: string | undefined, now: number): DecodeContext {
  return observedAt === undefined ? { cluster, now } : { cluster, observedAt, now };
}

interface Where {
  file: string;
  line: number;
  observedAt?: string | undefined;
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
    const d = decodeObject(v, contextOf(opts.cluster, at.observedAt ?? opts.observedAt, opts.now), itemKind);
    if (d.kind !== 'skip') opts.onDecoded(d, { file: at.file, line: at.line });
  } catch (err) {
    stats.rejected++;
    const reason = err instanceof DecodeError ? err.message : `internal error: ${firstLineOf(err)}`;
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

/** The first line of an error message, for a one-line problem. */
function firstLineOf(err: unknown): string {
  const text =
    err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return (text.split('\n')[0] ?? '').slice(0, 300);
}

const mib = (n: number) => `${+(n / 1048576).toFixed(2)} MiB`;

function reject(file: string, line: number, reason: string, opts: ReadOptions, stats: ReadStats) {
  stats.objects++;
  stats.rejected++;
  opts.onProblem({ file, line, reason });
}

/**
 * One whole JSON or YAML document (possibly several YAML documents), with line numbers per
 * object. Whatever the YAML library throws (an alias bomb's ReferenceError, a stack overflow on
 * deep nesting, ...) is a problem at the document's line, never an exception.
 */
function handleDocument(
  text: string,
  file: string,
  firstLine: number,
  maxYaml: number,
  opts: ReadOptions,
  stats: ReadStats,
) {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch (err) {
      // Not JSON after all (YAML flow style): the YAML parser below says what is wrong, if it may.
      if (text.length > maxYaml) {
        const why = `not JSON (${(err as Error).message}), and over ${mib(maxYaml)} to read as YAML`;
        reject(file, firstLine, why, opts, stats);
        return;
      }
    }
    if (parsed) {
      const items = Array.isArray(value) ? value : [value];
      // Line numbers of List items are worked out only when one is rejected (the rare path).
      const problems: InputProblem[] = [];
      const inner = { ...opts, onProblem: (p: InputProblem) => problems.push(p) };
      for (const v of items) handle(v, { file, line: firstLine }, inner, stats);
      if (problems.length) {
        const lines = jsonItemLines(text);
        for (const p of problems) {
          const m = /^items\[(\d+)\]: /.exec(p.reason);
          opts.onProblem({ ...p, line: firstLine - 1 + (m ? (lines[Number(m[1])] ?? 1) : 1) });
        }
      }
      return;
    }
  }
  const lc = new LineCounter();
  const at = (offset: number | undefined) => firstLine - 1 + lc.linePos(offset ?? 0).line;
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, logLevel: 'error' });
  } catch (err) {
    reject(file, firstLine, `not YAML or JSON: ${firstLineOf(err)}`, opts, stats);
    return;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const line = at(doc.contents?.range?.[0]);
    const [e] = doc.errors;
    if (e) {
      reject(file, at(e.pos[0]), `not YAML or JSON: ${e.message.split('\n')[0]}`, opts, stats);
      continue;
    }
    if (doc.contents == null) continue; // an empty document (a trailing `---`)
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      reject(file, line, `YAML: ${firstLineOf(err)}`, opts, stats);
      continue;
    }
    const observedAt = recordedTime(doc.commentBefore);
    const seq = itemsSeqOf(doc);
    const itemLine = (i: number) => {
      const off = seq?.items?.[i]?.range?.[0];
      return off == null ? line : at(off);
    };
    handle(value, { file, line, observedAt }, opts, stats, itemLine);
  }
}

/**
 * Line (1-based, within `text`) where each element of the top-level object's `items` array
 * starts, by one pass over the characters (no second parse of a large document).
 */
export function jsonItemLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  let lastKey: string | null = null;
  let itemsDepth = -1; // the depth inside the `items` array, once entered
  let expectValue = false; // inside `items`, the next non-blank character starts an element
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) {
        inString = false;
        if (depth === 1) lastKey = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (depth === itemsDepth && expectValue) {
      lines.push(line);
      expectValue = false;
    }
    if (c === 34) {
      inString = true;
      stringStart = i;
    } else if (c === 123 || c === 91) {
      depth++;
      if (c === 91 && depth === 2 && itemsDepth < 0 && lastKey === 'items') {
        itemsDepth = 2;
        expectValue = true;
      }
    } else if (c === 125 || c === 93) {
      if (depth === itemsDepth) return lines;
      depth--;
    } else if (c === 44 && depth === itemsDepth) expectValue = true;
  }
  return lines;
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

type Encoding = { decoder: TextDecoder; skip: number } | { refuse: string };

/** The text encoding from the first bytes: a BOM, or the NULs of an ASCII first character (RFC 4627). */
function detectEncoding(head: Buffer): Encoding {
  const b = (i: number) => head[i] ?? -1;
  const utf32 = { refuse: 'UTF-32 input: convert to UTF-8 (iconv -f UTF-32 -t UTF-8)' };
  if (b(0) === 0xef && b(1) === 0xbb && b(2) === 0xbf) return { decoder: new TextDecoder('utf-8'), skip: 3 };
  if (b(0) === 0xff && b(1) === 0xfe && b(2) === 0 && b(3) === 0) return utf32;
  if (b(0) === 0 && b(1) === 0 && b(2) === 0xfe && b(3) === 0xff) return utf32;
  if (b(0) === 0xff && b(1) === 0xfe) return { decoder: new TextDecoder('utf-16le'), skip: 2 };
  if (b(0) === 0xfe && b(1) === 0xff) return { decoder: new TextDecoder('utf-16be'), skip: 2 };
  if (head.length >= 4) {
    if (b(0) === 0 && b(1) === 0 && b(2) === 0 && b(3) > 0) return utf32;
    if (b(0) > 0 && b(1) === 0 && b(2) === 0 && b(3) === 0) return utf32;
  }
  if (head.length >= 2) {
    if (b(0) === 0 && b(1) > 0 && b(1) < 0x80) return { decoder: new TextDecoder('utf-16be'), skip: 0 };
    if (b(0) > 0 && b(0) < 0x80 && b(1) === 0) return { decoder: new TextDecoder('utf-16le'), skip: 0 };
  }
  // Not `fatal`: invalid UTF-8 becomes U+FFFD, and such a line is then "not JSON" at its place.
  return { decoder: new TextDecoder('utf-8'), skip: 0 };
}

/**
 * Cuts decoded text into lines, holding at most `max` characters of a line: a longer line is
 * reported once (by its number) and dropped up to its newline. A trailing `\r` is removed.
 */
class LineSplitter {
  private partial = '';
  private skipping = false;
  lineNo = 0;
  constructor(
    private readonly max: number,
    private readonly emit: (line: string, lineNo: number) => void,
    private readonly tooLong: (lineNo: number) => void,
  ) {}

  push(text: string): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        if (!this.skipping) {
          this.partial += text.slice(start);
          if (this.partial.length > this.max) {
            this.skipping = true;
            this.partial = '';
            this.tooLong(this.lineNo + 1);
          }
        }
        return;
      }
      this.lineNo++;
      if (this.skipping) this.skipping = false;
      else {
        const line = this.partial + text.slice(start, nl);
        this.partial = '';
        if (line.length > this.max) this.tooLong(this.lineNo);
        else this.emit(line.endsWith('\r') ? line.slice(0, -1) : line, this.lineNo);
      }
      start = nl + 1;
    }
  }

  end(): void {
    if (this.skipping || this.partial === '') return;
    this.lineNo++;
    const line = this.partial;
    this.partial = '';
    this.emit(line.endsWith('\r') ? line.slice(0, -1) : line, this.lineNo);
  }
}

const YAML_MARKER = /^(---|\.\.\.)(\s|$)/;

/** Reads one file (or `-` for stdin), calling back for every decoded object and problem. */
export async function readInput(file: string, opts: ReadOptions, stats: ReadStats): Promise<void> {
  const isStdin = file === '-';
  let total: number | null = null;
  if (!isStdin) {
    const st = statSync(file);
    if (st.isDirectory())
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${file}'`), {
        code: 'EISDIR',
      });
    total = st.isFile() ? st.size : null;
  }
  const stream = isStdin ? (opts.stdin ?? process.stdin) : createReadStream(file);
  const name = isStdin ? '<stdin>' : file;
  const maxLine = opts.maxLineChars ?? MAX_LINE_CHARS;
  const maxDocument = opts.maxDocumentChars ?? MAX_DOCUMENT_CHARS;
  const maxYaml = opts.maxYamlDocumentChars ?? MAX_YAML_DOCUMENT_CHARS;
  const lower = name.toLowerCase();
  let mode: 'sniff' | 'jsonl' | 'document' =
    lower.endsWith('.jsonl') || lower.endsWith('.ndjson')
      ? 'jsonl'
      : lower.endsWith('.yaml') || lower.endsWith('.yml')
        ? 'document'
        : 'sniff';

  // JSON lines: each line on its own.
  const jsonLine = (line: string, lineNo: number) => {
    const t = line.trim();
    if (t === '') return;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (err) {
      reject(name, lineNo, `not JSON: ${(err as Error).message}`, opts, stats);
      return;
    }
    handle(value, { file: name, line: lineNo }, opts, stats);
  };

  // Documents: the lines of the current one (up to the next `---`), bounded by MAX_DOCUMENT_CHARS.
  let doc: string[] = [];
  let docChars = 0;
  let docStart = 0;
  let docTooBig = false;
  let docCap = maxYaml; // set by the document's first non-blank line: JSON or YAML
  const flushDocument = () => {
    if (doc.length && !docTooBig && doc.some((l) => l.trim() !== '')) {
      handleDocument(doc.join('\n'), name, docStart, maxYaml, opts, stats);
    }
    doc = [];
    docChars = 0;
    docTooBig = false;
    docCap = maxYaml;
  };
  const documentLine = (line: string, lineNo: number) => {
    const marker = YAML_MARKER.exec(line);
    if (marker?.[1] === '---') flushDocument();
    if (doc.length === 0 && !docTooBig) docStart = lineNo;
    if (!docTooBig) {
      if (docChars === 0 || !doc.some((l) => l.trim() !== ''))
        docCap = /^\s*[[{]/.test(line) ? Math.max(maxDocument, maxYaml) : maxYaml;
      docChars += line.length + 1;
      if (docChars > docCap) {
        docTooBig = true;
        doc = [];
        const what = docCap === maxYaml ? 'YAML document' : 'JSON document';
        const hint =
          docCap === maxYaml ? 'use JSON (kubectl -o json) or split it at ---' : 'write JSON lines';
        reject(name, docStart, `${what} over ${mib(docCap)}: not read (${hint})`, opts, stats);
      } else doc.push(line);
    }
    if (marker?.[1] === '...') flushDocument();
  };

  // A line over the cap: in JSON lines one problem; in a document, the document is too big.
  const tooLongLine = (lineNo: number) => {
    stats.lines++;
    if (mode === 'jsonl') {
      reject(name, lineNo, `line longer than ${mib(maxLine)}: not read`, opts, stats);
      return;
    }
    if (doc.length === 0 && !docTooBig) docStart = lineNo;
    if (!docTooBig) {
      docTooBig = true;
      doc = [];
      reject(name, docStart, `a line over ${mib(maxLine)} in this document: not read`, opts, stats);
    }
  };

  // Sniffing: the first non-empty lines decide (a line too long to hold counts as not JSON);
  // they are then read in the mode chosen.
  let sample: [string | null, number][] = [];
  let sampleChars = 0;
  let sampleLines = 0;
  const decide = () => {
    const json = sample.filter(([l]) => l != null && looksLikeJsonLine(l)).length;
    mode = json > 0 && json * 2 >= sampleLines ? 'jsonl' : 'document';
    const held = sample;
    sample = [];
    for (const [l, n] of held) {
      if (l == null) tooLongLine(n);
      else onLine(l, n);
    }
  };
  const hold = (line: string | null, lineNo: number) => {
    sample.push([line, lineNo]);
    sampleChars += line?.length ?? 0;
    if (line == null || line.trim() !== '') sampleLines++;
    if (sampleLines >= SNIFF_LINES || sampleChars > maxLine) decide();
  };
  const onLine = (line: string, lineNo: number) => {
    if (mode === 'sniff') return hold(line, lineNo);
    stats.lines++;
    if (mode === 'jsonl') return jsonLine(line, lineNo);
    return documentLine(line, lineNo);
  };
  const splitter = new LineSplitter(maxLine, onLine, (lineNo) =>
    mode === 'sniff' ? hold(null, lineNo) : tooLongLine(lineNo),
  );

  let encoding: Encoding | undefined;
  let head: Buffer = Buffer.alloc(0);
  let bytes = 0;
  let lastReport = 0;
  const feed = (buf: Buffer, last: boolean) => {
    if (!encoding) {
      head = head.length ? Buffer.concat([head, buf]) : buf;
      if (head.length < 4 && !last) return false;
      encoding = detectEncoding(head);
      if ('refuse' in encoding) {
        reject(name, 1, encoding.refuse, opts, stats);
        return true;
      }
      buf = head.subarray(encoding.skip);
    }
    if ('refuse' in encoding) return true;
    splitter.push(encoding.decoder.decode(buf, { stream: !last }));
    return false;
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buf.length;
    stats.bytes += buf.length;
    if (opts.onBytes && bytes - lastReport > 1 << 20) {
      lastReport = bytes;
      opts.onBytes(bytes, total);
    }
    if (feed(buf, false)) {
      if (!isStdin) (stream as { destroy?: () => void }).destroy?.();
      break;
    }
  }
  if (!encoding || !('refuse' in encoding)) {
    feed(Buffer.alloc(0), true);
    splitter.end();
    if (mode === 'sniff') decide();
    if (mode === 'document') flushDocument();
  }
  opts.onBytes?.(bytes, total);
}
