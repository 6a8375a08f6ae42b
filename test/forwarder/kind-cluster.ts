/**
 * The forwarder tests' per-test setup against a fake API server: call `kindClusterPerTest()` once
 * at a test file's top. Before each test, a fake API server holding the real kind cluster's pods
 * (or `pods`) and a fresh RecordingSink; after it, every forwarder started with `start` is
 * stopped, then the server closed. (Kept apart from helpers.ts, which the unit project's files
 * import, so that only these files start a server.)
 */
import { afterEach, beforeEach } from 'vitest';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import { FakeApiServer, type Obj } from '../../testkit/fake-apiserver.ts';
import { kindPods, RecordingSink } from './helpers.ts';

export interface KindCluster {
  /** This test's fake API server. */
  readonly server: FakeApiServer;
  /** This test's recording sink. */
  readonly sink: RecordingSink;
  /** The forwarders started in this test, stopped after it (in order). */
  readonly forwarders: Forwarder[];
  /** Starts `f`, to be stopped after the test. */
  start(f: Forwarder): Promise<Forwarder>;
}

export function kindClusterPerTest(pods: readonly Obj[] = kindPods()): KindCluster {
  let server: FakeApiServer | undefined;
  let sink: RecordingSink | undefined;
  const forwarders: Forwarder[] = [];
  beforeEach(async () => {
    server = await new FakeApiServer().start();
    for (const p of pods) server.add('pods', p);
    sink = new RecordingSink();
  });
  afterEach(async () => {
    for (const f of forwarders.splice(0)) await f.stop();
    await server?.close();
    server = undefined;
  });
  return {
    get server() {
      if (!server) throw new Error('kindClusterPerTest: no server outside a test');
      return server;
    },
    get sink() {
      if (!sink) throw new Error('kindClusterPerTest: no sink outside a test');
      return sink;
    },
    forwarders,
    async start(f) {
      forwarders.push(f);
      await f.start();
      return f;
    },
  };
}
