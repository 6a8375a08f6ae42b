/**
 * Builds demo/trace.jsonl, the bundled demo trace, from the real fixtures in
 * test/fixtures/real/ and, clearly apart, the three constructed pods of demo/constructed/ (what
 * no published object shows; see demo/README.md and demo/constructed/README.md).
 *
 *   node --import tsx demo/build-trace.ts            # rewrite demo/trace.jsonl
 *   node --import tsx demo/build-trace.ts --check    # exit 1 if the file is stale
 *
 * Each source is shifted in time as a whole so that all of them fall into one demo morning;
 * a shift moves every timestamp of a source by the same amount, so every duration is exactly
 * the one the real cluster recorded. Nothing else in the objects is changed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'real');
/** Constructed objects (not real: demo/constructed/README.md says what each field is from). */
const CONSTRUCTED = join(ROOT, 'demo', 'constructed');
const OUT = join(ROOT, 'demo', 'trace.jsonl');

/** The demo morning: the first source's first pod is created at this instant. */
const T0 = Date.parse('2026-11-02T08:00:00Z');
/** Sources start this far apart. */
const SPACING_MS = 60_000;
/** is-healthy's `@now-…` placeholders are resolved against this instant of the source's own time. */
const TEMPLATE_NOW = Date.parse('2024-11-20T12:00:00Z');

interface Source {
  /** Files shifted together (one pod's snapshots, or pods with their events). */
  files: string[];
  /** The instant `@now` placeholders mean in this source's own time (default TEMPLATE_NOW). */
  templateNow?: string;
  /** Keep only pods (and their events) of these namespaces. */
  namespaces?: string[];
  /** Read from demo/constructed/ (constructed objects), not test/fixtures/real/. */
  constructed?: true;
  why: string;
}

/** In this order; each gets its own start minute. */
export const SOURCES: Source[] = [
  {
    files: ['pandaychen-blog__api-watch-pods-2016.jsonl'],
    why: 'a real raw watch: Pending → ContainerCreating → Running+Ready',
  },
  {
    files: ['kspan__deployment-2-pods-recorded-stream.yaml'],
    why: 'a recorded rollout: pods, Scheduled/Pulling/Pulled/Started/Killing events',
  },
  {
    files: [
      'devops2-volodymyr__minikube-default-podlist.json',
      'devops2-volodymyr__minikube-default-eventlist.json',
    ],
    why: 'StatefulSet redis pods; FailedScheduling (unbound PVC) 2 s before Scheduled',
  },
  {
    files: ['gitops-engine__pod-error.yaml', 'gitops-engine__pod-crashloop.yaml'],
    why: 'one pod twice: between restarts (terminated Error), then CrashLoopBackOff',
  },
  { files: ['gitops-engine__pod-imagepullbackoff.yaml'], why: 'ImagePullBackOff, stuck Pending' },
  { files: ['gitops-engine__pod-pending.yaml'], why: 'PodInitializing, stuck Pending' },
  { files: ['gitops-engine__pod-running-not-ready.yaml'], why: 'Running, never Ready' },
  { files: ['gitops-engine__pod-failed.yaml'], why: 'Failed, Error exit 1' },
  {
    files: ['is-healthy__container-creating.yaml'],
    // A copy of gitops-engine's 2018 pod with creation templated as @now-5m: resolved so that
    // creation is its own PodScheduled time.
    templateNow: '2018-12-02T10:21:04Z',
    why: 'ContainerCreating',
  },
  { files: ['is-healthy__pod-crashloop-pending.yaml'], why: 'init container crash loop' },
  { files: ['is-healthy__start-error.yaml'], why: 'StartError exit 128' },
  { files: ['is-healthy__evicted.yaml'], why: 'Evicted' },
  {
    files: ['is-healthy__pod-terminating.yaml'],
    // deletionTimestamp is templated @now-5m: resolved to the container's own kill time.
    templateNow: '2024-07-01T08:57:52Z',
    why: 'Terminating, exit 137',
  },
  {
    files: ['is-healthy__oomkilled-unhealthy.yaml'],
    why: 'OOMKilled, 9 restarts (templated times resolved)',
  },
  {
    files: ['insights-operator__router-default-unschedulable.json'],
    why: 'Unschedulable: no free ports, taints',
  },
  { files: ['insights-operator__auditlog-retention-job-failed.json'], why: 'Job pod Failed, exit 3' },
  { files: ['insights-operator__etcd-master-0-init-restarts.json'], why: 'two init containers, restarts' },
  { files: ['k9s__po-sidecar-init.json'], why: 'restartable init (sidecar)' },
  { files: ['k8s-website__debug-running-pod__nginx-pod.yaml'], why: 'the docs nginx pod' },
  {
    files: ['nri-kubernetes__1_34-pods.yaml'],
    namespaces: ['scraper'],
    why: 'kind 1.34: Jobs, crash loop, Unschedulable, workloads',
  },
  {
    files: ['eks-ecommerce__kube-system-podlist.json', 'eks-ecommerce__kube-system-eventlist.json'],
    why: 'EKS 1.31: init container and three image pulls (7.61 s of a 12 s start); coredns waiting 4m6s for a node',
  },
  // CONSTRUCTED, not real (nothing published shows them with status and timestamps): their
  // times are written on their own minute, so the shift is zero and the files' literal times
  // are the trace's.
  {
    files: ['gated-test-pod.json'],
    constructed: true,
    why: 'constructed: the docs’ gated test-pod, one gate removed, still gated (SchedulingGated, stuck)',
  },
  {
    files: ['gated-test-pod-ungated.json'],
    constructed: true,
    why: 'constructed: the same spec, both gates removed after 95 s, scheduled, started (older Pulled wording)',
  },
  {
    files: ['slow-pull-model-server.json'],
    constructed: true,
    why: 'constructed: a minute-scale pull, "in 1m12.5s (1m12.5s including waiting). Image size: … bytes."',
  },
];

const TIME_KEYS = new Set([
  'creationTimestamp',
  'deletionTimestamp',
  'lastTransitionTime',
  'lastProbeTime',
  'startedAt',
  'finishedAt',
  'startTime',
  'firstTimestamp',
  'lastTimestamp',
  'eventTime',
  'lastObservedTime',
]);
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function resolveTemplate(v: unknown, now: number): unknown {
  if (typeof v !== 'string') return v;
  const m = /^@now(?:-(\d+)([smhd]))?$/.exec(v);
  if (!m) return v;
  return new Date(now - (m[1] ? Number(m[1]) * UNIT_MS[m[2]] : 0)).toISOString().replace('.000Z', 'Z');
}

/** Resolves `@now…` placeholders in an object tree. */
function resolveTemplates(value: unknown, now: number): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveTemplates(v, now));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveTemplates(resolveTemplate(v, now), now)]),
    );
  }
  return value;
}

/** Applies `fn` to every real time field (by key) in an object tree, returning a new tree. */
function mapTimes(value: unknown, fn: (iso: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapTimes(v, fn));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const real = typeof v === 'string' && /^\d{4}-/.test(v) && Date.parse(v) > 946684800000;
      out[k] = TIME_KEYS.has(k) && real ? fn(v) : mapTimes(v, fn);
    }
    return out;
  }
  return value;
}

function times(value: unknown, acc: number[] = []): number[] {
  mapTimes(value, (iso) => {
    acc.push(Date.parse(iso));
    return iso;
  });
  return acc;
}

function shiftIso(iso: string, delta: number): string {
  const fraction = /\.(\d+)Z$/.exec(iso)?.[1];
  const shifted = new Date(Date.parse(iso) + delta).toISOString();
  if (!fraction) return shifted.replace(/\.\d{3}Z$/, 'Z');
  return shifted.replace(/\.\d{3}Z$/, `.${(fraction + '000000000').slice(0, fraction.length)}Z`);
}

function objectsOf(file: string, dir: string = FIXTURES): Record<string, unknown>[] {
  const text = readFileSync(join(dir, file), 'utf8');
  let docs: unknown[];
  if (file.endsWith('.jsonl'))
    docs = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).object);
  else if (file.endsWith('.json')) docs = [JSON.parse(text)];
  else docs = parseAllDocuments(text).map((d) => d.toJS());
  const out: Record<string, unknown>[] = [];
  for (const d of docs as Record<string, unknown>[]) {
    if (!d) continue;
    if (Array.isArray(d.items)) {
      const kind = String(d.kind).replace(/List$/, '');
      for (const item of d.items as Record<string, unknown>[])
        out.push({ kind: kind === '' ? item.kind : kind, ...item });
    } else out.push(d);
  }
  return out.filter((o) => o.kind === 'Pod' || o.kind === 'Event' || o.kind === undefined);
}

function namespaceOf(o: Record<string, unknown>): string | undefined {
  const meta = o.metadata as { namespace?: string } | undefined;
  const inv = o.involvedObject as { namespace?: string; kind?: string } | undefined;
  return inv?.namespace ?? meta?.namespace;
}

export function buildTrace(): string {
  const lines: { t: number; seq: number; line: string }[] = [];
  let seq = 0;
  SOURCES.forEach((src, i) => {
    const templateNow = src.templateNow ? Date.parse(src.templateNow) : TEMPLATE_NOW;
    let objects = src.files
      .flatMap((f) => objectsOf(f, src.constructed ? CONSTRUCTED : FIXTURES))
      .map((o) => resolveTemplates(o, templateNow) as Record<string, unknown>);
    if (src.namespaces) objects = objects.filter((o) => src.namespaces!.includes(namespaceOf(o) ?? ''));
    // Events about other kinds (Deployments, Nodes) carry nothing for the pod figures.
    objects = objects.filter(
      (o) => o.kind !== 'Event' || (o.involvedObject as { kind?: string }).kind === 'Pod',
    );
    const all = objects.flatMap((o) => times(o));
    const delta = T0 + i * SPACING_MS - Math.min(...all);
    const seen = new Set<string>();
    for (const o of objects) {
      const shifted = mapTimes(o, (iso) => shiftIso(iso, delta)) as Record<string, unknown>;
      const uid = (o.metadata as { uid?: string }).uid ?? '';
      const type = o.kind === 'Event' || !seen.has(uid) ? 'ADDED' : 'MODIFIED';
      seen.add(uid);
      lines.push({
        t: Math.max(...times(shifted)),
        seq: seq++,
        line: JSON.stringify({ type, object: shifted }),
      });
    }
  });
  lines.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return `${lines.map((l) => l.line).join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = buildTrace();
  if (process.argv.includes('--check')) {
    const current = readFileSync(OUT, 'utf8');
    if (current !== text) {
      console.error('demo/trace.jsonl is stale: run node --import tsx demo/build-trace.ts');
      process.exit(1);
    }
    console.log('demo/trace.jsonl is up to date');
  } else {
    writeFileSync(OUT, text);
    console.log(`wrote ${OUT}: ${text.split('\n').length - 1} watch lines, ${Buffer.byteLength(text)} bytes`);
  }
}
