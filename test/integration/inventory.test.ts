/**
 * The Pod Inventory on DynamoDB Local, through the real batched ingest and the real sweep: pods
 * stored Pending (alerted) or crash-looping that a forwarder's inventory after a gap does not
 * list are marked deleted (by "inventory", at the list's time, shown in the timeline), and the
 * next sweep resolves their alerts in one grouped notice. Pods the inventory lists, pods created
 * after its list, pods observed after it, and pods outside its range or scope are untouched; a
 * later real observation undoes the mark; the entries act alone, in any order, with duplicates.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE_INVENTORY, inventoryEntries, type PodInventory } from '../../core/inventory.ts';
import { VANISHED_REASON } from '../../core/timeline.ts';
import { makeBatchIngestHandler } from '../../functions/ingest/ingest-batch.ts';
import { makeSweepHandler } from '../../functions/sweep/sweep.ts';
import { INGEST_METRICS, METRIC_NAMESPACE, SERVICES } from '../../model/metric-names.ts';
import { InventoryStore, inventoryCandidateRequests } from '../../store/inventory-store.ts';
import { PodStore } from '../../store/pod-store.ts';
import { emfRecords } from '../../testkit/emf.ts';
import {
  busEventOf,
  busEventOfDetail,
  FIXED_NOW,
  harness,
  type Input,
  quietLogger,
  silentMetrics,
  sqsEventOf,
  sqsRecordOf,
  storedRecords,
} from '../../testkit/ingest-harness.ts';
import { crashLoop, type PodSpec, unschedulable } from '../../testkit/query-support.ts';
import { sweepTables } from '../../testkit/sweep-support.ts';

const env = sweepTables('podlife-inventory');
const { sns } = env;

const T0 = Date.parse('2026-11-20T10:00:00Z');
/** The forwarder came back and listed 30 minutes later. */
const LISTED = T0 + 30 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const pod = (name: string, over: Partial<PodSpec> = {}): PodSpec => ({
  cluster: 'prod',
  namespace: 'web',
  name,
  uid: `00000000-0000-4000-8000-${name.padStart(12, '0').slice(-12)}`,
  created: T0,
  owner: { kind: 'Deployment', name: 'api' },
  ...over,
});

/** The same Pending pod, its PodScheduled=False condition transitioned again at `at`. */
function unschedulableAgain(p: PodSpec, at: number): Input {
  const input = unschedulable(p, '0/3 nodes are available: 3 Insufficient memory.');
  if (input.kind !== 'snapshot') throw new Error('not a snapshot');
  const cond = input.snapshot.pod.conditions[0]!;
  cond.lastTransitionTime = iso(at);
  input.snapshot.type = 'MODIFIED';
  return input;
}

const inventoryEvent = (inv: PodInventory, id = `inv-${inv.part}-${inv.listedAt}`) =>
  busEventOfDetail(DETAIL_TYPE_INVENTORY, inv, { id, time: inv.listedAt });

function ingestHandler(table: string, metrics = silentMetrics()) {
  return makeBatchIngestHandler({
    store: new PodStore(env.t.doc, { tableName: table }),
    inventories: new InventoryStore(env.t.doc, table),
    invalidEvents: { record: async () => {} },
    logger: quietLogger(),
    metrics,
    now: () => FIXED_NOW,
    retentionDays: 30,
  });
}

function sweeper(table: string, clock: { now: number }) {
  return makeSweepHandler(env.sweepDeps(table, clock, { pending: { defaultSeconds: 300, overrides: {} } }));
}

const list = (uids: string[], over: Partial<Parameters<typeof inventoryEntries>[0]> = {}) => ({
  cluster: 'prod',
  listedAt: iso(LISTED),
  resourceVersion: '48213',
  instance: 'podlife-forwarder-7d9f-abcde',
  namespaces: null,
  uids,
  ...over,
});

const GONE = ['gone-1', 'gone-2', 'gone-3'].map((n) => pod(n));
const KEPT = pod('kept-1');
/** Created during the list: not in it, and still never marked. */
const LATE = pod('late-1', { created: LISTED + 1_000 });
/** Its condition changed after the list: it was there then (the inventory is wrong about it). */
const OBSERVED = pod('seen-1');
const CRASHING = pod('crash-1', { name: 'crash-1' });

async function stored(table: string) {
  const records = await storedRecords(env.t.doc, table, 'prod');
  return new Map(records.map((r) => [r.name, r]));
}

describe('Pod Inventory → ingest → sweep', () => {
  it('marks the vanished pods deleted, resolves their alerts grouped, and leaves the rest', async () => {
    const table = await env.freshTable();
    const h = harness(env.t.doc, table);
    for (const p of [...GONE, KEPT, LATE, OBSERVED]) await h.handler(busEventOf(unschedulable(p)));
    await h.handler(busEventOf(unschedulableAgain(OBSERVED, LISTED + 30_000)));
    const crashStarts = [0, 1, 2, 3, 4].map((i) => T0 + 60_000 + i * 90_000);
    for (const input of crashLoop(CRASHING, crashStarts)) await h.handler(busEventOf(input));

    // Before the gap: the sweep alerts on the pods stuck Pending.
    const clock = { now: T0 + 20 * 60_000 };
    const first = await sweeper(table, clock)();
    const opened = first.clusters[0]!.opened;
    for (const p of GONE) expect(opened).toContain(`pending#${p.uid}`);
    const publishedBefore = sns.commandCalls(PublishCommand).length;

    // The forwarder restarts; its list holds KEPT (and a pod podlife never stored), in two
    // entries, delivered in reverse order with a duplicate.
    const entries = inventoryEntries(list([KEPT.uid, '00000000-0000-4000-8000-0000000000ff']), 400);
    expect(entries.length).toBeGreaterThan(1);
    const ingest = ingestHandler(table);
    let marked = 0;
    const emf = await emfRecords(async () => {
      const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICES.ingest });
      const res = await ingestHandler(
        table,
        metrics,
      )(
        sqsEventOf(
          [...entries].reverse().map((e, i) => sqsRecordOf(inventoryEvent(e, `inv-${i}`), `m-${i}`)),
        ) as never,
      );
      expect(res.batchItemFailures).toEqual([]);
      metrics.publishStoredMetrics();
    });
    for (const r of emf) marked += Number(r[INGEST_METRICS.podsVanished] ?? 0);
    expect(marked).toBe(GONE.length + 1);
    await ingest(sqsEventOf([sqsRecordOf(inventoryEvent(entries[0]!, 'again'), 'dup')]) as never);

    const after = await stored(table);
    for (const p of [...GONE, CRASHING]) {
      const r = after.get(p.name)!;
      expect(r, p.name).toMatchObject({ deleted: true, deletedBy: 'inventory' });
      expect(r.timeline.at(-1)).toMatchObject({ at: iso(LISTED), type: 'Deleted', reason: VANISHED_REASON });
    }
    expect(after.get('gone-1')!.pendingSeconds).toBe((LISTED - T0) / 1000);
    for (const p of [KEPT, LATE, OBSERVED])
      expect(after.get(p.name), p.name).toMatchObject({ deleted: false, deletedBy: null });

    // The next sweep resolves the vanished pods' episodes, theirs only, grouped: one notice for
    // the three Pending pods of one owner and reason, one for the crash loop.
    expect(opened).toContain(`crashloop#${CRASHING.uid}`);
    clock.now = LISTED + 60_000;
    const next = await sweeper(table, clock)();
    expect(next.clusters[0]!.resolved.sort()).toEqual(
      [...GONE.map((p) => `pending#${p.uid}`), `crashloop#${CRASHING.uid}`].sort(),
    );
    const notices = sns.commandCalls(PublishCommand).slice(publishedBefore);
    expect(notices).toHaveLength(2);
    const pendingNotice = notices.find((c) => String(c.args[0].input.Message).includes('gone-1'));
    for (const p of GONE) expect(String(pendingNotice?.args[0].input.Message)).toContain(p.name);
    expect(next.clusters[0]!.opened).not.toContain(`pending#${KEPT.uid}`);
  });

  it('a later real observation wins over the inventory; a later inventory marks it again', async () => {
    const table = await env.freshTable();
    const h = harness(env.t.doc, table);
    const p = GONE[0]!;
    await h.handler(busEventOf(unschedulable(p)));
    const ingest = ingestHandler(table);
    for (const e of inventoryEntries(list([])))
      await ingest(sqsEventOf([sqsRecordOf(inventoryEvent(e))]) as never);
    expect((await stored(table)).get(p.name)).toMatchObject({ deleted: true, deletedBy: 'inventory' });

    // The pod was there after all: the scheduler wrote a newer condition after the list.
    await h.handler(busEventOf(unschedulableAgain(p, LISTED + 60_000)));
    expect((await stored(table)).get(p.name)).toMatchObject({ deleted: false, deletedBy: null });

    // A later list without it marks it again, at that list's time.
    const later = LISTED + 10 * 60_000;
    for (const e of inventoryEntries(list([], { listedAt: iso(later) })))
      await ingest(sqsEventOf([sqsRecordOf(inventoryEvent(e))]) as never);
    const r = (await stored(table)).get(p.name)!;
    expect(r).toMatchObject({ deleted: true, deletedBy: 'inventory' });
    expect(r.timeline.at(-1)).toMatchObject({ at: iso(later), type: 'Deleted', reason: VANISHED_REASON });
  });

  it("an entry acts only on its range and scope: another namespace's or range's pods stay", async () => {
    const table = await env.freshTable();
    const h = harness(env.t.doc, table);
    const other = pod('other-1', { namespace: 'batch' });
    const low = pod('low-1', { uid: '10000000-0000-4000-8000-000000000001' });
    const high = pod('high-1', { uid: 'f0000000-0000-4000-8000-000000000001' });
    for (const x of [other, low, high]) await h.handler(busEventOf(unschedulable(x)));
    const ingest = ingestHandler(table);
    // The namespace `web` only, and only the range [8…, end): `low` is not covered, `other` not in scope.
    const inv: PodInventory = { ...inventoryEntries(list([], { namespaces: ['web'] }))[0]!, from: '8' };
    await ingest(sqsEventOf([sqsRecordOf(inventoryEvent(inv))]) as never);
    const after = await stored(table);
    expect(after.get('high-1')).toMatchObject({ deleted: true, deletedBy: 'inventory' });
    expect(after.get('low-1')).toMatchObject({ deleted: false });
    expect(after.get('other-1')).toMatchObject({ deleted: false });
  });

  it('reads only the sparse indexes, keys only, for pods created before the list', () => {
    expect(inventoryCandidateRequests('t', 'prod', LISTED)).toStrictEqual([
      {
        TableName: 't',
        IndexName: 'pending',
        KeyConditionExpression: '#p = :p AND #ck < :before',
        ProjectionExpression: '#pk, #sk',
        ExpressionAttributeNames: { '#p': 'pendingKey', '#ck': 'createdKey', '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':p': 'PENDING#prod', ':before': iso(LISTED - 5_000) },
        ReturnConsumedCapacity: 'TOTAL',
      },
      {
        TableName: 't',
        IndexName: 'crashLooping',
        KeyConditionExpression: '#p = :p AND #ck < :before',
        ProjectionExpression: '#pk, #sk',
        ExpressionAttributeNames: { '#p': 'crashKey', '#ck': 'createdKey', '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':p': 'CRASH#prod', ':before': iso(LISTED - 5_000) },
        ReturnConsumedCapacity: 'TOTAL',
      },
    ]);
  });
});
