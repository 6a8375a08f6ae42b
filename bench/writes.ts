/**
 * Where the write units go, write by write: the batched churn (bench/ingest.ts `batchedChurn`)
 * with every successful pod PutItem recorded (the item before and after, and the units DynamoDB
 * Local charged the table and each index), then, per index, why it was written: inserted,
 * removed, or which projected attributes changed; and the table's writes over 1 KB with the
 * attributes that carried them there. docs/data-model.md ("Cheaper writes") cites its output.
 *
 *   node --import tsx bench/writes.ts [--pods N] [--json]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { itemSizeBytes } from '../model/pod-item.ts';
import { type IndexSpec, TABLE_SPEC } from '../model/table-spec.ts';
import { batchedChurn, startBenchTable } from './ingest.ts';

type Item = Record<string, unknown>;

export interface WriteRecord {
  before: Item | undefined;
  after: Item;
  /** Units by place: `table` or an index name. */
  units: Record<string, number>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Why `index` was written by a put from `before` to `after` (undefined: not written). */
export function indexChange(
  index: (typeof TABLE_SPEC.indexes)[number],
  before: Item | undefined,
  after: Item,
): string | undefined {
  const keys = [index.partitionKey, ...('sortKey' in index ? [index.sortKey] : [])];
  const inAfter = keys.every((k) => after[k] != null);
  const inBefore = before !== undefined && keys.every((k) => before[k] != null);
  if (!inAfter && !inBefore) return undefined;
  if (inAfter && !inBefore) return 'insert';
  if (!inAfter && inBefore) return 'remove';
  const moved = keys.filter((k) => !same(before?.[k], after[k]));
  if (moved.length) return `key:${moved.join('+')}`;
  const projection = index.projection as IndexSpec['projection'];
  const projected: readonly string[] =
    typeof projection !== 'string' ? projection : projection === 'ALL' ? Object.keys(after) : [];
  const changed = projected.filter((a) => !same(before?.[a], after[a]));
  return changed.length ? changed.join('+') : undefined;
}

/** Attribute sizes of an item, largest first (name + value, as `itemSizeBytes` counts). */
function attributeSizes(item: Item): [string, number][] {
  return Object.entries(item)
    .map(([k, v]) => [k, itemSizeBytes({ [k]: v })] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}

export function analyse(writes: readonly WriteRecord[]): Record<string, unknown> {
  const n = writes.length;
  const out: Record<string, unknown> = { writes: n };
  const perIndex: Record<string, Record<string, number>> = {};
  const charged: Record<string, number> = {};
  for (const w of writes) {
    for (const [where, u] of Object.entries(w.units)) charged[where] = (charged[where] ?? 0) + u;
    for (const ix of TABLE_SPEC.indexes) {
      const why = indexChange(ix, w.before, w.after);
      if (!why) continue;
      const reasons = perIndex[ix.name] ?? {};
      perIndex[ix.name] = reasons;
      reasons[why] = (reasons[why] ?? 0) + 1;
    }
  }
  out.unitsPerWrite = Object.fromEntries(Object.entries(charged).map(([k, v]) => [k, +(v / n).toFixed(3)]));
  out.indexWritesByReason = Object.fromEntries(
    Object.entries(perIndex).map(([ix, r]) => [
      ix,
      Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1])),
    ]),
  );
  // The table: a write pays for the larger of the old and new item, 1 unit per KB.
  const big = writes.filter(
    (w) => Math.max(itemSizeBytes(w.after), w.before ? itemSizeBytes(w.before) : 0) > 1024,
  );
  const overBy: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  for (const w of big) {
    const item = w.before && itemSizeBytes(w.before) > itemSizeBytes(w.after) ? w.before : w.after;
    const kind = item.crashKey ? 'crashLooping' : item.pendingKey ? 'pending' : 'other';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    for (const [k, s] of attributeSizes(item).slice(0, 6)) overBy[k] = (overBy[k] ?? 0) + s;
  }
  const sizes = writes.map((w) => itemSizeBytes(w.after)).sort((a, b) => a - b);
  out.table = {
    over1KB: big.length,
    over1KBByState: kinds,
    meanItemBytes: Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, n)),
    p90ItemBytes: sizes[Math.floor(sizes.length * 0.9)] ?? 0,
    // Mean bytes of the largest attributes of the items over 1 KB.
    meanAttributeBytesOver1KB: Object.fromEntries(
      Object.entries(overBy)
        .sort((a, b) => b[1] - a[1])
        .map(([k, s]) => [k, Math.round(s / Math.max(1, big.length))]),
    ),
  };
  return out;
}

/** The batched churn with every pod write recorded. */
export async function recordWrites(pods: number, log: (l: string) => void) {
  const t = await startBenchTable('podlife-writes');
  const writes: WriteRecord[] = [];
  const last = new Map<string, Item>();
  const send = t.doc.send.bind(t.doc) as (c: unknown) => Promise<unknown>;
  (t.doc as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (command: unknown) => {
    const res = (await send(command)) as { ConsumedCapacity?: unknown };
    const input = (command as { input?: { Item?: Item; ConditionExpression?: string } }).input;
    const item = input?.Item;
    if (
      command?.constructor?.name === 'PutCommand' &&
      item &&
      typeof item.pk === 'string' &&
      item.pk.startsWith('POD#')
    ) {
      const id = `${item.pk}\u0000${String(item.sk)}`;
      const c = res.ConsumedCapacity as
        | {
            Table?: { CapacityUnits?: number };
            GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
          }
        | undefined;
      const units: Record<string, number> = { table: c?.Table?.CapacityUnits ?? 0 };
      for (const [ix, v] of Object.entries(c?.GlobalSecondaryIndexes ?? {})) units[ix] = v.CapacityUnits ?? 0;
      writes.push({ before: last.get(id), after: item, units });
      last.set(id, item);
    }
    return res;
  };
  try {
    const figures = await batchedChurn(t, pods, 16, log, { before: false });
    return { figures, writes };
  } finally {
    await t.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--pods');
  const pods = i >= 0 ? Number(process.argv[i + 1]) : 500;
  const { figures, writes } = await recordWrites(pods, (l) => console.error(l));
  const pick = Object.fromEntries(
    Object.entries(figures).filter(([k]) => /wcuPerWrite|writeRequestsPerLifecycle|wruPerLifecycle/.test(k)),
  );
  const pod = writes.filter((w) => w.after.sk !== '~events');
  console.log(JSON.stringify({ figures: pick, ...analyse(pod) }, null, 2));
  const d = process.argv.indexOf('--dump');
  const dump = d >= 0 ? process.argv[d + 1] : undefined;
  if (dump) {
    const slim = (it: Item | undefined) =>
      it &&
      Object.fromEntries(
        Object.entries(it).map(([k, v]) => [k, v instanceof Uint8Array ? `<${v.byteLength} B>` : v]),
      );
    const lines = pod.map((w) =>
      JSON.stringify({
        units: w.units,
        beforeBytes: w.before && itemSizeBytes(w.before),
        afterBytes: itemSizeBytes(w.after),
        before: slim(w.before),
        after: slim(w.after),
      }),
    );
    writeFileSync(dump, `${lines.join('\n')}\n`);
  }
}
