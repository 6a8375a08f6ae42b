/**
 * Fuzzing replay's reader (fast-check, seeded, bounded): random mixes of good inputs (the demo
 * trace, a real watch stream, real Pod manifests) and hostile ones (truncated JSON, binary,
 * control characters, huge numbers, YAML bombs, deep nesting, BOMs, over-long lines and
 * documents), across several files of any name. Each run asserts: no exception, bounded time,
 * every bad input reported once at its own place, and the records equal to replaying the good
 * inputs alone.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_INPUT, replayFiles } from '../../cli/replay.ts';
import { FIXTURES_DIR } from '../../testkit/fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const GOOD_LINES = [
  ...readFileSync(join(ROOT, 'demo', 'trace.jsonl'), 'utf8')
    .trim()
    .split('\n'),
  ...readFileSync(join(FIXTURES_DIR, 'pandaychen-blog__api-watch-pods-2016.jsonl'), 'utf8')
    .trim()
    .split('\n'),
];
const MAX_LINE = Math.max(...GOOD_LINES.map((l) => l.length)) + 1000;
const GOOD_DOCS = readdirSync(FIXTURES_DIR)
  .filter((f) => f.startsWith('gitops-engine__') && f.endsWith('.yaml'))
  .map((f) => readFileSync(join(FIXTURES_DIR, f), 'utf8').trim());
const MAX_DOC = Math.max(...GOOD_DOCS.map((d) => d.length)) + 1000;
const NOW = Date.parse('2026-11-03T00:33:18Z');
const dir = mkdtempSync(join(tmpdir(), 'podlife-fuzz-'));
let n = 0;

type Part = { good: boolean; text: string | Buffer };

/** Lines that must each be exactly one problem (never a record, never lost silently). */
const hostileLine: fc.Arbitrary<string | Buffer> = fc.oneof(
  // truncated JSON: a good line cut before its closing brace
  fc
    .tuple(fc.constantFrom(...GOOD_LINES), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([l, f]) => l.slice(0, 1 + Math.floor(f * (l.length - 2)))),
  // binary: any bytes but a newline, after a non-ASCII lead byte
  fc
    .uint8Array({ minLength: 0, maxLength: 300 })
    .map((b) => Buffer.concat([Buffer.from([0xc3]), Buffer.from(b.filter((x) => x !== 0x0a))])),
  // control characters: raw inside a JSON string (not JSON), escaped in a kind (not a Pod)
  fc.constantFrom(
    '{"type":"ADDED","object":{"kind":"Pod\x1b]0;pwned\x07"}}',
    '{"type":"ADDED","object":{"kind":"Pod\\u001b[2J\\u0007"}}',
    '{"kind":"Pod","metadata":{"name":"\\u009b31m","namespace":"x","uid":"u\\u0000"}}\x7f',
  ),
  // huge numbers and values that are no object
  fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '"\\ud800"', 'null', '[]'),
  fc.constantFrom(
    '{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"x","namespace":"y","uid":"z","creationTimestamp":1e999}}}',
    '{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":1e400}}}',
    '{"__proto__":{"kind":"Pod"},"constructor":{"prototype":{"polluted":1}}}',
  ),
  // YAML on one line: a bomb, tags, flow style
  fc.constantFrom(
    'a: &a [x,x,x,x]',
    '&a [*a, *a]',
    '!!js/function "function () {}"',
    '{kind: Pod, metadata: {name: a}}',
  ),
  // deep nesting
  fc.integer({ min: 1000, max: 20_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
  fc.integer({ min: 1000, max: 5000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
  // a UTF-8 BOM before broken JSON; a UTF-16 BOM inside a UTF-8 file
  fc.constant('\ufeff{"type":"ADDED"'),
  fc.constant(Buffer.from([0xc3, 0xff, 0xfe, 0x7b, 0x00])),
  // a line over the cap
  fc.integer({ min: 1, max: 5000 }).map((k) => `{"x":"${'y'.repeat(MAX_LINE + k)}"}`),
);

/** One JSON-lines file: good lines (in order) and hostile ones mixed, blank lines here and there. */
const jsonLinesFile = (hostileMax: number) =>
  fc
    .tuple(
      fc.subarray(GOOD_LINES, { minLength: 0, maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), hostileLine), { maxLength: hostileMax }),
      fc.array(fc.nat(), { maxLength: 3 }),
    )
    .map(([good, bad, blanks]) => {
      const parts: Part[] = good.map((text) => ({ good: true, text }));
      for (const [at, text] of bad) parts.splice(at % (parts.length + 1), 0, { good: false, text });
      for (const at of blanks) parts.splice(at % (parts.length + 1), 0, { good: true, text: '  ' });
      return parts;
    });

/** A file name: `.jsonl` (always JSON lines), or one whose format is sniffed from its lines. */
const files = fc.array(
  fc.oneof(
    fc.tuple(fc.constant('in.jsonl'), jsonLinesFile(15)),
    // Sniffed names: at most 3 hostile lines among 8+ good ones, so most sampled lines are JSON.
    fc.tuple(
      fc.constantFrom('in.json', 'in.txt', 'in'),
      jsonLinesFile(3).filter((p) => p.filter((x) => x.good && String(x.text).trim()).length >= 8),
    ),
  ),
  { minLength: 1, maxLength: 3 },
);

function write(name: string, parts: Part[], keep: (p: Part) => boolean): string {
  const path = join(dir, `${n++}-${name}`);
  const kept = parts.filter(keep);
  const buffers = kept.flatMap((p, i) => [Buffer.from(p.text), Buffer.from(i < kept.length - 1 ? '\n' : '')]);
  writeFileSync(path, Buffer.concat(buffers));
  return path;
}

async function replay(paths: string[]) {
  return replayFiles(paths, { cluster: 'c', stuckAfterSeconds: 300, now: NOW });
}

describe('fuzz: replay inputs', () => {
  it('JSON lines: every bad line reported once at its line, the records those of the good lines alone', async () => {
    await fc.assert(
      fc.asyncProperty(files, async (specs) => {
        const mixed = specs.map(([name, parts]) => write(name, parts, () => true));
        const goodOnly = specs.map(([name, parts]) => write(name, parts, (p) => p.good));
        const started = Date.now();
        const r = await replayFiles(mixed, {
          cluster: 'c',
          stuckAfterSeconds: 300,
          now: NOW,
          limits: { maxLineChars: MAX_LINE },
        });
        expect(Date.now() - started).toBeLessThan(10_000);
        // Every bad line at its line (an input with no object at all is also said to be empty).
        const want = specs.flatMap(([, parts], f) =>
          parts.flatMap((p, i) => (p.good ? [] : [`${mixed[f]}:${i + 1}`])),
        );
        const notEmpty = (p: { reason: string }) => p.reason !== EMPTY_INPUT;
        expect(
          r.problems
            .filter(notEmpty)
            .map((p) => `${p.file}:${p.line}`)
            .sort(),
        ).toEqual(want.sort());
        const clean = await replay(goodOnly);
        // The good lines alone: no problem, except that a file left with no line is empty.
        expect(clean.problems.filter(notEmpty)).toEqual([]);
        const emptied = specs.flatMap(([, parts], f) => (parts.some((p) => p.good) ? [] : [goodOnly[f]]));
        for (const f of emptied)
          expect(clean.problems).toContainEqual({ file: f, line: 0, reason: EMPTY_INPUT });
        expect(r.records).toEqual(clean.records);
      }),
      {
        seed: Number(process.env.FUZZ_SEED ?? 20261129),
        numRuns: Number(process.env.FUZZ_RUNS ?? 40),
        endOnFailure: true,
      },
    );
  }, 120_000);

  const hostileDoc: fc.Arbitrary<string> = fc.oneof(
    fc.constant(
      'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    ),
    fc.integer({ min: 1000, max: 10_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
    fc.integer({ min: 500, max: 3000 }).map((d) => `${'- '.repeat(d)}x`),
    fc.constantFrom(
      'key: [unclosed',
      'kind: Pod\n\tmetadata: {}',
      '!!js/function "function () {}"',
      'kind: !custom Pod\nmetadata: {name: a}\nstatus: {phase: Sleeping}',
      'kind: Pod\nmetadata: !!binary aGVsbG8=',
      'kind: "Pod\\e]0;pwned\\a"',
      'kind: Pod\nmetadata: {name: "a", creationTimestamp: 9e999}',
      '? [a, b]\n: c',
      '%YAML 1.1\nkind: Pod',
    ),
    fc.integer({ min: 1, max: 500 }).map((k) => `kind: Pod\nbig: "${'x'.repeat(MAX_DOC + k)}"`),
  );

  it('YAML documents: every bad document one problem within its lines, the good documents all read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom(...GOOD_DOCS).map((text) => ({ good: true, text })),
            hostileDoc.map((text) => ({ good: false, text })),
          ),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        async (docs) => {
          const text = (keep: (d: { good: boolean }) => boolean) =>
            docs
              .filter(keep)
              .map((d) => `---\n${d.text}`)
              .join('\n');
          const mixed = join(dir, `${n++}-in.yaml`);
          writeFileSync(
            mixed,
            text(() => true),
          );
          const goodOnly = join(dir, `${n++}-in.yaml`);
          writeFileSync(
            goodOnly,
            text((d) => d.good),
          );
          const started = Date.now();
          const opts = {
            cluster: 'c',
            stuckAfterSeconds: 300,
            now: NOW,
            limits: { maxYamlDocumentChars: MAX_DOC },
          };
          const r = await replayFiles([mixed], opts);
          expect(Date.now() - started).toBeLessThan(10_000);
          // Where each document starts and ends (its `---` line is its first).
          let line = 1;
          const ranges = docs.map((d) => {
            const start = line;
            line += d.text.split('\n').length + 1;
            return { ...d, start, end: line - 1 };
          });
          const hit = r.problems.map((p) => ranges.findIndex((x) => p.line >= x.start && p.line <= x.end));
          expect(hit.sort((a, b) => a - b)).toEqual(ranges.flatMap((x, i) => (x.good ? [] : [i])));
          const clean = await replayFiles([goodOnly], opts);
          expect(r.records).toEqual(clean.records);
        },
      ),
      {
        seed: Number(process.env.FUZZ_SEED ?? 20261129),
        numRuns: Number(process.env.FUZZ_RUNS ?? 40),
        endOnFailure: true,
      },
    );
  }, 120_000);
});
