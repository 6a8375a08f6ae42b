/**
 * A pod that crash-loops 20,000 times, ingested on DynamoDB Local through the real handler as
 * the forwarder's own `Pod Facts` (podFactsDetail, compressed), batched: the pod is still
 * stored (before folding, its item passed DynamoDB's 400 KB at ~15,600 runs and every later
 * delta was parked as item-too-large), its restart count and crash-loop back-off are exact,
 * its item stays under 64 KB, and the stored record equals replay's.
 */
import { describe, expect, it } from 'vitest';
import { CRASHLOOP_CLUSTER, CRASHLOOP_UID, crashLoopDeltas } from '../../bench/crashloop.ts';
import { LifecycleEngine } from '../../core/engine.ts';
import { addFacts, type Fact, type FactMap } from '../../core/facts.ts';
import { DETAIL_TYPE_FACTS, podFactsDetail } from '../../core/pod-facts.ts';
import { podRecordOf } from '../../core/pod-record.ts';
import { itemSizeBytes, POD_ITEM_BOUND_BYTES } from '../../model/pod-item.ts';
import {
  busEventOfDetail,
  harness,
  partitionsOf,
  RECORD_CTX,
  storedRecords,
} from '../../testkit/ingest-harness.ts';
import { localTablePerFile } from '../../testkit/sweep-support.ts';

const t = localTablePerFile();

/** Deltas merged `size` at a time (a forwarder buffer's worth), each joined into one delta. */
function batched(deltas: readonly Fact[][], size: number): Fact[][] {
  const out: Fact[][] = [];
  for (let i = 0; i < deltas.length; i += size) {
    const m: FactMap = new Map();
    for (const d of deltas.slice(i, i + size)) addFacts(m, d);
    out.push([...m.values()]);
  }
  return out;
}

function busEventOfFacts(facts: Fact[], n: number): Record<string, unknown> {
  const detail = podFactsDetail(
    { cluster: CRASHLOOP_CLUSTER, namespace: 'default', name: 'crashloop', uid: CRASHLOOP_UID },
    facts,
    { compress: true },
  );
  return busEventOfDetail(DETAIL_TYPE_FACTS, JSON.parse(JSON.stringify(detail)), { id: `crashloop-${n}` });
}

describe('a bounded pod item on DynamoDB Local', () => {
  it('20,000 restarts (batched Pod Facts, some late and repeated): stored, exact restarts and back-off, under 64 KB, what replay prints', async () => {
    const deltas = crashLoopDeltas({ runs: 20_000, events: 1000, seed: 11, messages: 0.1 });
    const batches = batched(deltas, 150);
    // Late and repeated deliveries: the first 20 batches again at the end, all folded by then.
    const queue = [...batches.slice(20), ...batches.slice(0, 20), ...batches.slice(0, 3)];
    const h = harness(t.doc, t.tableName);
    for (let i = 0; i < queue.length; i++) await h.handler(busEventOfFacts(queue[i]!, i));
    expect(h.invalid).toEqual([]);

    const [items] = [...(await partitionsOf(t.doc, t.tableName, CRASHLOOP_CLUSTER)).values()];
    expect(items).toHaveLength(1);
    const size = itemSizeBytes(items![0]!);
    const [stored] = await storedRecords(t.doc, t.tableName, CRASHLOOP_CLUSTER);

    const replay = new LifecycleEngine();
    for (const d of deltas)
      replay.applyFacts(
        { cluster: CRASHLOOP_CLUSTER, namespace: 'default', name: 'crashloop', uid: CRASHLOOP_UID },
        d,
      );
    const unbounded: FactMap = new Map();
    for (const d of deltas) addFacts(unbounded, d);
    const exact = podRecordOf(unbounded, RECORD_CTX)!;
    console.log(
      `DynamoDB Local, 20,000 restarts in ${queue.length} deliveries: item ${size} B (bound ${POD_ITEM_BOUND_BYTES}), restarts ${stored!.restarts}, back-off ${stored!.crashLoopBackOffSeconds} s`,
    );
    expect(size).toBeLessThan(POD_ITEM_BOUND_BYTES);
    expect(stored!.restarts).toBe(20_000);
    expect(items![0]!.restarts).toBe(20_000);
    expect(stored!.crashLoopBackOffSeconds).toBe(exact.crashLoopBackOffSeconds);
    expect(stored!.lastTerminationReason).toBe(exact.lastTerminationReason);
    expect(stored).toEqual(replay.records(RECORD_CTX)[0]);
  }, 600_000);
});
