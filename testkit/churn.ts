/**
 * A generator of synthetic cluster watch streams at scale, shaped like clusterloader2's density
 * test (about 30 pods per node, rolling updates) with a share of crash loops, OOM kills, image
 * pull failures, unschedulable pods and Jobs. Seeded: the same options give the same stream.
 *
 * Pods are full Pod objects as an API server sends them (spec with env and args, labels,
 * annotations including last-applied-configuration, managedFields), so byte ratios and
 * JSON.parse costs measured on them mean something. Generation is lazy and batched: memory
 * stays bounded by the batch, whatever the stream length.
 */

/** When benches "receive" generated lines (decodeObject's `now`): after any generated time. */
export const BENCH_RECEIVED_AT = Date.parse('2100-01-01T00:00:00Z');

export interface ChurnOptions {
  pods: number;
  seed?: number;
  namespaces?: number;
  podsPerNode?: number;
  /** Pods alive at once (a batch); streams of any length use memory bounded by this. */
  batch?: number;
  /** Label-only updates per healthy pod (no-ops for the figures). */
  noopUpdates?: number;
  start?: string;
  /** Shares of scenarios; the rest are healthy pods. */
  shares?: Partial<Record<Exclude<Scenario, 'healthy'>, number>>;
  /**
   * A batch's pods are created within this many ms of its start (default 60,000); batches start
   * 120,000 ms apart, so 120,000 spreads creations evenly (`batch` / 120 a second, every second).
   */
  createWithinMs?: number;
  /**
   * Yield lines in time order across batches (default false: each batch's lines in time order,
   * one batch after the other). A pod lives past its batch's 120 s (rolling updates come up to
   * ~11 min later), so without this a later batch's lines arrive "before" the earlier batch's
   * tail: a consumer on the lines' own clock (the forwarder with a linger) sees them at once.
   */
  ordered?: boolean;
}

export type Scenario = 'healthy' | 'crashloop' | 'oom' | 'imagepull' | 'unschedulable' | 'job' | 'jobfail';

export interface WatchLine {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Record<string, unknown>;
}

const DEFAULT_SHARES: Record<Exclude<Scenario, 'healthy'>, number> = {
  crashloop: 0.06,
  oom: 0.02,
  imagepull: 0.03,
  unschedulable: 0.03,
  job: 0.08,
  jobfail: 0.02,
};

/** mulberry32: a small, fast, seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const hex = (rnd: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
const alnum = (rnd: () => number, n: number) =>
  Array.from({ length: n }, () => 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(rnd() * 27)]).join('');

interface PodPlan {
  uid: string;
  ns: string;
  name: string;
  owner: { kind: string; name: string; rs?: string; hash?: string };
  node: string;
  created: number;
  scenario: Scenario;
}

type Cond = { type: string; status: string; lastTransitionTime: string; reason?: string; message?: string };

class PodWriter {
  private conditions: Cond[] = [];
  private phase = 'Pending';
  private nodeName: string | undefined;
  private containerStatus: Record<string, unknown> | undefined;
  private labels: Record<string, string>;
  private deletion: string | undefined;
  constructor(
    private readonly plan: PodPlan,
    private readonly rv: () => string,
    private readonly rnd: () => number,
  ) {
    this.labels = { app: plan.owner.name, tier: 'backend' };
    if (plan.owner.hash) this.labels['pod-template-hash'] = plan.owner.hash;
  }

  setCond(type: string, status: string, t: number, reason?: string, message?: string) {
    const c: Cond = { type, status, lastTransitionTime: iso(t) };
    if (reason) c.reason = reason;
    if (message) c.message = message;
    this.conditions = [...this.conditions.filter((x) => x.type !== type), c];
  }
  setPhase(p: string) {
    this.phase = p;
  }
  setNode() {
    this.nodeName = this.plan.node;
  }
  setContainer(s: Record<string, unknown>) {
    this.containerStatus = s;
  }
  touchLabel() {
    this.labels = { ...this.labels, 'podlife.dev/touched': String(Math.floor(this.rnd() * 1e6)) };
  }
  markDeleted(t: number) {
    this.deletion = iso(t);
  }

  object(): Record<string, unknown> {
    const p = this.plan;
    const ownerRef =
      p.owner.kind === 'Deployment'
        ? {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: p.owner.rs!,
            uid: `rs-${p.owner.rs}`,
            controller: true,
          }
        : {
            apiVersion: p.owner.kind === 'Job' ? 'batch/v1' : 'apps/v1',
            kind: p.owner.kind,
            name: p.owner.name,
            uid: `o-${p.owner.name}`,
            controller: true,
          };
    const spec = {
      containers: [
        {
          name: 'app',
          image: `registry.example.com/${p.owner.name}:1.${Math.floor(p.created / 1e9) % 100}`,
          args: ['--port=8080', '--log-level=info'],
          env: [
            { name: 'DATABASE_URL', value: 'postgres://app:hunter2@db.internal:5432/app' },
            {
              name: 'API_TOKEN',
              valueFrom: { secretKeyRef: { name: `${p.owner.name}-token`, key: 'token' } },
            },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
          terminationMessagePath: '/dev/termination-log',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: p.scenario === 'job' || p.scenario === 'jobfail' ? 'Never' : 'Always',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      ...(this.nodeName ? { nodeName: this.nodeName } : {}),
    };
    const status: Record<string, unknown> = {
      phase: this.phase,
      qosClass: 'Burstable',
      conditions: this.conditions,
    };
    if (this.nodeName) status.hostIP = '10.0.0.1';
    if (this.containerStatus) status.containerStatuses = [this.containerStatus];
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.name,
        namespace: p.ns,
        uid: p.uid,
        resourceVersion: this.rv(),
        creationTimestamp: iso(p.created),
        ...(this.deletion ? { deletionTimestamp: this.deletion, deletionGracePeriodSeconds: 30 } : {}),
        labels: this.labels,
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            spec: { containers: spec.containers },
          }),
        },
        ownerReferences: [ownerRef],
        managedFields: [
          {
            manager: 'kube-controller-manager',
            operation: 'Update',
            apiVersion: 'v1',
            time: iso(p.created),
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': { 'f:containers': {} },
            },
          },
        ],
      },
      spec,
      status,
    };
  }
}

const MESSAGES = {
  unschedulable:
    '0/100 nodes are available: 100 Insufficient cpu. preemption: 0/100 nodes are available: 100 No preemption victims found for incoming pod.',
  backoff: (s: number) => `back-off ${s}s restarting failed container=app pod=`,
  pull: 'Back-off pulling image "registry.example.com/missing:1.0"',
};

/** One pod's watch events with their times (ms), in the order they happen. */
function lifeOf(
  plan: PodPlan,
  rnd: () => number,
  rv: () => string,
  noopUpdates: number,
): [number, WatchLine][] {
  const w = new PodWriter(plan, rv, rnd);
  const out: [number, WatchLine][] = [];
  const emit = (t: number, type: WatchLine['type'] = 'MODIFIED') =>
    out.push([t, { type, object: w.object() }]);
  let t = plan.created;
  const cid = () => `containerd://${hex(rnd, 64)}`;
  emit(t, 'ADDED');

  if (plan.scenario === 'unschedulable') {
    w.setCond('PodScheduled', 'False', t, 'Unschedulable', MESSAGES.unschedulable);
    emit(t + 10);
    if (rnd() < 0.5) return out; // still pending at the end of the stream
    t += 60_000 + rnd() * 600_000; // capacity arrives
  }
  t += rnd() < 0.9 ? Math.floor(rnd() * 2000) : 2000 + rnd() * 20_000;
  w.setNode();
  w.setCond('PodScheduled', 'True', t);
  emit(t);
  t += 200 + rnd() * 800;
  w.setCond('Initialized', 'True', t);
  w.setCond('Ready', 'False', t, 'ContainersNotReady', 'containers with unready status: [app]');
  w.setContainer({
    name: 'app',
    ready: false,
    restartCount: 0,
    state: { waiting: { reason: 'ContainerCreating' } },
  });
  emit(t);

  if (plan.scenario === 'imagepull') {
    t += 3000 + rnd() * 5000;
    w.setContainer({
      name: 'app',
      ready: false,
      restartCount: 0,
      state: { waiting: { reason: 'ErrImagePull', message: 'rpc error: not found' } },
    });
    emit(t);
    t += 10_000 + rnd() * 10_000;
    w.setContainer({
      name: 'app',
      ready: false,
      restartCount: 0,
      state: { waiting: { reason: 'ImagePullBackOff', message: MESSAGES.pull } },
    });
    emit(t);
    return out;
  }

  t += 1000 + rnd() * (rnd() < 0.1 ? 60_000 : 8000); // pull and start
  let id = cid();
  let started = t;
  w.setPhase('Running');
  w.setContainer({
    name: 'app',
    ready: false,
    restartCount: 0,
    containerID: id,
    state: { running: { startedAt: iso(t) } },
  });
  emit(t);

  if (plan.scenario === 'job' || plan.scenario === 'jobfail') {
    t += 5000 + rnd() * 60_000;
    const ok = plan.scenario === 'job';
    w.setPhase(ok ? 'Succeeded' : 'Failed');
    w.setCond('Ready', 'False', t, 'PodCompleted');
    w.setContainer({
      name: 'app',
      ready: false,
      restartCount: 0,
      containerID: id,
      state: {
        terminated: {
          exitCode: ok ? 0 : 2,
          reason: ok ? 'Completed' : 'Error',
          startedAt: iso(started),
          finishedAt: iso(t),
          containerID: id,
        },
      },
    });
    emit(t);
    return out;
  }

  if (plan.scenario === 'crashloop' || plan.scenario === 'oom') {
    const crashes = 2 + Math.floor(rnd() * 5);
    let backoff = 10;
    for (let i = 0; i < crashes; i++) {
      t += 2000 + rnd() * 20_000;
      const term = {
        exitCode: plan.scenario === 'oom' ? 137 : 1,
        reason: plan.scenario === 'oom' ? 'OOMKilled' : 'Error',
        startedAt: iso(started),
        finishedAt: iso(t),
        containerID: id,
      };
      w.setContainer({
        name: 'app',
        ready: false,
        restartCount: i,
        containerID: id,
        state: { terminated: term },
      });
      emit(t);
      w.setContainer({
        name: 'app',
        ready: false,
        restartCount: i + 1,
        containerID: id,
        state: { waiting: { reason: 'CrashLoopBackOff', message: MESSAGES.backoff(backoff) } },
        lastState: { terminated: term },
      });
      emit(t + 100);
      t += backoff * 1000;
      backoff = Math.min(300, backoff * 2);
      id = cid();
      started = t;
      w.setContainer({
        name: 'app',
        ready: false,
        restartCount: i + 1,
        containerID: id,
        state: { running: { startedAt: iso(t) } },
        lastState: { terminated: term },
      });
      emit(t);
    }
    return out;
  }

  t += 500 + rnd() * 5000;
  w.setCond('Ready', 'True', t);
  w.setCond('ContainersReady', 'True', t);
  w.setContainer({
    name: 'app',
    ready: true,
    restartCount: 0,
    containerID: id,
    state: { running: { startedAt: iso(started) } },
  });
  emit(t);
  for (let i = 0; i < noopUpdates; i++) {
    t += 1000 + rnd() * 30_000;
    w.touchLabel();
    emit(t);
  }
  if (rnd() < 0.4) {
    // Rolling update: graceful deletion, container stops, object removed.
    t += 30_000 + rnd() * 600_000;
    w.markDeleted(t + 30_000);
    emit(t);
    t += 1000 + rnd() * 3000;
    w.setPhase('Succeeded');
    w.setCond('Ready', 'False', t, 'PodCompleted');
    w.setContainer({
      name: 'app',
      ready: false,
      restartCount: 0,
      containerID: id,
      state: {
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          startedAt: iso(started),
          finishedAt: iso(t),
          containerID: id,
        },
      },
    });
    emit(t);
    emit(t + 50, 'DELETED');
  }
  return out;
}

/** Lazily yields watch lines for `opts.pods` pods, time-ordered within each batch. */
export function* churnStream(opts: ChurnOptions): Generator<WatchLine> {
  for (const [, line] of churnTimed(opts)) yield line;
}

/** The same stream with the time (ms) at which the API server sends each line. */
export function* churnTimed(opts: ChurnOptions): Generator<[number, WatchLine]> {
  const rnd = prng(opts.seed ?? 42);
  const namespaces = opts.namespaces ?? 8;
  const podsPerNode = opts.podsPerNode ?? 30;
  const batch = opts.batch ?? 1000;
  const noop = opts.noopUpdates ?? 2;
  const shares = { ...DEFAULT_SHARES, ...opts.shares };
  const createWithin = opts.createWithinMs ?? 60_000;
  const ordered = opts.ordered ?? false;
  /** Ordered: lines of earlier batches not yet yielded (a later batch's are all at or after its start). */
  let pending: [number, WatchLine][] = [];
  let rv = 1000;
  const nextRv = () => String(rv++);
  let clock = Date.parse(opts.start ?? '2026-11-01T08:00:00Z');
  const deployments = Array.from({ length: Math.max(1, Math.ceil(opts.pods / 50)) }, (_, i) => ({
    name: `svc-${i}`,
    hash: alnum(rnd, 10),
  }));
  for (let first = 0; first < opts.pods; first += batch) {
    const lives: [number, WatchLine][] = [];
    const n = Math.min(batch, opts.pods - first);
    for (let i = 0; i < n; i++) {
      const idx = first + i;
      const r = rnd();
      let acc = 0;
      let scenario: Scenario = 'healthy';
      for (const [k, v] of Object.entries(shares)) {
        acc += v;
        if (r < acc) {
          scenario = k as Scenario;
          break;
        }
      }
      const ns = `team-${idx % namespaces}`;
      let owner: PodPlan['owner'];
      let name: string;
      if (scenario === 'job' || scenario === 'jobfail') {
        const job = `batch-${Math.floor(idx / 20)}`;
        owner = { kind: 'Job', name: job };
        name = `${job}-${alnum(rnd, 5)}`;
      } else if (idx % 10 === 9) {
        const sts = `db-${idx % 7}`;
        owner = { kind: 'StatefulSet', name: sts };
        name = `${sts}-${idx}`;
      } else {
        const d = deployments[idx % deployments.length];
        if (!d) throw new Error('churn: no deployments to own the pod');
        owner = { kind: 'Deployment', name: d.name, rs: `${d.name}-${d.hash}`, hash: d.hash };
        name = `${d.name}-${d.hash}-${alnum(rnd, 5)}`;
      }
      const created = clock + Math.floor(rnd() * createWithin);
      const plan: PodPlan = {
        uid: `${hex(rnd, 8)}-${hex(rnd, 4)}-4${hex(rnd, 3)}-a${hex(rnd, 3)}-${hex(rnd, 12)}`,
        ns,
        name,
        owner,
        node: `node-${Math.floor(idx / podsPerNode)}`,
        created,
        scenario,
      };
      for (const e of lifeOf(plan, rnd, nextRv, noop)) lives.push(e);
    }
    clock += 120_000;
    // Stable: equal times keep the earlier batch's line first, then generation order.
    const due = ordered ? pending.concat(lives) : lives;
    due.sort((a, b) => a[0] - b[0]);
    let cut = due.length;
    if (ordered && first + batch < opts.pods) {
      // The next batch's lines are all at or after `clock`: everything before it can go now.
      cut = 0;
      while (cut < due.length && (due[cut] as [number, WatchLine])[0] < clock) cut++;
    }
    pending = due.slice(cut);
    // resourceVersions follow delivery order, as etcd's revisions do.
    for (let i = 0; i < cut; i++) {
      const tl = due[i] as [number, WatchLine];
      (tl[1].object.metadata as { resourceVersion: string }).resourceVersion = nextRv();
      yield tl;
    }
  }
}

/** Convenience: the whole stream as an array (small streams: tests, the demo). */
export function churnLines(opts: ChurnOptions): WatchLine[] {
  return [...churnStream(opts)];
}

/**
 * `pods` pods that exist and do not change: each one Running and Ready, as a list returns it
 * (the same full Pod objects as the churn stream's, owned by Deployments and StatefulSets),
 * created one a second before `start`. Only the objects a list needs: no lifecycle is generated.
 */
export function* steadyPods(opts: {
  pods: number;
  seed?: number;
  start?: string;
  podsPerNode?: number;
}): Generator<Record<string, unknown>> {
  const rnd = prng(opts.seed ?? 43);
  const podsPerNode = opts.podsPerNode ?? 30;
  const start = Date.parse(opts.start ?? '2026-11-01T08:00:00Z');
  let rv = 1;
  const nextRv = () => String(rv++);
  const deployments = Array.from({ length: Math.max(1, Math.ceil(opts.pods / 50)) }, (_, i) => ({
    name: `steady-${i}`,
    hash: alnum(rnd, 10),
  }));
  for (let idx = 0; idx < opts.pods; idx++) {
    let owner: PodPlan['owner'];
    let name: string;
    if (idx % 10 === 9) {
      owner = { kind: 'StatefulSet', name: `steady-db-${idx % 7}` };
      name = `${owner.name}-${idx}`;
    } else {
      const d = deployments[idx % deployments.length] as { name: string; hash: string };
      owner = { kind: 'Deployment', name: d.name, rs: `${d.name}-${d.hash}`, hash: d.hash };
      name = `${d.name}-${d.hash}-${alnum(rnd, 5)}`;
    }
    const created = start - (opts.pods - idx) * 1000;
    const plan: PodPlan = {
      uid: `${hex(rnd, 8)}-${hex(rnd, 4)}-4${hex(rnd, 3)}-a${hex(rnd, 3)}-${hex(rnd, 12)}`,
      ns: `team-${idx % 8}`,
      name,
      owner,
      node: `node-${Math.floor(idx / podsPerNode)}`,
      created,
      scenario: 'healthy',
    };
    const w = new PodWriter(plan, nextRv, rnd);
    const t = created + 5000;
    w.setNode();
    w.setPhase('Running');
    w.setCond('PodScheduled', 'True', created + 1000);
    w.setCond('Initialized', 'True', created + 2000);
    w.setCond('Ready', 'True', t);
    w.setCond('ContainersReady', 'True', t);
    w.setContainer({
      name: 'app',
      ready: true,
      restartCount: 0,
      containerID: `containerd://${hex(rnd, 64)}`,
      state: { running: { startedAt: iso(created + 3000) } },
    });
    yield w.object();
  }
}
