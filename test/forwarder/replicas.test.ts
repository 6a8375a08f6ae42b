/**
 * Two forwarder replicas on the same API server are safe together: each sends every pod's
 * facts, and what the bus adds up to (the ingest's join, commutative, associative and
 * idempotent) is the same with both replicas' entries, interleaved and duplicated, as with one
 * replica's alone. So a RollingUpdate (old and new pod at once) or replicas: 2 needs no leader.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../core/engine.ts';
import { factsOfDetail } from '../../core/pod-facts.ts';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import { FakeApiServer } from '../../testkit/fake-apiserver.ts';
import { forwarderOn, kindPods, podNamed, RecordingSink, waitFor, withRestarts } from './helpers.ts';

const ctx = { now: Date.parse('2030-01-01T00:00:00Z'), stuckAfterSeconds: 300 };
const PODS = kindPods();
let server: FakeApiServer;
const running: Forwarder[] = [];

beforeEach(async () => {
  server = await new FakeApiServer().start();
  for (const p of PODS) server.add('pods', p);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.stop()));
  await server.close();
});

async function started(sink: RecordingSink, lingerMs: number): Promise<Forwarder> {
  const f = forwarderOn(server, sink, { lingerMs });
  running.push(f);
  await f.start();
  await waitFor(() => f.ready && sink.factsCount >= PODS.length && f.sender.idle, 'initial sync');
  return f;
}

/** The records a store holds after these entries, joined in this order. */
function joined(...sinks: RecordingSink[]) {
  const engine = new LifecycleEngine();
  const all = sinks.flatMap((s) => s.factDetails());
  // Interleaved the other way round, and every entry twice: the join does not care.
  for (const d of [...all].reverse().concat(all)) engine.applyFacts(d, factsOfDetail(d));
  return engine.records(ctx);
}

describe('two replicas', () => {
  it('store the same records as one', async () => {
    const a = new RecordingSink();
    const b = new RecordingSink();
    // Different lingers: the two replicas batch the same changes into different entries.
    const fa = await started(a, 0);
    const fb = await started(b, 30);
    server.modify('pods', withRestarts(podNamed(server, 'e2e-container-creating'), 2));
    server.modify('pods', withRestarts(podNamed(server, 'e2e-container-creating'), 5));
    const gone = podNamed(server, 'e2e-cronjob-29472159-pvnhf');
    server.remove('pods', gone.metadata.namespace, gone.metadata.name);
    for (const [f, s] of [
      [fa, a],
      [fb, b],
    ] as const) {
      await waitFor(
        () => s.factsOf('e2e-cronjob-29472159-pvnhf').length >= 2 && f.sender.idle,
        'the deletion on each replica',
      );
    }
    const one = joined(a);
    expect(one.length).toBe(PODS.length);
    expect(one.find((r) => r.name === 'e2e-cronjob-29472159-pvnhf')?.deleted).toBe(true);
    expect(joined(a, b)).toEqual(one);
    expect(joined(b)).toEqual(one);
  });
});
