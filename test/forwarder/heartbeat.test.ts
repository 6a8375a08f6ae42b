/**
 * The forwarder's heartbeat against a fake API server: sent at start and every interval,
 * straight to the sink (not through the buffer), valid against the bus contract, saying ready,
 * buffer depth, drops and pods watched; a failing sink counts it and does not stop the next.
 */
import { describe, expect, it } from 'vitest';
import { parseDetail } from '../../core/bus-contract.ts';
import { DETAIL_TYPE_HEARTBEAT, type ForwarderHeartbeat } from '../../core/heartbeat.ts';
import { EVENT_SOURCE } from '../../core/snapshot.ts';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import { SinkCallError } from '../../forwarder/sinks.ts';
import { forwarderOn, kindPods, type RecordingSink, waitFor } from './helpers.ts';
import { kindClusterPerTest } from './kind-cluster.ts';

let fwd: Forwarder | undefined;
const PODS = kindPods();
const k = kindClusterPerTest(PODS);

const heartbeats = (s: RecordingSink): ForwarderHeartbeat[] =>
  s.delivered
    .filter((e) => e.DetailType === DETAIL_TYPE_HEARTBEAT)
    .map((e) => {
      const p = parseDetail(e.Source, e.DetailType, JSON.parse(e.Detail), Date.now());
      if (!p.ok || p.kind !== 'heartbeat') throw new Error(`not a valid heartbeat: ${JSON.stringify(p)}`);
      return p.heartbeat;
    });

describe('Forwarder Heartbeat', () => {
  it('goes at start and every interval, alone in its call, with ready, buffer, drops and pods watched', async () => {
    fwd = forwarderOn(k.server, k.sink, {
      heartbeatMs: 40,
      instance: 'fwd-0',
      version: '1.2.3',
      bus: 'podlife',
    });
    await k.start(fwd);
    await waitFor(
      () => heartbeats(k.sink).some((h) => h.ready && h.podsWatched === PODS.length),
      'a ready heartbeat',
    );
    const all = heartbeats(k.sink);
    // The first went at start, before the informer had listed.
    expect(all[0]).toMatchObject({ ready: false, cluster: 'kind-test', instance: 'fwd-0', version: '1.2.3' });
    const last = all.at(-1)!;
    expect(last).toMatchObject({
      schemaVersion: 1,
      ready: true,
      podsWatched: PODS.length,
      dropped: 0,
      intervalSeconds: 1,
    });
    expect(last.bufferEntries).toBeGreaterThanOrEqual(0);
    // Straight to the sink: each heartbeat is a call of its own, with the bus and a Time.
    for (const call of k.sink.calls.filter((c) => c.some((e) => e.DetailType === DETAIL_TYPE_HEARTBEAT))) {
      expect(call).toHaveLength(1);
      expect(call[0]).toMatchObject({
        Source: EVENT_SOURCE,
        EventBusName: 'podlife',
        Time: expect.any(String),
      });
    }
    const sent = fwd.metrics.heartbeats.total();
    expect(sent).toBeGreaterThanOrEqual(2);
    // Stopping stops them.
    await fwd.stop();
    const after = heartbeats(k.sink).length;
    await new Promise((r) => setTimeout(r, 120));
    expect(heartbeats(k.sink).length).toBe(after);
  });

  it('a sink that fails heartbeats counts them as failed and keeps sending', async () => {
    k.sink.behave = (entries) => {
      if (entries.some((e) => e.DetailType === DETAIL_TYPE_HEARTBEAT))
        throw new SinkCallError('down', 'Throttled');
      return { failed: [] };
    };
    fwd = forwarderOn(k.server, k.sink, { heartbeatMs: 30 });
    await k.start(fwd);
    await waitFor(() => fwd!.metrics.heartbeats.total() >= 3, 'three heartbeats');
    expect(await fwd.metrics.render()).toMatch(
      /podlife_forwarder_heartbeats_total\{outcome="failed"\} [3-9]/,
    );
  });

  it('none without an interval (the default of the Forwarder class; the CLI defaults to 60 s)', async () => {
    fwd = forwarderOn(k.server, k.sink);
    await k.start(fwd);
    await waitFor(() => fwd!.ready && k.sink.factsCount > 0, 'initial sync');
    expect(heartbeats(k.sink)).toEqual([]);
  });
});
