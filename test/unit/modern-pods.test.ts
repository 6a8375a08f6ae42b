/**
 * Issue 11, modern pods read right: native sidecars (KEP-753), init containers in a crash loop,
 * kubectl's STATUS and RESTARTS as figures, scheduling gates. Real fixtures in; where no published
 * object shows a case, one is built here from a real fixture by the documented Kubernetes
 * semantics (each such case says so). Expected values come from the fixtures' literal times.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pendingTable } from '../../cli/format-query.ts';
import { LifecycleEngine } from '../../core/engine.ts';
import { PodView } from '../../core/figures.ts';
import { kubectlPodRow } from '../../core/kubectl-status.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { kubectlColumns } from '../../core/pod-status.ts';
import { PodSnapshot, snapshotOf } from '../../core/snapshot.ts';
import { openedMessage, stuckPendingAlertOf } from '../../model/alerts.ts';
import { isCrashLooping, podItemOf, restartTimesOf } from '../../model/pod-item.ts';
import { pendingPodOf } from '../../model/pod-rows.ts';
import { engineOf, FIXTURES_DIR, fixtureInputs, fixtureObjects, secs } from '../../testkit/fixtures.ts';
import { gatedPod, initCrashLoopPods, sidecarCrashLoopPods } from '../../testkit/modern-pods.ts';

function snapshotsOf(file: string): PodSnapshot[] {
  return fixtureInputs(file).flatMap((i) => (i.kind === 'snapshot' ? [i.snapshot] : []));
}

describe('the snapshot keeps what tells a sidecar from an init container', () => {
  it('projects each init container’s restartPolicy, and a sidecar’s started flag (k9s sidecar pod)', () => {
    const [snap] = snapshotsOf('k9s__po-sidecar-init.json');
    const init = snap!.pod.initContainerStatuses;
    expect(init.map((c) => [c.name, c.restartPolicy, c.started])).toEqual([
      ['init', undefined, undefined],
      ['sidecar', 'Always', true],
    ]);
    // App containers carry no restartPolicy; their readiness is kubectl's READY (issue 14).
    expect(snap!.pod.containerStatuses[0]).toEqual({
      name: 'sleep',
      restartCount: 0,
      ready: true,
      containerID: 'containerd://a1848056a183e40a',
      state: { running: { startedAt: '2024-08-24T01:54:38Z' } },
    });
  });

  it('an old snapshot without restartPolicy, started or ready still parses', () => {
    const [snap] = snapshotsOf('k9s__po-sidecar-init.json');
    const old = structuredClone(snap!);
    for (const c of [...old.pod.initContainerStatuses, ...old.pod.containerStatuses]) {
      delete c.restartPolicy;
      delete c.started;
      delete c.ready;
    }
    expect(PodSnapshot.safeParse(old).success).toBe(true);
    expect(PodSnapshot.safeParse(snap).success).toBe(true);
  });
});

describe('kubectl’s STATUS and RESTARTS from the compact snapshot', () => {
  // Every Pod of every real fixture: the snapshot (what the forwarder sends) gives what
  // kubectl's printer (core/kubectl-status.ts, 101 printer cases) gives on the whole Pod.
  const files = readdirSync(FIXTURES_DIR).filter((f) => /\.(json|jsonl|ya?ml)$/.test(f));
  const cases: [string, unknown, PodSnapshot][] = [];
  for (const file of files) {
    for (const { value } of fixtureObjects(file)) {
      const raw = (value as { object?: unknown }).object ?? value;
      if ((raw as { kind?: string }).kind !== undefined && (raw as { kind?: string }).kind !== 'Pod')
        continue;
      if (!(raw as { status?: unknown }).status) continue;
      let snap: PodSnapshot;
      try {
        snap = snapshotOf(raw, { cluster: 't', type: 'MODIFIED' });
      } catch {
        continue;
      }
      cases.push([`${file} ${snap.pod.name}`, raw, snap]);
    }
  }
  it('covers the fixtures’ pods', () => expect(cases.length).toBeGreaterThan(40));
  it.each(cases)('%s', (_, raw, snap) => {
    const row = kubectlPodRow(raw, 0);
    expect(kubectlColumns(snap.pod)).toEqual({ status: row.status, restarts: row.restarts });
  });
});

const CTX = { now: Date.parse('2030-01-01T00:00:00Z'), stuckAfterSeconds: 300 };

function recordOfPods(pods: readonly unknown[], order?: readonly number[]): PodRecord {
  const e = new LifecycleEngine();
  for (const i of order ?? pods.keys())
    e.applySnapshot(snapshotOf(pods[i], { cluster: 't', type: 'MODIFIED' }));
  const [r] = e.records(CTX);
  return r!;
}

describe('native sidecars (built from k9s’s sidecar pod by KEP-753, see testkit/modern-pods.ts)', () => {
  const pods = sidecarCrashLoopPods();
  it('count the sidecar’s restarts, back-off and termination like an app container’s', () => {
    const r = recordOfPods(pods);
    expect(r).toMatchObject({
      restarts: 2, // the sidecar's restartCount; kubectl's RESTARTS counts it too
      kubectlRestarts: 2,
      // 01:55:38 → 01:55:39 (the immediate first restart), 01:56:39 → 01:56:49 (10 s back-off)
      restartGapsSeconds: [
        secs('2024-08-24T01:55:38Z', '2024-08-24T01:55:39Z'),
        secs('2024-08-24T01:56:39Z', '2024-08-24T01:56:49Z'),
      ],
      crashLoopBackOffSeconds: 11,
      lastTerminationReason: 'Completed',
      status: 'Running',
      waitingReason: null,
    });
  });
  it('a sidecar is not an init container for the pod’s start: Initialized and the app’s start are unchanged', () => {
    const r = recordOfPods(pods);
    expect(r.initSeconds).toBe(secs('2024-08-24T01:54:32Z', '2024-08-24T01:54:38Z'));
    expect(r.pendingSeconds).toBe(secs('2024-08-24T01:54:32Z', '2024-08-24T01:54:38Z'));
    expect(r.timeToReadySeconds).toBe(secs('2024-08-24T01:54:32Z', '2024-08-24T01:54:39Z'));
  });
  it('while the sidecar waits in back-off: crash-looping, kubectl prints Init:CrashLoopBackOff', () => {
    const r = recordOfPods(pods.slice(0, 3));
    expect(r).toMatchObject({
      status: 'Init:CrashLoopBackOff',
      kubectlRestarts: 2,
      restarts: 2,
      waitingReason: 'CrashLoopBackOff',
      crashLoopBackOffSeconds: 1,
    });
    expect(isCrashLooping(r)).toBe(true);
  });
  it('a sidecar that is started is done for Init:N/M (kubectl: restartable and started)', () => {
    const [a] = pods;
    const b = structuredClone(a) as { status: { initContainerStatuses: Record<string, unknown>[] } };
    // Initialized not yet True, sidecar started, the app not yet created: Init:2/2 would be
    // printed by kubectl's loop as "every init container done" → phase.
    b.status.initContainerStatuses[1]!.started = false;
    const row = kubectlPodRow(b, 0);
    expect(kubectlColumns(snapshotOf(b, { cluster: 't', type: 'MODIFIED' }).pod).status).toBe(row.status);
  });
  it('old facts (no sidecar mark) still give the app figures; the sidecar mark joins in any order', () => {
    const snaps = pods.map((p) => snapshotOf(p, { cluster: 't', type: 'MODIFIED' }));
    const old = structuredClone(snaps[0]!);
    for (const c of old.pod.initContainerStatuses) delete c.restartPolicy;
    const e1 = new LifecycleEngine();
    for (const s of [old, ...snaps]) e1.applySnapshot(s);
    const e2 = new LifecycleEngine();
    for (const s of [...snaps].reverse().concat(old)) e2.applySnapshot(s);
    expect(e1.records(CTX)).toEqual(e2.records(CTX));
    const facts = e1.factMaps()[0]!;
    expect(facts.get('restarts:sidecar')).toMatchObject({ role: 'sidecar', n: 2 });
    expect(facts.get('restarts:init')).toMatchObject({ role: 'init', n: 0 });
  });
});

describe('init containers in a crash loop (is-healthy’s Init:Error pod, continued by the kubelet’s rules)', () => {
  const pods = initCrashLoopPods();
  it('the published snapshot: Init:Error, RESTARTS 1, one back-off of 3 s', () => {
    expect(recordOfPods(pods.slice(0, 1))).toMatchObject({
      status: 'Init:Error',
      restarts: 1,
      kubectlRestarts: 1,
      crashLoopBackOffSeconds: secs('2024-09-05T12:37:01Z', '2024-09-05T12:37:04Z'),
      waitingReason: 'PodInitializing',
      phase: 'Pending',
    });
  });
  it('in back-off: Init:CrashLoopBackOff, in the crash-looping list', () => {
    const r = recordOfPods(pods.slice(0, 2));
    expect(r).toMatchObject({
      status: 'Init:CrashLoopBackOff',
      waitingReason: 'CrashLoopBackOff',
      restarts: 1,
    });
    expect(isCrashLooping(r)).toBe(true);
  });
  it('running again: Init:0/1, RESTARTS 2, back-off 3 s + 10 s; its restarts are the crash-loop window’s', () => {
    const r = recordOfPods(pods, [2, 0, 1, 2, 0]);
    expect(r).toMatchObject({
      status: 'Init:0/1',
      restarts: 2,
      kubectlRestarts: 2,
      restartGapsSeconds: [3, secs('2024-09-05T12:37:24Z', '2024-09-05T12:37:34Z')],
      crashLoopBackOffSeconds: 13,
      pendingSeconds: null,
    });
    const e = new LifecycleEngine();
    for (const p of pods) e.applySnapshot(snapshotOf(p, { cluster: 't', type: 'MODIFIED' }));
    const times = restartTimesOf(new PodView(e.factMaps()[0]!));
    expect(times).toEqual([
      Date.parse('2024-09-05T12:37:04Z') / 1000,
      Date.parse('2024-09-05T12:37:34Z') / 1000,
    ]);
  });
  it('the vsystem pod: 7527 restarts of its init container, Init:CrashLoopBackOff', () => {
    const [r] = engineOf(fixtureInputs('insights-operator__vsystem-init-crashloopbackoff.json')).records(CTX);
    expect(r).toMatchObject({ restarts: 7527, kubectlRestarts: 7527, status: 'Init:CrashLoopBackOff' });
  });
});

describe('scheduling gates (a gated pod built from gitops-engine’s Pending pod, see testkit/modern-pods.ts)', () => {
  const pod = gatedPod();
  const snap = () => snapshotOf(structuredClone(pod), { cluster: 't', type: 'ADDED' });

  it('the snapshot keeps the gates’ names; kubectl prints SchedulingGated', () => {
    expect(snap().pod.schedulingGates).toEqual(['example.com/quota', 'example.com/approval']);
    expect(kubectlPodRow(pod, 0).status).toBe('SchedulingGated');
  });

  it('the record: SchedulingGated with its gates, no scheduler message, an Unschedulable entry saying so', () => {
    const r = recordOfPods([pod]);
    expect(r).toMatchObject({
      phase: 'Pending',
      status: 'SchedulingGated',
      schedulingGates: ['example.com/quota', 'example.com/approval'],
      unschedulableMessage: null,
      scheduledAfterSeconds: null,
    });
    expect(r.timeline).toContainEqual({
      at: '2018-12-02T10:16:04.000Z',
      type: 'Unschedulable',
      reason: 'SchedulingGated',
      message:
        'Scheduling is blocked due to non-empty scheduling gates (gates: example.com/quota, example.com/approval)',
    });
  });

  it('a PodScheduled=False without a message is an Unschedulable entry all the same', () => {
    const p = structuredClone(pod) as { status: { conditions: Record<string, unknown>[] } };
    p.status.conditions[0]!.message = undefined;
    p.status.conditions[0]!.reason = 'Unschedulable';
    const r = recordOfPods([p]);
    expect(r.timeline.filter((e) => e.type === 'Unschedulable')).toEqual([
      { at: '2018-12-02T10:16:04.000Z', type: 'Unschedulable' },
    ]);
    expect(r.schedulingGates).toBeNull();
  });

  it('gates lifted, then scheduled: no gates any more, the scheduler’s word wins in any order', () => {
    const lifted = structuredClone(pod) as Record<string, any>;
    delete lifted.spec.schedulingGates;
    lifted.metadata.resourceVersion = '155400';
    lifted.status.conditions[0] = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: '0/1 nodes are available: 1 Insufficient cpu.',
      lastTransitionTime: '2018-12-02T10:16:04Z',
    };
    const scheduled = structuredClone(lifted);
    scheduled.metadata.resourceVersion = '155500';
    scheduled.spec.nodeName = 'minikube';
    scheduled.status.conditions[0] = {
      type: 'PodScheduled',
      status: 'True',
      lastTransitionTime: '2018-12-02T10:17:04Z',
    };
    const a = recordOfPods([pod, lifted]);
    expect(a).toMatchObject({
      schedulingGates: null,
      unschedulableMessage: '0/1 nodes are available: 1 Insufficient cpu.',
    });
    expect(recordOfPods([lifted, pod])).toEqual(a);
    const b = recordOfPods([scheduled, pod, lifted]);
    expect(b).toMatchObject({ schedulingGates: null, scheduledAfterSeconds: 60, status: 'Pending' });
  });

  it('the pending list and the stuck-Pending alert say it is gated, by which gates', () => {
    const e = new LifecycleEngine();
    e.applySnapshot(snap());
    const item = podItemOf(e.factMaps()[0]!, 1, { retentionDays: 30, now: CTX.now })!;
    expect(item.schedulingGates).toEqual(['example.com/quota', 'example.com/approval']);
    expect(item.pendingKey).toBeDefined();
    const row = pendingPodOf(item, CTX.now, { defaultSeconds: 300, overrides: {} });
    expect(row.schedulingGates).toEqual(['example.com/quota', 'example.com/approval']);
    expect(pendingTable([row])).toMatch(
      /SchedulingGated\s.*gates: example\.com\/quota, example\.com\/approval/,
    );
    const msg = openedMessage(stuckPendingAlertOf(row, CTX.now));
    expect(msg.body).toMatch(/Gated by:\s+example\.com\/quota, example\.com\/approval \(SchedulingGated\)/);
  });
});
