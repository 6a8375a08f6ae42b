/**
 * A generated crash loop: one pod whose containers restart thousands of times, as the deltas
 * (`Pod Facts`) the forwarder sends in time order. Used by the bounded-item tests and the
 * `--only items` bench section.
 */
import { eventId, markId, phaseId, restartsId, runId, waitingId } from '../core/fact-ids.ts';
import type { Fact } from '../core/facts.ts';
import { prng } from '../testkit/churn.ts';

export interface CrashLoopOptions {
  /** Runs per container. */
  runs: number;
  containers?: readonly { name: string; init?: boolean }[];
  /** Event objects over the pod's life (each delivered at count 1, then at its final count). */
  events?: number;
  seed?: number;
  /** Probability that a run is never seen (a coalesced watch skipped it). */
  drop?: number;
  /** Probability that a termination carries a message (up to 1 KB of free text). */
  messages?: number;
  /** Length of those messages (random text: what does not compress), default short. */
  messageBytes?: number;
  /** Probability that a run is seen running before it is seen terminated. */
  runningFirst?: number;
}

export const CRASHLOOP_CLUSTER = 'bench';
export const CRASHLOOP_UID = 'crashloop-0000-0000-0000-000000000001';
const T0 = Date.parse('2026-01-01T00:00:00Z');
const REASONS = ['Error', 'Error', 'Error', 'OOMKilled', 'Completed', null] as const;
const EVENT_REASONS = ['BackOff', 'Pulled', 'Started', 'FailedScheduling'] as const;

/** xs[i mod length] of a constant list (null is a real element of REASONS, so no `??`). */
function cycle<T>(xs: readonly T[], i: number): T {
  const x = xs[i % xs.length];
  if (x === undefined) throw new Error(`cycle: no element ${i} in a list of ${xs.length}`);
  return x;
}

/** The deltas of one crash-looping pod, in the order the forwarder would send them. */
export function crashLoopDeltas(o: CrashLoopOptions): Fact[][] {
  const rnd = prng(o.seed ?? 1);
  const containers = o.containers ?? [{ name: 'main' }];
  const timed: { t: number; facts: Fact[] }[] = [];
  const pod: Fact = {
    id: 'pod',
    kind: 'pod',
    cluster: CRASHLOOP_CLUSTER,
    namespace: 'default',
    name: 'crashloop',
    uid: CRASHLOOP_UID,
    created: T0,
    owner: { kind: 'Deployment', name: 'crashloop' },
    qos: 'BestEffort',
  };
  timed.push({
    t: T0,
    facts: [
      pod,
      { id: 'node', kind: 'node', node: 'node-1' },
      { id: markId('scheduled'), kind: 'mark', mark: 'scheduled', t: T0 + 1000 },
      { id: phaseId('Pending'), kind: 'phase', phase: 'Pending', t: T0 },
    ],
  });
  let end = T0;
  for (const c of containers) {
    const init = c.init === true;
    let t = T0 + 2000 + Math.floor(rnd() * 1000);
    for (let n = 0; n < o.runs; n++) {
      const start = t;
      const finish = start + Math.floor(rnd() * 5000);
      // Kubernetes' back-off: 10 s doubling to 5 min, with some jitter of ours.
      const backoff = Math.min(300_000, 10_000 * 2 ** Math.min(n, 5)) + Math.floor(rnd() * 2000);
      t = finish + backoff;
      end = Math.max(end, t);
      if (rnd() < (o.drop ?? 0) && n < o.runs - 1) continue;
      const id = runId(init, c.name, `containerd://${n.toString(16).padStart(16, '0')}`, start, finish);
      const reason = cycle(REASONS, Math.floor(rnd() * REASONS.length));
      const term: Extract<Fact, { kind: 'run' }>['term'] = {
        finishedAt: finish,
        reason,
        exitCode: reason === 'Completed' ? 0 : 1,
      };
      if (rnd() < (o.messages ?? 0)) {
        let text = `panic: run ${n} ${Math.floor(rnd() * 1e9).toString(36)}`;
        while (text.length < (o.messageBytes ?? 0)) text += Math.floor(rnd() * 2 ** 52).toString(36);
        term.message = o.messageBytes ? text.slice(0, o.messageBytes) : text;
      }
      const base = { id, kind: 'run' as const, container: c.name, init, ordinal: n, startedAt: start };
      if (rnd() < (o.runningFirst ?? 0.5)) timed.push({ t: start, facts: [{ ...base, term: null }] });
      const facts: Fact[] = [{ ...base, term }];
      if (!init) facts.push({ id: restartsId(c.name), kind: 'restarts', container: c.name, n: n + 1 });
      facts.push({
        id: 'latest',
        kind: 'latest',
        at: { t: finish, rv: String(1000 + timed.length) },
        phase: 'Running',
        waiting: { container: c.name, reason: 'CrashLoopBackOff' },
      });
      if (n === 0) {
        facts.push({
          id: waitingId(init, c.name, 'CrashLoopBackOff'),
          kind: 'waiting',
          container: c.name,
          init,
          reason: 'CrashLoopBackOff',
          t: finish,
        });
        facts.push({ id: phaseId('Running'), kind: 'phase', phase: 'Running', t: start });
      }
      timed.push({ t: finish, facts });
    }
  }
  const events = o.events ?? 0;
  for (let j = 0; j < events; j++) {
    const first = T0 + Math.floor(((end - T0) * j) / Math.max(1, events));
    const reason = cycle(EVENT_REASONS, j);
    const ev = (count: number, last: number): Fact => ({
      id: eventId(`ev-${j}`),
      kind: 'event',
      uid: `ev-${j}`,
      reason,
      message: reason === 'FailedScheduling' ? `0/${j} nodes are available` : `${reason} ${j % 7}`,
      type: reason === 'BackOff' ? 'Warning' : 'Normal',
      count,
      first,
      last,
    });
    timed.push({ t: first, facts: [ev(1, first)] });
    const last = first + Math.floor(rnd() * 3_600_000);
    timed.push({ t: last, facts: [ev(2 + Math.floor(rnd() * 50), last)] });
  }
  timed.sort((a, b) => a.t - b.t);
  return timed.map((x) => x.facts);
}
