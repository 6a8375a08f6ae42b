/**
 * The alert sweep on DynamoDB Local (each scenario in its own table, pods written by the real
 * ingest handler or, for 10,000 pods, by the real item codec in bulk), with SNS and EventBridge
 * mocked (aws-sdk-client-mock): one alert per episode however many sweeps; a pod deleted while
 * Pending before any alert gets none, after one gets one resolve; per-namespace thresholds; the
 * crash-loop window and quiet period; failures of SNS or EventBridge record nothing and fail the
 * invocation; and the sweep's reads follow the Pending pods, not the pods stored.
 */
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { PHASE_RANK } from '../../core/facts.ts';
import { makeSweepHandler, SweepFailedError } from '../../functions/sweep/sweep.ts';
import {
  type AlertConfig,
  DETAIL_TYPE_CRASH_LOOPING,
  DETAIL_TYPE_RESOLVED,
  DETAIL_TYPE_STUCK_PENDING,
} from '../../model/alerts.ts';
import { alertPk } from '../../model/keys.ts';
import { isCrashLooping } from '../../model/pod-item.ts';
import { registerClusterRequest } from '../../store/pod-store.ts';
import { emfRecords } from '../../testkit/emf.ts';
import { busEventOf, harness, type Input, silentMetrics } from '../../testkit/ingest-harness.ts';
import {
  BULK_NOW,
  batchWrite,
  crashLoop,
  deleted,
  generatedItems,
  healthyCopies,
  loadDemo,
  type PodSpec,
  running,
  unschedulable,
} from '../../testkit/query-support.ts';
import { sweepTables } from '../../testkit/sweep-support.ts';

const env = sweepTables('podlife-sweep');
const { sns, events } = env;
const freshTable = () => env.freshTable();

/**
 * The scenarios below predate the mixin's defaults: they state thresholds relative to 5 minutes
 * and crash loops that alert as soon as counted. The grouped-notice tests use the defaults.
 */
const FIVE_MINUTES: Partial<AlertConfig> = {
  pending: { defaultSeconds: 300, overrides: {} },
  crashLoopForSeconds: 0,
};

function sweeper(tableName: string, clock: { now: number }, config: Partial<AlertConfig> = {}) {
  return mixinSweeper(tableName, clock, { ...FIVE_MINUTES, ...config });
}

/** The sweep with the defaults (the mixin's: 15 minutes, Job pods excluded) and `config` over them. */
function mixinSweeper(tableName: string, clock: { now: number }, config: Partial<AlertConfig> = {}) {
  return makeSweepHandler(sweepDeps(tableName, clock, config));
}

const sweepDeps = (tableName: string, clock: { now: number }, config: Partial<AlertConfig> = {}) =>
  env.sweepDeps(tableName, clock, config);

async function ingest(tableName: string, inputs: readonly Input[]) {
  const h = harness(env.t.doc, tableName);
  for (const i of inputs) await h.handler(busEventOf(i));
}

async function openAlerts(tableName: string, cluster: string): Promise<string[]> {
  const out = await env.t.doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': alertPk(cluster) },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => String(i.sk)).sort();
}

const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
/** The grouped notices put on the bus. */
const notices = () =>
  events
    .commandCalls(PutEventsCommand)
    .flatMap((c) =>
      (c.args[0].input.Entries ?? []).map((e) => ({ ...e, detail: JSON.parse(e.Detail ?? '{}') })),
    );
/** One entry per pod listed in a notice: the pod's facts as `detail`, its notice as `notice`. */
const putEvents = () =>
  notices().flatMap((n) =>
    (n.detail.pods as Record<string, unknown>[]).map((pod) => ({ ...n, notice: n.detail, detail: pod })),
  );

const T0 = Date.parse('2026-11-20T10:00:00Z');
const pod = (cluster: string, namespace: string, name: string, created = T0): PodSpec => ({
  cluster,
  namespace,
  name,
  uid: `${cluster}-${namespace}-${name}`,
  created,
  owner: { kind: 'Deployment', name: name.replace(/-\w+$/, '') },
});

describe('one alert per episode', () => {
  it('the demo trace: stuck Pending and crash-looping pods alert once over two sweeps, with what on-call needs', async () => {
    const table = await freshTable();
    const demo = await loadDemo(env.t.doc, table, 'demo');
    const clock = { now: demo.now };
    const config = { crashLoopWindowSeconds: 40 * 86_400, crashLoopMinRestarts: 2 };
    const sweep = sweeper(table, clock, config);

    const stuck = demo.records.filter(
      (r) => r.stuckPending && r.pendingSeconds == null && !r.deleted && (PHASE_RANK[r.phase] ?? 0) <= 1,
    );
    const looping = demo.records.filter(isCrashLooping);
    expect(stuck.length).toBeGreaterThanOrEqual(4);
    expect(looping.map((r) => r.name)).toContain('my-pod');

    const first = await sweep();
    const opened = first.clusters[0]!.opened;
    expect(opened.filter((k) => k.startsWith('pending#')).sort()).toEqual(
      stuck.map((r) => `pending#${r.uid}`).sort(),
    );
    expect(opened).toContain(`crashloop#${looping.find((r) => r.name === 'my-pod')!.uid}`);
    expect(published()).toHaveLength(opened.length);
    expect(putEvents()).toHaveLength(opened.length);
    expect(await openAlerts(table, 'demo')).toEqual([...opened].sort());

    // The second sweep, a minute later: the same pods are still stuck, nothing is sent again.
    clock.now += 60_000;
    const second = await sweep();
    expect(second.clusters[0]).toMatchObject({ opened: [], resolved: [], stuckPending: stuck.length });
    expect(published()).toHaveLength(opened.length);
    expect(putEvents()).toHaveLength(opened.length);

    // What the on-call engineer reads.
    const router = stuck.find((r) => r.name.startsWith('router-default'))!;
    const msg = published().find((m) => m.Subject?.includes('router-default'))!;
    expect(msg.Subject).toMatch(
      /^\[podlife\] Stuck Pending: openshift-ingress\/router-default-7bbdcfcf9b-7xdln \(demo\) for /,
    );
    expect(msg.Subject!.length).toBeLessThanOrEqual(100);
    expect(msg.Message).toContain(
      `Pod openshift-ingress/${router.name} in cluster demo has been Pending for`,
    );
    expect(msg.Message).toContain(`Scheduler:        ${router.unschedulableMessage}`);
    expect(msg.Message).toContain('Owner:            Deployment/router-default');
    expect(msg.Message).toContain(`podlife history openshift-ingress/${router.name} --cluster demo`);
    expect(msg.MessageAttributes).toMatchObject({
      cluster: { DataType: 'String', StringValue: 'demo' },
      namespace: { StringValue: 'openshift-ingress' },
      kind: { StringValue: 'pending' },
    });
    const crash = published().find((m) => m.Subject?.includes('argocd/my-pod'))!;
    expect(crash.Subject).toBe('[podlife] Crash looping: argocd/my-pod (demo) Error (exit code 1)');
    expect(crash.Message).toContain('last terminated Error (exit code 1)');
    expect(crash.Message).toContain('kubectl logs -n argocd my-pod --previous');

    // What EventBridge rules see: source, detail-type and the same facts as data.
    const ev = putEvents().find((e) => e.detail.name === router.name)!;
    expect(ev).toMatchObject({
      Source: 'podlife.alerts',
      DetailType: DETAIL_TYPE_STUCK_PENDING,
      EventBusName: 'podlife',
    });
    expect(ev.detail).toMatchObject({
      schemaVersion: 1,
      kind: 'pending',
      cluster: 'demo',
      namespace: 'openshift-ingress',
      uid: router.uid,
      owner: { kind: 'Deployment', name: 'router-default' },
      unschedulableMessage: router.unschedulableMessage,
      stuck: true,
      thresholdSeconds: 300,
      historyCommand: `podlife history openshift-ingress/${router.name} --cluster demo`,
    });
    expect(
      putEvents()
        .filter((e) => e.DetailType === DETAIL_TYPE_CRASH_LOOPING)
        .map((e) => e.detail.name),
    ).toContain('my-pod');
  });

  it('two sweeps at the same time record the episode once (conditional write); delivery is at least once', async () => {
    const table = await freshTable();
    await ingest(table, [unschedulable(pod('race', 'web', 'api-1'))]);
    const clock = { now: T0 + 600_000 };
    const [a, b] = await Promise.all([sweeper(table, clock)(), sweeper(table, clock)()]);
    expect(await openAlerts(table, 'race')).toEqual(['pending#race-web-api-1']);
    const recorded = a.clusters[0]!.opened.length + b.clusters[0]!.opened.length;
    const duplicates = a.alreadyRecorded + b.alreadyRecorded;
    expect(recorded).toBe(1);
    // Each sweep that saw no alert item announced it; the loser's write found it recorded. At
    // least once, not exactly: a sweep that reads the recorded notices (the outbox) between the
    // other's notice write and its delivery delivers that notice too (one failure in 7 loaded
    // runs). Each sweep delivers at most its own notice and the other's, always the same alert.
    expect(published().length).toBeGreaterThanOrEqual(1 + duplicates);
    expect(published().length).toBeLessThanOrEqual(4);
    expect(new Set(published().map((m) => m.Subject)).size).toBe(1);
  });
});

describe('resolution', () => {
  it('deleted while Pending before an alert: none; after one: one resolve (Deleted / Running), then nothing', async () => {
    const table = await freshTable();
    const [early, gone, starts] = ['early-1', 'gone-1', 'starts-1'].map((n) => pod('del', 'web', n));
    await ingest(table, [unschedulable(early!), unschedulable(gone!), unschedulable(starts!)]);
    const clock = { now: T0 + 60_000 };
    const sweep = sweeper(table, clock);
    expect((await sweep()).clusters[0]!.opened).toEqual([]);

    await ingest(table, [deleted(early!, T0 + 120_000)]);
    clock.now = T0 + 400_000;
    const second = await sweep();
    expect(second.clusters[0]!.opened.sort()).toEqual(['pending#del-web-gone-1', 'pending#del-web-starts-1']);

    await ingest(table, [deleted(gone!, T0 + 500_000), running(starts!, T0 + 550_000)]);
    clock.now = T0 + 600_000;
    const third = await sweep();
    expect(third.clusters[0]!.resolved.sort()).toEqual([
      'pending#del-web-gone-1',
      'pending#del-web-starts-1',
    ]);
    expect(await openAlerts(table, 'del')).toEqual([]);
    const resolved = putEvents().filter((e) => e.DetailType === DETAIL_TYPE_RESOLVED);
    expect(resolved.map((e) => [e.detail.name, e.detail.resolution]).sort()).toEqual([
      ['gone-1', 'Deleted'],
      ['starts-1', 'Running'],
    ]);
    expect(resolved[0]!.detail).toMatchObject({ kind: 'pending', cluster: 'del', openSeconds: 200 });
    const subjects = published().map((m) => m.Subject);
    expect(subjects).toContain('[podlife] Resolved: Stuck Pending web/gone-1 (del)');
    expect(
      published().find((m) => m.Subject?.includes('Resolved: Stuck Pending web/starts-1'))!.Message,
    ).toContain('is no longer stuck Pending: it is running now');
    expect(subjects.some((s) => s?.includes('early-1'))).toBe(false);

    clock.now += 60_000;
    const fourth = await sweep();
    expect(fourth.clusters[0]).toMatchObject({ opened: [], resolved: [] });
    expect(published()).toHaveLength(4);
  });
});

describe('thresholds per namespace', () => {
  it('STUCK_PENDING_OVERRIDES: a lower one alerts first, a higher one later, the rest at the global one', async () => {
    const table = await freshTable();
    const pods = ['critical', 'web', 'batch'].map((ns) => pod('thr', ns, 'job-1'));
    await ingest(
      table,
      pods.map((p) => unschedulable(p)),
    );
    const clock = { now: T0 + 120_000 };
    const sweep = sweeper(table, clock, {
      pending: { defaultSeconds: 300, overrides: { critical: 60, batch: 1800 } },
    });
    const at = async (seconds: number) => {
      clock.now = T0 + seconds * 1000;
      return (await sweep()).clusters[0];
    };
    expect((await at(120))!.opened).toEqual(['pending#thr-critical-job-1']);
    expect(await at(400)).toMatchObject({ opened: ['pending#thr-web-job-1'], stuckPending: 2 });
    expect(await at(1700)).toMatchObject({ opened: [], stuckPending: 2 });
    expect(await at(1900)).toMatchObject({ opened: ['pending#thr-batch-job-1'], stuckPending: 3 });
    const detail = putEvents().find((e) => e.detail.namespace === 'batch')!.detail;
    expect(detail).toMatchObject({ thresholdSeconds: 1800, ageSeconds: 1900 });
  });

  it('emits StuckPendingPods and CrashLoopingPods per cluster and in total (EMF)', async () => {
    const table = await freshTable();
    await ingest(table, [
      unschedulable(pod('emf-a', 'web', 'x-1')),
      unschedulable(pod('emf-b', 'web', 'y-1')),
      unschedulable(pod('emf-b', 'web', 'z-1')),
    ]);
    const emf = await emfRecords(async () => {
      // As on Lambda: logMetrics flushes the stored totals after the invocation (functions/powertools.ts).
      const metrics = silentMetrics();
      await middy(
        makeSweepHandler({ ...sweepDeps(table, { now: T0 + 600_000 }, FIVE_MINUTES), metrics }),
      ).use(logMetrics(metrics))(undefined, {} as Context);
    });
    // One record per cluster and metric (singleMetric): merged per cluster.
    const perCluster = new Map<string, Record<string, unknown>>();
    for (const m of emf.filter((m) => m.cluster))
      perCluster.set(m.cluster, { ...perCluster.get(m.cluster), ...m });
    const byCluster = [...perCluster.values()].map((m) => [
      m.cluster,
      m.StuckPendingPods,
      m.CrashLoopingPods,
    ]);
    expect(byCluster.sort()).toEqual([
      ['emf-a', 1, 0],
      ['emf-b', 2, 0],
    ]);
    const total = emf.find((m) => !m.cluster)!;
    expect(total).toMatchObject({
      StuckPendingPods: 3,
      CrashLoopingPods: 0,
      AlertsOpened: 3,
      AlertFailures: 0,
    });
    expect(total._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'podlife',
      Dimensions: [['service']],
    });
    expect(emf.find((m) => m.cluster)!._aws.CloudWatchMetrics[0].Dimensions).toEqual([
      ['service', 'cluster'],
    ]);
  });
});

describe('crash loops', () => {
  it('restarts counted in the window; one alert; resolved only after a quiet period without restarts', async () => {
    const table = await freshTable();
    const p = pod('loop', 'web', 'api-7');
    const s = (x: number) => T0 + x * 1000;
    const clock = { now: s(900) };
    const sweep = sweeper(table, clock, {
      crashLoopWindowSeconds: 600,
      crashLoopMinRestarts: 3,
      crashLoopQuietSeconds: 600,
    });

    // Restarts at +100, +700, +800: two of them in the 10 minutes before +900.
    await ingest(table, crashLoop(p, [s(0), s(100), s(700), s(800)]));
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], crashLooping: 0 });

    // A third restart in the window: the episode opens, once.
    await ingest(table, crashLoop(p, [s(0), s(100), s(700), s(800), s(850)]));
    expect((await sweep()).clusters[0]).toMatchObject({
      opened: ['crashloop#loop-web-api-7'],
      crashLooping: 1,
    });
    clock.now = s(960);
    expect((await sweep()).clusters[0]!.opened).toEqual([]);
    const alert = putEvents()[0];
    expect(alert).toMatchObject({ DetailType: DETAIL_TYPE_CRASH_LOOPING });
    expect(alert!.detail).toMatchObject({
      restartsInWindow: 3,
      restarts: 4,
      lastTerminationReason: 'OOMKilled',
      lastExitCode: 137,
      windowSeconds: 600,
      node: 'node-1',
    });

    // Running again (out of CrashLoopBackOff, as between any two crashes): not resolved yet...
    await ingest(table, crashLoop(p, [s(0), s(100), s(700), s(800), s(850)], { runningAgain: s(1000) }));
    clock.now = s(1100);
    expect((await sweep()).clusters[0]).toMatchObject({ resolved: [], crashLooping: 0 });
    expect(await openAlerts(table, 'loop')).toEqual(['crashloop#loop-web-api-7']);
    // ...until it has run 10 minutes without a restart.
    clock.now = s(1700);
    expect((await sweep()).clusters[0]!.resolved).toEqual(['crashloop#loop-web-api-7']);
    const resolved = putEvents().at(-1)!;
    expect(resolved).toMatchObject({
      DetailType: DETAIL_TYPE_RESOLVED,
      detail: { kind: 'crashloop', resolution: 'Running' },
    });
    expect(published().map((m) => m.Subject)).toEqual([
      '[podlife] Crash looping: web/api-7 (loop) OOMKilled (exit code 137)',
      '[podlife] Resolved: Crash looping web/api-7 (loop)',
    ]);
  });
});

describe('failures', () => {
  it('SNS or EventBridge failing: the episode and its notice are recorded, the invocation fails, only the failed channel is retried', async () => {
    const table = await freshTable();
    await ingest(table, [unschedulable(pod('fail', 'web', 'api-1'))]);
    const clock = { now: T0 + 600_000 };
    const sweep = sweeper(table, clock);

    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const err = await sweep().catch((e) => e);
    expect(err).toBeInstanceOf(SweepFailedError);
    const [failure] = (err as SweepFailedError).report.failures;
    expect(failure).toMatchObject({
      cluster: 'fail',
      stage: 'deliver',
      error: 'ThrottlingException: Rate exceeded',
    });
    expect(failure!.alert).toMatch(/^notice#.*#opened#podlife\/[0-9a-f]{24} \(sns\)$/);
    const recorded = await openAlerts(table, 'fail');
    expect(recorded.filter((k) => !k.startsWith('notice#'))).toEqual(['pending#fail-web-api-1']);
    expect(recorded.filter((k) => k.startsWith('notice#'))).toHaveLength(1);
    expect(notices()).toHaveLength(1);

    // SNS still failing a minute later: retried alone, the event is not put again.
    clock.now += 60_000;
    await expect(sweep()).rejects.toThrow(/ThrottlingException: Rate exceeded/);
    expect(notices()).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);

    // SNS back: delivered once, the outbox item goes, nothing is sent again afterwards.
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    clock.now += 60_000;
    const third = await sweep();
    expect(third.sent).toEqual({ sns: 1, events: 0 });
    expect(notices()).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect(await openAlerts(table, 'fail')).toEqual(['pending#fail-web-api-1']);
    clock.now += 60_000;
    expect((await sweep()).sent).toEqual({ sns: 0, events: 0 });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect(notices()).toHaveLength(1);
  });

  it('PutEvents rejecting the entry: SNS is not re-sent while EventBridge is retried', async () => {
    const table = await freshTable();
    await ingest(table, [unschedulable(pod('fail2', 'web', 'api-1'))]);
    const clock = { now: T0 + 600_000 };
    const sweep = sweeper(table, clock);
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await expect(sweep()).rejects.toThrow(/PutEvents rejected the alert event: InternalFailure try again/);
    clock.now += 60_000;
    await expect(sweep()).rejects.toThrow(/InternalFailure/);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });
    clock.now += 60_000;
    expect((await sweep()).sent).toEqual({ sns: 0, events: 1 });
    expect(published()).toHaveLength(1);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(await openAlerts(table, 'fail2')).toEqual(['pending#fail2-web-api-1']);
  });
});

describe('grouped notices (defaults as the kubernetes-mixin)', () => {
  it('500 pods stuck at once: one notice per (cluster, namespace, owner, kind), worst first, capped; one grouped resolve', async () => {
    const table = await freshTable();
    const groups = [
      { namespace: 'web', owner: 'api', n: 250 },
      { namespace: 'web', owner: 'worker', n: 150 },
      { namespace: 'shop', owner: 'cart', n: 100 },
    ];
    const specs: PodSpec[] = [];
    for (const g of groups)
      for (let k = 0; k < g.n; k++)
        specs.push({
          cluster: 'storm',
          namespace: g.namespace,
          name: `${g.owner}-${k}`,
          uid: `storm-${g.owner}-${k}`,
          // Pods created a second apart: the lower k, the longer Pending.
          created: T0 + k * 1000,
          owner: { kind: 'Deployment', name: g.owner },
        });
    await ingest(
      table,
      specs.map((p) => unschedulable(p)),
    );
    const clock = { now: T0 + 1200_000 };
    const sweep = mixinSweeper(table, clock); // the defaults: 15 minutes
    const first = await sweep();
    expect(first.clusters[0]!.opened).toHaveLength(500);
    expect(first.sent).toEqual({ sns: 3, events: 3 });
    expect(published()).toHaveLength(3);
    expect(notices()).toHaveLength(3);

    for (const g of groups) {
      const n = notices().find((e) => e.detail.owner.name === g.owner)!;
      expect(n).toMatchObject({ DetailType: DETAIL_TYPE_STUCK_PENDING, Source: 'podlife.alerts' });
      expect(n.detail).toMatchObject({
        schemaVersion: 2,
        state: 'opened',
        kind: 'pending',
        cluster: 'storm',
        namespace: g.namespace,
        owner: { kind: 'Deployment', name: g.owner },
        severity: 'warning',
        runbook: 'docs/runbooks.md#pod-alert-stuck-pending',
        count: g.n,
        more: g.n - 20,
        cause: { text: '0/3 nodes are available: 3 Insufficient cpu.', pods: g.n },
      });
      expect(n.detail.dedupKey).toMatch(/^podlife\/[0-9a-f]{24}$/);
      // Worst first: the oldest 20.
      expect(n.detail.pods.map((p: { name: string }) => p.name)).toEqual(
        Array.from({ length: 20 }, (_, k) => `${g.owner}-${k}`),
      );
      expect(n.detail.pods[0]).toMatchObject({ thresholdSeconds: 900, ageSeconds: 1200 });
      const msg = published().find((m) => m.Subject?.includes(`of ${g.namespace}/Deployment/${g.owner} `))!;
      expect(msg.Subject).toBe(
        `[podlife] Stuck Pending: ${g.n} pods of ${g.namespace}/Deployment/${g.owner} (storm)`,
      );
      expect(msg.Message).toContain(`... and ${g.n - 20} more`);
      expect(msg.Message).toContain('Runbook:          docs/runbooks.md#pod-alert-stuck-pending');
      expect(msg.MessageAttributes).toMatchObject({
        severity: { StringValue: 'warning' },
        dedupKey: { StringValue: n.detail.dedupKey },
      });
    }
    const dedupKeys = notices().map((n) => n.detail.dedupKey);
    expect(new Set(dedupKeys).size).toBe(3);
    // Bounded: the pods listed are read for their details, not the 500.
    expect(first.detailReads).toBe(60);

    clock.now += 60_000;
    expect((await sweep()).sent).toEqual({ sns: 0, events: 0 });

    await ingest(
      table,
      specs.map((p) => deleted(p, T0 + 1250_000)),
    );
    clock.now += 60_000;
    const resolved = await sweep();
    expect(resolved.clusters[0]!.resolved).toHaveLength(500);
    expect(resolved.sent).toEqual({ sns: 3, events: 3 });
    const resolves = notices().filter((n) => n.DetailType === DETAIL_TYPE_RESOLVED);
    expect(resolves).toHaveLength(3);
    for (const r of resolves) {
      const g = groups.find((x) => x.owner === r.detail.owner.name)!;
      expect(r.detail).toMatchObject({ state: 'resolved', count: g.n, stillOpen: 0, more: g.n - 20 });
      expect(r.detail.dedupKey).toBe(
        notices().find((n) => n.detail.state === 'opened' && n.detail.owner.name === g.owner)!.detail
          .dedupKey,
      );
    }
    expect(await openAlerts(table, 'storm')).toEqual([]);
    clock.now += 60_000;
    expect((await sweep()).sent).toEqual({ sns: 0, events: 0 });
    expect(published()).toHaveLength(6);
  }, 120_000);

  it('Job pods are not alerted by default, and 5 minutes Pending is not stuck yet; owner kinds can opt in', async () => {
    const table = await freshTable();
    const web = pod('jobs', 'web', 'api-1');
    const job = { ...pod('jobs', 'web', 'migrate-1'), owner: { kind: 'Job', name: 'migrate' } };
    await ingest(table, [unschedulable(web), unschedulable(job)]);
    const clock = { now: T0 + 600_000 };
    const sweep = mixinSweeper(table, clock);
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], stuckPending: 0 });
    clock.now = T0 + 901_000;
    expect((await sweep()).clusters[0]).toMatchObject({
      opened: ['pending#jobs-web-api-1'],
      stuckPending: 1,
    });
    clock.now += 60_000;
    expect((await sweep()).clusters[0]!.opened).toEqual([]);

    const optIn = mixinSweeper(table, clock, {
      rules: { namespaces: {}, ownerKinds: { Job: { enabled: true, stuckPendingSeconds: 1800 } } },
    });
    expect((await optIn()).clusters[0]!.opened).toEqual([]);
    clock.now = T0 + 1801_000;
    expect((await optIn()).clusters[0]!.opened).toEqual(['pending#jobs-web-migrate-1']);
    expect(putEvents().at(-1)!.detail).toMatchObject({ name: 'migrate-1', thresholdSeconds: 1800 });
  });

  it('a namespace override wins over the default and the owner kind (threshold, disabled)', async () => {
    const table = await freshTable();
    const crit = pod('ns', 'critical', 'api-1');
    const batch = pod('ns', 'batch', 'api-1');
    const web = pod('ns', 'web', 'api-1');
    const critJob = { ...pod('ns', 'critical', 'etl-1'), owner: { kind: 'Job', name: 'etl' } };
    await ingest(
      table,
      [crit, batch, web, critJob].map((p) => unschedulable(p)),
    );
    const clock = { now: T0 + 120_000 };
    const sweep = mixinSweeper(table, clock, {
      rules: {
        namespaces: { critical: { stuckPendingSeconds: 60, enabled: true }, batch: { enabled: false } },
        ownerKinds: { Job: { enabled: false } },
      },
    });
    expect((await sweep()).clusters[0]!.opened.sort()).toEqual([
      'pending#ns-critical-api-1',
      'pending#ns-critical-etl-1',
    ]);
    clock.now = T0 + 3600_000;
    expect((await sweep()).clusters[0]!.opened).toEqual(['pending#ns-web-api-1']);
    expect(await openAlerts(table, 'ns')).not.toContain('pending#ns-batch-api-1');
  });

  it('a crash loop alerts after 15 minutes of restarts, with its container, waiting message and last Warning Event', async () => {
    const table = await freshTable();
    const p = pod('cl', 'web', 'api-9');
    const s = (x: number) => T0 + x * 1000;
    await ingest(table, crashLoop(p, [s(0), s(60), s(200), s(500)]));
    await ingest(table, [
      {
        kind: 'event',
        cluster: 'cl',
        event: {
          uid: 'ev-1',
          podUid: p.uid,
          namespace: 'web',
          podName: 'api-9',
          reason: 'BackOff',
          message: 'Back-off restarting failed container app',
          type: 'Warning',
          count: 3,
          firstTimestamp: new Date(s(300)).toISOString(),
          lastTimestamp: new Date(s(520)).toISOString(),
        },
      },
    ]);
    const clock = { now: s(600) };
    const sweep = mixinSweeper(table, clock);
    // Restarts at +60, +200 and +500: crash-looping, but its first restart is 9 minutes old.
    expect((await sweep()).clusters[0]!.opened).toEqual([]);
    clock.now = s(961);
    expect((await sweep()).clusters[0]!.opened).toEqual(['crashloop#cl-web-api-9']);
    expect(putEvents()[0]!.detail).toMatchObject({
      name: 'api-9',
      container: 'app',
      waitingMessage: 'back-off 5m0s restarting failed container',
      lastWarningEvent: { reason: 'BackOff', message: 'Back-off restarting failed container app' },
    });
    expect(putEvents()[0]!.notice).toMatchObject({
      severity: 'warning',
      runbook: 'docs/runbooks.md#pod-alert-crash-loop',
    });
    const msg = published()[0]!.Message!;
    expect(msg).toContain('Container:        app');
    expect(msg).toContain('Last Warning:     BackOff: Back-off restarting failed container app');
  });
});

describe('cost', () => {
  it('the sweep reads the Pending pods, not the stored ones: the same with 2,000 and 10,000 stored', async () => {
    const table = await freshTable();
    const cluster = 'scale';
    const generated = generatedItems(cluster, 2000);
    await env.t.doc.send(new PutCommand(registerClusterRequest(table, cluster, BULK_NOW, 30)));
    await batchWrite(env.t.doc, table, generated);
    const pendingPods = generated.filter((i) => i.pendingKey).length;
    const crashPods = generated.filter((i) => i.crashKey).length;
    expect(pendingPods).toBeGreaterThan(30);

    const clock = { now: BULK_NOW };
    const sweep = sweeper(table, clock);
    const first = await sweep();
    // Items read: the registry (1), open alerts (none yet), the pending and crash-looping pods.
    expect(first.reads.itemsByIndex).toEqual({ table: 1, pending: pendingPods, crashLooping: crashPods });
    expect(first.clusters[0]!.opened).toHaveLength(pendingPods);

    await batchWrite(env.t.doc, table, healthyCopies(generated, 8000, 'copy'));
    const stored = await env.t.client.send(new DescribeTableCommand({ TableName: table }));
    expect(stored.Table?.ItemCount).toBe(1 + 10_000 + pendingPods);
    clock.now += 60_000;
    const second = await sweep();
    // 10,000 pods stored; still only the Pending ones (and now their open alerts) are read.
    expect(second.reads.itemsByIndex).toEqual({
      table: 1 + pendingPods,
      pending: pendingPods,
      crashLooping: crashPods,
    });
    expect(second.reads.requests).toBe(first.reads.requests);
    expect(second.clusters[0]!.opened).toEqual([]);
  }, 120_000);
});
