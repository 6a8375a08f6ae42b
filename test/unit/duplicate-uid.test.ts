/**
 * One uid in two namespaces, or under two names (a recording of two clusters replayed as one, a
 * copied manifest, a hostile sender). The store keys a pod's item by cluster, namespace, name and
 * uid, so it keeps them apart; replay's engine keyed its facts by cluster and uid only. Before: the
 * two pods' facts were joined into one record (the pod of namespace `other` vanished: `1 pods`).
 * Now: two records, each the replay of its own input alone, in any order and with duplicates.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayFiles } from '../../cli/replay.ts';
import { type Decoded, decodeObject } from '../../core/decode.ts';
import { LifecycleEngine } from '../../core/engine.ts';

const TRACE = join(import.meta.dirname, '..', '..', 'demo', 'trace.jsonl');
/** Every line of the demo trace about redis-1 (its Pod and its Events). */
const REDIS = readFileSync(TRACE, 'utf8')
  .split('\n')
  .filter((l) => l.includes('"redis-1"'));
const NOW = Date.parse('2026-11-02T08:02:25Z');
const CTX = { now: NOW, stuckAfterSeconds: 300 };

/** The same lines as if the pod lived in namespace `ns` under the name `name`. */
function moved(ns: string, name = 'redis-1'): string[] {
  return REDIS.map((l) =>
    l.replaceAll('"namespace":"default"', `"namespace":"${ns}"`).replaceAll('"redis-1"', `"${name}"`),
  );
}

function tempFile(name: string, lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'podlife-dup-uid-')), name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const INPUTS = { default: REDIS, other: moved('other'), renamed: moved('default', 'redis-1-copy') };

describe('one uid, two pods', () => {
  it('the fixture really shares the uid', () => {
    const uid = /"uid":"([^"]+)"/.exec(REDIS.find((l) => l.includes('"kind":"Pod"'))!)![1]!;
    for (const lines of Object.values(INPUTS)) expect(lines.some((l) => l.includes(uid))).toBe(true);
    expect(REDIS.length).toBeGreaterThan(3);
  });

  it('replay of the three files: three records, each as its file replayed alone', async () => {
    const files = Object.entries(INPUTS).map(([k, lines]) => tempFile(`${k}.jsonl`, lines));
    const alone = await Promise.all(
      files.map(async (f) => (await replayFiles([f], { ...CTX, cluster: 'c', now: NOW })).records),
    );
    for (const r of alone) expect(r).toHaveLength(1);
    const together = await replayFiles(files, { ...CTX, cluster: 'c', now: NOW });
    expect(together.problems).toEqual([]);
    expect(together.records.map((r) => `${r.namespace}/${r.name}`)).toEqual([
      'default/redis-1',
      'default/redis-1-copy',
      'other/redis-1',
    ]);
    expect(together.records).toEqual(
      alone.flat().sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
    );
  });

  it('any order, any duplicates: the same three records (property)', () => {
    const decoded: Decoded[] = Object.values(INPUTS).flatMap((lines) =>
      lines.map((l) => decodeObject(JSON.parse(l), { cluster: 'c', now: NOW })),
    );
    const apply = (e: LifecycleEngine, d: Decoded) => {
      if (d.kind === 'snapshot') e.applySnapshot(d.snapshot);
      else if (d.kind === 'event') e.applyEvent(d.cluster, d.event);
      else if (d.kind === 'facts') e.applyFacts(d.detail, d.facts);
    };
    const reference = new LifecycleEngine();
    for (const d of decoded) apply(reference, d);
    const expected = reference.records(CTX);
    expect(expected).toHaveLength(3);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(decoded, { minLength: decoded.length }),
        fc.array(fc.nat({ max: decoded.length - 1 }), { maxLength: 10 }),
        (order, dups) => {
          const e = new LifecycleEngine();
          for (const d of [...order, ...dups.map((i) => decoded[i]!)]) apply(e, d);
          expect(e.records(CTX)).toEqual(expected);
        },
      ),
      { seed: 10, numRuns: 100 },
    );
  });
});
