/**
 * Issue 11, the demo's CONSTRUCTED pods (demo/constructed/, not real: its README says what
 * each field is from): a scheduling-gated pod that stays gated, the same pod released and
 * started, and a minute-scale image pull. Every figure is pinned table-driven, worked out by
 * hand from the literal timestamps and messages of the files (the comment beside each); none
 * is copied from the engine's output. The same pods in demo/trace.jsonl give the same figures
 * (the build shifts them by zero), and the gated one is stuck at the trace's end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pendingTable } from '../../cli/format-query.ts';
import { decodeObject, isList, itemKindOf } from '../../core/decode.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { openedMessage, stuckPendingAlertOf } from '../../model/alerts.ts';
import { podItemOf } from '../../model/pod-item.ts';
import { pendingPodOf } from '../../model/pod-rows.ts';
import { engineOf, type Input, RECEIVED_AT, secs } from '../../testkit/fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CONSTRUCTED = join(ROOT, 'demo', 'constructed');

function inputsOf(file: string, cluster = 'demo'): Input[] {
  const doc = JSON.parse(readFileSync(join(CONSTRUCTED, file), 'utf8'));
  expect(isList(doc)).toBe(true);
  const out: Input[] = [];
  for (const item of doc.items) {
    const d = decodeObject(item, { cluster, now: RECEIVED_AT }, itemKindOf(doc));
    if (d.kind === 'snapshot' || d.kind === 'event') out.push(d);
  }
  return out;
}

/** The demo trace's inputs (every line), as `npm start` and `podlife replay` read them. */
function traceInputs(): Input[] {
  return readFileSync(join(ROOT, 'demo', 'trace.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => decodeObject(JSON.parse(l), { cluster: 'demo', now: RECEIVED_AT }))
    .filter((d): d is Input => d.kind === 'snapshot' || d.kind === 'event');
}

function recordsOf(inputs: readonly Input[], now?: number): PodRecord[] {
  const e = engineOf(inputs);
  return e.records({ now: now ?? e.latestTime!, stuckAfterSeconds: 300 });
}

function recordOf(inputs: readonly Input[], name: string, now?: number): PodRecord {
  const rs = recordsOf(inputs, now).filter((r) => r.name === name && r.namespace === 'constructed');
  expect(rs).toHaveLength(1);
  return rs[0]!;
}

/**
 * The trace's "now" (a replay's): its latest observed time, 2026-11-03T00:33:18Z, in the kspan
 * rollout (its 00:33:48 deletionTimestamp is a deadline, 30 s ahead, not an observation).
 */
const TRACE_NOW = Date.parse('2026-11-03T00:33:18Z');

const HELD = 'gated-test-pod.json';
const RELEASED = 'gated-test-pod-ungated.json';
const SLOW = 'slow-pull-model-server.json';

describe('constructed/test-pod: created gated, example.com/foo removed, still gated', () => {
  const C = '2026-11-02T08:21:00Z';
  // Its own "now" (the file's latest time, its creation) and the trace's (16h12m18s later).
  const alone = recordOf(inputsOf(HELD), 'test-pod');
  const inTrace = recordOf(traceInputs(), 'test-pod');

  it.each<[string, keyof PodRecord, unknown]>([
    // kubectl: a PodScheduled condition with reason SchedulingGated → STATUS SchedulingGated.
    ['status', 'status', 'SchedulingGated'],
    ['phase', 'phase', 'Pending'],
    // The latest snapshot (resourceVersion 81377) has only example.com/bar left.
    ['gates', 'schedulingGates', ['example.com/bar']],
    // A gated pod waits for its gates, not for the scheduler: no scheduler message.
    ['no scheduler message', 'unschedulableMessage', null],
    ['no node', 'node', null],
    // READY 0/1: one container, no status.
    ['ready', 'ready', { ready: 0, total: 1 }],
    ['kubectl RESTARTS', 'kubectlRestarts', 0],
    ['never scheduled', 'scheduledAfterSeconds', null],
    ['no sandbox', 'sandboxReadyAfterSeconds', null],
    ['no containers listed', 'containerStartups', []],
    ['no pull', 'imagePullSeconds', null],
    ['SLI', 'startupSliSeconds', null],
    // The SLI's exclusions in order: no init containers, stateless (projected volume only), then gated.
    ['SLI exclusion', 'startupSliExcludedReason', 'schedulingGated'],
  ])('%s', (_, key, want) => {
    expect(alone[key]).toStrictEqual(want);
    expect(inTrace[key]).toStrictEqual(want);
  });

  it('stuck at the trace’s end (16h12m18s > 300 s), not at its own creation', () => {
    expect(alone.stuckPending).toBe(false); // now = 08:21:00 = creation: 0 s
    expect(inTrace.stuckPending).toBe(true);
    expect(engineOf(traceInputs()).latestTime).toBe(TRACE_NOW);
    expect(secs(C, '2026-11-03T00:33:18Z')).toBe(58_338); // 16 h 12 min 18 s
  });

  it('the pending list and the stuck-Pending alert say it is gated, by the gate left', () => {
    const e = engineOf(traceInputs());
    const facts = e
      .factMaps()
      .find((m) =>
        [...m.values()].some(
          (f) => f.kind === 'pod' && f.name === 'test-pod' && f.namespace === 'constructed',
        ),
      )!;
    const item = podItemOf(facts, 1, { retentionDays: 30, now: TRACE_NOW })!;
    const row = pendingPodOf(item, TRACE_NOW, { defaultSeconds: 300, overrides: {} });
    expect([row.schedulingGates, row.ageSeconds, row.stuck]).toEqual([['example.com/bar'], 58_338, true]);
    expect(pendingTable([row])).toMatch(/SchedulingGated\s.*gates: example\.com\/bar/);
    const msg = openedMessage(stuckPendingAlertOf(row, TRACE_NOW));
    expect(msg.subject).toContain('Stuck Pending: constructed/test-pod');
    expect(msg.body).toMatch(/Gated by:\s+example\.com\/bar \(SchedulingGated\)/);
  });
});

describe('constructed/test-pod-ungated: both gates removed, bound 95 s after creation, started', () => {
  const C = '2026-11-02T08:22:00Z';
  const r = recordOf(inputsOf(RELEASED), 'test-pod-ungated');
  const inTrace = recordOf(traceInputs(), 'test-pod-ungated');

  it.each<[string, keyof PodRecord, unknown]>([
    ['status', 'status', 'Running'],
    ['node', 'node', 'worker-a'],
    // Scheduled: no gate holds it back any more.
    ['gates', 'schedulingGates', null],
    ['no scheduler message', 'unschedulableMessage', null],
    // PodScheduled=True 08:23:35 − created 08:22:00 = 95.
    ['scheduled', 'scheduledAfterSeconds', secs(C, '2026-11-02T08:23:35Z')],
    // A kubelet 1.27 writes no PodReadyToStartContainers: the sandbox stage is not known.
    ['sandbox', 'sandboxReadyAfterSeconds', null],
    // Initialized 08:23:35 → 95 (no init containers: initSeconds null).
    ['initialized', 'initializedAfterSeconds', 95],
    ['init', 'initSeconds', null],
    // pause running.startedAt 08:23:37 → 97.
    ['pending', 'pendingSeconds', secs(C, '2026-11-02T08:23:37Z')],
    ['containers started', 'containersStartedAfterSeconds', 97],
    // Ready and ContainersReady 08:23:38 → 98.
    ['containers ready', 'containersReadyAfterSeconds', 98],
    ['ready', 'timeToReadySeconds', 98],
    // "in 1.084211713s": the older wording, read to the millisecond → 1.084.
    ['image pulls', 'imagePullSeconds', 1.084],
    // Stateless, no init containers, but held by gates: outside the SLI as gated.
    ['SLI', 'startupSliSeconds', null],
    ['SLI exclusion', 'startupSliExcludedReason', 'schedulingGated'],
    ['not stuck', 'stuckPending', false],
  ])('%s', (_, key, want) => {
    expect(r[key]).toStrictEqual(want);
    expect(inTrace[key]).toStrictEqual(want);
  });

  it('per container: the older Pulled wording has no wait and no size', () => {
    expect(r.containerStartups).toStrictEqual([
      {
        container: 'pause',
        role: 'app',
        image: 'registry.k8s.io/pause:3.6',
        pullSeconds: 1.084,
        pullWaitSeconds: null,
        imageSizeBytes: null,
        startedAfterSeconds: 97,
      },
    ]);
  });

  it('the timeline shows the gate, then the scheduling 95 s later', () => {
    const kinds = r.timeline.map((e) => [e.type, e.reason ?? null, e.at]);
    expect(kinds).toContainEqual(['Unschedulable', 'SchedulingGated', '2026-11-02T08:22:00.000Z']);
    expect(kinds).toContainEqual(['Scheduled', null, '2026-11-02T08:23:35.000Z']);
  });
});

describe('constructed/model-server-…: a minute-scale pull (1m12.5s), then a 2.104 s one', () => {
  const C = '2026-11-02T08:23:00Z';
  const r = recordOf(inputsOf(SLOW), 'model-server-7c9d5b6f4-x2xkq');
  const inTrace = recordOf(traceInputs(), 'model-server-7c9d5b6f4-x2xkq');

  it.each<[string, keyof PodRecord, unknown]>([
    ['status', 'status', 'Running'],
    ['owner', 'owner', { kind: 'Deployment', name: 'model-server' }],
    ['node', 'node', 'worker-b'],
    ['ready', 'ready', { ready: 2, total: 2 }],
    // PodScheduled=True 08:23:00 = creation → 0.
    ['scheduled', 'scheduledAfterSeconds', 0],
    // PodReadyToStartContainers 08:23:01 → 1.
    ['sandbox', 'sandboxReadyAfterSeconds', secs(C, '2026-11-02T08:23:01Z')],
    // Initialized 08:23:00 → 0.
    ['initialized', 'initializedAfterSeconds', 0],
    // server started 08:24:14 → 74: the first app container's start.
    ['pending', 'pendingSeconds', secs(C, '2026-11-02T08:24:14Z')],
    // every app container started: the later of server 08:24:14 and metrics 08:24:16 → 76.
    ['containers started', 'containersStartedAfterSeconds', 76],
    // Ready, ContainersReady 08:24:17 → 77.
    ['containers ready', 'containersReadyAfterSeconds', 77],
    ['ready seconds', 'timeToReadySeconds', 77],
    // "in 1m12.5s" = 72.5 s, plus "in 2.104s" = 74.604 s.
    ['image pulls', 'imagePullSeconds', 74.604],
    // The SLI: creation → all started (76 s) minus the pulling span, first pull's start →
    // last pull's end. server's Pulled at 08:24:13 began 72.5 s (its "including waiting") before:
    // 08:23:00.5; metrics' Pulled ends at 08:24:16. Span 75.5 s; 76 − 75.5 = 0.5 s.
    ['SLI', 'startupSliSeconds', 0.5],
    ['SLI applies', 'startupSliExcludedReason', null],
  ])('%s', (_, key, want) => {
    expect(r[key]).toStrictEqual(want);
    expect(inTrace[key]).toStrictEqual(want);
  });

  it('per container: pull, wait (total − pull = 0) and size from the current wording', () => {
    expect(r.containerStartups).toStrictEqual([
      {
        container: 'metrics',
        role: 'app',
        image: 'prom/statsd-exporter:v0.28.0',
        pullSeconds: 2.104,
        pullWaitSeconds: 0,
        imageSizeBytes: 11274380,
        startedAfterSeconds: 76, // running.startedAt 08:24:16
      },
      {
        container: 'server',
        role: 'app',
        image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
        pullSeconds: 72.5,
        pullWaitSeconds: 0,
        imageSizeBytes: 3170371543,
        startedAfterSeconds: 74, // running.startedAt 08:24:14
      },
    ]);
  });
});

describe('order and duplicate independence of the constructed pods’ figures', () => {
  it.each([HELD, RELEASED, SLOW])('%s: any order, any duplicates → the same records', (file) => {
    const base = inputsOf(file);
    const now = TRACE_NOW;
    const expected = recordsOf(base, now);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }),
        fc.array(fc.nat(base.length - 1), { maxLength: 8 }),
        (shuffled, dups) => {
          expect(recordsOf([...shuffled, ...dups.map((i) => base[i]!)], now)).toStrictEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
