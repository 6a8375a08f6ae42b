/**
 * The stored facts formats (model/pod-item.ts): format 3 (raw deflate with a frozen preset
 * dictionary) round-trips any fact set, is a function of the set (order and duplicates of the
 * facts that built it change no byte), and items of the older formats (2: brotli; absent: raw
 * deflate) are still read. The dictionary is frozen: its SHA-256 is pinned, since an item stored
 * in format 3 can only be inflated with exactly its bytes.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeObject } from '../../core/decode.ts';
import { LifecycleEngine } from '../../core/engine.ts';
import { addFacts, canonicalFacts, type Fact, type FactMap } from '../../core/facts.ts';
import {
  decodeFacts,
  encodeFacts,
  encodeFactsFormat2,
  FACTS_DICTIONARY_3,
  FACTS_DICTIONARY_4,
  FACTS_FORMAT,
  factsOfItem,
  itemSizeBytes,
  podItemOf,
} from '../../model/pod-item.ts';
import { churnStream } from '../../testkit/churn.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');

/** Every pod's fact set of a churn trace (healthy, crash loops, OOM, pull failures, Jobs...). */
function churnFactMaps(pods: number, seed: number): FactMap[] {
  const e = new LifecycleEngine();
  for (const line of churnStream({ pods, seed })) {
    const d = decodeObject(line, { cluster: 'fmt', now: NOW });
    if (d.kind === 'snapshot') e.applySnapshot(d.snapshot);
    else if (d.kind === 'event') e.applyEvent(d.cluster, d.event);
  }
  return e.factMaps();
}

const maps = churnFactMaps(120, 5);

describe('facts formats 3 and 4 (deflate with a preset dictionary)', () => {
  it('is the format every write stores', () => {
    expect(FACTS_FORMAT).toBe(4);
    const item = podItemOf(maps[0]!, 1, { retentionDays: 30, now: NOW })!;
    expect(item.fv).toBe(4);
    expect(canonicalFacts(factsOfItem(item))).toEqual(canonicalFacts(maps[0]!));
  });

  it('the dictionary is frozen (an edit would make every stored format-3 item unreadable)', () => {
    expect(createHash('sha256').update(FACTS_DICTIONARY_3).digest('hex')).toBe(
      '09cf530ec2bc7c1225884e2761888c668d3fb0f467ef9857129e29ecb995261d',
    );
    // Format 4's: format 3's bytes, then more shapes (never an edit of either).
    expect(FACTS_DICTIONARY_4.subarray(0, FACTS_DICTIONARY_3.length).equals(FACTS_DICTIONARY_3)).toBe(true);
    expect(createHash('sha256').update(FACTS_DICTIONARY_4).digest('hex')).toBe(
      '4f40f18f67c17908656807525f78563619397538647bbea2ac65b7722b05af57',
    );
  });

  it('round-trips every churn pod, and so do the older formats (3: the format-3 dictionary; 2: brotli; absent: deflate)', () => {
    for (const m of maps) {
      const canon = canonicalFacts(m);
      expect(canonicalFacts(decodeFacts(encodeFacts(m), FACTS_FORMAT))).toEqual(canon);
      expect(canonicalFacts(decodeFacts(encodeFacts(m, 3), 3))).toEqual(canon);
      // An item stored in format 3 reads as it did.
      const old = { ...podItemOf(m, 1, { retentionDays: 30, now: NOW })!, facts: encodeFacts(m, 3), fv: 3 };
      expect(canonicalFacts(factsOfItem(old))).toEqual(canon);
      expect(canonicalFacts(decodeFacts(encodeFactsFormat2(m), 2))).toEqual(canon);
      const first = deflateRawSync(Buffer.from(JSON.stringify(canon)));
      expect(canonicalFacts(decodeFacts(first, undefined))).toEqual(canon);
    }
  });

  it('is a function of the fact set: any order of delivery, any duplicates, the same bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: maps.length - 1 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })),
        fc.nat({ max: 20 }),
        (i, rnd, dups) => {
          const m = maps[i]!;
          const facts: Fact[] = [...m.values()];
          const it = rnd[Symbol.iterator]();
          const next = () => it.next().value as number;
          for (let d = 0; d < dups; d++) facts.push(facts[Math.floor(next() * facts.length)]!);
          for (let k = facts.length - 1; k > 0; k--) {
            const j = Math.floor(next() * (k + 1));
            [facts[k], facts[j]] = [facts[j]!, facts[k]!];
          }
          const again: FactMap = new Map();
          addFacts(again, facts);
          expect(Buffer.from(encodeFacts(again)).equals(Buffer.from(encodeFacts(m)))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stores the churn trace in at least a third fewer bytes than format 2, most items under 1 KB', () => {
    let f2 = 0;
    let f3 = 0;
    let under1k = 0;
    for (const m of maps) {
      f2 += encodeFactsFormat2(m).byteLength;
      f3 += encodeFacts(m).byteLength;
      if (itemSizeBytes(podItemOf(m, 1, { retentionDays: 30, now: NOW })!) <= 1024) under1k++;
    }
    console.log(
      `facts per pod: format 2 ${(f2 / maps.length).toFixed(0)} B, format ${FACTS_FORMAT} ${(f3 / maps.length).toFixed(0)} B; items ≤ 1 KB: ${under1k}/${maps.length}`,
    );
    expect(f3).toBeLessThan((f2 * 2) / 3);
    expect(under1k / maps.length).toBeGreaterThan(0.8);
  });

  it('format 4 stores crash-looping pods (restarts) in fewer bytes than format 3, and every pod in no more', () => {
    let f3 = 0;
    let f4 = 0;
    let crash3 = 0;
    let crash4 = 0;
    let crash = 0;
    for (const m of maps) {
      const a = encodeFacts(m, 3).byteLength;
      const b = encodeFacts(m).byteLength;
      f3 += a;
      f4 += b;
      if ([...m.values()].some((f) => f.kind === 'run' && (f.ordinal ?? 0) > 0)) {
        crash++;
        crash3 += a;
        crash4 += b;
      }
    }
    console.log(
      `facts per pod: format 3 ${(f3 / maps.length).toFixed(0)} B, format 4 ${(f4 / maps.length).toFixed(0)} B; pods with restarts (${crash}): ${(crash3 / crash).toFixed(0)} B → ${(crash4 / crash).toFixed(0)} B`,
    );
    expect(crash).toBeGreaterThan(5);
    expect(crash3 - crash4).toBeGreaterThan(40 * crash);
    expect(f4).toBeLessThan(f3);
  });
});
