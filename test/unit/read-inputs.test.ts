/**
 * replay's reader under hostile input, one regression test per case of issue 10 (each fails on
 * the reader before it): a broken first line, YAML bombs and other YAML errors, UTF-16/32 and
 * BOMs, over-long lines and documents, unreadable files between good ones; and control
 * characters escaped in every table and problem line podlife prints.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pendingTable, timelineBlock } from '../../cli/format-query.ts';
import { podTable, replayCommand, replayFiles } from '../../cli/replay.ts';
import { renderTable } from '../../cli/table.ts';
import { safeLines, safeText } from '../../core/terminal-text.ts';
import { formatProblem, jsonItemLines } from '../../local/read-inputs.ts';
import { FIXTURES_DIR } from '../../testkit/fixtures.ts';

const TRACE = join(import.meta.dirname, '..', '..', 'demo', 'trace.jsonl');
const TRACE_TEXT = readFileSync(TRACE, 'utf8');
const NOW = Date.parse('2026-11-03T00:33:18Z');
const dir = mkdtempSync(join(tmpdir(), 'podlife-reader-'));
let n = 0;

function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
}

async function replay(files: string[], extra: Partial<Parameters<typeof replayFiles>[1]> = {}) {
  return replayFiles(files, { cluster: 'c', stuckAfterSeconds: 300, now: NOW, ...extra });
}

const POD_NAME = 'image-pull-backoff';

const BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
].join('\n');

describe('format detection never trusts the first line', () => {
  const broken = `{"type":"ADDED","object":{"kind":"Po\n${TRACE_TEXT}`;
  for (const name of ['broken.jsonl', 'broken.json', 'broken.txt', 'broken']) {
    it(`a broken first line of JSON lines (${name}) is one problem at line 1; all 43 pods are kept`, async () => {
      const good = await replay([TRACE]);
      const r = await replay([file(name, broken)]);
      expect(r.records).toHaveLength(43);
      expect(r.records).toEqual(good.records);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ line: 1 });
      expect(r.problems[0]!.reason).toMatch(/^not JSON: /);
    });
  }

  it('the same from stdin', async () => {
    const r = await replay(['-'], { stdin: Readable.from([Buffer.from(broken)]) as never });
    expect(r.records).toHaveLength(43);
    expect(r.problems.map((p) => `${p.file}:${p.line}`)).toEqual(['<stdin>:1']);
  });

  it('several broken lines at the head: still JSON lines while most sampled lines are JSON', async () => {
    const lines = TRACE_TEXT.trim().split('\n');
    const text = ['{"a":', 'garbage', ...lines.slice(0, 10), '{"b"', ...lines.slice(10)].join('\n');
    const r = await replay([file('x.json', text)]);
    expect(r.records).toHaveLength(43);
    expect(r.problems.map((p) => p.line)).toEqual([1, 2, 13]);
  });

  it('a pretty-printed JSON List is still a document, with a bad item reported at its own line', async () => {
    const list = JSON.parse(
      readFileSync(join(FIXTURES_DIR, 'devops2-volodymyr__minikube-default-podlist.json'), 'utf8'),
    );
    list.items[1].status.phase = 'Sleeping';
    const text = JSON.stringify(list, null, 2);
    const r = await replay([file('list.json', text)]);
    expect(r.records).toHaveLength(list.items.length - 1);
    // The items are the only objects opened alone on a line at this indentation.
    const line = text
      .split('\n')
      .map((l, i) => (l === '    {' ? i + 1 : 0))
      .filter(Boolean)[1];
    expect(r.problems).toEqual([
      { file: expect.any(String), line, reason: expect.stringMatching(/^items\[1\]: status\.phase: /) },
    ]);
  });

  it('jsonItemLines finds each items element of the top-level object, whatever precedes it', () => {
    const text =
      '{\n "s": "items [ {",\n "nested": {"items": [1, 2]},\n "items": [\n  {"a": "}]"},\n  3,\n\n  [4]\n ]\n}';
    expect(jsonItemLines(text)).toEqual([5, 6, 8]);
  });
});

describe('YAML errors of any kind are FILE:LINE problems, never an exception', () => {
  it('an alias bomb after a good file: the good file is kept, the bomb is one problem', async () => {
    const bomb = file('bomb.yaml', BOMB);
    const r = await replay([TRACE, bomb]);
    expect(r.records).toHaveLength(43);
    expect(r.problems).toEqual([{ file: bomb, line: 1, reason: expect.stringMatching(/^YAML: .*alias/) }]);
  });

  it('deep nesting, unknown and custom tags, bad syntax: each a problem in its own document, the others read', async () => {
    const pod = readFileSync(join(FIXTURES_DIR, 'gitops-engine__pod-pending.yaml'), 'utf8').trim();
    const docs = [
      `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
      pod,
      '!!js/function "function () { return 1 }"',
      'kind: Pod\nmetadata: !<tag:yaml.org,2002:binary> aGVsbG8=',
      'key: [unclosed',
      `${'- '.repeat(20_000)}x`,
      '&a [*a]',
    ];
    const text = docs.map((d) => `---\n${d}`).join('\n');
    const r = await replay([file('hostile.yaml', text)]);
    expect(r.records.map((x) => x.name)).toEqual([POD_NAME]);
    const starts: number[] = [];
    let line = 1;
    for (const d of docs) {
      starts.push(line);
      line += d.split('\n').length + 1;
    }
    // Every document but the Pod is reported, within its own lines.
    const bad = r.problems.map((p) => starts.findLastIndex((s) => s <= p.line));
    expect([...new Set(bad)].sort()).toEqual([0, 2, 3, 4, 5, 6]);
  });
});

describe('caps: memory is bounded by the longest line or document, not the file', () => {
  it('a JSON line over the line cap is one problem; the lines around it are read', async () => {
    const lines = TRACE_TEXT.trim().split('\n');
    const huge = `{"type":"ADDED","object":{"x":"${'y'.repeat(3 << 20)}"}}`;
    const text = [lines[0], huge, ...lines.slice(1)].join('\n');
    const { readInput } = await import('../../local/read-inputs.ts');
    const problems: { line: number; reason: string }[] = [];
    let decoded = 0;
    const stats = { lines: 0, objects: 0, rejected: 0, bytes: 0 };
    await readInput(
      file('huge.jsonl', text),
      {
        cluster: 'c',
        now: Date.now(),
        maxLineChars: 1 << 20,
        onDecoded: () => decoded++,
        onProblem: (p) => problems.push(p),
      },
      stats,
    );
    expect(problems).toEqual([
      { file: expect.any(String), line: 2, reason: 'line longer than 1 MiB: not read' },
    ]);
    expect(decoded).toBe(lines.length);
  });

  it('an over-long line among the first lines does not tip a sniffed file into a document (found by the fuzz)', async () => {
    const lines = TRACE_TEXT.trim().split('\n');
    const text = ['\u00c3{', `{"x":"${'y'.repeat(2 << 20)}"}`, ...lines].join('\n');
    const r = await replay([file('in', text)], { limits: { maxLineChars: 1 << 20 } });
    expect(r.records).toHaveLength(43);
    expect(r.problems.map((p) => [p.line, p.reason.slice(0, 20)])).toEqual([
      [1, 'not JSON: Unexpected'],
      [2, 'line longer than 1 M'],
    ]);
  });

  it('a document over the document cap is one problem at its first line; the next one is read', async () => {
    const pod = readFileSync(join(FIXTURES_DIR, 'gitops-engine__pod-pending.yaml'), 'utf8').trim();
    const big = `big:\n${'  - xxxxxxxxxxxxxxxx\n'.repeat(10_000)}`;
    const { readInput } = await import('../../local/read-inputs.ts');
    const problems: { line: number; reason: string }[] = [];
    const names: string[] = [];
    await readInput(
      file('big.yaml', `---\n${big}---\n${pod}\n`),
      {
        cluster: 'c',
        now: Date.now(),
        maxYamlDocumentChars: 64 << 10,
        onDecoded: (d) => names.push(d.kind === 'snapshot' ? d.snapshot.pod.name : ''),
        onProblem: (p) => problems.push(p),
      },
      { lines: 0, objects: 0, rejected: 0, bytes: 0 },
    );
    expect(problems).toEqual([
      {
        file: expect.any(String),
        line: 1,
        reason: expect.stringMatching(/^YAML document over 0\.06 MiB: not read \(use JSON/),
      },
    ]);
    expect(names).toEqual([POD_NAME]);
  });
});

describe('JSON and YAML documents have their own caps', () => {
  const listText = JSON.stringify(
    JSON.parse(readFileSync(join(FIXTURES_DIR, 'devops2-volodymyr__minikube-default-podlist.json'), 'utf8')),
    null,
    2,
  );
  const limits = { maxYamlDocumentChars: 1024, maxDocumentChars: 1 << 20 };

  it('a JSON List far over the YAML cap is read whole', async () => {
    const r = await replay([file('list.json', listText)], { limits });
    expect(r.problems).toEqual([]);
    expect(r.records.length).toBeGreaterThan(0);
  });

  it('a broken JSON document over the YAML cap is one problem, never handed to the YAML parser', async () => {
    const r = await replay([file('list.json', listText.slice(0, -2))], { limits });
    expect(r.problems).toEqual([
      {
        file: expect.any(String),
        line: 1,
        reason: expect.stringMatching(/^not JSON \(.*\), and over 0 MiB to read as YAML$/),
      },
    ]);
  });

  it('a JSON document over its own cap is one problem', async () => {
    const r = await replay([file('list.json', listText)], {
      limits: { maxDocumentChars: 4096, maxYamlDocumentChars: 1024 },
    });
    expect(r.problems).toEqual([
      { file: expect.any(String), line: 1, reason: 'JSON document over 0 MiB: not read (write JSON lines)' },
    ]);
  });
});

describe('text encodings', () => {
  const utf8 = readFileSync(join(FIXTURES_DIR, 'devops2-volodymyr__minikube-default-podlist.json'), 'utf8');
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
  const cases: [string, Buffer][] = [
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8)])],
    ['UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf8, 'utf16le')])],
    ['UTF-16BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(utf8)])],
    ['UTF-16LE without a BOM', Buffer.from(utf8, 'utf16le')],
    ['UTF-16BE without a BOM', utf16be(utf8)],
  ];
  for (const [what, bytes] of cases) {
    it(`${what} is decoded: the same records as UTF-8`, async () => {
      const want = await replay([file('list.json', utf8)]);
      expect(want.records.length).toBeGreaterThan(0);
      const r = await replay([file('list.json', bytes)]);
      expect(r.problems).toEqual([]);
      expect(r.records).toEqual(want.records);
    });
  }

  it('JSON lines in UTF-16 with CRLF, streamed in odd-sized chunks (split characters), are read', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(TRACE_TEXT.replace(/\n/g, '\r\n'), 'utf16le'),
    ]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 4097) chunks.push(bytes.subarray(i, i + 4097));
    const r = await replay(['-'], { stdin: Readable.from(chunks) as never });
    expect(r.problems).toEqual([]);
    expect(r.records).toEqual((await replay([TRACE])).records);
  });

  it('UTF-32 is refused with how to convert it', async () => {
    const r = await replay([file('x.json', Buffer.from([0xff, 0xfe, 0, 0, 0x7b, 0, 0, 0]))]);
    expect(r.problems).toEqual([
      {
        file: expect.any(String),
        line: 1,
        reason: 'UTF-32 input: convert to UTF-8 (iconv -f UTF-32 -t UTF-8)',
      },
    ]);
  });
});

describe('unreadable files', () => {
  it('a missing file or a directory between good files is one problem each (exit 1); the good files are printed', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const sink = (to: string[]) =>
      new Writable({
        write(c, _e, cb) {
          to.push(String(c));
          cb();
        },
      }) as never;
    const code = await replayCommand(
      ['--no-stats', TRACE, join(dir, 'missing.jsonl'), dir, TRACE],
      sink(out),
      sink(err),
    );
    expect(code).toBe(1);
    expect(out.join('')).toMatch(/^mission-control\s+oomkilled-pod/m);
    expect(err.join('')).toMatch(/missing\.jsonl: cannot read: ENOENT/);
    expect(err.join('')).toMatch(/: cannot read: EISDIR/);
  });
});

describe('control characters are escaped in everything podlife prints', () => {
  const ESC = '\x1b]0;pwned\x07\x1b[2J\r\n\u202e\x9b';

  /** Characters a terminal would obey (a newline between lines is podlife's own). */
  const rawControls = (text: string) =>
    [...text]
      .map((c) => c.charCodeAt(0))
      .filter((c) => (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || c === 0x202e);

  it('safeText escapes C0, DEL, C1, line separators and bidi overrides; safeLines keeps newlines', () => {
    expect(safeText(`a${ESC}\t\x7f\u2028b`)).toBe(
      'a\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x0a\\u202e\\x9b\\x09\\x7f\\u2028b',
    );
    expect(safeLines('one\ntwo\x1b[0m')).toBe('one\ntwo\\x1b[0m');
    expect(safeText(safeText(ESC))).toBe(safeText(ESC));
    expect(safeText('ünïcödé 日本 …')).toBe('ünïcödé 日本 …');
  });

  it('tables: no raw control character, and columns still line up', () => {
    const t = renderTable(
      ['A', 'B'],
      [
        [`x${ESC}`, 'y'],
        ['z', `w${ESC}`],
      ],
    );
    expect(rawControls(t)).toEqual([]);
    const [, r1, r2] = t.split('\n');
    expect(r1!.indexOf('y')).toBe(r2!.indexOf('w'));
  });

  it('FILE:LINE problems escape the file name and the reason', () => {
    expect(formatProblem({ file: `f${ESC}`, line: 3, reason: `kind: not a Pod (${ESC})` })).toBe(
      `f${safeText(ESC)}:3: kind: not a Pod (${safeText(ESC)})`,
    );
  });

  it('replay, history and pending tables and replay stderr, from a hostile input', async () => {
    const lines = TRACE_TEXT.trim().split('\n');
    const o = JSON.parse(lines[0]!);
    o.object.metadata.name = `evil${ESC}`;
    o.object.metadata.namespace = `ns${ESC}`;
    const bad = { type: 'ADDED', object: { kind: `Pod${ESC}` } };
    const path = file(`in${'\x1b[31m'}.jsonl`, `${JSON.stringify(o)}\n${JSON.stringify(bad)}\n`);
    const r = await replay([path]);
    const out = [podTable(r.records), ...r.records.map(timelineBlock)].join('\n');
    const pending = pendingTable([
      {
        cluster: 'c',
        namespace: `ns${ESC}`,
        name: `p${ESC}`,
        uid: 'u',
        ageSeconds: 1,
        stuck: true,
        phase: 'Pending',
        waitingReason: null,
        statusReason: null,
        unschedulableMessage: `0/3 nodes${ESC}`,
        owner: { kind: 'ReplicaSet', name: `o${ESC}` },
        node: null,
      } as never,
    ]);
    const err: string[] = [];
    await replayCommand(
      ['--no-stats', path],
      new Writable({ write: (_c, _e, cb) => cb() }) as never,
      new Writable({
        write(c, _e, cb) {
          err.push(String(c));
          cb();
        },
      }) as never,
    );
    expect(out).toContain(`evil${safeText(ESC)}`);
    expect(err.join('')).toContain(safeText(ESC));
    for (const text of [out, pending, err.join('')]) expect(rawControls(text)).toEqual([]);
  });
});
