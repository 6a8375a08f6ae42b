/**
 * The forwarder's Pod Inventory against a fake API server (the 25 pods of a real kind cluster):
 * sent after the first list of a (re)start and after every relist, valid against the bus
 * contract, listing exactly the pods the API server held; a restart after pods were deleted
 * meanwhile sends an inventory without them; namespaced watches scope theirs; a label selector
 * sends none; a failing sink is retried.
 */
import { describe, expect, it } from 'vitest';
import { parseDetail } from '../../core/bus-contract.ts';
import { DETAIL_TYPE_INVENTORY, type PodInventory } from '../../core/inventory.ts';
import { SinkCallError } from '../../forwarder/sinks.ts';
import type { Obj } from '../../testkit/fake-apiserver.ts';
import { forwarderOn, kindPods, RecordingSink, waitFor } from './helpers.ts';
import { kindClusterPerTest } from './kind-cluster.ts';

const PODS = kindPods();
const k = kindClusterPerTest(PODS);
const { start, forwarders: running } = k;

const inventories = (s: RecordingSink): PodInventory[] =>
  s.delivered
    .filter((e) => e.DetailType === DETAIL_TYPE_INVENTORY)
    .map((e) => {
      const p = parseDetail(e.Source, e.DetailType, JSON.parse(e.Detail), Date.now());
      if (!p.ok || p.kind !== 'inventory') throw new Error(`not a valid inventory: ${JSON.stringify(p)}`);
      return p.inventory;
    });

const uidsOf = (pods: Obj[]) => pods.map((p) => p.metadata.uid as string).sort();

describe('Pod Inventory', () => {
  it('a start sends one inventory of every listed pod, whole cluster, when the list began', async () => {
    const before = Date.now();
    await start(forwarderOn(k.server, k.sink, { instance: 'fwd-a' }));
    await waitFor(() => inventories(k.sink).length === 1, 'the inventory');
    const [inv] = inventories(k.sink);
    expect(inv).toMatchObject({
      cluster: 'kind-test',
      instance: 'fwd-a',
      namespaces: null,
      part: 0,
      parts: 1,
    });
    expect(inv!.from).toBe('');
    expect(inv!.to).toBeNull();
    expect(inv!.uids).toEqual(uidsOf(PODS));
    expect(inv!.resourceVersion).toMatch(/^\d+$/);
    const t = Date.parse(inv!.listedAt);
    // The list's start by our clock, or the API server's Date (whole seconds) if that is earlier.
    expect(t).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('a restart after pods were deleted while it was down sends an inventory without them', async () => {
    const first = await start(forwarderOn(k.server, k.sink));
    await waitFor(() => inventories(k.sink).length === 1, 'the first inventory');
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const gone = PODS.slice(0, 3);
    for (const p of gone) k.server.remove('pods', p.metadata.namespace, p.metadata.name);
    // The new process knows nothing of them: no DELETED is sent, only its inventory tells.
    const after = new RecordingSink();
    await start(forwarderOn(k.server, after));
    await waitFor(() => inventories(after).length === 1, "the restart's inventory");
    expect(inventories(after)[0]!.uids).toEqual(uidsOf(PODS.slice(3)));
    expect(after.factDetails().filter((d) => gone.some((p) => p.metadata.uid === d.uid))).toEqual([]);
  });

  it('a relist (410 Gone) sends a new inventory without the pods deleted in the gap', async () => {
    const f = await start(forwarderOn(k.server, k.sink));
    await waitFor(() => inventories(k.sink).length === 1, 'the first inventory');
    k.server.down = true;
    k.server.dropWatches();
    const gone = PODS.slice(5, 7);
    for (const p of gone) k.server.remove('pods', p.metadata.namespace, p.metadata.name);
    k.server.expire();
    await waitFor(() => f.metrics.watchRestarts.get({ resource: 'pods', reason: 'error' }) >= 1, 'a failure');
    k.server.down = false;
    await waitFor(() => inventories(k.sink).length === 2, 'the relist inventory');
    const [a, b] = inventories(k.sink);
    expect(a!.uids).toEqual(uidsOf(PODS));
    expect(b!.uids).toEqual(uidsOf(PODS.filter((p) => !gone.includes(p))));
    expect(Date.parse(b!.listedAt)).toBeGreaterThanOrEqual(Date.parse(a!.listedAt));
    expect(f.metrics.inventories.get({ outcome: 'ok' })).toBe(2);
  });

  it('namespaced watches send one inventory per namespace, scoped to it', async () => {
    const namespaces = [...new Set(PODS.map((p) => p.metadata.namespace as string))].slice(0, 2);
    await start(forwarderOn(k.server, k.sink, { namespaces }));
    await waitFor(() => inventories(k.sink).length === 2, 'two inventories');
    for (const ns of namespaces) {
      const inv = inventories(k.sink).find((i) => i.namespaces?.[0] === ns);
      expect(inv?.namespaces).toEqual([ns]);
      expect(inv?.uids).toEqual(uidsOf(PODS.filter((p) => p.metadata.namespace === ns)));
    }
  });

  it('a label selector sends no inventory (its list says nothing of the pods it leaves out)', async () => {
    const f = await start(forwarderOn(k.server, k.sink, { selector: 'app=none' }));
    await waitFor(() => f.ready, 'listed');
    await new Promise((r) => setTimeout(r, 100));
    expect(inventories(k.sink)).toEqual([]);
    expect(f.inventory).toBeUndefined();
  });

  it('a failing sink: the inventory is retried until it is accepted', async () => {
    let failures = 0;
    k.sink.behave = (entries) => {
      if (entries.some((e) => e.DetailType === DETAIL_TYPE_INVENTORY) && failures < 2) {
        failures++;
        throw new SinkCallError('throttled', 'ThrottlingException');
      }
      return { failed: [] };
    };
    const f = await start(forwarderOn(k.server, k.sink, {}, { sleep: async () => {} }));
    await waitFor(() => inventories(k.sink).length === 1, 'the inventory, at the third try');
    const tries = k.sink.calls.filter((c) => c.some((e) => e.DetailType === DETAIL_TYPE_INVENTORY)).length;
    expect(tries).toBe(3);
    expect(inventories(k.sink)[0]!.uids).toEqual(uidsOf(PODS));
    expect(f.metrics.inventories.get({ outcome: 'ok' })).toBe(1);
  });

  it('a bus throttling or down longer than 10 rounds: the inventory is retried until it is accepted', async () => {
    let outage = 14;
    k.sink.behave = (entries) => {
      if (!entries.some((e) => e.DetailType === DETAIL_TYPE_INVENTORY) || outage <= 0) return { failed: [] };
      outage--;
      if (outage % 2 === 0) throw new SinkCallError('bus unavailable', 'ServiceUnavailable');
      return { failed: entries.map((_, index) => ({ index, code: 'ThrottlingException' })) };
    };
    const f = await start(forwarderOn(k.server, k.sink, {}, { sleep: async () => {} }));
    await waitFor(() => inventories(k.sink).length === 1, 'the inventory, at the 15th try');
    expect(k.sink.calls.filter((c) => c.some((e) => e.DetailType === DETAIL_TYPE_INVENTORY))).toHaveLength(
      15,
    );
    expect(f.metrics.inventories.get({ outcome: 'ok' })).toBe(1);
    expect(f.metrics.inventories.get({ outcome: 'failed' })).toBe(0);
  });

  it('an inventory entry refused for itself every time is given up after 10 rounds', async () => {
    k.sink.behave = (entries) => ({
      failed: entries.flatMap((e, index) =>
        e.DetailType === DETAIL_TYPE_INVENTORY ? [{ index, code: 'InternalFailure' }] : [],
      ),
    });
    const f = await start(forwarderOn(k.server, k.sink, {}, { sleep: async () => {} }));
    await waitFor(() => f.metrics.inventories.get({ outcome: 'failed' }) === 1, 'given up');
    expect(k.sink.calls.filter((c) => c.some((e) => e.DetailType === DETAIL_TYPE_INVENTORY))).toHaveLength(
      10,
    );
  });

  it('a shutdown while every PutEvents call fails: the inventory back-off is cut short, the flush deadline holds', async () => {
    k.sink.behave = () => {
      throw new SinkCallError('Rate exceeded', 'ThrottlingException');
    };
    // The largest back-off steps: 250 ms, 500, 1 s, 2 s, 4 s... (full jitter at its top).
    const f = await start(forwarderOn(k.server, k.sink, { flushDeadlineMs: 200 }, { random: () => 0.999 }));
    const tries = () =>
      k.sink.calls.filter((c) => c.some((e) => e.DetailType === DETAIL_TYPE_INVENTORY)).length;
    await waitFor(() => tries() >= 4, 'four inventory calls');
    // Now the inventory waits a 2 s back-off step.
    const t0 = Date.now();
    await f.stop();
    const took = Date.now() - t0;
    expect(took).toBeLessThan(1_500);
    expect(tries()).toBe(4);
    expect(f.metrics.inventories.get({ outcome: 'failed' })).toBe(1);
    expect(f.metrics.forwarded.total()).toBe(0);
    // Every pod's entry is accounted for: dropped at the deadline, counted.
    expect(f.metrics.dropped.get({ reason: 'shutdown' })).toBeGreaterThanOrEqual(PODS.length);
  });
});
