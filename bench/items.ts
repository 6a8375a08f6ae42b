/**
 * `npm run bench -- --only items`: the size of a crash-looping pod's DynamoDB item as it ages,
 * bounded (old runs and Events folded, core/fold.ts) and, for comparison, unbounded
 * (every run and Event kept, as before folding). Sizes are DynamoDB's own count (attribute names
 * + values, `itemSizeBytes`) of the item the ingest writes; the limit is 400 KB, the bound 64 KB.
 */

import { addFacts, type FactMap } from '../core/facts.ts';
import { addFactsBounded } from '../core/fold.ts';
import { podRecordOf } from '../core/pod-record.ts';
import { itemSizeBytes, POD_ITEM_BOUND_BYTES, podItemOf } from '../model/pod-item.ts';
import { type CrashLoopOptions, crashLoopDeltas } from './crashloop.ts';

interface ItemsBenchOptions {
  restarts?: number[];
  log?: (line: string) => void;
}

const NOW = Date.parse('2030-01-01T00:00:00Z');

function measure(name: string, o: CrashLoopOptions, out: Record<string, number>, log: (l: string) => void) {
  const deltas = crashLoopDeltas(o);
  const bounded: FactMap = new Map();
  const started = performance.now();
  for (const d of deltas) addFactsBounded(bounded, d);
  const ms = performance.now() - started;
  const unbounded: FactMap = new Map();
  for (const d of deltas) addFacts(unbounded, d);
  const size = (m: FactMap) => itemSizeBytes(podItemOf(m, 1, { retentionDays: 30, now: NOW })!);
  const b = size(bounded);
  const u = size(unbounded);
  const rb = podRecordOf(bounded, { now: NOW, stuckAfterSeconds: 300 })!;
  const ru = podRecordOf(unbounded, { now: NOW, stuckAfterSeconds: 300 })!;
  out[`${name}.itemBytes`] = b;
  out[`${name}.unboundedItemBytes`] = u;
  out[`${name}.facts`] = bounded.size;
  out[`${name}.usPerDelta`] = Math.round((ms * 1000) / deltas.length);
  const exact =
    rb.restarts === ru.restarts && rb.crashLoopBackOffSeconds === ru.crashLoopBackOffSeconds ? 1 : 0;
  out[`${name}.exactFigures`] = exact;
  log(
    `${name}: ${deltas.length} deltas → item ${b} B bounded (${bounded.size} facts), ${u} B unbounded (${unbounded.size} facts)${u > 400 * 1024 ? ' — over DynamoDB’s 400 KB' : ''}; restarts ${rb.restarts}, back-off exact: ${exact === 1}`,
  );
}

export async function runItemsBench(opts: ItemsBenchOptions = {}): Promise<Record<string, number>> {
  const log = opts.log ?? (() => {});
  const out: Record<string, number> = {};
  for (const n of opts.restarts ?? [1_000, 5_000, 20_000]) {
    measure(`restarts${n}`, { runs: n, events: Math.round(n / 10), seed: 3 }, out, log);
  }
  const n = Math.max(...(opts.restarts ?? [20_000]));
  // Worst cases: every termination with 1 KB of random text; a watch that misses 30 % of runs.
  measure(`messages1KB`, { runs: n, seed: 4, messages: 1, messageBytes: 1024 }, out, log);
  measure(`missed30pct`, { runs: n, seed: 5, drop: 0.3 }, out, log);
  measure(
    `twoContainersAndInit`,
    {
      runs: n / 2,
      containers: [{ name: 'setup', init: true }, { name: 'main' }, { name: 'sidecar' }],
      events: 2_000,
      seed: 6,
    },
    out,
    log,
  );
  out.boundBytes = POD_ITEM_BOUND_BYTES;
  return out;
}
