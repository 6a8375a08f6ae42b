/**
 * Shared pieces of the forwarder tests: real fixture pods, a recording sink with programmable
 * failures, a virtual clock, and a forwarder wired to a fake API server with fast back-offs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LifecycleEngine } from '../../core/engine.ts';
import { addFacts, type FactMap } from '../../core/facts.ts';
import { DETAIL_TYPE_FACTS, factsOfDetail, PodFactsDetail } from '../../core/pod-facts.ts';
import { PodEventSnapshot, PodSnapshot } from '../../core/snapshot.ts';
import { Forwarder, type ForwarderConfig, type ForwarderDeps } from '../../forwarder/forwarder.ts';
import type { Entry, Sink, SinkResult } from '../../forwarder/sinks.ts';
import type { FakeApiServer, Obj } from '../../testkit/fake-apiserver.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'real');

/** The items of a List fixture (YAML or JSON), or the one object of a single-object fixture. */
export function fixtureObjects(file: string): Obj[] {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const doc = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  return Array.isArray(doc.items) ? doc.items : [doc];
}

/** The ~25 pods of a real kind cluster (Kubernetes 1.34), as `kubectl get pods -A -o yaml` gave them. */
export function kindPods(): Obj[] {
  return fixtureObjects('nri-kubernetes__1_34-pods.yaml');
}

/** A recording sink: keeps every call; `behave` can fail entries or whole calls. */
export class RecordingSink implements Sink {
  readonly name = 'recording';
  readonly calls: Entry[][] = [];
  /** Entries of successful results only (what reached the bus). */
  readonly delivered: Entry[] = [];
  behave?: (entries: Entry[], call: number) => SinkResult | Promise<SinkResult>;

  async put(entries: Entry[]): Promise<SinkResult> {
    const call = this.calls.length;
    this.calls.push(entries);
    const result = this.behave ? await this.behave(entries, call) : { failed: [] };
    const failed = new Set(result.failed.map((f) => f.index));
    entries.forEach((e, i) => {
      if (!failed.has(i)) this.delivered.push(e);
    });
    return result;
  }

  /** How many snapshots were delivered (cheap: no parsing, for polling). */
  get snapshotCount(): number {
    let n = 0;
    for (const e of this.delivered) if (e.DetailType === 'Pod Snapshot') n++;
    return n;
  }

  snapshots(): PodSnapshot[] {
    return this.delivered
      .filter((e) => e.DetailType === 'Pod Snapshot')
      .map((e) => PodSnapshot.parse(JSON.parse(e.Detail)));
  }

  events(): PodEventSnapshot[] {
    return this.delivered
      .filter((e) => e.DetailType === 'Pod Event')
      .map((e) => PodEventSnapshot.parse(JSON.parse(e.Detail)));
  }

  /** How many Pod Facts entries were delivered (cheap, for polling). */
  get factsCount(): number {
    let n = 0;
    for (const e of this.delivered) if (e.DetailType === DETAIL_TYPE_FACTS) n++;
    return n;
  }

  /** Pod Facts entries delivered, validated, in delivery order. */
  factDetails(): PodFactsDetail[] {
    return this.delivered
      .filter((e) => e.DetailType === DETAIL_TYPE_FACTS)
      .map((e) => PodFactsDetail.parse(JSON.parse(e.Detail)));
  }

  /** Pod Facts entries of one pod, by name. */
  factsOf(name: string): PodFactsDetail[] {
    return this.factDetails().filter((d) => d.name === name);
  }

  /** What a store holds after these deliveries: every Pod Facts, Pod Snapshot and Pod Event merged. */
  engine(): LifecycleEngine {
    const engine = new LifecycleEngine();
    for (const d of this.factDetails()) engine.applyFacts(d, factsOfDetail(d));
    for (const s of this.snapshots()) engine.applySnapshot(s);
    for (const e of this.events()) engine.applyEvent(e.cluster, e.event);
    return engine;
  }

  /** Delivered Pod Facts entries that added no fact to what was delivered before them (must be 0). */
  noopFactEntries(): number {
    const got = new Map<string, FactMap>();
    let n = 0;
    for (const d of this.factDetails()) {
      const map = got.get(d.uid) ?? new Map();
      got.set(d.uid, map);
      if (addFacts(map, factsOfDetail(d)).length === 0) n++;
    }
    return n;
  }

  /** Snapshots of one pod, by name. */
  of(name: string): PodSnapshot[] {
    return this.snapshots().filter((s) => s.pod.name === name);
  }
}

/** Polls until `cond` holds (or throws after `timeoutMs`, with `what` in the message). */
export async function waitFor(cond: () => boolean, what = 'condition', timeoutMs = 45_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A virtual clock: `sleep` advances time instead of waiting. */
export class VirtualClock {
  constructor(public t = Date.parse('2026-11-01T08:00:00Z')) {}
  now = () => this.t;
  sleep = async (ms: number) => {
    this.t += Math.max(0, ms);
    await new Promise((r) => setImmediate(r));
  };
}

/** A forwarder on a fake API server, with back-offs in milliseconds so tests run fast. */
export function forwarderOn(
  server: FakeApiServer,
  sink: Sink,
  config: Partial<ForwarderConfig> = {},
  deps: Partial<ForwarderDeps> = {},
): Forwarder {
  return new Forwarder(
    { cluster: 'kind-test', ...config },
    {
      kubeConfig: server.kubeConfig(),
      sink,
      ...deps,
      watch: { backoffBaseMs: 5, backoffCapMs: 50, minHealthyWatchMs: 50, ...deps.watch },
      sender: {
        lingerMs: 5,
        keyLingerMs: 20,
        routineLingerMs: 40,
        backoffBaseMs: 1,
        backoffCapMs: 20,
        ...deps.sender,
      },
    },
  );
}

let namespaceOf: Map<string, string> | undefined;
/** A pod of the kind fixture by name, as `server` holds it now. */
export function podNamed(server: FakeApiServer, name: string): Obj {
  namespaceOf ??= new Map(kindPods().map((p) => [p.metadata.name, p.metadata.namespace]));
  const p = server.get('pods', namespaceOf.get(name) ?? 'scraper', name);
  if (!p) throw new Error(`no pod ${name}`);
  return p;
}

/** A lifecycle-relevant change: the first container restarted `n` times. */
export function withRestarts(pod: Obj, n: number): Obj {
  const p = structuredClone(pod);
  p.status.containerStatuses[0].restartCount = n;
  return p;
}

/** A change the figures do not care about: a label and an annotation. */
export function withLabel(pod: Obj, value: string): Obj {
  const p = structuredClone(pod);
  p.metadata.labels = { ...p.metadata.labels, 'podlife.test/touched': value };
  p.metadata.annotations = { ...p.metadata.annotations, 'podlife.test/note': value };
  return p;
}

/** A kubeconfig file for a fake API server (context `fake`, a token that is not a secret). */
export function writeKubeconfig(path: string, serverUrl: string): string {
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: fake, cluster: {server: "${serverUrl}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: not-a-secret}}]',
      'contexts: [{name: fake, context: {cluster: fake, user: u}}]',
      'current-context: fake',
    ].join('\n'),
  );
  return path;
}

/** A crash: restart `n`, whose previous run (its own container ID and times) ended in Error. */
export function withCrash(obj: Obj, n: number): Obj {
  const p = structuredClone(obj);
  const cs = p.status.containerStatuses[0];
  const start = Date.parse('2026-01-01T00:00:00Z') + n * 60_000;
  const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
  cs.restartCount = n;
  cs.state = {
    waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container (${n})` },
  };
  cs.lastState = {
    terminated: {
      exitCode: 1,
      reason: 'Error',
      startedAt: iso(start),
      finishedAt: iso(start + 30_000),
      containerID: `containerd://${n.toString(16).padStart(16, '0')}`,
    },
  };
  return p;
}
