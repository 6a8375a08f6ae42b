/**
 * --cluster-source: a forwarder of a cluster bound to its sender (podlife:senders) puts every
 * entry (facts, Events, heartbeats) with the source `podlife.forwarder.CLUSTER`, the only one its
 * role may put; the ingest takes them as the forwarder's. Without it: `podlife.forwarder`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDetail } from '../../core/bus-contract.ts';
import { DETAIL_TYPE_HEARTBEAT } from '../../core/heartbeat.ts';
import { DETAIL_TYPE_FACTS } from '../../core/pod-facts.ts';
import { boundSource } from '../../core/sender-binding.ts';
import { EVENT_SOURCE } from '../../core/snapshot.ts';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import { FakeApiServer } from '../../testkit/fake-apiserver.ts';
import { forwarderOn, kindPods, RecordingSink, waitFor } from './helpers.ts';

let server: FakeApiServer;
let sink: RecordingSink;
let fwd: Forwarder | undefined;

beforeEach(async () => {
  server = await new FakeApiServer().start();
  for (const p of kindPods()) server.add('pods', p);
  sink = new RecordingSink();
});

afterEach(async () => {
  await fwd?.stop();
  fwd = undefined;
  await server.close();
});

const sent = async (source?: string) => {
  fwd = forwarderOn(server, sink, { heartbeatMs: 40, ...(source ? { source } : {}) });
  await fwd.start();
  await waitFor(
    () =>
      sink.delivered.some((e) => e.DetailType === DETAIL_TYPE_FACTS) &&
      sink.delivered.some((e) => e.DetailType === DETAIL_TYPE_HEARTBEAT),
    'facts and a heartbeat',
  );
  return sink.delivered;
};

describe('the source of what the forwarder sends', () => {
  it('bound: every entry carries podlife.forwarder.CLUSTER, and the ingest takes it', async () => {
    const source = boundSource('kind-test');
    const entries = await sent(source);
    expect(new Set(entries.map((e) => e.Source))).toEqual(new Set([source]));
    for (const e of entries) {
      const parsed = parseDetail(e.Source, e.DetailType, JSON.parse(e.Detail), Date.now() + 60_000);
      expect(parsed.ok, `${e.DetailType}: ${JSON.stringify(parsed)}`).toBe(true);
    }
  });

  it('by default: podlife.forwarder, as before', async () => {
    const entries = await sent();
    expect(new Set(entries.map((e) => e.Source))).toEqual(new Set([EVENT_SOURCE]));
  });
});
