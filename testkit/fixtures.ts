/**
 * Loading the real fixtures in tests: parse JSON, JSON lines or (multi-document) YAML, resolve
 * is-healthy's `@now-5m` placeholders against a fixed instant, and turn the objects into
 * snapshots and events with the same decoder the CLI uses.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { decodeObject, isList, itemKindOf } from '../core/decode.ts';
import { LifecycleEngine } from '../core/engine.ts';
import type { CompactEvent, PodSnapshot } from '../core/snapshot.ts';
import { churnLines } from './churn.ts';
import { gatedPod, initCrashLoopPods, sidecarCrashLoopPods } from './modern-pods.ts';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'real');

/** The instant is-healthy's `@now-…` placeholders are resolved against. */
export const TEMPLATE_NOW = Date.parse('2024-11-20T12:00:00Z');
/** When tests "receive" fixtures (decodeObject's `now`, the upper bound of their times). */
export const RECEIVED_AT = Date.parse('2030-01-01T00:00:00Z');
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function resolveTemplates(value: unknown): unknown {
  if (typeof value === 'string') {
    const m = /^@now(?:-(\d+)([smhd]))?$/.exec(value);
    return m
      ? new Date(TEMPLATE_NOW - (m[1] && m[2] ? Number(m[1]) * (UNIT_MS[m[2]] ?? 0) : 0))
          .toISOString()
          .replace('.000Z', 'Z')
      : value;
  }
  if (Array.isArray(value)) return value.map(resolveTemplates);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplates(v)]));
  }
  return value;
}

/** Every top-level object of a fixture file (Lists expanded, with their item kind). */
export function fixtureObjects(file: string): { value: unknown; itemKind?: string | undefined }[] {
  const text = readFileSync(join(FIXTURES_DIR, file), 'utf8');
  let docs: unknown[];
  if (file.endsWith('.jsonl'))
    docs = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
  else if (file.endsWith('.json')) docs = [JSON.parse(text)];
  else docs = parseAllDocuments(text).map((d) => d.toJS());
  const out: { value: unknown; itemKind?: string | undefined }[] = [];
  for (const d of docs.map(resolveTemplates)) {
    if (isList(d)) for (const item of d.items) out.push({ value: item, itemKind: itemKindOf(d) });
    else if (d != null) out.push({ value: d });
  }
  return out;
}

export type Input =
  | { kind: 'snapshot'; snapshot: PodSnapshot }
  | { kind: 'event'; cluster: string; event: CompactEvent };

/** A fixture's Pods and pod Events as decoded inputs (other kinds skipped), in file order. */
export function fixtureInputs(file: string, cluster = 'test'): Input[] {
  const out: Input[] = [];
  for (const { value, itemKind } of fixtureObjects(file)) {
    const kind = (value as { kind?: string }).kind;
    if (kind && kind !== 'Pod' && kind !== 'Event') continue;
    const d = decodeObject(value, { cluster, now: RECEIVED_AT }, itemKind);
    if (d.kind === 'snapshot' || d.kind === 'event') out.push(d);
  }
  return out;
}

/** Feeds inputs to a fresh engine. */
export function engineOf(inputs: readonly Input[]): LifecycleEngine {
  const e = new LifecycleEngine();
  for (const i of inputs) {
    if (i.kind === 'snapshot') e.applySnapshot(i.snapshot);
    else e.applyEvent(i.cluster, i.event);
  }
  return e;
}

/** Seconds between two literal timestamps: expectations are written in the fixture's own times. */
export function secs(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}

/** A generated churn stream (every scenario, one no-op update per healthy pod), decoded. */
export function churnInputs(seed: number, pods: number): Input[] {
  return churnLines({ pods, seed, batch: pods, noopUpdates: 1 }).map(
    (l) => decodeObject(l, { cluster: 'gen', now: RECEIVED_AT }) as Input,
  );
}

/** The streams the property tests run on: the real multi-snapshot fixtures, and generated churn. */
export function propertyStreams(): [string, Input[]][] {
  return [
    [
      'raw 2016 API watch (4 snapshots of one pod)',
      fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl'),
    ],
    ['kspan recording (pods + events)', fixtureInputs('kspan__deployment-2-pods-recorded-stream.yaml')],
    [
      'minikube PodList + EventList (FailedScheduling)',
      [
        ...fixtureInputs('devops2-volodymyr__minikube-default-podlist.json'),
        ...fixtureInputs('devops2-volodymyr__minikube-default-eventlist.json'),
      ],
    ],
    [
      'the two captures of one kind pod (1.34 crash loop, 1.35 between restarts) and the gitops my-pod family',
      [
        ...fixtureInputs('gitops-engine__pod-crashloop.yaml'),
        ...fixtureInputs('gitops-engine__pod-error.yaml'),
        ...fixtureInputs('nri-kubernetes__1_34-pods.yaml'),
        ...fixtureInputs('nri-kubernetes__1_35-pods.yaml'),
      ],
    ],
    [
      'EKS 1.31 aws-node and coredns pods + their Events (init container, sandbox ready, pulls, a FailedScheduling series)',
      [
        ...fixtureInputs('eks-ecommerce__kube-system-podlist.json'),
        ...fixtureInputs('eks-ecommerce__kube-system-eventlist.json'),
      ],
    ],
    ['generated churn: 30 pods, every scenario', churnInputs(7, 30)],
    [
      'issue 11: a crash-looping native sidecar, an init container in a crash loop, a gated pod',
      [...sidecarCrashLoopPods(), ...initCrashLoopPods(), gatedPod()].map(
        (p) => decodeObject(p, { cluster: 'test', now: RECEIVED_AT }) as Input,
      ),
    ],
  ];
}
