/**
 * The forwarder benchmark. The forwarder's own code path, minus the socket: each raw watch line
 * is JSON-parsed, trimmed as the informer's watch trims it, and handed to Forwarder.onPod /
 * onEvent (snapshot projection, no-op filter, entry sizing, the bounded sender), which sends to a
 * counting sink under a virtual clock. Reports:
 * - bytes sent to EventBridge (entry size as EventBridge computes it) vs bytes of the raw watch
 *   stream, and entries sent vs watch events received, on the demo trace and on a generated
 *   churn trace (testkit/churn.ts: 10,000 pods, rolling updates, label-only updates, crash loops,
 *   OOM kills, Jobs...); no-op updates skipped, and no-op entries sent (must be 0);
 * - PutEvents calls per entry at 100 events per second (the sender's 200 ms linger);
 * - CPU and memory for 10,000 pods at 100 updates per second: CPU seconds per 1,000 updates
 *   (process.cpuUsage, not wall time), the share of one core that makes at 100 updates/s, peak
 *   RSS, with the informer cache of 10,000 trimmed pods held as the real informer holds it.
 *
 * - the same for the bundled forwarder run as its own process (what the image runs), against a
 *   local API server and a local PutEvents endpoint, for `--process-seconds` of wall time.
 *
 *   node --expose-gc --import tsx bench/forwarder.ts [--pods N] [--seconds N] [--rate N]
 *        [--process-seconds N (default 60; 0 skips)] [--json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { addFacts, type FactMap } from '../core/facts.ts';
import { DETAIL_TYPE_FACTS, factsOfDetail, PodFactsDetail } from '../core/pod-facts.ts';
import { buildForwarder } from '../forwarder/build.ts';
import { DEFAULT_LINGER_MS, type Payload } from '../forwarder/flags.ts';
import { Forwarder, type ForwarderConfig } from '../forwarder/forwarder.ts';
import { podSignature } from '../forwarder/pipeline/delta.ts';
import { entrySize } from '../forwarder/pipeline/encode.ts';
import { slimPod, trimEvent, trimPod } from '../forwarder/pipeline/trim.ts';
import type { Entry, Sink, SinkResult } from '../forwarder/sinks.ts';
import { churnStream, churnTimed, prng } from '../testkit/churn.ts';
import { FakeApiServer } from '../testkit/fake-apiserver.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEMO_TRACE = `${ROOT}demo/trace.jsonl`;

interface ForwarderBenchOptions {
  /** Pods in the generated churn trace (default 10,000). */
  churnPods?: number | undefined;
  /** Pods alive in the steady-state run (default 10,000). */
  steadyPods?: number | undefined;
  /** Update rate of the steady-state run and of the churn replay (default 100/s). */
  updatesPerSecond?: number | undefined;
  /** Virtual seconds of steady-state updates (default 300: 30,000 updates). */
  steadySeconds?: number | undefined;
  /** Pods of the large-cluster run (default 150,000; 0 skips it). */
  scalePods?: number | undefined;
  /** Virtual seconds of the large-cluster run at 50 creations/s + 1,000 updates/s (default 30). */
  scaleSeconds?: number | undefined;
  /** Pods of the lifecycle run (entries per ordinary pod lifecycle; default 2,000). */
  lifecyclePods?: number | undefined;
  /** The demo trace (default demo/trace.jsonl when present; false to skip). */
  demoTrace?: string | false;
  /**
   * Also run the bundled forwarder as a process against a local API server and a local
   * PutEvents endpoint for this many wall-clock seconds (default 0: skipped).
   */
  processSeconds?: number;
  log?: ((line: string) => void) | undefined;
}

/**
 * Counts what reaches the bus, and checks that no entry is a no-op: a Pod Snapshot that repeats
 * its pod's previous state, or a Pod Facts entry that adds no fact to what the bus already got.
 */
class CountingSink implements Sink {
  readonly name = 'counting';
  calls = 0;
  entries = 0;
  bytes = 0;
  noopEntries = 0;
  private last = new Map<string, string>();
  private got = new Map<string, FactMap>();
  /** Pod Facts entries per pod uid. */
  perUid = new Map<string, number>();
  /** Lets go of what the checks hold, so a heap measurement sees only the forwarder's memory. */
  forgetChecks(): void {
    this.last = new Map();
    this.got = new Map();
    this.perUid = new Map();
  }
  /** CPU spent here checking entries (decoding them): the bench's, not the forwarder's. */
  checkMicros = 0;
  async put(entries: Entry[]): Promise<SinkResult> {
    const cpu0 = process.cpuUsage();
    try {
      this.check(entries);
    } finally {
      const c = process.cpuUsage(cpu0);
      this.checkMicros += c.user + c.system;
    }
    return { failed: [] };
  }
  private check(entries: Entry[]): void {
    this.calls++;
    for (const e of entries) {
      this.entries++;
      this.bytes += entrySize(e);
      if (e.DetailType === DETAIL_TYPE_FACTS) {
        const d = PodFactsDetail.parse(JSON.parse(e.Detail));
        this.perUid.set(d.uid, (this.perUid.get(d.uid) ?? 0) + 1);
        const map = this.got.get(d.uid) ?? new Map();
        this.got.set(d.uid, map);
        if (addFacts(map, factsOfDetail(d)).length === 0) this.noopEntries++;
        continue;
      }
      if (e.DetailType !== 'Pod Snapshot') continue;
      const d = JSON.parse(e.Detail);
      const sig = `${d.type === 'DELETED'}:${podSignature(d.pod)}`;
      if (this.last.get(d.pod.uid) === sig) this.noopEntries++;
      this.last.set(d.pod.uid, sig);
    }
  }
}

class Clock {
  t = Date.parse('2026-11-01T08:00:00Z');
  now = () => this.t;
  sleep = async (ms: number) => {
    this.t += ms;
  };
}

/** A kubeconfig that points nowhere: the bench forwarders are fed lines, never started. */
export function dummyKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  return kc;
}

/**
 * A forwarder for the benches: never started (no informers: lines are fed to it directly), on
 * the caller's virtual clock, its buffer large enough for a bench's stream.
 */
export function benchForwarder(
  config: ForwarderConfig,
  sink: Sink,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> },
  sender: { maxBufferEntries: number; maxBufferBytes: number } = {
    maxBufferEntries: 200_000,
    maxBufferBytes: 256 * 1024 * 1024,
  },
): Forwarder {
  return new Forwarder(config, {
    kubeConfig: dummyKubeConfig(),
    sink,
    now: clock.now,
    sleep: clock.sleep,
    random: prng(7),
    sender,
  });
}

/**
 * A bench forwarder's send loop on its virtual clock: each entry that falls due goes (the clock's
 * `sleep` moves time to it), until the next would be due after `until` (virtual ms; undefined:
 * until the buffer is empty). The clock is left at the last send, not moved to `until`.
 */
export async function sendUntil(
  fwd: Forwarder,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> },
  until?: number,
): Promise<void> {
  for (let w = fwd.sender.nextSendIn(); w !== undefined; w = fwd.sender.nextSendIn()) {
    if (until !== undefined && clock.now() + w > until) break;
    if (w > 0) await clock.sleep(w);
    else await fwd.sender.sendOnce();
  }
}

/** A forwarder without informers (never started): lines are fed to it directly. */
export function rig(payload: Payload = 'facts', lingerMs?: number) {
  const clock = new Clock();
  const sink = new CountingSink();
  const fwd = benchForwarder({ cluster: 'bench', bus: 'podlife', payload, lingerMs }, sink, clock);
  /** What the informer would cache: the trimmed object per namespace/name. */
  const cache = new Map<string, unknown>();
  let watchEvents = 0;
  let rawBytes = 0;
  /** One raw watch line, as the informer receives it. */
  const feed = (line: string) => {
    watchEvents++;
    rawBytes += Buffer.byteLength(line, 'utf8') + 1;
    const ev = JSON.parse(line) as {
      type: 'ADDED' | 'MODIFIED' | 'DELETED';
      object: Record<string, unknown>;
    };
    const obj = ev.object;
    const md = obj.metadata as { namespace?: string; name?: string };
    const key = `${md.namespace}/${md.name}`;
    if (obj.kind === 'Event') {
      const t = trimEvent(obj);
      cache.set(`ev:${key}`, t);
      fwd.onEvent(ev.type === 'ADDED' ? 'add' : 'update', t);
      return;
    }
    const t = trimPod(obj);
    if (ev.type === 'DELETED') cache.delete(key);
    else cache.set(key, t);
    fwd.onPod(ev.type, t);
    // As the informer's cache keeps it after the handler (Pod Facts: the identity only).
    if (ev.type !== 'DELETED' && payload !== 'snapshot') slimPod(t);
  };
  /** What the send loop does at this instant: every batch that is due (full, or lingered 200 ms). */
  const pump = async () => {
    while (fwd.sender.nextSendIn() === 0) await fwd.sender.sendOnce();
  };
  /** The end of a run: let the last entries linger out, and send them. */
  const flush = () => sendUntil(fwd, clock);
  return {
    clock,
    sink,
    fwd,
    cache,
    feed,
    pump,
    flush,
    stats: () => ({ watchEvents, rawBytes }),
  };
}

/**
 * CPU (µs) spent producing the input (generating and serialising watch lines): the bench's
 * work, subtracted from the forwarder's figures like the sink's checks.
 */
let inputMicros = 0;
function input<T>(make: () => T): T {
  const c0 = process.cpuUsage();
  try {
    return make();
  } finally {
    const c = process.cpuUsage(c0);
    inputMicros += c.user + c.system;
  }
}

/** The forwarder's own CPU (µs) since `since`: the process's, minus the input's and the sink checks'. */
function forwarderMicros(since: { cpu: NodeJS.CpuUsage; input: number; check: number }, sink: CountingSink) {
  const c = process.cpuUsage(since.cpu);
  return c.user + c.system - (inputMicros - since.input) - (sink.checkMicros - since.check);
}

/** Replays lines at `perSecond` (virtual time), as the send loop would batch them. */
/** Counter i of a per-pod counter array (i < pods by construction; an Int32Array reads 0 past its end too). */
const count = (counters: Int32Array, i: number): number => counters[i] ?? 0;
const bump = (counters: Int32Array, i: number): void => {
  counters[i] = count(counters, i) + 1;
};

async function replay(lines: Iterable<string>, perSecond: number, payload: Payload = 'facts') {
  const r = rig(payload);
  const step = 1000 / perSecond;
  const since = { cpu: process.cpuUsage(), input: inputMicros, check: r.sink.checkMicros };
  const it = lines[Symbol.iterator]();
  for (let next = input(() => it.next()); !next.done; next = input(() => it.next())) {
    r.feed(next.value);
    r.clock.t += step;
    await r.pump();
  }
  await r.flush();
  const cpuMicros = forwarderMicros(since, r.sink);
  const { watchEvents, rawBytes } = r.stats();
  const m = r.fwd.metrics;
  return {
    watchEvents,
    rawBytes,
    entries: r.sink.entries,
    sentBytes: r.sink.bytes,
    bytesRatio: r.sink.bytes / rawBytes,
    entriesPerWatchEvent: r.sink.entries / watchEvents,
    noopSkipped: m.skippedNoop.total(),
    noopEntriesSent: r.sink.noopEntries,
    putCalls: r.sink.calls,
    callsPerEntry: r.sink.calls / r.sink.entries,
    dropped: m.dropped.total(),
    coalesced: m.coalesced.total(),
    // CPU is only meaningful on a trace long enough to leave the JIT's warm-up behind.
    ...(watchEvents >= 5000 ? { cpuMsPer1000Events: (cpuMicros / 1000 / watchEvents) * 1000 } : {}),
  };
}

/** Raw pods for the steady-state run: a real kind pod, with what real API objects also carry. */
export function podFactory() {
  const template = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: '',
      generateName: 'web-7c9f8d6b5-',
      namespace: '',
      uid: '',
      resourceVersion: '',
      creationTimestamp: '2026-11-01T07:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '7c9f8d6b5', touched: '0' },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration':
          '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.com/web:1.42","env":[{"name":"DATABASE_URL","value":"postgres://app:hunter2@db:5432/app"}],"args":["--port=8080"]}]}}}}\n',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7c9f8d6b5',
          uid: 'rs-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-11-01T07:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:generateName': {},
              'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} },
              'f:ownerReferences': {},
            },
            'f:spec': {
              'f:containers': {
                'k:{"name":"web"}': {
                  '.': {},
                  'f:args': {},
                  'f:env': {},
                  'f:image': {},
                  'f:name': {},
                  'f:resources': {},
                },
              },
            },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-11-01T07:00:05Z',
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: {
            'f:status': {
              'f:conditions': {},
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:phase': {},
              'f:podIP': {},
              'f:startTime': {},
            },
          },
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/web:1.42',
          args: ['--port=8080', '--log-level=info'],
          env: [
            { name: 'DATABASE_URL', value: 'postgres://app:hunter2@db:5432/app' },
            { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'web-token', key: 'token' } } },
          ],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          readinessProbe: {
            httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
            periodSeconds: 5,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          },
          volumeMounts: [
            {
              name: 'kube-api-access',
              readOnly: true,
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
            },
          ],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: '',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      volumes: [
        {
          name: 'kube-api-access',
          projected: {
            defaultMode: 420,
            sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }],
          },
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: [
        {
          type: 'PodReadyToStartContainers',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-11-01T07:00:03Z',
        },
        {
          type: 'Initialized',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-11-01T07:00:01Z',
        },
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-01T07:00:06Z' },
        {
          type: 'ContainersReady',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-11-01T07:00:06Z',
        },
        {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2026-11-01T07:00:00Z',
        },
      ],
      hostIP: '10.0.1.17',
      hostIPs: [{ ip: '10.0.1.17' }],
      podIP: '10.244.1.23',
      podIPs: [{ ip: '10.244.1.23' }],
      startTime: '2026-11-01T07:00:01Z',
      containerStatuses: [
        {
          name: 'web',
          state: { running: { startedAt: '2026-11-01T07:00:04Z' } } as Record<string, unknown>,
          lastState: {} as Record<string, unknown>,
          ready: true,
          restartCount: 0,
          image: 'registry.example.com/web:1.42',
          imageID:
            'registry.example.com/web@sha256:4f8a3c1d9e2b7a6f5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b',
          containerID: 'containerd://8c3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f',
          started: true,
        },
      ],
      qosClass: 'Burstable',
    },
  };
  let rv = 100_000;
  // The template's one container status and its Ready condition, updated in place per line.
  const cs = template.status.containerStatuses[0];
  const ready = template.status.conditions[2];
  if (cs === undefined || ready === undefined)
    throw new Error('forwarder bench: pod template lost its status');
  /** One watch line for pod i in state (restarts, touched). */
  return (type: 'ADDED' | 'MODIFIED', i: number, restarts: number, touched: number): string => {
    const t = template;
    t.metadata.name = `web-7c9f8d6b5-${i.toString(36).padStart(5, '0')}`;
    t.metadata.namespace = `team-${i % 40}`;
    t.metadata.uid = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    t.metadata.resourceVersion = String(++rv);
    t.metadata.labels.touched = String(touched);
    t.spec.nodeName = `node-${Math.floor(i / 30)}`;
    cs.restartCount = restarts;
    cs.ready = restarts % 2 === 0;
    ready.status = cs.ready ? 'True' : 'False';
    cs.lastState =
      restarts > 0
        ? {
            terminated: {
              exitCode: 1,
              reason: 'Error',
              startedAt: '2026-11-01T07:00:04Z',
              finishedAt: `2026-11-01T07:${String(restarts % 60).padStart(2, '0')}:00Z`,
              containerID: `containerd://run-${restarts}`,
            },
          }
        : {};
    return JSON.stringify({ type, object: t });
  };
}

/** 10,000 pods listed, then 100 updates per second (70% lifecycle changes, 30% label-only). */
export async function steady(pods: number, perSecond: number, seconds: number) {
  await warmUp();
  const line = podFactory();
  const r = rig();
  const restarts = new Int32Array(pods);
  const touched = new Int32Array(pods);
  gcFully();
  const baselineHeap = process.memoryUsage().heapUsed;
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const since0 = { cpu: process.cpuUsage(), input: inputMicros, check: r.sink.checkMicros };
  // The initial list arrives at once.
  for (let i = 0; i < pods; i++) {
    r.feed(input(() => line('ADDED', i, 0, 0)));
    await r.pump();
  }
  await r.flush();
  const listMicros = forwarderMicros(since0, r.sink);
  const { rawBytes: listRaw } = r.stats();
  const listEntries = r.sink.entries;
  const listSent = r.sink.bytes;
  const callsBefore = r.sink.calls;
  const rnd = prng(11);
  const since1 = { cpu: process.cpuUsage(), input: inputMicros, check: r.sink.checkMicros };
  let updates = 0;
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < perSecond; k++) {
      const i = Math.floor(rnd() * pods);
      if (rnd() < 0.7) bump(restarts, i);
      else bump(touched, i);
      r.feed(input(() => line('MODIFIED', i, count(restarts, i), count(touched, i))));
      updates++;
      r.clock.t += 1000 / perSecond;
      await r.pump();
    }
    if (s % 10 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  await r.flush();
  const updateMicros = forwarderMicros(since1, r.sink);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  r.sink.forgetChecks();
  gcFully();
  const heap = process.memoryUsage().heapUsed;
  const cpuSeconds = updateMicros / 1e6;
  const { rawBytes } = r.stats();
  const updEntries = r.sink.entries - listEntries;
  return {
    pods,
    updates,
    updatesPerSecond: perSecond,
    listCpuSeconds: listMicros / 1e6,
    listBytesRatio: listSent / listRaw,
    cpuSecondsPer1000Updates: cpuSeconds / (updates / 1000),
    coreShareAtRate: (cpuSeconds / (updates / 1000)) * (perSecond / 1000),
    updateEntries: updEntries,
    noopSkipped: r.fwd.metrics.skippedNoop.total(),
    noopEntriesSent: r.sink.noopEntries,
    updateBytesRatio: (r.sink.bytes - listSent) / (rawBytes - listRaw),
    callsPerEntry: (r.sink.calls - callsBefore) / updEntries,
    baselineRssMB: baselineRss / 2 ** 20,
    peakRssMB: peakRss / 2 ** 20,
    heapUsedMB: heap / 2 ** 20,
    // What the pods add to the heap (informer cache, ledgers, buffer), after GC.
    heapBytesPerPod: (heap - baselineHeap) / pods,
    cachedPods: r.cache.size,
    dropped: r.fwd.metrics.dropped.total(),
  };
}

/**
 * Runs the code paths once on other pods and lets go of them, so that a heap baseline taken
 * next already holds what the first run of a path allocates once (compiled code, lazily built
 * tables, prom-client state): a per-pod figure then holds only what the pods cost.
 */
export async function warmUp(): Promise<void> {
  const line = podFactory();
  const r = rig();
  for (let i = 0; i < 2000; i++) r.feed(line('ADDED', 5_000_000 + i, 0, 0));
  for (let i = 0; i < 2000; i++) {
    r.feed(line('MODIFIED', 5_000_000 + (i % 2000), 1 + (i % 3), i));
    r.clock.t += 1;
    await r.pump();
  }
  await r.flush();
}

/** Full, repeated GCs (--expose-gc): a steady-state heap, not one between collections. */
export function gcFully(): void {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
}

/**
 * A large cluster: `pods` pods listed, then, per second, `creations` new pods and `perSecond`
 * updates of live pods (70% lifecycle changes, 30% label-only) for `seconds` virtual seconds.
 * Heap per pod after GC (what the pods add: informer cache, ledgers, buffer), and CPU per 1,000
 * watch events (creations and updates) in the update phase.
 */
export async function scale(pods: number, creations: number, perSecond: number, seconds: number) {
  await warmUp();
  const line = podFactory();
  const r = rig();
  const total = pods + creations * seconds;
  const restarts = new Int32Array(total);
  const touched = new Int32Array(total);
  gcFully();
  const baselineHeap = process.memoryUsage().heapUsed;
  const since0 = { cpu: process.cpuUsage(), input: inputMicros, check: r.sink.checkMicros };
  for (let i = 0; i < pods; i++) {
    r.feed(input(() => line('ADDED', i, 0, 0)));
    if (i % 10 === 0) await r.pump();
  }
  await r.flush();
  const listMicros = forwarderMicros(since0, r.sink);
  r.sink.forgetChecks();
  gcFully();
  const heapAfterList = process.memoryUsage().heapUsed;
  const rnd = prng(13);
  let live = pods;
  let events = 0;
  const since1 = { cpu: process.cpuUsage(), input: inputMicros, check: r.sink.checkMicros };
  const entries0 = r.sink.entries;
  const step = 1000 / (creations + perSecond);
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < creations + perSecond; k++) {
      if (k % Math.round((creations + perSecond) / creations) === 0 && live < total) {
        const i = live++;
        r.feed(input(() => line('ADDED', i, 0, 0)));
      } else {
        const i = Math.floor(rnd() * live);
        if (rnd() < 0.7) bump(restarts, i);
        else bump(touched, i);
        r.feed(input(() => line('MODIFIED', i, count(restarts, i), count(touched, i))));
      }
      events++;
      r.clock.t += step;
      await r.pump();
    }
  }
  await r.flush();
  const micros = forwarderMicros(since1, r.sink);
  r.sink.forgetChecks();
  gcFully();
  const heap = process.memoryUsage().heapUsed;
  return {
    pods,
    livePods: live,
    creationsPerSecond: creations,
    updatesPerSecond: perSecond,
    listCpuSeconds: listMicros / 1e6,
    heapBytesPerPodAfterList: (heapAfterList - baselineHeap) / pods,
    heapBytesPerPod: (heap - baselineHeap) / live,
    heapUsedMB: heap / 2 ** 20,
    cpuSecondsPer1000Events: micros / 1e6 / (events / 1000),
    coreShareAtRate: (micros / 1e6 / (events / 1000)) * ((creations + perSecond) / 1000),
    updateEntries: r.sink.entries - entries0,
    noopEntriesSent: r.sink.noopEntries,
    dropped: r.fwd.metrics.dropped.total(),
  };
}

/**
 * Entries per ordinary pod lifecycle: healthy pods of the churn generator (created, scheduled,
 * initialized, started, ready, label edits, then for 40% a rolling-update deletion), replayed
 * at the times the generator gives them (second-level gaps), through the forwarder with this
 * linger. Counted over the pods whose whole lifecycle (to DELETED) is in the stream.
 */
export async function lifecycles(pods: number, lingerMs: number) {
  const r = rig('facts', lingerMs);
  const deleted = new Set<string>();
  const shares = { crashloop: 0, oom: 0, imagepull: 0, unschedulable: 0, job: 0, jobfail: 0 };
  // One time-ordered stream across the generator's batches (testkit/churn.ts `ordered`): without it a
  // later batch's lines arrive before the earlier batch ends, all at one instant, and whole
  // lifecycles leave as one entry (2.91 measured that way; 4.70 in time order before the policy).
  const it = churnTimed({ pods, seed: 5, shares, ordered: true })[Symbol.iterator]();
  for (let next = input(() => it.next()); !next.done; next = input(() => it.next())) {
    const [t, l] = next.value;
    // The send loop runs until the line's time.
    await sendUntil(r.fwd, r.clock, t);
    r.clock.t = Math.max(r.clock.t, t);
    if (l.type === 'DELETED') deleted.add((l.object.metadata as { uid: string }).uid);
    r.feed(input(() => JSON.stringify(l)));
    await r.pump();
  }
  await r.flush();
  let n = 0;
  for (const uid of deleted) n += r.sink.perUid.get(uid) ?? 0;
  return {
    entriesPerLifecycle: n / deleted.size,
    lifecycles: deleted.size,
    noopEntriesSent: r.sink.noopEntries,
  };
}

/** Every real Pod object among the fixtures (real API or kubectl output from public repositories). */
function* realPodLines(): Generator<string> {
  const dir = `${ROOT}test/fixtures/real/`;
  for (const f of readdirSync(dir).sort()) {
    // is-healthy files carry template placeholders instead of times; the rest is real data.
    if (f.startsWith('is-healthy__') || !/\.(json|ya?ml)$/.test(f)) continue;
    const text = readFileSync(dir + f, 'utf8');
    const docs = f.endsWith('.json') ? [JSON.parse(text)] : parseAllDocuments(text).map((d) => d.toJSON());
    for (const doc of docs) {
      for (const o of Array.isArray(doc?.items) ? doc.items : [doc]) {
        const isPod = o?.kind === 'Pod' || (o?.kind === undefined && Array.isArray(o?.spec?.containers));
        if (isPod && o.metadata?.uid && o.status) yield JSON.stringify({ type: 'ADDED', object: o });
      }
    }
  }
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function procCpuSeconds(pid: number, ticksPerSecond: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** VmRSS and VmHWM (peak RSS) of a process, in MB, from /proc (Linux). */
function procMemoryMB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/**
 * The real thing: the bundled forwarder (what the image runs) as its own process, with its
 * EventBridge sink pointed at a local PutEvents endpoint (AWS_ENDPOINT_URL_EVENTBRIDGE: SigV4
 * signing and the SDK included), its informer on a local API server serving `pods` pods, then
 * `perSecond` pod updates per second for `seconds` of wall time. CPU and memory are the child's
 * own, read from /proc.
 */
async function processRun(pods: number, perSecond: number, seconds: number, log: (l: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'podlife-fwd-bench-'));
  const { outfile } = await buildForwarder(join(dir, 'forwarder.mjs'));
  const api = await new FakeApiServer().start();
  const line = podFactory();
  for (let i = 0; i < pods; i++) api.add('pods', JSON.parse(line('ADDED', i, 0, 0)).object);
  let entries = 0;
  let calls = 0;
  const bus = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: unknown[] }).Entries.length;
      calls++;
      entries += n;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          FailedEntryCount: 0,
          Entries: Array.from({ length: n }, (_, i) => ({ EventId: `e${i}` })),
        }),
      );
    });
  });
  await new Promise<void>((r) => bus.listen(0, '127.0.0.1', () => r()));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: b, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: b, context: {cluster: b, user: u}}]\ncurrent-context: b\n`,
  );
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the forwarder.
      ...(process.env.BENCH_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      outfile,
      '--cluster',
      'bench',
      '--bus',
      'podlife',
      '--region',
      'us-east-1',
      '--kubeconfig',
      kubeconfig,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--log-level',
      'WARN',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(bus.address() as AddressInfo).port}`,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    },
  );
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      exitCode = code;
      r(code);
    }),
  );
  const pid = child.pid!;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const t0 = Date.now();
  while (entries < pods) {
    if (exitCode !== undefined) throw new Error(`the forwarder exited (${exitCode}) before listing`);
    if (Date.now() - t0 > 180_000)
      throw new Error(`initial list: only ${entries} of ${pods} entries after 180 s`);
    await sleep(20);
  }
  const listSeconds = (Date.now() - t0) / 1000;
  const listCpu = procCpuSeconds(pid, ticks);
  const afterList = procMemoryMB(pid);
  log(`  listed ${pods} pods in ${listSeconds.toFixed(1)} s; ${perSecond} updates/s for ${seconds} s...`);
  const rnd = prng(11);
  const restarts = new Int32Array(pods);
  const touched = new Int32Array(pods);
  const entries0 = entries;
  const calls0 = calls;
  const start = Date.now();
  let updates = 0;
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * perSecond);
    for (; updates < due; updates++) {
      const i = Math.floor(rnd() * pods);
      if (rnd() < 0.7) bump(restarts, i);
      else bump(touched, i);
      api.modify('pods', JSON.parse(line('MODIFIED', i, count(restarts, i), count(touched, i))).object);
    }
    await sleep(10);
  }
  // Let the last batches go (linger 200 ms).
  for (let last = -1; last !== entries; ) {
    last = entries;
    await sleep(500);
  }
  const cpu = procCpuSeconds(pid, ticks) - listCpu;
  const mem = procMemoryMB(pid);
  child.kill('SIGTERM');
  const code = await exited;
  await api.close();
  await new Promise<void>((r) => bus.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
  return {
    pods,
    updates,
    updatesPerSecond: perSecond,
    exitCode: code ?? -1,
    listSeconds,
    listCpuSeconds: listCpu,
    cpuSecondsPer1000Updates: cpu / (updates / 1000),
    coreShareAtRate: cpu / seconds,
    updateEntries: entries - entries0,
    callsPerEntry: (calls - calls0) / (entries - entries0),
    rssAfterListMB: afterList.rss,
    rssMB: mem.rss,
    peakRssMB: mem.peak,
  };
}

function* churnLines(pods: number): Generator<string> {
  for (const l of churnStream({ pods, seed: 42 })) yield JSON.stringify(l);
}

function* fileLines(file: string): Generator<string> {
  for (const l of readFileSync(file, 'utf8').split('\n')) if (l.trim()) yield l;
}

export async function runForwarderBench(opts: ForwarderBenchOptions = {}): Promise<Record<string, number>> {
  const log = opts.log ?? (() => {});
  const rate = opts.updatesPerSecond ?? 100;
  const out: Record<string, number> = {};
  const put = (prefix: string, r: Record<string, number>) => {
    for (const [k, v] of Object.entries(r)) out[`${prefix}.${k}`] = v;
  };
  // In-process steady state first, so its memory figures start from a clean heap.
  log(`steady state, ${opts.steadyPods ?? 10_000} pods at ${rate} updates/s...`);
  put('steady', await steady(opts.steadyPods ?? 10_000, rate, opts.steadySeconds ?? 300));
  const scalePods = opts.scalePods ?? 150_000;
  if (scalePods > 0) {
    log(`large cluster, ${scalePods} pods, 50 creations/s + 1,000 updates/s...`);
    put('scale', await scale(scalePods, 50, 1000, opts.scaleSeconds ?? 30));
  }
  log('entries per ordinary pod lifecycle...');
  const lifePods = opts.lifecyclePods ?? 2000;
  const withLinger = await lifecycles(lifePods, DEFAULT_LINGER_MS);
  const noLinger = await lifecycles(lifePods, 0);
  out['lifecycle.lifecycles'] = withLinger.lifecycles;
  out['lifecycle.entriesPerLifecycle'] = withLinger.entriesPerLifecycle;
  out['lifecycle.entriesPerLifecycleNoLinger'] = noLinger.entriesPerLifecycle;
  out['lifecycle.noopEntriesSent'] = withLinger.noopEntriesSent + noLinger.noopEntriesSent;
  const demo = opts.demoTrace ?? (existsSync(DEMO_TRACE) ? DEMO_TRACE : false);
  /**
   * Each trace three ways: the default payload (Pod Facts) at `rate`; the same at one watch event
   * per second, where no two entries of a pod meet in the buffer (no coalescing: the ratio a slow
   * trickle gets); and the whole-snapshot payload at `rate`, for comparison.
   */
  const threeWays = async (name: string, lines: () => Iterable<string>) => {
    put(name, await replay(lines(), rate));
    const slow = await replay(lines(), 1);
    out[`${name}.bytesRatioAt1PerSecond`] = slow.bytesRatio;
    out[`${name}.entriesPerWatchEventAt1PerSecond`] = slow.entriesPerWatchEvent;
    const snap = await replay(lines(), rate, 'snapshot');
    out[`${name}.snapshotPayloadBytesRatio`] = snap.bytesRatio;
  };
  if (demo) {
    log('demo trace...');
    await threeWays('demo', () => fileLines(demo));
  }
  log('real fixture pods...');
  await threeWays('realPods', realPodLines);
  log(`churn trace, ${opts.churnPods ?? 10_000} pods...`);
  await threeWays('churn', () => churnLines(opts.churnPods ?? 10_000));
  if (opts.processSeconds && existsSync('/proc/self/stat')) {
    log(`the bundled forwarder as a process, ${opts.steadyPods ?? 10_000} pods...`);
    put('process', await processRun(opts.steadyPods ?? 10_000, rate, opts.processSeconds, log));
  }
  return out;
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) < 0.01) return v.toExponential(2);
  return v.toFixed(v < 1 ? 4 : 2);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      pods: { type: 'string' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      'process-seconds': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const pods = values.pods ? Number(values.pods) : undefined;
  const result = await runForwarderBench({
    churnPods: pods,
    steadyPods: pods,
    steadySeconds: values.seconds ? Number(values.seconds) : undefined,
    updatesPerSecond: values.rate ? Number(values.rate) : undefined,
    processSeconds: values['process-seconds'] !== undefined ? Number(values['process-seconds']) : 60,
    log: values.json ? undefined : (l) => process.stderr.write(`${l}\n`),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const width = Math.max(...Object.keys(result).map((k) => k.length));
    for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(width)}  ${fmt(v)}\n`);
  }
}
