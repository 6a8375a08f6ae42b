/**
 * The forwarder's linger policy (forwarder/pipeline/buffer.ts, delta.ts `classifyNews`): news
 * that matters soon lingers `--linger-seconds`, routine news up to `--routine-linger-seconds`.
 *
 * - The linger state is a join (commutative, associative, idempotent) and an entry's due time
 *   a function of it alone: whatever the order or duplication of its deltas.
 * - Through the real buffer and send loop on a virtual clock: any interleaving and duplication
 *   of the same updates delivers the same facts; every update leaves within its bound (urgent:
 *   4 x the linger, routine: the routine linger); a pod's updates leave in their order.
 * - What is urgent and what is routine, on the churn generator's scenarios through the ledger.
 * - An ordinary pod lifecycle (created → scheduled → started → ready → deleted) through the real
 *   forwarder leaves at most 3 entries, whatever its gaps within the stated ranges.
 */
import { KubeConfig } from '@kubernetes/client-node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFact, type Fact, type FactMap, joinFacts } from '../../core/facts.ts';
import { factsOfDetail, PodFactsDetail } from '../../core/pod-facts.ts';
import { snapshotOf } from '../../core/snapshot.ts';
import { DEFAULT_LINGER_MS, DEFAULT_ROUTINE_LINGER_MS } from '../../forwarder/flags.ts';
import { Forwarder } from '../../forwarder/forwarder.ts';
import { ForwarderMetrics } from '../../forwarder/metrics.ts';
import {
  dueAt,
  type EntryMeta,
  isUrgent,
  joinLinger,
  type LingerPolicy,
  type LingerState,
  lingerOf,
  NEWS_CLASSES,
  type NewsClass,
  outerBound,
} from '../../forwarder/pipeline/buffer.ts';
import { classifyNews, Ledger } from '../../forwarder/pipeline/delta.ts';
import { Sender } from '../../forwarder/pipeline/send.ts';
import { slimPod, trimPod } from '../../forwarder/pipeline/trim.ts';
import type { Entry, Sink, SinkResult } from '../../forwarder/sinks.ts';
import { churnTimed, type WatchLine } from '../../testkit/churn.ts';

const T0 = Date.parse('2026-11-01T08:00:00Z');
const POLICY: LingerPolicy = {
  keyLingerMs: 2000,
  maxKeyLingerMs: 8000,
  routineLingerMs: 30_000,
  routineTickMs: 1000,
};
/** A partial PutEvents batch waits this long for company after its entries are due. */
const BATCH_LINGER_MS = 500;

const arbNews = fc.constantFrom<NewsClass>(...NEWS_CLASSES);
const arbDelta = fc.record({ at: fc.integer({ min: 0, max: 100_000 }), news: arbNews });

const joinAll = (xs: readonly { at: number; news: NewsClass }[]): LingerState =>
  xs.map((x) => lingerOf(T0 + x.at, x.news)).reduce(joinLinger);

describe('the linger state is a join, and the due time a function of it alone', () => {
  it('commutative, associative, idempotent', () => {
    const arbState = arbDelta.map((d) => lingerOf(T0 + d.at, d.news));
    fc.assert(
      fc.property(arbState, arbState, arbState, (a, b, c) => {
        expect(joinLinger(a, b)).toEqual(joinLinger(b, a));
        expect(joinLinger(joinLinger(a, b), c)).toEqual(joinLinger(a, joinLinger(b, c)));
        expect(joinLinger(a, a)).toEqual(a);
        expect(joinLinger(joinLinger(a, b), b)).toEqual(joinLinger(a, b));
      }),
    );
  });

  it('any order and duplication of the same deltas: the same state and due time', () => {
    fc.assert(
      fc.property(
        fc
          .array(arbDelta, { minLength: 1, maxLength: 12 })
          .chain((xs) =>
            fc.tuple(
              fc.constant(xs),
              fc.shuffledSubarray([...xs, ...xs], { minLength: 2 * xs.length }),
              fc.array(fc.integer({ min: 0, max: xs.length - 1 }), { maxLength: 6 }),
            ),
          ),
        ([xs, shuffled, dups]) => {
          const again = [...shuffled, ...dups.map((i) => xs[i]!)];
          const a = joinAll(xs);
          const b = joinAll(again);
          expect(b).toEqual(a);
          expect(dueAt(b, POLICY)).toBe(dueAt(a, POLICY));
        },
      ),
    );
  });

  it('bounded: urgent news at most 4 x the linger after it came, anything at most the outer bound after the first', () => {
    fc.assert(
      fc.property(fc.array(arbDelta, { minLength: 1, maxLength: 12 }), (xs) => {
        const s = joinAll(xs);
        const due = dueAt(s, POLICY);
        expect(due - s.first).toBeLessThanOrEqual(outerBound(POLICY));
        if (s.urgent !== undefined) expect(due - s.urgent).toBeLessThanOrEqual(POLICY.maxKeyLingerMs);
        // Routine news alone waits its linger from the first delta; urgent news at most its linger after the last.
        // (on a whole second: routine entries fall due together)
        if (!isUrgent(s)) expect(due).toBe(Math.ceil((s.first + POLICY.routineLingerMs) / 1000) * 1000);
        else expect(due).toBeLessThanOrEqual(s.last + POLICY.keyLingerMs);
      }),
    );
  });
});

/** One update of a pod: its facts (an event fact naming the update, and counts), its class, when. */
interface Update {
  pod: number;
  id: number;
  at: number;
  news: NewsClass;
  facts: Fact[];
}

const arbUpdates = fc
  .array(
    fc.record({
      pod: fc.integer({ min: 0, max: 3 }),
      gap: fc.integer({ min: 0, max: 12_000 }),
      news: arbNews,
      restarts: fc.integer({ min: 0, max: 9 }),
      container: fc.constantFrom('a', 'b'),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((rows) => {
    let at = 0;
    return rows.map((r, id): Update => {
      at += r.gap;
      return {
        pod: r.pod,
        id,
        at,
        news: r.news,
        facts: [
          eventFact({ uid: `u${id}`, reason: 'Update', count: 1, first: null, last: null }),
          { id: `restarts:${r.container}`, kind: 'restarts', container: r.container, n: r.restarts },
        ],
      };
    });
  });

interface Sent {
  at: number;
  pod: number;
  facts: Fact[];
}

/**
 * The updates through the real buffer and send loop (a virtual clock, a sink that records),
 * merged as the forwarder merges a pod's delta into its waiting entry.
 */
async function deliver(
  updates: readonly Update[],
  policy: LingerPolicy = POLICY,
  /** Updates before which the send loop has not run (a busy event loop): time just passes. */
  late: ReadonlySet<number> = new Set(),
): Promise<Sent[]> {
  let t = T0;
  const sent: Sent[] = [];
  const sink: Sink = {
    name: 'test',
    async put(entries: Entry[]): Promise<SinkResult> {
      for (const e of entries) {
        const d = JSON.parse(e.Detail) as { pod: number; facts: Fact[] };
        sent.push({ at: t, pod: d.pod, facts: d.facts });
      }
      return { failed: [] };
    },
  };
  const s = new Sender({
    sink,
    metrics: new ForwarderMetrics(),
    now: () => t,
    lingerMs: BATCH_LINGER_MS,
    ...policy,
  });
  const runUntil = async (until: number) => {
    for (let w = s.nextSendIn(); w !== undefined && t + w <= until; w = s.nextSendIn()) {
      if (w > 0) t += w;
      else await s.sendOnce();
    }
    t = Math.max(t, until);
  };
  for (const u of [...updates].sort((a, b) => a.at - b.at)) {
    if (late.has(u.id)) t = Math.max(t, T0 + u.at);
    else await runUntil(T0 + u.at);
    const meta: EntryMeta = {
      key: `pod:${u.pod}`,
      kind: 'pod',
      uid: `${u.pod}`,
      namespace: 'n',
      name: 'p',
      deleted: false,
    };
    const m = s.buffer.merge(meta, u.facts, u.news);
    const entry: Entry = {
      Source: 'test',
      DetailType: 'Pod Facts',
      Detail: JSON.stringify({ pod: u.pod, facts: m.facts }),
    };
    s.enqueue({
      meta: m.meta,
      entry,
      size: entry.Detail.length,
      facts: m.facts,
      first: m.first,
      linger: m.linger,
      readySince: m.readySince,
    });
    while (s.nextSendIn() === 0) await s.sendOnce();
  }
  await runUntil(Number.POSITIVE_INFINITY);
  expect(s.size).toBe(0);
  return sent;
}

/** The join of facts, per id. */
function joined(facts: Iterable<Fact>): FactMap {
  const m: FactMap = new Map();
  for (const f of facts) {
    const old = m.get(f.id);
    m.set(f.id, old ? joinFacts(old, f) : f);
  }
  return m;
}

const canonical = (m: FactMap) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));

describe('through the buffer and the send loop (virtual clock)', () => {
  it('any interleaving and duplication of the same updates delivers the same facts, each within its bound, in order', async () => {
    const arbPolicy = fc.oneof(
      fc.constant(POLICY),
      fc
        .record({
          keyLingerMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
          routineLingerMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40_000 })),
          routineTickMs: fc.constantFrom(0, 1000),
        })
        .map((p) => ({ ...p, maxKeyLingerMs: 4 * p.keyLingerMs })),
    );
    await fc.assert(
      fc.asyncProperty(
        arbPolicy,
        arbUpdates.chain((us) =>
          fc.tuple(
            fc.constant(us),
            // The same updates, a pod's in another order and some twice, at other times.
            fc.shuffledSubarray(us, { minLength: us.length }),
            fc.array(fc.integer({ min: 0, max: us.length - 1 }), { maxLength: 8 }),
            fc.array(fc.integer({ min: 0, max: 12_000 }), {
              minLength: us.length + 8,
              maxLength: us.length + 8,
            }),
          ),
        ),
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 10 }),
        async (policy, [us, shuffled, dups, gaps], lateIds) => {
          let at = 0;
          const again = [...shuffled, ...dups.map((i) => us[i]!)].map((u, i) => {
            at += gaps[i] ?? 0;
            return { ...u, at };
          });
          for (const [run, late] of [
            [us, new Set<number>()],
            [again, new Set<number>()],
            [us, new Set(lateIds)],
          ] as const) {
            const sent = await deliver(run, policy, late);
            for (let pod = 0; pod <= 3; pod++) {
              const mine = run.filter((u) => u.pod === pod);
              const got = sent.filter((x) => x.pod === pod);
              // Every fact, and nothing else: the join of what was sent is the join of what came.
              expect(canonical(joined(got.flatMap((x) => x.facts)))).toEqual(
                canonical(joined(mine.flatMap((u) => u.facts))),
              );
              // Each update leaves within its bound, and a pod's updates leave in their order (a
              // repeated update's facts may have gone already: only its first coming counts).
              let lastEntry = -1;
              const seen = new Set<number>();
              for (const u of [...mine].sort((a, b) => a.at - b.at)) {
                if (seen.has(u.id)) continue;
                seen.add(u.id);
                const i = got.findIndex((x) => x.facts.some((f) => f.id === `event:u${u.id}`));
                expect(i).toBeGreaterThanOrEqual(0);
                const waited = got[i]!.at - (T0 + u.at);
                const bound = u.news === 'urgent' ? policy.maxKeyLingerMs : outerBound(policy);
                // (A late send loop sends late: only order and facts are checked then.)
                if (late.size === 0) expect(waited).toBeLessThanOrEqual(bound + BATCH_LINGER_MS);
                expect(i).toBeGreaterThanOrEqual(lastEntry);
                lastEntry = i;
              }
            }
          }
          // The same facts delivered both ways.
          const a = await deliver(us, policy);
          const b = await deliver(again, policy);
          expect(canonical(joined(a.flatMap((x) => x.facts)))).toEqual(
            canonical(joined(b.flatMap((x) => x.facts))),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a send loop running late: an entry already due leaves before its pod's newer one", async () => {
    const f = (id: number) => [eventFact({ uid: `u${id}`, reason: 'R', count: 1, first: null, last: null })];
    const policy: LingerPolicy = { keyLingerMs: 1, maxKeyLingerMs: 4, routineLingerMs: 0 };
    const sent = await deliver(
      [
        { pod: 0, id: 0, at: 0, news: 'urgent', facts: f(0) },
        // 4 ms later, the loop not having run: the first entry is due but not yet in the due list;
        // it is too old to take back, and the routine delta (no routine linger) is due at once.
        { pod: 0, id: 1, at: 4, news: 'routine', facts: f(1) },
      ],
      policy,
      new Set([1]),
    );
    expect(sent.map((x) => x.facts.map((y) => y.id))).toEqual([['event:u0'], ['event:u1']]);
  });

  it('routine news waits for more and leaves as one entry; urgent news joining it cuts the wait', async () => {
    const f = (id: number) => [eventFact({ uid: `u${id}`, reason: 'R', count: 1, first: null, last: null })];
    const sent = await deliver([
      { pod: 0, id: 0, at: 0, news: 'routine', facts: f(0) },
      { pod: 0, id: 1, at: 10_000, news: 'routine', facts: f(1) },
      { pod: 0, id: 2, at: 20_000, news: 'neutral', facts: f(2) },
    ]);
    expect(sent.map((x) => x.at - T0)).toEqual([30_000 + BATCH_LINGER_MS]);
    const cut = await deliver([
      { pod: 0, id: 0, at: 0, news: 'routine', facts: f(0) },
      { pod: 0, id: 1, at: 10_000, news: 'urgent', facts: f(1) },
    ]);
    expect(cut.map((x) => x.at - T0)).toEqual([12_000 + BATCH_LINGER_MS]);
  });
});

// ---------------------------------------------------------------------------------------------
// What is urgent and what is routine: the churn generator's pods through the ledger.

type Scenario = 'healthy' | 'crashloop' | 'oom' | 'imagepull' | 'unschedulable' | 'job';
const NONE = { crashloop: 0, oom: 0, imagepull: 0, unschedulable: 0, job: 0, jobfail: 0 };

/** One pod of a scenario, its lines, and what the ledger makes of each: its class, or noop. */
function classesOf(scenario: Scenario, seed: number): { line: WatchLine; news: NewsClass | 'noop' }[] {
  const shares = scenario === 'healthy' ? NONE : { ...NONE, [scenario]: 1 };
  const ledger = new Ledger();
  const out: { line: WatchLine; news: NewsClass | 'noop' }[] = [];
  for (const [, line] of churnTimed({ pods: 1, seed, shares, noopUpdates: 1 })) {
    const snap = snapshotOf(trimPod(line.object), {
      cluster: 'c',
      type: line.type,
      observedAt: new Date(T0).toISOString(),
    });
    const r = ledger.podNews(snap);
    out.push({ line, news: r === 'noop' ? 'noop' : r.news });
  }
  return out;
}

const status = (l: WatchLine) =>
  l.object.status as {
    phase: string;
    conditions: { type: string; status: string }[];
    containerStatuses?: {
      ready: boolean;
      restartCount: number;
      state: Record<string, { reason?: string }>;
    }[];
  };

describe('classifyNews on the churn scenarios', () => {
  it('a healthy pod: readiness urgent; first sight, the steps before readiness (scheduled, initialized, started) and the Terminating routine; the exit urgent', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const lines = classesOf('healthy', seed);
      const news = lines.map((x) => x.news);
      expect(news[0]).toBe('routine'); // ADDED: first sight, the startup burst's first step
      expect(news[1]).toBe('routine'); // scheduled: a step on the way to Ready
      expect(news[2]).toBe('routine'); // initialized, ContainerCreating
      expect(news[3]).toBe('routine'); // running, not ready yet
      expect(news[4]).toBe('urgent'); // ready
      expect(news[5]).toBe('noop'); // a label edit
      if (lines.length > 6) {
        expect(lines[6]!.line.object.metadata).toHaveProperty('deletionTimestamp');
        expect(news[6]).toBe('routine'); // Terminating
        expect(news[7]).toBe('urgent'); // the container's exit, phase Succeeded
        expect(news[8]).toBe('noop'); // DELETED, nothing new (the forwarder still cuts the wait)
      }
    }
  });

  it('a crash loop: the first crash urgent, then restarts and the same crash again routine', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const lines = classesOf('crashloop', seed);
      let crashes = 0;
      for (const { line, news } of lines.slice(3)) {
        const cs = status(line).containerStatuses?.[0];
        const state = Object.keys(cs?.state ?? {})[0];
        if (state === 'terminated') {
          crashes++;
          expect(news).toBe(crashes === 1 ? 'urgent' : 'routine');
        } else if (state === 'waiting') {
          expect(cs?.state.waiting?.reason).toBe('CrashLoopBackOff');
          expect(news).toBe('routine');
        } else {
          expect(news).toBe('routine'); // a start: the first not ready yet, then restarts
        }
      }
      expect(crashes).toBeGreaterThanOrEqual(2);
    }
  });

  it('an OOM kill after errors is a new termination reason: urgent', () => {
    const ledger = new Ledger();
    const lines = classesOf('crashloop', 3).map((x) => x.line);
    const news: NewsClass[] = [];
    const feed = (obj: Record<string, unknown>) => {
      const r = ledger.podNews(
        snapshotOf(trimPod(obj), { cluster: 'c', type: 'MODIFIED', observedAt: new Date(T0).toISOString() }),
      );
      if (r !== 'noop') news.push(r.news);
    };
    for (const l of lines) feed(l.object);
    const last = structuredClone(lines.at(-1)!.object) as {
      status: { containerStatuses: Record<string, unknown>[] };
    };
    const cs = last.status.containerStatuses[0]!;
    const run = (cs.state as { running: { startedAt: string } }).running;
    cs.state = {
      terminated: {
        exitCode: 137,
        reason: 'OOMKilled',
        startedAt: run.startedAt,
        finishedAt: '2030-01-01T00:00:00Z',
        containerID: cs.containerID,
      },
    };
    news.length = 0;
    feed(last);
    expect(news).toEqual(['urgent']);
  });

  it('image pull: the first failure urgent, the back-off retry routine', () => {
    const news = classesOf('imagepull', 4).map((x) => x.news);
    expect(news.slice(-2)).toEqual(['urgent', 'routine']);
  });

  it('a scheduling is routine, except one that ends an unschedulable verdict already sent', () => {
    const scheduled: Fact = { id: 'mark:scheduled', kind: 'mark', mark: 'scheduled', t: 5 };
    const verdict: Fact = { id: 'unschedulable', kind: 'unschedulable', t: 1, at: { t: 1, rv: '' } };
    const after: FactMap = new Map([[scheduled.id, scheduled]]);
    expect(classifyNews([], [scheduled], after, false)).toBe('routine');
    expect(classifyNews([verdict], [scheduled], after, false)).toBe('urgent');
    const ready: Fact = { id: 'mark:ready', kind: 'mark', mark: 'ready', t: 9 };
    expect(classifyNews([], [scheduled, ready], after, false)).toBe('urgent');
  });

  it('unschedulable: the first verdict urgent (with first sight); a new message of it routine', () => {
    const lines = classesOf('unschedulable', 2);
    expect(lines[1]!.news).toBe('urgent');
    const ledger = new Ledger();
    const feed = (obj: Record<string, unknown>) =>
      ledger.podNews(
        snapshotOf(trimPod(obj), { cluster: 'c', type: 'MODIFIED', observedAt: new Date(T0).toISOString() }),
      );
    feed(lines[0]!.line.object);
    const v = feed(lines[1]!.line.object);
    expect(v !== 'noop' && v.news).toBe('urgent');
    const again = structuredClone(lines[1]!.line.object) as {
      status: { conditions: { message?: string }[] };
    };
    again.status.conditions[0]!.message = '0/101 nodes are available: 101 Insufficient cpu.';
    const r = feed(again);
    expect(r !== 'noop' && r.news).toBe('routine');
  });

  it("a Job's completion (a terminal phase) is urgent", () => {
    const news = classesOf('job', 5).map((x) => x.news);
    expect(news.at(-1)).toBe('urgent');
    expect(status(classesOf('job', 5).at(-1)!.line).phase).toBe('Succeeded');
  });
});

// ---------------------------------------------------------------------------------------------
// An ordinary pod lifecycle through the real forwarder.

/** Gaps of an ordinary lifecycle, ms. */
interface Gaps {
  schedule: number;
  sandbox: number;
  pull: number;
  /** Start to ready (a readiness probe); 0: ready as it starts (no probe: one update). */
  probe: number;
  life: number;
  /** Deletion to the container's exit (SIGTERM handled), within the grace period. */
  exit: number;
  labelEdits: number;
}

/** A Deployment pod's watch lines as the API server sends them, at their times. */
function ordinaryLifecycle(g: Gaps, uid = '7d0c3a52-0000-4000-8000-000000000001'): [number, WatchLine][] {
  const iso = (t: number) => new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  let rv = 100;
  const pod: Record<string, any> = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7c9f8d6b5-x2x4q',
      namespace: 'shop',
      uid,
      creationTimestamp: iso(T0),
      labels: { app: 'web', 'pod-template-hash': '7c9f8d6b5' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7c9f8d6b5', uid: 'rs-1', controller: true },
      ],
    },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], restartPolicy: 'Always' },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
  const out: [number, WatchLine][] = [];
  const emit = (t: number, type: WatchLine['type'] = 'MODIFIED') => {
    const o = structuredClone(pod);
    o.metadata.resourceVersion = String(rv++);
    out.push([t, { type, object: o }]);
  };
  const cond = (type: string, status: string, t: number, reason?: string) => {
    const c = { type, status, lastTransitionTime: iso(t), ...(reason ? { reason } : {}) };
    pod.status.conditions = [
      ...(pod.status.conditions ?? []).filter((x: { type: string }) => x.type !== type),
      c,
    ];
  };
  let t = T0;
  emit(t, 'ADDED');
  t += g.schedule;
  pod.spec.nodeName = 'node-1';
  cond('PodScheduled', 'True', t);
  emit(t);
  t += g.sandbox;
  cond('PodReadyToStartContainers', 'True', t);
  cond('Initialized', 'True', t);
  cond('Ready', 'False', t, 'ContainersNotReady');
  cond('ContainersReady', 'False', t, 'ContainersNotReady');
  pod.status.containerStatuses = [
    { name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
  ];
  emit(t);
  t += g.pull;
  const started = t;
  const running = (ready: boolean) => ({
    name: 'web',
    ready,
    started: true,
    restartCount: 0,
    containerID: 'containerd://1',
    state: { running: { startedAt: iso(started) } },
  });
  pod.status.phase = 'Running';
  pod.status.containerStatuses = [running(g.probe === 0)];
  if (g.probe > 0) emit(t);
  t += g.probe;
  cond('Ready', 'True', t);
  cond('ContainersReady', 'True', t);
  pod.status.containerStatuses = [running(true)];
  emit(t);
  for (let i = 0; i < g.labelEdits; i++) {
    t += g.life / (g.labelEdits + 1);
    pod.metadata.labels = { ...pod.metadata.labels, touched: String(i) };
    emit(t);
  }
  t += g.life / (g.labelEdits + 1);
  pod.metadata.deletionTimestamp = iso(t + 30_000);
  pod.metadata.deletionGracePeriodSeconds = 30;
  emit(t);
  t += g.exit;
  pod.status.phase = 'Succeeded';
  cond('Ready', 'False', t, 'PodCompleted');
  cond('ContainersReady', 'False', t, 'PodCompleted');
  pod.status.containerStatuses = [
    {
      name: 'web',
      ready: false,
      restartCount: 0,
      containerID: 'containerd://1',
      state: {
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          startedAt: iso(started),
          finishedAt: iso(t),
          containerID: 'containerd://1',
        },
      },
    },
  ];
  emit(t);
  emit(t + 40, 'DELETED');
  return out;
}

/** The lines through the real forwarder (no informers: fed as they would), on a virtual clock. */
async function forwarded(
  lines: Iterable<[number, WatchLine]>,
  config: { lingerMs?: number; routineLingerMs?: number } = {},
) {
  let t = T0;
  const perUid = new Map<string, Fact[][]>();
  const sink: Sink = {
    name: 'test',
    async put(entries: Entry[]): Promise<SinkResult> {
      for (const e of entries) {
        const d = PodFactsDetail.parse(JSON.parse(e.Detail));
        perUid.set(d.uid, [...(perUid.get(d.uid) ?? []), factsOfDetail(d)]);
      }
      return { failed: [] };
    },
  };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'x', server: 'http://127.0.0.1:1' }],
    users: [{ name: 'x' }],
    contexts: [{ name: 'x', cluster: 'x', user: 'x' }],
    currentContext: 'x',
  });
  const fwd = new Forwarder(
    { cluster: 'c', bus: 'b', ...config },
    {
      kubeConfig,
      sink,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    },
  );
  const runUntil = async (until: number) => {
    for (let w = fwd.sender.nextSendIn(); w !== undefined && t + w <= until; w = fwd.sender.nextSendIn()) {
      if (w > 0) t += w;
      else await fwd.sender.sendOnce();
    }
    t = Math.max(t, until);
  };
  for (const [at, line] of lines) {
    await runUntil(at);
    const obj = trimPod(structuredClone(line.object));
    fwd.onPod(line.type, obj);
    if (line.type !== 'DELETED') slimPod(obj);
    while (fwd.sender.nextSendIn() === 0) await fwd.sender.sendOnce();
  }
  await runUntil(Number.POSITIVE_INFINITY);
  return perUid;
}

const arbGaps: fc.Arbitrary<Gaps> = fc.record({
  schedule: fc.integer({ min: 0, max: 1000 }),
  sandbox: fc.integer({ min: 100, max: 1500 }),
  pull: fc.integer({ min: 0, max: 60_000 }),
  probe: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 25_000 })),
  life: fc.integer({ min: 10_000, max: 3_600_000 }),
  exit: fc.integer({ min: 0, max: 25_000 }),
  labelEdits: fc.integer({ min: 0, max: 3 }),
});

describe('an ordinary pod lifecycle through the real forwarder', () => {
  it('defaults: a 2 s linger, 30 s for routine news', () => {
    expect(DEFAULT_LINGER_MS).toBe(2000);
    expect(DEFAULT_ROUTINE_LINGER_MS).toBe(30_000);
  });

  it('created → scheduled → started → ready → deleted leaves at most 3 entries, 2 when readiness comes within the routine linger, with every fact', async () => {
    await fc.assert(
      fc.asyncProperty(arbGaps, async (g) => {
        const lines = ordinaryLifecycle(g);
        const perUid = await forwarded(lines);
        const entries = [...perUid.values()][0] ?? [];
        expect(entries.length).toBeGreaterThanOrEqual(1);
        expect(entries.length, JSON.stringify(g)).toBeLessThanOrEqual(3);
        // First sight is routine: a startup burst that reaches Ready within the routine linger
        // (30 s) leaves as one entry, the deletion as the other.
        const startup = g.schedule + g.sandbox + g.pull + g.probe;
        if (startup < 29_000) expect(entries.length, JSON.stringify(g)).toBeLessThanOrEqual(2);
        // Nothing given up: the entries' join is the join of every line's facts (a linger of 0, no merging).
        const all = await forwarded(lines, { lingerMs: 0, routineLingerMs: 0 });
        expect(canonical(joined(entries.flat()))).toEqual(canonical(joined([...all.values()][0]!.flat())));
      }),
      { numRuns: 40 },
    );
  });

  it('a typical one: the startup burst up to readiness, and the deletion: 2 entries (6 with no routine linger: first sight then leaves alone, at once)', async () => {
    const g: Gaps = {
      schedule: 30,
      sandbox: 800,
      pull: 4000,
      probe: 6000,
      life: 600_000,
      exit: 3000,
      labelEdits: 2,
    };
    const now = await forwarded(ordinaryLifecycle(g));
    expect([...now.values()][0]).toHaveLength(2);
    const flat = await forwarded(ordinaryLifecycle(g), { routineLingerMs: 0 });
    expect([...flat.values()][0]).toHaveLength(6);
  });
});
