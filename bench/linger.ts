/**
 * What the forwarder's linger does to the churn trace, per scenario: bus entries per pod
 * lifecycle, what each entry carries (the news that made it), and how long each kind of news
 * waits between its watch line and its PutEvents (the price of lingering). No DynamoDB: the
 * real forwarder (trim, snapshot, delta, buffer, send loop) on a virtual clock at the trace's
 * own times, into a sink that decodes every entry.
 *
 *   node --import tsx bench/linger.ts [--pods 1000] [--linger-seconds 1.5] [--routine-linger-seconds 30] [--json]
 */
import { fileURLToPath } from 'node:url';
import type { Fact } from '../core/facts.ts';
import { DETAIL_TYPE_FACTS, factsOfDetail, PodFactsDetail } from '../core/pod-facts.ts';
import { DEFAULT_LINGER_MS } from '../forwarder/flags.ts';
import { Forwarder, type ForwarderConfig } from '../forwarder/forwarder.ts';
import { slimPod, trimPod } from '../forwarder/pipeline/trim.ts';
import type { Entry, Sink, SinkResult } from '../forwarder/sinks.ts';
import { churnTimed, type Scenario, type WatchLine } from '../testkit/churn.ts';
import { benchForwarder, dummyKubeConfig, sendUntil } from './forwarder.ts';

/** The news one entry carries, as short labels (sorted, joined): what made it. */
export function newsOf(facts: readonly Fact[], first: boolean): string[] {
  const out = new Set<string>();
  if (first) out.add('first');
  for (const f of facts) {
    switch (f.kind) {
      case 'mark':
        out.add(f.mark === 'deletedAt' ? 'terminating' : f.mark);
        break;
      case 'run':
        if (f.startedAt !== null) out.add(f.ordinal ? 'restarted' : 'started');
        if (f.term) out.add(`exit:${f.term.reason ?? '?'}`);
        // A container's third termination: restartCount 3 follows it (the crash-loop alert's default).
        if (f.term && !f.init && f.ordinal === 2) out.add('crash#3');
        break;
      case 'waiting':
        out.add(`waiting:${f.reason}`);
        break;
      case 'phase':
        out.add(`phase:${f.phase}`);
        break;
      case 'deleted':
        out.add('deleted');
        break;
      case 'unschedulable':
        out.add('unschedulable');
        break;
      case 'event':
        out.add(`event:${f.reason}`);
        break;
      default:
        break;
    }
  }
  return [...out].sort();
}

/** The scenario of a churn pod, from its own watch lines (the generator does not say). */
function scenarioOf(lines: WatchLine[]): Scenario {
  let s: Scenario = 'healthy';
  for (const l of lines) {
    const o = l.object as {
      metadata: { ownerReferences?: { kind: string }[] };
      status?: {
        phase?: string;
        conditions?: { type: string; status: string }[];
        containerStatuses?: { state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }[];
      };
    };
    const st = o.status;
    const job = o.metadata.ownerReferences?.[0]?.kind === 'Job';
    if (job) s = st?.phase === 'Failed' ? 'jobfail' : 'job';
    if (st?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'))
      return 'unschedulable';
    for (const cs of st?.containerStatuses ?? []) {
      const w = cs.state?.waiting?.reason;
      if (w === 'ErrImagePull' || w === 'ImagePullBackOff') return 'imagepull';
      const t = cs.state?.terminated?.reason;
      if (t === 'OOMKilled') return 'oom';
      if (w === 'CrashLoopBackOff') s = 'crashloop';
    }
  }
  return s;
}

export interface LingerRun {
  pods: number;
  lifecycles: number;
  entries: number;
  byScenario: Record<string, { pods: number; entries: number; deleted: number; entriesDeleted: number }>;
  /** Entries by the news they carry, per scenario. */
  news: Record<string, Record<string, number>>;
  /** Seconds from a news item's watch line to the PutEvents that carried it: p50, p99, max, per label. */
  delay: Record<string, { n: number; p50: number; p99: number; max: number }>;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number) : 0;
};

/** The churn trace (seed 42, as bench/ingest.ts) through the real forwarder with this config. */
export async function lingerRun(
  pods: number,
  config: Partial<ForwarderConfig> = {},
  shares?: Parameters<typeof churnTimed>[0]['shares'],
): Promise<LingerRun> {
  let t = Date.parse('2026-11-01T08:00:00Z');
  const perUid = new Map<string, number>();
  const news: Record<string, Record<string, number>> = {};
  const delays: Record<string, number[]> = {};
  const linesOf = new Map<string, WatchLine[]>();
  /** Per uid, per news label: when the watch line that first showed it came. */
  const seenAt = new Map<string, Map<string, number>>();
  const sentNews: { uid: string; labels: string[]; at: number }[] = [];
  const sink: Sink = {
    name: 'linger-bench',
    async put(entries: Entry[]): Promise<SinkResult> {
      for (const e of entries) {
        if (e.DetailType !== DETAIL_TYPE_FACTS) continue;
        const d = PodFactsDetail.parse(JSON.parse(e.Detail));
        const n = perUid.get(d.uid) ?? 0;
        perUid.set(d.uid, n + 1);
        sentNews.push({ uid: d.uid, labels: newsOf(factsOfDetail(d), n === 0), at: t });
      }
      return { failed: [] };
    },
  };
  const kubeConfig = dummyKubeConfig();
  const clock = {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
  const fwd = benchForwarder({ cluster: 'linger', bus: 'podlife', payload: 'facts', ...config }, sink, clock);
  // What each line is news of, by the ledger of a forwarder with no linger (the same facts).
  const probe = new Forwarder(
    { cluster: 'linger', bus: 'podlife', payload: 'facts', lingerMs: 0 },
    { kubeConfig, sink: { name: 'probe', put: async () => ({ failed: [] }) }, now: () => t },
  );
  // One batch of pods (churnTimed's `batch`): later batches would start before the first ends,
  // and their lines would reach the forwarder "in the past", all at one instant.
  for (const [at, line] of churnTimed({ pods, seed: 42, batch: pods, ...(shares ? { shares } : {}) })) {
    await sendUntil(fwd, clock, at);
    t = Math.max(t, at);
    const obj = JSON.parse(JSON.stringify(line.object)) as Record<string, unknown>;
    const uid = (obj.metadata as { uid: string }).uid;
    const ls = linesOf.get(uid) ?? [];
    ls.push(line);
    linesOf.set(uid, ls);
    const first = !probe.encoder.ledger.isLive(uid) && !probe.encoder.ledger.isDeleted(uid);
    const p = trimPod(JSON.parse(JSON.stringify(line.object)));
    const snapFacts = probeDelta(probe, line.type, p);
    if (snapFacts) {
      const seen = seenAt.get(uid) ?? new Map<string, number>();
      seenAt.set(uid, seen);
      for (const l of newsOf(snapFacts, first)) if (!seen.has(l)) seen.set(l, t);
    }
    const trimmed = trimPod(obj);
    fwd.onPod(line.type, trimmed);
    if (line.type !== 'DELETED') slimPod(trimmed);
    while (fwd.sender.nextSendIn() === 0) await fwd.sender.sendOnce();
  }
  await sendUntil(fwd, clock);
  const scen = new Map<string, Scenario>();
  for (const [uid, ls] of linesOf) scen.set(uid, scenarioOf(ls));
  const delivered = new Map<string, Set<string>>();
  for (const s of sentNews) {
    const sc = scen.get(s.uid) ?? 'healthy';
    const key = s.labels.join(' ');
    news[sc] ??= {};
    const bucket = news[sc];
    bucket[key] = (bucket[key] ?? 0) + 1;
    const done = delivered.get(s.uid) ?? new Set<string>();
    delivered.set(s.uid, done);
    for (const l of s.labels) {
      if (done.has(l)) continue;
      done.add(l);
      const seen = seenAt.get(s.uid)?.get(l);
      if (seen === undefined) continue;
      const label = l.startsWith('event:') ? 'event' : l;
      delays[label] ??= [];
      delays[label].push((s.at - seen) / 1000);
    }
  }
  const byScenario: LingerRun['byScenario'] = {};
  for (const [uid, sc] of scen) {
    const b = byScenario[sc] ?? { pods: 0, entries: 0, deleted: 0, entriesDeleted: 0 };
    byScenario[sc] = b;
    b.pods++;
    b.entries += perUid.get(uid) ?? 0;
    if (linesOf.get(uid)?.some((l) => l.type === 'DELETED')) {
      b.deleted++;
      b.entriesDeleted += perUid.get(uid) ?? 0;
    }
  }
  const delay: LingerRun['delay'] = {};
  for (const [k, xs] of Object.entries(delays).sort(([a], [b]) => a.localeCompare(b)))
    delay[k] = { n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: Math.max(...xs) };
  const entries = [...perUid.values()].reduce((a, b) => a + b, 0);
  return { pods, lifecycles: linesOf.size, entries, byScenario, news, delay };
}

/** The facts a line is news of, through a forwarder with no linger (its ledger). */
function probeDelta(probe: Forwarder, type: WatchLine['type'], trimmed: unknown): Fact[] | undefined {
  const before = probe.sender.size;
  probe.onPod(type, trimmed);
  if (probe.sender.size === before) return undefined;
  const it = [...probe.sender.buffer.ready(true)].at(-1);
  if (!it) return undefined;
  probe.sender.buffer.remove(it);
  return it.facts ? [...it.facts] : undefined;
}

function report(r: LingerRun): string {
  const lines: string[] = [];
  lines.push(
    `pods ${r.pods}, entries ${r.entries}, entries per lifecycle ${(r.entries / r.lifecycles).toFixed(2)}`,
  );
  for (const [sc, b] of Object.entries(r.byScenario).sort(([a], [b2]) => a.localeCompare(b2))) {
    const del = b.deleted ? `, deleted ${b.deleted}: ${(b.entriesDeleted / b.deleted).toFixed(2)}` : '';
    lines.push(
      `  ${sc.padEnd(14)} pods ${String(b.pods).padStart(5)}  entries/pod ${(b.entries / b.pods).toFixed(2)}${del}`,
    );
    const top = Object.entries(r.news[sc] ?? {}).sort((a, b2) => b2[1] - a[1]);
    for (const [k, n] of top.slice(0, 12)) lines.push(`      ${String(n).padStart(5)}  ${k}`);
  }
  lines.push('  delay from watch line to PutEvents, seconds (n, p50, p99, max):');
  for (const [k, d] of Object.entries(r.delay))
    lines.push(
      `    ${k.padEnd(28)} ${String(d.n).padStart(6)} ${d.p50.toFixed(1).padStart(6)} ${d.p99.toFixed(1).padStart(6)} ${d.max.toFixed(1).padStart(6)}`,
    );
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const pods = arg('--pods') ?? 1000;
  const linger = arg('--linger-seconds');
  const routine = arg('--routine-linger-seconds');
  const config: Partial<ForwarderConfig> = {
    lingerMs: linger === undefined ? DEFAULT_LINGER_MS : linger * 1000,
    ...(routine === undefined ? {} : { routineLingerMs: routine * 1000 }),
  };
  const r = await lingerRun(pods, config);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else console.log(report(r));
}
