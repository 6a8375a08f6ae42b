/**
 * The outside check: small watch traces written by hand (test/fixtures/hand/, one corner case
 * each, see its README), their figures computed by hand from the contract
 * (docs/lifecycle-metrics.md) and from the peers' own rules (kubectl's printPod, the SIG
 * Scalability pod startup SLI), then replayed. Expectations are written from the traces' literal
 * times (`at(s)` is 10:00:00 + s of the traces' morning), never copied from the engine's output.
 */

import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crashLoopColumns, podColumns } from '../../cli/columns.ts';
import { canonicalFacts } from '../../core/facts.ts';
import { lastTermination, PodView } from '../../core/figures.ts';
import { KubePod, MAX_GRACE_PERIOD_SECONDS } from '../../core/kube-schemas.ts';
import { kubectlPodRow } from '../../core/kubectl-status.ts';
import { factsOfDetail, PodFactsDetail, podFactsDetail } from '../../core/pod-facts.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { CompactPod, compactPod } from '../../core/snapshot.ts';
import { checkFactTimes } from '../../core/time-bounds.ts';
import { trimPod } from '../../forwarder/pipeline/trim.ts';
import { podItemOf } from '../../model/pod-item.ts';
import { crashLoopingPodOf } from '../../model/pod-rows.ts';
import { prng } from '../../testkit/churn.ts';
import { engineOf, fixtureInputs, fixtureObjects, type Input } from '../../testkit/fixtures.ts';

/** The traces' own times: 2026-11-02T10:00:00Z + s seconds. */
const at = (s: number) => new Date(Date.parse('2026-11-02T10:00:00Z') + s * 1000).toISOString();

const FILES = [
  'skew.jsonl',
  'pending.jsonl',
  'sidecar.jsonl',
  'init.jsonl',
  'terminal.jsonl',
  'clbo.jsonl',
  'clbo-shuffled.jsonl',
  'sli.jsonl',
  'gated.jsonl',
  'restarts-ago.jsonl',
  'readiness-gate.jsonl',
  'late-seen.jsonl',
  'sidecar-job.jsonl',
  'crashloop-ago.jsonl',
  'deletion.jsonl',
] as const;

const inputsOf = (file: string): Input[] => fixtureInputs(`../hand/${file}`);

/** Replay's records: "now" is the input's end (its latest Kubernetes time), as `podlife replay`. */
function replay(inputs: readonly Input[]): { records: PodRecord[]; now: number } {
  const e = engineOf(inputs);
  const now = e.latestTime ?? 0;
  return { records: e.records({ now, stuckAfterSeconds: 300 }), now };
}

/** The CLI's RESTARTS cell of a record, as `podlife replay` prints it. */
function restartsCell(r: PodRecord, now: number): unknown {
  return podColumns(now)
    .find((c) => c.name === 'RESTARTS')
    ?.value(r);
}

interface Case {
  situation: string;
  file: (typeof FILES)[number];
  pod: string;
  want: Partial<PodRecord>;
  /** kubectl's RESTARTS cell at the input's end. */
  restarts?: string;
  timeline?: Partial<PodRecord['timeline'][number]>[];
}

const CASES: Case[] = [
  {
    situation: 'clock skew: PodScheduled and the start 1 s before creation (clamped to 0)',
    file: 'skew.jsonl',
    pod: 'skew',
    want: {
      scheduledAfterSeconds: 0,
      pendingSeconds: 0,
      initializedAfterSeconds: 0,
      containersStartedAfterSeconds: 0,
      timeToReadySeconds: 1,
      containersReadyAfterSeconds: 1,
      status: 'Running',
      ready: { ready: 1, total: 1 },
    },
  },
  {
    situation: 'never scheduled, still Pending 10 min later',
    file: 'pending.jsonl',
    pod: 'never',
    want: {
      phase: 'Pending',
      pendingSeconds: null,
      stuckPending: true,
      unschedulableMessage: '0/3 nodes are available: 3 Insufficient cpu.',
      status: 'Pending',
      ready: { ready: 0, total: 1 },
      startupSliExcludedReason: 'unschedulable',
      kubectlLastRestartAt: null,
    },
    restarts: '0',
  },
  {
    situation: 'deleted while Pending: pending until the deletion (2 min)',
    file: 'pending.jsonl',
    pod: 'gone',
    want: {
      pendingSeconds: 120,
      deleted: true,
      deletedBy: 'kubernetes',
      status: 'Terminating',
      stuckPending: false,
    },
    timeline: [{ type: 'Deleted', at: at(120) }],
  },
  {
    situation: 'created at the input’s end: not stuck',
    file: 'pending.jsonl',
    pod: 'clock',
    want: { pendingSeconds: null, stuckPending: false, status: 'Pending' },
  },
  {
    situation: 'native sidecar: its restarts count, its start is not the pod’s running',
    file: 'sidecar.jsonl',
    pod: 'sidecar',
    want: {
      restarts: 3,
      kubectlRestarts: 3,
      ready: { ready: 2, total: 2 },
      status: 'Running',
      pendingSeconds: 5,
      initSeconds: 3,
      timeToReadySeconds: 40,
      restartGapsSeconds: [35 - 33, 30 - 25],
      crashLoopBackOffSeconds: 7,
      startupSliExcludedReason: 'initContainers',
      kubectlLastRestartAt: at(33),
    },
    restarts: '3 (7s ago)',
  },
  {
    situation: 'init container in CrashLoopBackOff',
    file: 'init.jsonl',
    pod: 'init-clbo',
    want: {
      status: 'Init:CrashLoopBackOff',
      restarts: 3,
      kubectlRestarts: 3,
      waitingReason: 'CrashLoopBackOff',
      pendingSeconds: null,
      phase: 'Pending',
      ready: { ready: 0, total: 1 },
      kubectlLastRestartAt: at(51),
    },
    restarts: '3 (0s ago)',
  },
  {
    situation: 'first of two init containers running',
    file: 'init.jsonl',
    pod: 'init-run',
    want: { status: 'Init:0/2', restarts: 0, waitingReason: 'PodInitializing' },
  },
  {
    situation:
      'initialized, app container not started: a plain init container’s restarts drop out of kubectl’s',
    file: 'init.jsonl',
    pod: 'init-done',
    want: {
      status: 'PodInitializing',
      restarts: 2,
      kubectlRestarts: 0,
      restartGapsSeconds: [2 - 1],
      initSeconds: 9,
      kubectlLastRestartAt: null,
    },
    restarts: '0',
  },
  {
    situation: 'init container failed, restartPolicy Never',
    file: 'init.jsonl',
    pod: 'init-err',
    want: {
      status: 'Init:Error',
      phase: 'Failed',
      lastTerminationReason: 'Error',
      pendingSeconds: null,
      stuckPending: false,
    },
  },
  {
    situation: 'Job pod completed',
    file: 'terminal.jsonl',
    pod: 'job',
    want: {
      status: 'Completed',
      phase: 'Succeeded',
      ready: { ready: 0, total: 1 },
      scheduledAfterSeconds: 1,
      pendingSeconds: 3,
      timeToReadySeconds: 4,
      lastTerminationReason: 'Completed',
    },
    timeline: [{ type: 'Finished', at: at(10) }],
  },
  {
    situation:
      'evicted by the kubelet (DisruptionTarget): a terminated container’s reason is kubectl’s STATUS',
    file: 'terminal.jsonl',
    pod: 'evicted',
    want: { status: 'Error', statusReason: 'Evicted', phase: 'Failed', lastTerminationReason: 'Error' },
  },
  {
    situation: 'ContainerStatusUnknown (no times): the last termination with a time is the last state’s',
    file: 'terminal.jsonl',
    pod: 'unknown',
    want: { status: 'ContainerStatusUnknown', lastTerminationReason: 'Error', phase: 'Failed' },
  },
  {
    situation: 'a Completed container beside a running one, pod not Ready',
    file: 'terminal.jsonl',
    pod: 'notready',
    want: { status: 'NotReady', ready: { ready: 1, total: 2 } },
  },
  {
    situation: 'running pod being deleted',
    file: 'terminal.jsonl',
    pod: 'terminating',
    want: {
      status: 'Terminating',
      ready: { ready: 1, total: 1 },
      deleted: true,
      pendingSeconds: 4,
      timeToReadySeconds: 5,
    },
  },
  ...(['clbo.jsonl', 'clbo-shuffled.jsonl'] as const).map(
    (file): Case => ({
      situation: `crash loop: OOMKilled, then Error, running again (${file})`,
      file,
      pod: 'clbo',
      want: {
        restarts: 2,
        restartGapsSeconds: [16 - 6, 37 - 17],
        crashLoopBackOffSeconds: 30,
        pendingSeconds: 5,
        lastTerminationReason: 'Error',
        status: 'Running',
        kubectlLastRestartAt: at(17),
      },
      restarts: '2 (20s ago)',
      timeline: [
        { type: 'ContainerTerminated', container: 'app', reason: 'OOMKilled', exitCode: 137, at: at(6) },
      ],
    }),
  ),
  {
    situation: 'startup SLI: creation → all started (9 s) minus the pull span 10:00:01–10:00:08',
    file: 'sli.jsonl',
    pod: 'sli',
    want: {
      scheduledAfterSeconds: 0,
      sandboxReadyAfterSeconds: 1,
      imagePullSeconds: 4 + 2,
      containersStartedAfterSeconds: 9,
      containersReadyAfterSeconds: 10,
      startupSliSeconds: 9 - (8 - (5 - 4)),
      startupSliExcludedReason: null,
      ready: { ready: 2, total: 2 },
    },
  },
  {
    situation: 'gated, then unschedulable, then scheduled',
    file: 'gated.jsonl',
    pod: 'gated',
    want: {
      scheduledAfterSeconds: 30,
      schedulingGates: null,
      unschedulableMessage: '0/1 nodes are available: 1 Insufficient memory.',
      startupSliExcludedReason: 'unschedulable',
      status: 'Running',
    },
  },
  {
    situation: 'still gated',
    file: 'gated.jsonl',
    pod: 'still-gated',
    want: {
      status: 'SchedulingGated',
      schedulingGates: ['example.com/quota'],
      unschedulableMessage: null,
      stuckPending: true,
      startupSliExcludedReason: 'schedulingGated',
    },
  },
  {
    situation: 'gated 400 s, then scheduled at once',
    file: 'gated.jsonl',
    pod: 'gate-then-go',
    want: {
      scheduledAfterSeconds: 400,
      pendingSeconds: 401,
      startupSliExcludedReason: 'schedulingGated',
      schedulingGates: null,
    },
  },
  {
    situation:
      'kubectl RESTARTS: a container that has just died counts from its last state (10:00:20), not its own end',
    file: 'restarts-ago.jsonl',
    pod: 'just-died',
    want: { status: 'Error', kubectlRestarts: 2, kubectlLastRestartAt: at(20) },
    restarts: '2 (35s ago)',
  },
  {
    situation:
      'kubectl RESTARTS: an OnFailure Job pod that failed once, then succeeded, counts from the failure',
    file: 'restarts-ago.jsonl',
    pod: 'retried-job',
    want: { status: 'Completed', kubectlRestarts: 1, kubectlLastRestartAt: at(15) },
    restarts: '1 (40s ago)',
  },
  {
    situation: 'kubectl RESTARTS: a one-shot container’s completion is no restart',
    file: 'restarts-ago.jsonl',
    pod: 'one-shot',
    want: { status: 'NotReady', kubectlRestarts: 1, kubectlLastRestartAt: at(12) },
    restarts: '1 (43s ago)',
  },
  {
    situation: 'readiness gate True 15 s after the containers were ready: Ready waits for it, READY does not',
    file: 'readiness-gate.jsonl',
    pod: 'gate-late',
    want: {
      containersReadyAfterSeconds: 5,
      timeToReadySeconds: 20,
      ready: { ready: 1, total: 1 },
      status: 'Running',
    },
  },
  {
    situation: 'readiness gate never True: never Ready, READY 1/1',
    file: 'readiness-gate.jsonl',
    pod: 'gate-never',
    want: {
      containersReadyAfterSeconds: 5,
      timeToReadySeconds: null,
      ready: { ready: 1, total: 1 },
      status: 'Running',
    },
  },
  {
    situation: 'first seen after two restarts: the first start is unknown, so is the SLI (not 30 − 2 = 28 s)',
    file: 'late-seen.jsonl',
    pod: 'late',
    want: {
      pendingSeconds: 30,
      containersStartedAfterSeconds: null,
      startupSliSeconds: null,
      startupSliExcludedReason: 'notStarted',
      imagePullSeconds: 2,
    },
  },
  {
    situation: 'the same history with its first run seen: started at 4 s, SLI 4 − 2 = 2 s',
    file: 'late-seen.jsonl',
    pod: 'early',
    want: {
      pendingSeconds: 4,
      containersStartedAfterSeconds: 4,
      startupSliSeconds: 2,
      startupSliExcludedReason: null,
    },
  },
  {
    situation: 'run 0 never started (StartError): the first start is run 1’s',
    file: 'late-seen.jsonl',
    pod: 'start-error',
    want: {
      containersStartedAfterSeconds: 15,
      startupSliSeconds: 15 - 2,
      lastTerminationReason: 'StartError',
    },
  },
  {
    situation: 'a Job’s sidecar stopped by the kubelet after main completed: Completed, not Error (137)',
    file: 'sidecar-job.jsonl',
    pod: 'job-sidecar',
    want: { phase: 'Succeeded', lastTerminationReason: 'Completed', restarts: 1, restartGapsSeconds: [2] },
  },
  {
    situation:
      'a failed Job’s sidecar stopped after main failed: main’s Error (exit 2), not the sidecar’s 143',
    file: 'sidecar-job.jsonl',
    pod: 'job-sidecar-failed',
    want: { phase: 'Failed', lastTerminationReason: 'Error', restarts: 0 },
  },
  {
    situation: 'a sidecar’s crash while the pod runs still counts',
    file: 'sidecar-job.jsonl',
    pod: 'sidecar-crash',
    want: { phase: 'Running', lastTerminationReason: 'OOMKilled', restarts: 1 },
  },
  {
    situation: 'crash-looping, one container: RESTARTS from its last termination',
    file: 'crashloop-ago.jsonl',
    pod: 'clbo-one',
    want: { kubectlLastRestartAt: at(25), waitingReason: 'CrashLoopBackOff', status: 'CrashLoopBackOff' },
    restarts: '2 (35s ago)',
  },
  {
    situation: 'crash-looping beside a container that restarted later: RESTARTS from the latest last state',
    file: 'crashloop-ago.jsonl',
    pod: 'clbo-two',
    want: { kubectlLastRestartAt: at(48), waitingReason: 'CrashLoopBackOff', restarts: 4 },
    restarts: '4 (12s ago)',
  },
  {
    situation: 'crash-looping after an init container restarted: kubectl’s RESTARTS counts the app container',
    file: 'crashloop-ago.jsonl',
    pod: 'clbo-after-init',
    want: { restarts: 3, kubectlRestarts: 2, kubectlLastRestartAt: at(45), status: 'CrashLoopBackOff' },
    restarts: '2 (15s ago)',
  },
  {
    situation: 'deleted while Pending, 30 s grace: pending until the request (10:01:00), not the deadline',
    file: 'deletion.jsonl',
    pod: 'pending-grace',
    want: { pendingSeconds: 60, deleted: true, deletedBy: 'kubernetes', status: 'Terminating' },
    timeline: [{ type: 'Deleted', at: at(60) }],
  },
  {
    situation: 'a shorter grace period on a second delete moves the deadline, not the request',
    file: 'deletion.jsonl',
    pod: 'pending-shortened',
    want: { pendingSeconds: 60, deleted: true },
    timeline: [{ type: 'Deleted', at: at(60) }],
  },
  {
    situation: 'deleted after 290 s Pending (deadline at 320 s): not stuck',
    file: 'deletion.jsonl',
    pod: 'pending-long',
    want: { pendingSeconds: 290, stuckPending: false, deleted: true },
    timeline: [{ type: 'Deleted', at: at(290) }],
  },
  {
    situation: 'a running pod deleted: the timeline’s Deleted at the request',
    file: 'deletion.jsonl',
    pod: 'running-deleted',
    want: { pendingSeconds: 5, deleted: true, status: 'Terminating' },
    timeline: [{ type: 'Deleted', at: at(120) }],
  },
  {
    situation: 'no grace period (an older forwarder): the deadline stands in',
    file: 'deletion.jsonl',
    pod: 'no-grace',
    want: { pendingSeconds: 90, deleted: true },
    timeline: [{ type: 'Deleted', at: at(90) }],
  },
];

describe('hand-computed traces (test/fixtures/hand)', () => {
  it.each(CASES)('$situation', ({ file, pod, want, restarts, timeline }) => {
    const { records, now } = replay(inputsOf(file));
    const r = records.find((x) => x.name === pod);
    expect(r).toBeDefined();
    expect(r).toMatchObject(want);
    if (restarts !== undefined) expect(restartsCell(r!, now)).toBe(restarts);
    for (const e of timeline ?? []) expect(r!.timeline).toContainEqual(expect.objectContaining(e));
  });

  it('every pod of every trace has a case', () => {
    const named = new Set(CASES.map((c) => `${c.file}/${c.pod}`));
    for (const file of FILES)
      for (const r of replay(inputsOf(file)).records) expect(named).toContain(`${file}/${r.name}`);
  });

  it('the out-of-order, duplicated trace reads as the ordered one', () => {
    expect(replay(inputsOf('clbo-shuffled.jsonl')).records).toEqual(replay(inputsOf('clbo.jsonl')).records);
  });

  it('any order, any duplicates of all the traces together: the same records (RESTARTS included)', () => {
    const inputs = FILES.flatMap(inputsOf);
    const expected = replay(inputs).records;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), fc.integer(), (extra, seed) => {
        const list = [...inputs, ...extra.map((i) => inputs[i % inputs.length]!)];
        const rnd = prng(seed);
        for (let i = list.length - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [list[i], list[j]] = [list[j]!, list[i]!];
        }
        expect(replay(list).records).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});

/** Real fixtures with Pods (test/fixtures/real): not text captures, nor the status fragment without a Pod. */
const REAL = [
  ...readdirSync(new URL('../fixtures/real/', import.meta.url)).filter(
    (f) => /\.(jsonl?|ya?ml)$/.test(f) && !f.includes('fragment'),
  ),
  ...FILES.map((f) => `../hand/${f}`),
];

describe('kubectl READY, STATUS and RESTARTS on the real fixtures and the hand traces', () => {
  it.each(REAL)(
    '%s: READY, STATUS and the RESTARTS cell are printPod’s for the latest object of each pod',
    (file) => {
      const latest = new Map<string, unknown>();
      for (const { value } of fixtureObjects(file)) {
        const o = (value as { object?: unknown }).object ?? value;
        const m = o as { kind?: string; metadata?: { uid?: string; name?: string } };
        if (m.kind === 'Pod' || (m.kind === undefined && m.metadata?.name))
          latest.set(m.metadata?.uid ?? m.metadata?.name ?? '', o);
      }
      const { records, now } = replay(fixtureInputs(file));
      for (const [key, pod] of latest) {
        const r = records.find((x) => x.uid === key || x.name === key);
        if (!r) continue;
        const row = kubectlPodRow(pod, now);
        expect(restartsCell(r, now), `${file} ${r.name}`).toBe(row.restartsText);
        expect(r.status, `${file} ${r.name}`).toBe(row.status);
        expect(r.ready, `${file} ${r.name}`).toEqual({
          ready: row.readyContainers,
          total: row.totalContainers,
        });
      }
    },
  );
});

describe('a sidecar stopped at the pod’s end (lastTerminationReason, lastExitCode)', () => {
  /** [reason, exit code] of each pod's last termination, as the item's lastTerminationReason and lastExitCode. */
  const lastOf = (inputs: readonly Input[]) =>
    Object.fromEntries(
      engineOf(inputs)
        .factMaps()
        .map((m) => {
          const v = new PodView(m);
          const t = lastTermination(v);
          return [v.pod!.name, t ? [t.reason, t.exitCode] : null];
        }),
    );

  it('the exit code follows the same termination: main’s, not the stopped sidecar’s', () => {
    expect(lastOf(inputsOf('sidecar-job.jsonl'))).toEqual({
      'job-sidecar': ['Completed', 0],
      'job-sidecar-failed': ['Error', 2],
      'sidecar-crash': ['OOMKilled', 137],
    });
  });

  it('any order, any duplicates: the same', () => {
    const inputs = inputsOf('sidecar-job.jsonl');
    const expected = lastOf(inputs);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), fc.integer(), (extra, seed) => {
        const list = [...inputs, ...extra.map((i) => inputs[i % inputs.length]!)];
        const rnd = prng(seed);
        for (let i = list.length - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [list[i], list[j]] = [list[j]!, list[i]!];
        }
        expect(lastOf(list)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});

describe('podlife crashloops: RESTARTS (the number and "(N ago)") is kubectl’s', () => {
  it.each(REAL)('%s: every crash-looping pod’s row says what printPod says', (file) => {
    const latest = new Map<string, unknown>();
    for (const { value } of fixtureObjects(file)) {
      const o = (value as { object?: unknown }).object ?? value;
      const m = o as { kind?: string; metadata?: { uid?: string; name?: string } };
      if (m.kind === 'Pod' || (m.kind === undefined && m.metadata?.name))
        latest.set(m.metadata?.uid ?? m.metadata?.name ?? '', o);
    }
    const e = engineOf(fixtureInputs(file));
    const now = e.latestTime ?? 0;
    const column = crashLoopColumns(3600, now).find((c) => c.name === 'RESTARTS')!;
    for (const map of e.factMaps()) {
      const item = podItemOf(map, 1, { now, retentionDays: 30 });
      if (!item?.crashKey) continue;
      const row = crashLoopingPodOf(item, now, 3600);
      const pod = latest.get(row.uid) ?? latest.get(row.name);
      if (!pod) continue;
      crashRows++;
      expect(column.value(row), `${file} ${row.name}`).toBe(kubectlPodRow(pod, now).restartsText);
    }
  });

  let crashRows = 0;
  it('saw crash-looping pods', () => expect(crashRows).toBeGreaterThan(3));

  it('crashloop-ago: from the counted containers’ last termination, not a restart’s start', () => {
    const e = engineOf(inputsOf('crashloop-ago.jsonl'));
    const now = e.latestTime ?? 0;
    const rows = e
      .factMaps()
      .map((m) => podItemOf(m, 1, { now, retentionDays: 30 }))
      .filter((i) => i?.crashKey)
      .map((i) => crashLoopingPodOf(i!, now, 3600));
    const column = crashLoopColumns(3600, now).find((c) => c.name === 'RESTARTS')!;
    expect(now).toBe(Date.parse(at(60)));
    expect(rows.map((r) => [r.name, r.kubectlLastRestartAt, column.value(r)])).toEqual([
      // kubectl: 2 (35s ago), from 10:00:25; the restart's start (10:00:20) read 40s.
      ['clbo-one', at(25), '2 (35s ago)'],
      // kubectl: 4 (12s ago), from b's termination at 10:00:48; the last restart's start (b, 10:00:50) read 10s.
      ['clbo-two', at(48), '4 (12s ago)'],
      // kubectl: 2 (15s ago): the completed init container's restart drops out (podlife's restarts: 3).
      ['clbo-after-init', at(45), '2 (15s ago)'],
    ]);
    expect(rows.find((r) => r.name === 'clbo-after-init')).toMatchObject({ restarts: 3, kubectlRestarts: 2 });
  });
});

describe('the deletion’s request time on the wire (deletionGracePeriodSeconds, marks.deletionRequested)', () => {
  const raw = {
    kind: 'Pod',
    metadata: {
      name: 'p',
      namespace: 'hand',
      uid: 'u',
      creationTimestamp: at(0),
      deletionTimestamp: at(90),
      deletionGracePeriodSeconds: 30,
      annotations: { a: 'b' },
    },
    spec: { containers: [{ name: 'app', image: 'busybox' }] },
    status: { phase: 'Pending' },
  };

  it('survives the forwarder’s trim and the compact snapshot', () => {
    const compact = compactPod(KubePod.parse(trimPod(raw)));
    expect(compact.deletionGracePeriodSeconds).toBe(30);
    expect(CompactPod.parse(compact)).toEqual(compact);
  });

  it('is range-checked: the snapshot contract refuses what Kubernetes cannot mean; a Pod reads it as absent', () => {
    const compact = compactPod(KubePod.parse(raw));
    for (const bad of [-1, 1.5, MAX_GRACE_PERIOD_SECONDS + 1])
      expect(CompactPod.safeParse({ ...compact, deletionGracePeriodSeconds: bad }).success).toBe(false);
    for (const bad of [-1, 1.5, MAX_GRACE_PERIOD_SECONDS + 1, '30']) {
      const pod = KubePod.parse({ ...raw, metadata: { ...raw.metadata, deletionGracePeriodSeconds: bad } });
      expect(compactPod(pod).deletionGracePeriodSeconds).toBeUndefined();
    }
    // Without a deletionTimestamp the grace period means nothing: not sent.
    const { deletionTimestamp: _, ...undeleted } = raw.metadata;
    expect(
      compactPod(KubePod.parse({ ...raw, metadata: undeleted })).deletionGracePeriodSeconds,
    ).toBeUndefined();
  });

  it('travels through a Pod Facts detail and back, and is bounded like every mark', () => {
    const e = engineOf(inputsOf('deletion.jsonl'));
    let seen = 0;
    for (const map of e.factMaps()) {
      const facts = canonicalFacts(map);
      const requested = facts.find((f) => f.id === 'mark:deletionRequested');
      if (requested) seen++;
      for (const compress of [false, true]) {
        const id = { cluster: 'test', namespace: 'hand', name: 'p', uid: 'u' };
        const detail = PodFactsDetail.parse(
          JSON.parse(JSON.stringify(podFactsDetail(id, facts, { compress }))),
        );
        expect(factsOfDetail(detail).find((f) => f.id === 'mark:deletionRequested')).toEqual(requested);
      }
    }
    expect(seen).toBe(4);
    const received = Date.parse('2026-11-02T11:00:00Z');
    const t0 = Date.parse('2026-11-02T10:00:00Z') / 1000;
    expect(checkFactTimes(t0, { marks: { deletionRequested: -4e8 } }, received)).toMatch(
      /^facts\.marks\.deletionRequested: .* is before 2014-06-01$/,
    );
  });
});

describe('kubectlLastRestartAt on the wire (Pod Facts latest.lastRestart)', () => {
  it('travels through a Pod Facts detail and back, compressed or not', () => {
    const e = engineOf(inputsOf('restarts-ago.jsonl'));
    for (const map of e.factMaps()) {
      const facts = canonicalFacts(map);
      const latest = facts.find((f) => f.kind === 'latest');
      expect(latest && 'lastRestart' in latest).toBe(true);
      for (const compress of [false, true]) {
        const id = { cluster: 'test', namespace: 'hand', name: 'p', uid: 'u' };
        const detail = PodFactsDetail.parse(
          JSON.parse(JSON.stringify(podFactsDetail(id, facts, { compress }))),
        );
        expect(factsOfDetail(detail).find((f) => f.kind === 'latest')).toEqual(latest);
      }
    }
  });

  it('is bounded like every time of the facts', () => {
    const received = Date.parse('2026-11-02T11:00:00Z');
    const t0 = Date.parse('2026-11-02T10:00:00Z') / 1000;
    expect(checkFactTimes(t0, { latest: { t: 55, rv: '', lastRestart: 20 } }, received)).toBeNull();
    expect(checkFactTimes(t0, { latest: { t: 55, rv: '', lastRestart: -4e8 } }, received)).toMatch(
      /^facts\.latest\.lastRestart: .* is before 2014-06-01$/,
    );
  });
});
