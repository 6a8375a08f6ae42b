/**
 * The real @kubernetes/client-node informer, driven by the forwarder, against a Kubernetes API
 * server on 127.0.0.1 that serves the real pods of a kind cluster: normal flow, a dropped watch,
 * a clean watch end, 410 Gone (as a watch ERROR event and as HTTP 410) → relist, pods deleted
 * while the watch was away, a burst of 1,000 updates, namespaces and selectors, paging, and
 * core/v1 Events.
 */
import { describe, expect, it } from 'vitest';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import type { Obj } from '../../testkit/fake-apiserver.ts';
import {
  fixtureObjects,
  forwarderOn,
  kindPods,
  podNamed,
  waitFor,
  withLabel,
  withRestarts,
} from './helpers.ts';
import { kindClusterPerTest } from './kind-cluster.ts';

const PODS = kindPods();
const k = kindClusterPerTest(PODS);

/** Starts the forwarder and waits until it has sent the initial list and is watching. */
async function started(f: Forwarder, expected = PODS.length, informers = 1): Promise<Forwarder> {
  await k.start(f);
  await waitFor(
    () => f.ready && k.sink.snapshotCount >= expected && f.sender.idle && k.server.openWatches === informers,
    'initial sync',
  );
  return f;
}

const NAMESPACE_OF = new Map<string, string>(PODS.map((p) => [p.metadata.name, p.metadata.namespace]));
const pod = (name: string): Obj => podNamed(k.server, name);

const countBy = <T>(xs: T[], key: (x: T) => string) =>
  xs.reduce((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map<string, number>());

describe('informer against a local API server', () => {
  it('normal flow: lists, sends each pod once, then only lifecycle changes', async () => {
    const f = await started(forwarderOn(k.server, k.sink, { payload: 'snapshot' }));
    const first = k.sink.snapshots();
    expect(first).toHaveLength(PODS.length);
    expect(new Set(first.map((s) => s.pod.uid))).toEqual(new Set(PODS.map((p) => p.metadata.uid)));
    expect(first.every((s) => s.type === 'ADDED' && s.cluster === 'kind-test' && s.observedAt)).toBe(true);
    expect(k.server.lists('pods')).toBe(1);

    // A restart is sent, a label/annotation edit is not.
    k.server.modify('pods', withLabel(pod('e2e-deployment-6fb786454b-7fsxc'), 'x'));
    k.server.modify('pods', withRestarts(pod('e2e-container-creating'), 3));
    await waitFor(() => k.sink.of('e2e-container-creating').length === 2, 'the restart');
    await waitFor(() => f.sender.idle, 'idle');
    expect(k.sink.of('e2e-deployment-6fb786454b-7fsxc')).toHaveLength(1);
    expect(f.metrics.skippedNoop.get({ resource: 'pods' })).toBe(1);
    const restarted = k.sink.of('e2e-container-creating')[1]!;
    expect(restarted.type).toBe('MODIFIED');
    expect(restarted.pod.containerStatuses[0]!.restartCount).toBe(3);

    k.server.remove('pods', 'scraper', 'e2e-cronjob-29472159-pvnhf');
    await waitFor(() => k.sink.of('e2e-cronjob-29472159-pvnhf').length === 2, 'the deletion');
    expect(k.sink.of('e2e-cronjob-29472159-pvnhf')[1]!.type).toBe('DELETED');
    expect(k.server.lists('pods')).toBe(1);
    expect(f.metrics.watchRestarts.total()).toBe(0);
  });

  it('a dropped watch connection: restarts with back-off and resumes from its resourceVersion, no relist, no duplicates', async () => {
    const f = await started(forwarderOn(k.server, k.sink, { payload: 'snapshot' }));
    k.server.dropWatches();
    // Changed while the connection is down: delivered from the history when the watch resumes.
    k.server.modify('pods', withRestarts(pod('e2e-container-creating'), 5));
    await waitFor(() => k.sink.of('e2e-container-creating').length === 2, 'the change made during the drop');
    expect(k.server.lists('pods')).toBe(1);
    expect(k.server.watches('pods')).toBeGreaterThanOrEqual(2);
    expect(f.metrics.watchRestarts.get({ resource: 'pods', reason: 'error' })).toBeGreaterThanOrEqual(1);
    const resumed = k.server.requests.filter((r) => r.watch).at(-1)!;
    expect(Number(resumed.resourceVersion)).toBeGreaterThan(1000);
    expect(
      [...countBy(k.sink.snapshots(), (s) => `${s.pod.uid}/${s.type}`).values()].every((n) => n === 1),
    ).toBe(true);
  });

  it('a watch the server ends cleanly (timeout) is resumed at once, without a relist', async () => {
    const f = await started(forwarderOn(k.server, k.sink, { payload: 'snapshot' }));
    k.server.endWatches();
    await waitFor(() => k.server.openWatches === 1, 'the new watch');
    k.server.modify('pods', withRestarts(pod('e2e-container-creating'), 4));
    await waitFor(() => k.sink.of('e2e-container-creating').length === 2, 'the change');
    expect(k.server.lists('pods')).toBe(1);
    expect(f.metrics.watchRestarts.get({ resource: 'pods', reason: 'closed' })).toBeGreaterThanOrEqual(1);
    // The informer asked for bookmarks and a server-side timeout.
    const w = k.server.requests.find((r) => r.watch)!;
    expect(w.query.allowWatchBookmarks).toBe('true');
    expect(Number(w.query.timeoutSeconds)).toBeGreaterThanOrEqual(300);
  });

  for (const mode of ['event', 'http'] as const) {
    it(`410 Gone (${mode === 'event' ? 'watch ERROR event with a 410 Status' : 'HTTP 410'}) → relist with no duplicate transitions`, async () => {
      const f = await started(forwarderOn(k.server, k.sink, { payload: 'snapshot' }));
      k.server.goneMode = mode;
      k.server.expire();
      await waitFor(() => k.server.lists('pods') === 2, 'the relist');
      await waitFor(() => k.server.openWatches === 1 && f.sender.idle, 'watching again');
      // Every known pod is unchanged: the relist sends nothing.
      expect(k.sink.snapshots()).toHaveLength(PODS.length);
      expect(f.metrics.watchRestarts.get({ resource: 'pods', reason: 'gone' })).toBeGreaterThanOrEqual(1);
      // And the new watch works.
      k.server.modify('pods', withRestarts(pod('e2e-container-creating'), 7));
      await waitFor(() => k.sink.of('e2e-container-creating').length === 2, 'a change after the relist');
    });
  }

  it('pods deleted while the watch was away are sent as DELETED after the relist (by uid, even when the name came back)', async () => {
    const f = await started(forwarderOn(k.server, k.sink, { payload: 'snapshot' }));
    const sts = pod('e2e-statefulset-1');
    const gone = ['e2e-failjob-cdhgp', 'e2e-cronjob-29472160-q4smw'].map(pod);
    // The API server goes away; meanwhile the cluster moves on and etcd compacts the history.
    k.server.down = true;
    k.server.dropWatches();
    for (const p of [...gone, sts]) k.server.remove('pods', p.metadata.namespace, p.metadata.name);
    const reborn = structuredClone(sts);
    reborn.metadata.uid = '11111111-2222-4333-8444-555555555555';
    k.server.add('pods', reborn);
    const fresh = structuredClone(pod('e2e-deployment-6fb786454b-7fsxc'));
    fresh.metadata.name = 'e2e-deployment-6fb786454b-new01';
    fresh.metadata.uid = '66666666-7777-4888-9999-000000000000';
    k.server.add('pods', fresh);
    k.server.modify('pods', withRestarts(pod('e2e-container-creating'), 9));
    k.server.modify('pods', withLabel(pod('e2e-hpa-5b9fd8d67d-sjdmn'), 'gap'));
    k.server.expire();
    await waitFor(
      () => f.metrics.watchRestarts.get({ resource: 'pods', reason: 'error' }) >= 2,
      'failed restarts',
    );
    k.server.down = false;

    await waitFor(() => k.server.lists('pods') === 2 && k.server.openWatches === 1, 'relist and watch');
    await waitFor(() => f.sender.idle && k.sink.snapshotCount === PODS.length + 6, 'the gap snapshots');
    const after = k.sink.snapshots().slice(PODS.length);
    const summary = after.map((s) => `${s.type} ${s.pod.name} ${s.pod.uid.slice(0, 8)}`).sort();
    expect(summary).toEqual(
      [
        `DELETED e2e-failjob-cdhgp ${gone[0].metadata.uid.slice(0, 8)}`,
        `DELETED e2e-cronjob-29472160-q4smw ${gone[1].metadata.uid.slice(0, 8)}`,
        `DELETED e2e-statefulset-1 ${sts.metadata.uid.slice(0, 8)}`,
        'ADDED e2e-statefulset-1 11111111',
        'ADDED e2e-deployment-6fb786454b-new01 66666666',
        `MODIFIED e2e-container-creating ${pod('e2e-container-creating').metadata.uid.slice(0, 8)}`,
      ].sort(),
    );
    expect(f.metrics.synthesizedDeletes.total()).toBe(3);
    // Each uid got at most one DELETED, and the label-only change sent nothing.
    expect(
      [...countBy(k.sink.snapshots(), (s) => `${s.pod.uid}/${s.type}`).values()].every((n) => n === 1),
    ).toBe(true);
  });

  it('a burst of 1,000 lifecycle updates (and 200 label-only ones): all delivered in batches of ≤ 10, final states right', async () => {
    const f = await started(
      forwarderOn(k.server, k.sink, { payload: 'snapshot' }, { sender: { lingerMs: 20 } }),
    );
    const callsBefore = k.sink.calls.length;
    const names = k.server
      .all('pods')
      .filter((p) => p.status?.containerStatuses?.length)
      .map((p) => p.metadata.name as string)
      .slice(0, 20);
    const final = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const name = names[i % names.length];
      const n = 100 + i;
      k.server.modify('pods', withRestarts(pod(name!), n));
      final.set(name!, n);
      if (i % 5 === 0) k.server.modify('pods', withLabel(pod(name!), String(i)));
    }
    await waitFor(
      () => k.sink.snapshotCount === PODS.length + 1000 && f.sender.idle,
      '1,000 snapshots',
      30_000,
    );
    for (const [name, n] of final) {
      const last = k.sink
        .of(name)
        .filter((s) => s.type === 'MODIFIED')
        .sort((a, b) => Number(a.pod.resourceVersion) - Number(b.pod.resourceVersion))
        .at(-1)!;
      expect(last.pod.containerStatuses[0]!.restartCount).toBe(n);
    }
    expect(f.metrics.skippedNoop.get({ resource: 'pods' })).toBe(200);
    const calls = k.sink.calls.slice(callsBefore);
    expect(calls.every((c) => c.length <= 10)).toBe(true);
    // Under load the batches fill up (bench/forwarder.ts measures 0.10 calls per entry; here the
    // stream's pace depends on the machine, so the bound is loose: far from one call per entry).
    expect(calls.length).toBeLessThanOrEqual(150);
    expect(calls.reduce((n, c) => n + c.length, 0) / calls.length).toBeGreaterThan(6.5);
    expect(f.metrics.dropped.total()).toBe(0);
  });

  it('buffer overflow during an outage: latest states pushed out are re-read from the informer cache and sent', async () => {
    let down = false;
    k.sink.behave = () => {
      if (down) throw Object.assign(new Error('bus unavailable'), { code: 'ServiceUnavailable' });
      return { failed: [] };
    };
    // The initial list of 25 pods already overflows a buffer of 8 (and is re-sent from the cache).
    const f = await started(
      forwarderOn(k.server, k.sink, { payload: 'snapshot' }, { sender: { maxBufferEntries: 8 } }),
    );
    await waitFor(() => f.metrics.deferredPods.get() === 0 && f.sender.idle, 'initial re-sends');
    const deferredBefore = f.metrics.dropped.get({ reason: 'deferred' });
    expect(deferredBefore).toBeGreaterThanOrEqual(PODS.length - 8);
    down = true;
    const names = k.server
      .all('pods')
      .filter((p) => p.status?.containerStatuses?.length)
      .map((p) => p.metadata.name as string);
    for (const [i, name] of names.entries()) k.server.modify('pods', withRestarts(pod(name), 50 + i));
    k.server.remove('pods', NAMESPACE_OF.get(names[0]!)!, names[0]!);
    await waitFor(
      () => f.metrics.watchEvents.get({ resource: 'pods', type: 'DELETED' }) === 1,
      'the watch events',
    );
    expect(f.metrics.dropped.get({ reason: 'deferred' }) - deferredBefore).toBeGreaterThanOrEqual(
      names.length + 1 - 8,
    );
    expect(f.sender.size).toBeLessThanOrEqual(8);
    down = false;
    await waitFor(() => f.metrics.deferredPods.get() === 0 && f.sender.idle, 'the re-sends', 20_000);
    // Every pod's latest state arrived (in any order: retries may overtake), the deleted one as DELETED.
    for (const [i, name] of names.entries()) {
      const got = k.sink.of(name);
      if (i === 0) expect(got.some((s) => s.type === 'DELETED')).toBe(true);
      else expect(Math.max(...got.map((s) => s.pod.containerStatuses[0]!.restartCount))).toBe(50 + i);
    }
    expect(f.metrics.dropped.get({ reason: 'lost' })).toBe(0);
  });

  it('namespaces and a label selector: one informer per namespace, the selector goes to list and watch', async () => {
    k.server.add('pods', {
      ...structuredClone(PODS[0]),
      metadata: { ...PODS[0].metadata, namespace: 'other', name: 'x', uid: 'u-x' },
    });
    await started(
      forwarderOn(k.server, k.sink, {
        payload: 'snapshot',
        namespaces: ['scraper', 'other'],
        selector: 'app=deployment',
      }),
      2,
      2,
    );
    expect(
      k.sink
        .snapshots()
        .map((s) => s.pod.name)
        .sort(),
    ).toEqual(['e2e-deployment-6fb786454b-7fsxc', 'e2e-deployment-6fb786454b-mrr5s']);
    const reqs = k.server.requests.filter((r) => r.kind === 'pods');
    expect(new Set(reqs.map((r) => r.namespace))).toEqual(new Set(['scraper', 'other']));
    expect(reqs.every((r) => r.query.labelSelector === 'app=deployment')).toBe(true);
  });

  it('pages through a large list with limit/continue', async () => {
    await started(forwarderOn(k.server, k.sink, { payload: 'snapshot' }, { watch: { pageSize: 7 } }));
    const lists = k.server.requests.filter((r) => !r.watch);
    expect(lists).toHaveLength(Math.ceil(PODS.length / 7));
    expect(lists.slice(1).every((r) => r.query.continue)).toBe(true);
    expect(k.sink.snapshots()).toHaveLength(PODS.length);
  });

  it('core/v1 Events about pods are forwarded as Pod Event, repeats only when they change', async () => {
    const events = fixtureObjects('devops2-volodymyr__minikube-default-eventlist.json');
    for (const e of events) k.server.add('events', e);
    const podEvents = events.filter((e) => e.involvedObject.kind === 'Pod');
    const f = await started(
      forwarderOn(k.server, k.sink, { payload: 'snapshot', events: true }),
      PODS.length,
      2,
    );
    await waitFor(() => k.sink.events().length === podEvents.length && f.sender.idle, 'the pod events');
    const got = k.sink.events();
    expect(got.every((e) => e.cluster === 'kind-test')).toBe(true);
    expect(got.map((e) => e.event.reason)).toContain('FailedScheduling');
    // The watch asked only for events about pods.
    expect(
      k.server.requests
        .filter((r) => r.kind === 'events')
        .every((r) => r.query.fieldSelector === 'involvedObject.kind=Pod'),
    ).toBe(true);
    const backoff = structuredClone(podEvents[0]);
    k.server.modify('events', { ...backoff, count: 7, lastTimestamp: '2024-11-17T10:45:00Z' });
    k.server.modify('events', { ...structuredClone(podEvents[1]) }); // only its resourceVersion changes
    await waitFor(
      () => k.sink.events().length === podEvents.length + 1 && f.sender.idle,
      'the repeated event',
    );
    expect(k.sink.events().at(-1)!.event.count).toBe(7);
    expect(f.metrics.skippedNoop.get({ resource: 'events' })).toBe(1);
  });
});
