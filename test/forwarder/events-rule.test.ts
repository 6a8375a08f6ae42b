/**
 * docs/events.md's example rule (OOMKilled in namespace payments → an SNS topic), run exactly
 * as the doc shows it, with the local matcher (event-ruler's semantics), against what the real
 * forwarder sends for the real OOMKilled pod of the fixtures: the default payload is readable,
 * so a user's content rule matches it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Forwarder } from '../../forwarder/forwarder.ts';
import { ForwarderMetrics } from '../../forwarder/metrics.ts';
import { trimPod } from '../../forwarder/pipeline/trim.ts';
import type { Entry, Sink } from '../../forwarder/sinks.ts';
import { compilePattern } from '../../local/event-pattern.ts';
import { fixtureObjects } from '../../testkit/fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The JSON block under the `rule: oomkilled-payments` marker of docs/events.md. */
function docPattern(): unknown {
  const doc = readFileSync(join(ROOT, 'docs', 'events.md'), 'utf8');
  const m = /<!-- rule: oomkilled-payments[^>]*-->\s*```json\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/events.md: no oomkilled-payments rule block');
  return JSON.parse(m[1]!);
}

type Raw = { metadata: { namespace: string; name: string; uid: string } } & Record<string, unknown>;

function podOf(file: string, namespace: string): Raw {
  const pod = structuredClone(
    fixtureObjects(file).find((o) => (o.value as { kind?: string }).kind === 'Pod')!.value,
  ) as Raw;
  pod.metadata.namespace = namespace;
  return pod;
}

/** The events the default forwarder puts on the bus for these pods, as EventBridge delivers them. */
async function busEventsFor(pods: Raw[]): Promise<Record<string, unknown>[]> {
  const entries: Entry[] = [];
  const sink: Sink = {
    name: 'capture',
    put: async (batch) => {
      entries.push(...batch);
      return { failed: [] };
    },
  };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1' }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  const fwd = new Forwarder(
    { cluster: 'prod-eu-1', bus: 'podlife' },
    { kubeConfig: kc, sink, metrics: new ForwarderMetrics() },
  );
  // As the informer hands them over: trimmed at decode, messages withheld (the default).
  for (const p of pods) fwd.onPod('ADDED', trimPod(p, true));
  await fwd.sender.close(5_000);
  return entries.map((e, i) => ({
    version: '0',
    id: `id-${i}`,
    'detail-type': e.DetailType,
    source: e.Source,
    account: '123456789012',
    time: e.Time,
    region: 'eu-west-1',
    resources: [],
    detail: JSON.parse(e.Detail),
  }));
}

describe("docs/events.md's own rule: OOMKilled in namespace payments", () => {
  const matcher = compilePattern(docPattern());

  it('matches what the forwarder sends for the real OOMKilled pod in payments (readable facts)', async () => {
    const [ev] = await busEventsFor([podOf('is-healthy__oomkilled-unhealthy.yaml', 'payments')]);
    const detail = ev!.detail as {
      factsDeflate?: string;
      facts: { containers: { runs?: { reason: string }[] }[] };
    };
    expect(detail.factsDeflate).toBeUndefined();
    expect(detail.facts.containers.flatMap((c) => c.runs ?? []).map((r) => r.reason)).toContain('OOMKilled');
    expect(matcher.matches(ev)).toBe(true);
  });

  it('does not match the same pod in another namespace, nor a pod in payments that was not OOM-killed', async () => {
    const events = await busEventsFor([
      podOf('is-healthy__oomkilled-unhealthy.yaml', 'mission-control'),
      podOf('gitops-engine__pod-crashloop.yaml', 'payments'),
    ]);
    expect(events).toHaveLength(2);
    for (const ev of events) expect(matcher.matches(ev)).toBe(false);
  });

  it('the compressed form (past 64 KB only) is what a content rule cannot see: a positive control of the matcher', async () => {
    const [ev] = await busEventsFor([podOf('is-healthy__oomkilled-unhealthy.yaml', 'payments')]);
    const { facts: _f, ...rest } = ev!.detail as Record<string, unknown>;
    expect(matcher.matches({ ...ev, detail: { ...rest, factsDeflate: 'AAAA' } })).toBe(false);
  });
});
