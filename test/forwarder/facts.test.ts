/**
 * The default payload, Pod Facts, end to end through the real @kubernetes/client-node informer
 * against a local API server serving a real kind cluster's pods: what reaches the bus, merged
 * the way the ingest merges it, gives the same records (every figure, every timeline entry) as
 * every state the API server held, fed to the engine as full snapshots. Through a relist, pods
 * deleted while the watch was away, a burst that the buffer coalesces, an outage that overflows
 * the buffer, and pod Events joining their pod's entries. No entry is ever a no-op.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../core/engine.ts';
import { factsOfDetail } from '../../core/pod-facts.ts';
import { compactEventOf, snapshotOf } from '../../core/snapshot.ts';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import { trimPod } from '../../forwarder/pipeline/trim.ts';
import { FakeApiServer, type Obj } from '../../testkit/fake-apiserver.ts';
import {
  fixtureObjects,
  forwarderOn,
  kindPods,
  podNamed,
  RecordingSink,
  waitFor,
  withCrash,
  withLabel,
  withRestarts,
} from './helpers.ts';

const PODS = kindPods();
const CLUSTER = 'kind-test';
const ctx = { now: Date.parse('2030-01-01T00:00:00Z'), stuckAfterSeconds: 300 };

let server: FakeApiServer;
let sink: RecordingSink;
let fwd: Forwarder | undefined;
/** Every state the API server held, as full snapshots: what the bus must add up to. */
let reference: LifecycleEngine;

function see(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: Obj): void {
  reference.applySnapshot(snapshotOf(trimPod(structuredClone(obj)), { cluster: CLUSTER, type }));
}
function add(obj: Obj): void {
  server.add('pods', obj);
  see('ADDED', obj);
}
function modify(obj: Obj): void {
  server.modify('pods', obj);
  see('MODIFIED', obj);
}
function remove(obj: Obj): void {
  server.remove('pods', obj.metadata.namespace, obj.metadata.name);
  see('DELETED', obj);
}

const pod = (name: string): Obj => podNamed(server, name);

beforeEach(async () => {
  server = await new FakeApiServer().start();
  reference = new LifecycleEngine();
  for (const p of PODS) add(p);
  sink = new RecordingSink();
});

afterEach(async () => {
  await fwd?.stop();
  fwd = undefined;
  await server.close();
});

async function started(f: Forwarder, expected = PODS.length): Promise<Forwarder> {
  fwd = f;
  await f.start();
  await waitFor(
    () => f.ready && sink.factsCount >= expected && f.sender.idle && server.openWatches >= 1,
    'initial sync',
  );
  return f;
}

/** The bus adds up to the API server's history, and nothing sent was a no-op. */
function expectBusEqualsHistory(): void {
  expect(sink.engine().records(ctx)).toEqual(reference.records(ctx));
  expect(sink.noopFactEntries()).toBe(0);
}

describe('Pod Facts through the informer', () => {
  it('normal flow: each pod’s first entry carries its identity, then only news; label edits send nothing', async () => {
    const f = await started(forwarderOn(server, sink));
    const first = sink.factDetails();
    expect(first).toHaveLength(PODS.length);
    expect(first.every((d) => d.cluster === CLUSTER && d.schemaVersion === 1)).toBe(true);
    expect(new Set(first.map((d) => d.uid))).toEqual(new Set(PODS.map((p) => p.metadata.uid)));
    // Readable by default (rules can match on them): compressed only past 64 KB.
    expect(first.every((d) => d.facts && d.factsDeflate === undefined)).toBe(true);
    expectBusEqualsHistory();

    modify(withLabel(pod('e2e-deployment-6fb786454b-7fsxc'), 'x'));
    modify(withRestarts(pod('e2e-container-creating'), 3));
    await waitFor(() => sink.factsOf('e2e-container-creating').length === 2, 'the restart');
    await waitFor(() => f.sender.idle, 'idle');
    expect(sink.factsOf('e2e-deployment-6fb786454b-7fsxc')).toHaveLength(1);
    expect(f.metrics.skippedNoop.get({ resource: 'pods' })).toBe(1);

    remove(pod('e2e-cronjob-29472159-pvnhf'));
    await waitFor(() => sink.factsOf('e2e-cronjob-29472159-pvnhf').length === 2, 'the deletion');
    await waitFor(() => f.sender.idle, 'idle');
    expectBusEqualsHistory();
    const restart = sink
      .engine()
      .records(ctx)
      .find((r) => r.name === 'e2e-container-creating');
    expect(restart?.restarts).toBe(3);
    expect(
      sink
        .engine()
        .records(ctx)
        .find((r) => r.name === 'e2e-cronjob-29472159-pvnhf')?.deleted,
    ).toBe(true);
  });

  it('410 Gone → relist: known pods send nothing, pods deleted in the gap are sent as deleted', async () => {
    const f = await started(forwarderOn(server, sink));
    const gone = ['e2e-failjob-cdhgp', 'e2e-cronjob-29472160-q4smw'].map(pod);
    server.down = true;
    server.dropWatches();
    for (const p of gone) remove(p);
    const fresh = structuredClone(pod('e2e-deployment-6fb786454b-7fsxc'));
    fresh.metadata.name = 'e2e-deployment-6fb786454b-new01';
    fresh.metadata.uid = '66666666-7777-4888-9999-000000000000';
    add(fresh);
    modify(withRestarts(pod('e2e-container-creating'), 9));
    modify(withLabel(pod('e2e-hpa-5b9fd8d67d-sjdmn'), 'gap'));
    server.expire();
    await waitFor(
      () => f.metrics.watchRestarts.get({ resource: 'pods', reason: 'error' }) >= 2,
      'failed restarts',
    );
    server.down = false;
    await waitFor(() => server.lists('pods') === 2 && server.openWatches === 1, 'relist and watch');
    await waitFor(() => f.sender.idle && sink.factsCount === PODS.length + 4, 'the gap entries');
    expect(f.metrics.synthesizedDeletes.total()).toBe(2);
    expect(
      sink
        .factDetails()
        .slice(PODS.length)
        .map((d) => d.name)
        .sort(),
    ).toEqual(
      [
        ...gone.map((p) => p.metadata.name),
        'e2e-deployment-6fb786454b-new01',
        'e2e-container-creating',
      ].sort(),
    );
    expectBusEqualsHistory();
  });

  it('a burst of 1,000 crashes: coalesced in the buffer, batches of ≤ 10, every run arrives', async () => {
    const f = await started(forwarderOn(server, sink, {}, { sender: { lingerMs: 50 } }));
    const callsBefore = sink.calls.length;
    const names = server
      .all('pods')
      .filter((p) => p.status?.containerStatuses?.length)
      .map((p) => p.metadata.name as string)
      .slice(0, 20);
    for (let i = 0; i < 1000; i++) {
      const name = names[i % names.length];
      modify(withCrash(pod(name!), 100 + i));
      if (i % 5 === 0) modify(withLabel(pod(name!), String(i)));
    }
    await waitFor(
      () => f.metrics.watchEvents.get({ resource: 'pods', type: 'MODIFIED' }) === 1200 && f.sender.idle,
      'the burst',
      30_000,
    );
    expectBusEqualsHistory();
    const calls = sink.calls.slice(callsBefore);
    expect(calls.every((c) => c.length <= 10)).toBe(true);
    const sent = calls.reduce((n, c) => n + c.length, 0);
    // Every update is news (a restart), so only the buffer's merges make entries fewer than updates.
    expect(sent + f.metrics.coalesced.total()).toBe(1000);
    expect(f.metrics.skippedNoop.get({ resource: 'pods' })).toBe(200);
    expect(f.metrics.dropped.total()).toBe(0);
    // Each crash's run is a fact of its own: all 1,000 are in the records' timelines, in full or
    // (older than a container's latest 100 restart numbers) counted in its Folded entry.
    const timeline = sink
      .engine()
      .records(ctx)
      .flatMap((r) => r.timeline);
    const terminations = timeline.filter((e) => e.type === 'ContainerTerminated').length;
    const folded = timeline
      .filter((e) => e.type === 'Folded' && e.reason === undefined)
      .reduce((n, e) => n + (e.count ?? 0), 0);
    expect(folded).toBeGreaterThan(0);
    expect(terminations + folded).toBeGreaterThanOrEqual(1000);
  });

  it('an outage that overflows the buffer: every pod’s latest state still arrives, nothing lost', async () => {
    let down = false;
    sink.behave = () => {
      if (down) throw Object.assign(new Error('bus unavailable'), { code: 'ServiceUnavailable' });
      return { failed: [] };
    };
    const f = await started(forwarderOn(server, sink, {}, { sender: { maxBufferEntries: 8 } }));
    await waitFor(() => f.metrics.deferredPods.get() === 0 && f.sender.idle, 'initial re-sends');
    expect(f.metrics.dropped.get({ reason: 'deferred' })).toBeGreaterThanOrEqual(PODS.length - 8);
    down = true;
    const names = server
      .all('pods')
      .filter((p) => p.status?.containerStatuses?.length)
      .map((p) => p.metadata.name as string);
    for (const [i, name] of names.entries()) modify(withRestarts(pod(name), 50 + i));
    remove(pod(names[0]!));
    await waitFor(
      () => f.metrics.watchEvents.get({ resource: 'pods', type: 'DELETED' }) === 1,
      'the watch events',
    );
    expect(f.sender.size).toBeLessThanOrEqual(8);
    down = false;
    await waitFor(() => f.metrics.deferredPods.get() === 0 && f.sender.idle, 'the re-sends', 20_000);
    const records = sink.engine().records(ctx);
    for (const [i, name] of names.entries()) {
      const r = records.find((x) => x.name === name);
      if (i === 0) expect(r?.deleted).toBe(true);
      else expect(r?.restarts).toBe(50 + i);
    }
    expect(f.metrics.dropped.get({ reason: 'lost' })).toBe(0);
    expect(sink.noopFactEntries()).toBe(0);
  });

  it('a watch cut in the middle of an event (half a JSON line, then the connection drops): resumed from the last whole event, the cut one replayed, nothing lost or sent twice', async () => {
    const f = await started(forwarderOn(server, sink));
    const target = 'e2e-container-creating';
    const watchers = (server as unknown as { watchers: Set<{ res: http.ServerResponse; socket: Socket }> })
      .watchers;
    expect(watchers.size).toBe(1);
    for (const w of watchers) {
      const write = w.res.write.bind(w.res) as (chunk: string) => boolean;
      w.res.write = ((chunk: string) => {
        write(chunk.slice(0, Math.floor(chunk.length / 2)));
        w.socket.destroy();
        return true;
      }) as typeof w.res.write;
    }
    const cut = [...watchers];
    modify(withRestarts(pod(target), 6));
    // The cut watch saw half of that event only; nothing else reaches it after the drop.
    for (const w of cut) watchers.delete(w);
    await waitFor(() => server.openWatches === 1, 'the new watch');
    await waitFor(
      () =>
        f.sender.idle &&
        sink
          .engine()
          .records(ctx)
          .find((r) => r.name === target)?.restarts === 6,
      'the cut event, replayed',
    );
    expect(server.lists('pods')).toBe(1);
    expect(f.metrics.watchRestarts.total()).toBeGreaterThanOrEqual(1);
    expect(sink.factsOf(target)).toHaveLength(2);
    expectBusEqualsHistory();
  });

  it('routine first sight: a pod created then deleted within the routine linger leaves as one entry, carrying its creation and its deletion', async () => {
    const f = await started(forwarderOn(server, sink, {}, { sender: { routineLingerMs: 2_000 } }));
    const fresh = structuredClone(pod('e2e-deployment-6fb786454b-7fsxc'));
    fresh.metadata.name = 'e2e-deployment-6fb786454b-brief';
    fresh.metadata.uid = '77777777-8888-4999-aaaa-bbbbbbbbbbbb';
    fresh.metadata.creationTimestamp = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    fresh.spec.nodeName = undefined;
    fresh.status = { phase: 'Pending', qosClass: fresh.status.qosClass };
    add(fresh);
    await waitFor(() => f.metrics.watchEvents.get({ resource: 'pods', type: 'ADDED' }) === 1, 'the ADDED');
    await new Promise((r) => setTimeout(r, 100));
    // First sight is routine: nothing has left yet.
    expect(sink.factsOf(fresh.metadata.name)).toHaveLength(0);
    const removedAt = Date.now();
    remove(pod(fresh.metadata.name));
    await waitFor(() => sink.factsOf(fresh.metadata.name).length > 0, 'its entry');
    // The deletion is urgent news: its entry leaves before the first sight's 2 s linger is up.
    expect(Date.now() - removedAt).toBeLessThan(1_500);
    await waitFor(() => f.sender.idle, 'idle');
    await new Promise((r) => setTimeout(r, 100));
    const entries = sink.factsOf(fresh.metadata.name);
    expect(entries).toHaveLength(1);
    const ids = factsOfDetail(entries[0]!).map((x) => x.id);
    expect(ids).toContain('pod');
    expect(ids).toContain('deleted');
    const facts = factsOfDetail(entries[0]!);
    const identity = facts.find((x) => x.kind === 'pod');
    expect(identity && identity.kind === 'pod' && identity.created).toBe(
      Date.parse(fresh.metadata.creationTimestamp),
    );
    expect(
      sink
        .engine()
        .records(ctx)
        .find((r) => r.name === fresh.metadata.name)?.deleted,
    ).toBe(true);
    expectBusEqualsHistory();
  });

  it('the API server down for a while and the bus throttling meanwhile, one pod’s entry failing alone twice: the bus still adds up to the history', async () => {
    const f = await started(forwarderOn(server, sink));
    const target = 'e2e-container-creating';
    let throttle = 0;
    let failTarget = 2;
    sink.behave = (entries) => {
      if (throttle > 0) {
        throttle--;
        throw Object.assign(new Error('Rate exceeded'), { code: 'ThrottlingException' });
      }
      const failed = entries.flatMap((e, index) => {
        if (failTarget > 0 && e.DetailType === 'Pod Facts' && JSON.parse(e.Detail).name === target) {
          failTarget--;
          return [{ index, code: 'InternalFailure', message: 'try again' }];
        }
        return [];
      });
      return { failed };
    };
    server.down = true;
    server.dropWatches();
    modify(withRestarts(pod(target), 11));
    remove(pod('e2e-failjob-cdhgp'));
    await waitFor(
      () => f.metrics.watchRestarts.get({ resource: 'pods', reason: 'error' }) >= 3,
      'three failed restarts',
    );
    throttle = 3;
    server.down = false;
    await waitFor(() => server.openWatches === 1, 'watching again');
    modify(withRestarts(pod(target), 12));
    await waitFor(() => failTarget === 0 && throttle === 0, 'the faults');
    await waitFor(
      () =>
        f.sender.idle &&
        sink
          .engine()
          .records(ctx)
          .find((r) => r.name === target)?.restarts === 12,
      'the news',
    );
    // No relist (the history was kept): resumed from its resourceVersion.
    expect(server.lists('pods')).toBe(1);
    expect(f.metrics.failed.get({ reason: 'entry' })).toBe(2);
    expect(f.metrics.failed.get({ reason: 'call' })).toBeGreaterThanOrEqual(3);
    expect(f.metrics.dropped.total()).toBe(0);
    expectBusEqualsHistory();
  });

  it('pod Events join their pod’s facts; a repeat that changes nothing sends nothing', async () => {
    const events = fixtureObjects('devops2-volodymyr__minikube-default-eventlist.json');
    for (const e of events) server.add('events', e);
    const podEvents = events.filter((e) => e.involvedObject.kind === 'Pod');
    const withUid = podEvents.filter((e) => e.involvedObject.uid);
    for (const e of podEvents) {
      const ev = compactEventOf(e)!;
      reference.applyEvent(CLUSTER, ev);
    }
    const f = forwarderOn(server, sink, { events: true });
    fwd = f;
    await f.start();
    const eventFacts = () =>
      sink.factDetails().flatMap((d) => factsOfDetail(d).filter((x) => x.kind === 'event')).length;
    await waitFor(
      () => f.ready && f.sender.idle && server.openWatches === 2 && eventFacts() === withUid.length,
      'the pod events',
    );
    // Events without the pod's uid still go as Pod Event (attached by name when read).
    expect(sink.events()).toHaveLength(podEvents.length - withUid.length);
    expectBusEqualsHistory();
    const before = f.metrics.forwarded.total();
    server.modify('events', structuredClone(podEvents[1])); // only its resourceVersion changes
    await new Promise((r) => setTimeout(r, 100));
    await waitFor(() => f.sender.idle, 'idle');
    expect(f.metrics.forwarded.total()).toBe(before);
  });
});
