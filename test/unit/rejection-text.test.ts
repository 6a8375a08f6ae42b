/**
 * A rejection says what and where in a line, whatever the input. Before: the reason quoted the
 * input whole (a 5 MB `kind` made a 5 MB problem line; a strict object's 50 KB unknown key, or a
 * record's key, went whole into the ingest's invalid-event reason), and a value whose `toString`
 * is not a function (`{"kind": {"toString": 1}}`, a non-string `source`) was an "internal error:
 * Cannot convert object to primitive value" instead of naming the field. Now: every reason is
 * short, names the field, and the good lines around it still count.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayFiles } from '../../cli/replay.ts';
import { DEFLATE_DICTIONARY } from '../../core/pod-facts.ts';
import { shown } from '../../core/zod-errors.ts';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'examples');
const FACTS_EVENT = JSON.parse(readFileSync(join(DOCS, 'pod-facts-event.json'), 'utf8'));
const RECEIVED = Date.parse('2026-11-29T00:00:00Z');
const BIG = 'K'.repeat(50_000);
/** Longer than any reason podlife writes for one input, far shorter than the input. */
const MAX_REASON = 600;

function tempFile(lines: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'podlife-reasons-')), 'in.jsonl');
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return file;
}

const goodPod = {
  kind: 'Pod',
  metadata: {
    name: 'good',
    namespace: 'default',
    uid: 'uid-good',
    creationTimestamp: '2024-01-01T00:00:00Z',
  },
  status: { phase: 'Pending' },
};

describe('replay: every problem line is short and names the field', () => {
  it.each([
    [
      'a 5 MB kind in a watch line',
      { type: 'ADDED', object: { kind: 'A'.repeat(5_000_000) } },
      /^object\.kind: /,
    ],
    ['a 5 MB kind', { kind: 'A'.repeat(5_000_000) }, /^kind: not a Pod or Event \(A+…\)$/],
    [
      'a kind whose toString is a number',
      { type: 'ADDED', object: { kind: { toString: 1 } } },
      /^object\.kind: not a Pod or Event \(\{"toString":1\}\)$/,
    ],
    [
      'a bus event whose source is an object',
      { 'detail-type': 'x', source: { toString: 1 }, detail: {} },
      /^source: not a string/,
    ],
    [
      'a bus event whose detail-type is a number',
      { 'detail-type': 7, source: 'podlife.forwarder', detail: {} },
      /^detail-type: not a string \(7\)$/,
    ],
    ['a 1 MB watch type', { type: 'T'.repeat(1_000_000), object: {} }, /^type: not a watch event type/],
    [
      'a bus event with a 50 KB unknown key',
      { ...FACTS_EVENT, detail: { ...FACTS_EVENT.detail, [BIG]: 1 } },
      /^detail\.Unrecognized key: "K+…$/,
    ],
    [
      'a bus event from a 50 KB source',
      { ...FACTS_EVENT, source: BIG },
      /^unknown source\/detail-type: K+… \/ Pod Facts$/,
    ],
  ])('%s', async (_what, bad, reason) => {
    const file = tempFile([
      goodPod,
      bad,
      { ...goodPod, metadata: { ...goodPod.metadata, name: 'after', uid: 'uid-after' } },
    ]);
    const r = await replayFiles([file], { cluster: 'c', stuckAfterSeconds: 300, now: RECEIVED });
    expect(r.records.map((x) => x.name)).toEqual(['after', 'good']);
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0]!;
    expect(p.line).toBe(2);
    expect(p.reason).toMatch(reason);
    expect(p.reason).not.toMatch(/internal error/);
    expect(p.reason.length).toBeLessThan(MAX_REASON);
  });
});

describe('the ingest: an invalid event’s reason is short, whatever the input quotes', () => {
  const withDetail = (edit: (d: Record<string, unknown>) => void) => {
    const e = structuredClone(FACTS_EVENT);
    edit(e.detail);
    return e;
  };
  it.each([
    [
      'a 50 KB unknown key',
      withDetail((d) => Object.assign(d, { [BIG]: 1 })),
      /^detail\.Unrecognized key: "K+…$/,
    ],
    [
      'a 50 KB unknown key in facts',
      withDetail((d) => Object.assign(d.facts as object, { [BIG]: 1 })),
      /^detail\.facts: /,
    ],
    [
      'a 50 KB phase name',
      withDetail((d) => Object.assign(d.facts as object, { phases: { [BIG]: 1 } })),
      /^detail\.facts\.phases: Unrecognized key: "K+…$/,
    ],
    [
      'a 50 KB schemaVersion',
      withDetail((d) => Object.assign(d, { schemaVersion: BIG })),
      /^schemaVersion K+… is not supported/,
    ],
    ['a 50 KB detail-type', { ...FACTS_EVENT, 'detail-type': BIG }, /^unknown source\/detail-type: /],
    [
      'a DEFLATE bomb (10 MiB of spaces in 10 KB)',
      withDetail((d) => {
        delete d.facts;
        d.factsDeflate = deflateRawSync(Buffer.alloc(10 * 1024 * 1024, 0x20), {
          dictionary: DEFLATE_DICTIONARY,
        }).toString('base64');
      }),
      /^detail\.factsDeflate: inflates to more than 256 KiB, the most a Pod Facts event may carry$/,
    ],
  ])('%s', (_what, event, reason) => {
    expect(parseBusEvent(FACTS_EVENT, RECEIVED)).toMatchObject({ ok: true });
    const r = parseBusEvent(event, RECEIVED) as { ok: boolean; reason: string };
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(reason);
    expect(r.reason.length).toBeLessThan(MAX_REASON);
  });

  it('shown: never throws, never longer than asked (property)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [cyclic, 10n, undefined, { toString: 1 }, Symbol('s')])
      expect(typeof shown(v)).toBe('string');
    fc.assert(
      fc.property(fc.anything(), fc.integer({ min: 2, max: 300 }), (v, max) => {
        expect(shown(v, max).length).toBeLessThanOrEqual(max);
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});
