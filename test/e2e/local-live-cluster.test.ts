/**
 * `podlife local --kubeconfig`: local mode watching a live cluster, end to end. The real
 * @kubernetes/client-node informer inside the forwarder (default payload, Pod Facts, with pod
 * Events) against a Kubernetes API server on 127.0.0.1 serving a real kind cluster's pods → the
 * local bus and the stack's rules → the ingest → DynamoDB Local → the query API. What the API
 * returns must be what the engine computes from every state the API server held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../core/engine.ts';
import { compactEventOf, snapshotOf } from '../../core/snapshot.ts';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import { trimPod } from '../../forwarder/pipeline/trim.ts';
import { watchClusterInto } from '../../local/live-cluster.ts';
import { LocalMode } from '../../local/local-mode.ts';
import { FakeApiServer, type Obj } from '../../testkit/fake-apiserver.ts';
import { fixtureObjects, kindPods, podNamed, waitFor, withRestarts } from '../forwarder/helpers.ts';

const CLUSTER = 'kind-live';

describe('local mode on a live cluster (podlife local --kubeconfig)', () => {
  let server: FakeApiServer;
  let mode: LocalMode;
  let forwarder: Forwarder;
  const reference = new LifecycleEngine();
  const see = (type: 'ADDED' | 'MODIFIED', obj: Obj) =>
    reference.applySnapshot(snapshotOf(trimPod(structuredClone(obj)), { cluster: CLUSTER, type }));

  beforeAll(async () => {
    server = await new FakeApiServer().start();
    for (const p of kindPods()) {
      server.add('pods', p);
      see('ADDED', p);
    }
    for (const e of fixtureObjects('devops2-volodymyr__minikube-default-eventlist.json')) {
      if (e.involvedObject?.kind !== 'Pod') continue;
      server.add('events', e);
      reference.applyEvent(CLUSTER, compactEventOf(e)!);
    }
    mode = await LocalMode.start({ port: 0 });
    forwarder = await watchClusterInto(mode, server.kubeConfig(), { cluster: CLUSTER });
    await waitFor(
      () => forwarder.ready && forwarder.sender.idle && server.openWatches === 2,
      'the initial sync',
      30_000,
    );
    // A pod restarts while podlife watches.
    const restarted = withRestarts(podNamed(server, 'e2e-container-creating'), 4);
    server.modify('pods', restarted);
    see('MODIFIED', restarted);
    await waitFor(
      () => forwarder.metrics.watchEvents.get({ resource: 'pods', type: 'MODIFIED' }) === 1,
      'the update',
    );
    // A restart count going up inside a known crash loop is routine news: it may wait the
    // forwarder's routine linger (30 s) before it is sent (docs/forwarder.md, the linger policy).
    await waitFor(() => forwarder.sender.idle, 'the entries sent', 45_000);
    await mode.bus.drain();
  }, 90_000);

  afterAll(async () => {
    await mode?.stop();
    await server?.close();
  });

  it('sent Pod Facts, and the bus delivered every one without a failure', () => {
    expect(forwarder.metrics.forwarded.get({ detail_type: 'Pod Facts' })).toBeGreaterThanOrEqual(
      kindPods().length,
    );
    expect(forwarder.metrics.dropped.total()).toBe(0);
    expect(mode.bus.failures).toEqual([]);
  });

  it('the history route returns, for every pod, the records of every state the API server held', async () => {
    const expected = reference.records({ now: mode.clock.now(), stuckAfterSeconds: 300 });
    const pods = expected.filter((r) => r.cluster === CLUSTER);
    expect(pods.length).toBe(kindPods().length);
    for (const want of pods) {
      const res = await fetch(
        `${mode.url}/api/pods/${CLUSTER}/${want.namespace}/${encodeURIComponent(want.name)}`,
      );
      expect(res.status, want.name).toBe(200);
      const body = (await res.json()) as { pods: unknown[] };
      expect(body.pods, want.name).toEqual([want]);
    }
    expect(pods.find((r) => r.name === 'e2e-container-creating')?.restarts).toBe(4);
  });

  it('a restart after a pod vanished: its Pod Inventory goes through the local bus and the ingest, which marks the pod deleted', async () => {
    expect(forwarder.metrics.inventories.get({ outcome: 'ok' })).toBe(1);
    await forwarder.stop();
    // Deleted while no forwarder watched: nothing will ever send its DELETED.
    const gone = podNamed(server, 'e2e-container-pending');
    server.remove('pods', gone.metadata.namespace, gone.metadata.name);
    const again = await watchClusterInto(mode, server.kubeConfig(), { cluster: CLUSTER });
    await waitFor(
      () => again.metrics.inventories.get({ outcome: 'ok' }) === 1,
      "the restart's inventory",
      30_000,
    );
    await waitFor(() => again.sender.idle, 'the entries sent', 10_000);
    await mode.bus.drain();
    expect(mode.bus.failures).toEqual([]);
    const res = await fetch(`${mode.url}/api/pods/${CLUSTER}/scraper/e2e-container-pending`);
    const body = (await res.json()) as { pods: { deleted: boolean; deletedBy: string | null }[] };
    expect(body.pods).toHaveLength(1);
    expect(body.pods[0]).toMatchObject({ deleted: true, deletedBy: 'inventory' });
    // A pod the inventory listed is untouched.
    const kept = await fetch(`${mode.url}/api/pods/${CLUSTER}/scraper/e2e-statefulset-0`);
    expect(((await kept.json()) as { pods: { deleted: boolean }[] }).pods[0]?.deleted).toBe(false);
    await again.stop();
  });
});
