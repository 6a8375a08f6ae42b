/**
 * Hand scenarios an on-call engineer (and the kubernetes-mixin's alert tests) care about, each
 * on DynamoDB Local with the real ingest and sweep, SNS and EventBridge mocked: the threshold's
 * boundary, a pod Ready just before the sweep, deleted while an alert is open, flapping between
 * CrashLoopBackOff and Running, a Job's failed pod, an init container's crash loop, a pod re-created
 * with the same name, clock skew, per-namespace rules, and a first sight that arrives late.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand } from '@aws-sdk/client-sns';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { SnapContainer } from '../../core/snapshot.ts';
import { makeSweepHandler } from '../../functions/sweep/sweep.ts';
import { type AlertConfig, alertRulesOf, DETAIL_TYPE_RESOLVED } from '../../model/alerts.ts';
import { alertPk } from '../../model/keys.ts';
import { podKeyOf } from '../../model/pod-item.ts';
import { busEventOf, harness, type Input } from '../../testkit/ingest-harness.ts';
import {
  crashLoop,
  deleted,
  type PodSpec,
  running,
  snapshot as snap,
  unschedulable,
} from '../../testkit/query-support.ts';
import { sweepTables } from '../../testkit/sweep-support.ts';

const env = sweepTables('podlife-scenarios');
const { sns, events } = env;

const T0 = Date.parse('2026-11-20T10:00:00Z');
const s = (x: number) => T0 + x * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

const pod = (cluster: string, name: string, o: Partial<PodSpec> = {}): PodSpec => ({
  cluster,
  namespace: 'web',
  name,
  uid: `${cluster}-${name}`,
  created: T0,
  owner: { kind: 'Deployment', name: 'api' },
  ...o,
});

/** The sweep with the defaults (the mixin's: 15 minutes, Job pods excluded) and `config` over them. */
const sweeper = (table: string, clock: { now: number }, config: Partial<AlertConfig> = {}) =>
  makeSweepHandler(env.sweepDeps(table, clock, config));

async function ingest(table: string, inputs: readonly Input[]) {
  const h = harness(env.t.doc, table);
  for (const i of inputs) await h.handler(busEventOf(i));
}

async function openAlerts(table: string, cluster: string): Promise<string[]> {
  const out = await env.t.doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': alertPk(cluster) },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => String(i.sk)).sort();
}

const notices = () =>
  events
    .commandCalls(PutEventsCommand)
    .flatMap((c) =>
      (c.args[0].input.Entries ?? []).map((e) => ({ type: e.DetailType, ...JSON.parse(e.Detail ?? '{}') })),
    );
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

describe('stuck Pending', () => {
  it('the boundary: Pending exactly the threshold is not stuck yet, one second more is (now − created > threshold)', async () => {
    const table = await env.freshTable();
    await ingest(table, [unschedulable(pod('edge', 'api-1'))]);
    const clock = { now: s(900) };
    const sweep = sweeper(table, clock);
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], stuckPending: 0 });
    clock.now = s(901);
    expect((await sweep()).clusters[0]).toMatchObject({ opened: ['pending#edge-api-1'], stuckPending: 1 });
    expect(notices()[0]!.pods[0]).toMatchObject({ ageSeconds: 901, thresholdSeconds: 900 });
  });

  it('Ready just before the sweep: never announced; Ready after the alert: one resolve, Running', async () => {
    const table = await env.freshTable();
    const [a, b] = [pod('ready', 'api-1'), pod('ready', 'api-2', { uid: 'ready-api-2' })];
    await ingest(table, [unschedulable(a), unschedulable(b)]);
    // a is Pending past its threshold at +900.5 but Running by the sweep at +901.
    await ingest(table, [running(a, s(900))]);
    const clock = { now: s(901) };
    const sweep = sweeper(table, clock);
    expect((await sweep()).clusters[0]!.opened).toEqual(['pending#ready-api-2']);
    await ingest(table, [running(b, s(950))]);
    clock.now = s(960);
    expect((await sweep()).clusters[0]!.resolved).toEqual(['pending#ready-api-2']);
    expect(notices().at(-1)).toMatchObject({ type: DETAIL_TYPE_RESOLVED, stillOpen: 0 });
    expect(notices().at(-1)!.pods[0]).toMatchObject({ resolution: 'Running', openSeconds: 59 });
    expect(published().some((m) => m.Subject?.includes('api-1'))).toBe(false);
  });

  it('Ready just before the sweep while the pending index still lists it (eventually consistent): not announced', async () => {
    const table = await env.freshTable();
    const [a, b] = [pod('lag', 'api-1'), pod('lag', 'api-2', { uid: 'lag-api-2' })];
    await ingest(table, [unschedulable(a), unschedulable(b)]);
    // The sweep's client answers the pending index with a's item as it was before a became Ready
    // (the index lags the table).
    const before = await env.t.doc.send(
      new GetCommand({ TableName: table, Key: podKeyOf(a.cluster, a.namespace, a.name, a.uid) }),
    );
    expect(before.Item?.pendingKey).toBeDefined();
    const doc = DynamoDBDocumentClient.from(env.t.client);
    const send = doc.send.bind(doc) as (c: unknown) => Promise<unknown>;
    (doc as { send: unknown }).send = async (c: unknown) => {
      const out = (await send(c)) as QueryCommandOutput;
      if (!(c instanceof QueryCommand) || c.input.IndexName !== 'pending') return out;
      const items = out.Items ?? [];
      return {
        ...out,
        Items: items.some((i) => i.sk === before.Item?.sk && i.pk === before.Item?.pk)
          ? items
          : [before.Item!, ...items],
      };
    };
    await ingest(table, [running(a, s(900))]);
    const clock = { now: s(901) };
    const sweep = makeSweepHandler({ ...env.sweepDeps(table, clock), client: doc });
    const r = (await sweep()).clusters[0]!;
    expect(r.stuckPending).toBe(2);
    expect(r.opened).toEqual(['pending#lag-api-2']);
    expect(notices()[0]).toMatchObject({ count: 1 });
    expect(notices()[0]!.pods.map((p: { name: string }) => p.name)).toEqual(['api-2']);
    expect(await openAlerts(table, 'lag')).toEqual(['pending#lag-api-2']);
  });

  it('a first sight that arrives 40 s late still counts from the creationTimestamp', async () => {
    const table = await env.freshTable();
    const p = pod('late', 'api-1');
    // The forwarder's linger: the pod's first snapshot is stored 40 s after its creation.
    const clock = { now: s(40) };
    const sweep = sweeper(table, clock);
    expect((await sweep()).clusters).toEqual([]);
    await ingest(table, [unschedulable(p)]);
    clock.now = s(901);
    expect((await sweep()).clusters[0]!.opened).toEqual(['pending#late-api-1']);
    expect(notices()[0]!.pods[0]).toMatchObject({ createdAt: iso(T0), ageSeconds: 901 });
  });

  it("clock skew: a creationTimestamp ahead of the sweep's clock is age 0, not negative; it alerts once it is old enough", async () => {
    const table = await env.freshTable();
    // The API server's clock 2 minutes ahead of the sweep's.
    const p = pod('skew', 'api-1', { created: s(120) });
    await ingest(table, [unschedulable(p)]);
    const clock = { now: s(60) };
    const sweep = sweeper(table, clock);
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], stuckPending: 0 });
    clock.now = s(120 + 900);
    expect((await sweep()).clusters[0]!.opened).toEqual([]);
    clock.now = s(120 + 901);
    expect((await sweep()).clusters[0]!.opened).toEqual(['pending#skew-api-1']);
  });

  it("the threshold per namespace: a namespace rule wins over STUCK_PENDING_OVERRIDES, and so does an owner kind's rule", async () => {
    const table = await env.freshTable();
    const crit = pod('ns', 'api-1', { namespace: 'critical', uid: 'ns-crit' });
    const batch = pod('ns', 'api-1', {
      namespace: 'batch',
      uid: 'ns-batch',
      owner: { kind: 'StatefulSet', name: 'db' },
    });
    const web = pod('ns', 'api-1', { uid: 'ns-web' });
    await ingest(table, [unschedulable(crit), unschedulable(batch), unschedulable(web)]);
    const clock = { now: s(61) };
    const sweep = sweeper(table, clock, {
      pending: { defaultSeconds: 900, overrides: { critical: 600, batch: 30 } },
      rules: alertRulesOf(
        {
          namespaces: { critical: { stuckPendingSeconds: 60 } },
          ownerKinds: { StatefulSet: { stuckPendingSeconds: 1800 } },
        },
        'test',
      ),
    });
    expect((await sweep()).clusters[0]!.opened).toEqual(['pending#ns-crit']);
    clock.now = s(901);
    expect((await sweep()).clusters[0]!.opened).toEqual(['pending#ns-web']);
    clock.now = s(1801);
    expect((await sweep()).clusters[0]!.opened).toEqual(['pending#ns-batch']);
  });
});

describe('deleted, re-created, failed', () => {
  it('deleted while a crash-loop alert is open: one resolve, Deleted', async () => {
    const table = await env.freshTable();
    const p = pod('del', 'api-1');
    await ingest(table, crashLoop(p, [s(0), s(60), s(200), s(500), s(800)]));
    const clock = { now: s(1000) };
    const sweep = sweeper(table, clock);
    expect((await sweep()).clusters[0]!.opened).toEqual(['crashloop#del-api-1']);
    await ingest(table, [deleted(p, s(1010))]);
    clock.now = s(1020);
    expect((await sweep()).clusters[0]!.resolved).toEqual(['crashloop#del-api-1']);
    expect(notices().at(-1)!.pods[0]).toMatchObject({ resolution: 'Deleted' });
    clock.now = s(1080);
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], resolved: [] });
    expect(await openAlerts(table, 'del')).toEqual([]);
  });

  it("re-created with the same name (new uid): the new pod's episode opens, the old one resolves, and the group is not all clear", async () => {
    const table = await env.freshTable();
    const owner = { kind: 'StatefulSet', name: 'db' };
    const old = pod('recreate', 'db-0', { uid: 'uid-old', owner });
    const other = pod('recreate', 'db-1', { uid: 'uid-other', owner });
    await ingest(table, [unschedulable(old), unschedulable(other)]);
    const clock = { now: s(901) };
    const sweep = sweeper(table, clock, { rules: alertRulesOf({}, 'test') });
    expect((await sweep()).clusters[0]!.opened.sort()).toEqual(['pending#uid-old', 'pending#uid-other']);
    // db-0 is deleted and its controller makes a new one with the same name, 16 minutes ago.
    const fresh = pod('recreate', 'db-0', { uid: 'uid-new', owner, created: s(1000) });
    await ingest(table, [deleted(old, s(1000)), unschedulable(fresh)]);
    clock.now = s(1000 + 901);
    const r = (await sweep()).clusters[0]!;
    expect(r.opened).toEqual(['pending#uid-new']);
    expect(r.resolved).toEqual(['pending#uid-old']);
    expect(await openAlerts(table, 'recreate')).toEqual(['pending#uid-new', 'pending#uid-other']);
    const resolve = notices().find((n) => n.type === DETAIL_TYPE_RESOLVED)!;
    const opened = notices().filter((n) => n.type !== DETAIL_TYPE_RESOLVED);
    // The same group, the same dedup key: a consumer that resolves on stillOpen 0 must not.
    expect(resolve.dedupKey).toBe(opened.at(-1)!.dedupKey);
    expect(resolve.pods[0]).toMatchObject({ uid: 'uid-old', resolution: 'Deleted' });
    expect(resolve.stillOpen).toBe(2);
  });

  it("a Job's pod that fails is not a crash loop; an opted-in Job pod stuck Pending that fails resolves Failed", async () => {
    const table = await env.freshTable();
    const job = { kind: 'Job', name: 'migrate' };
    const failing = pod('job', 'migrate-a', { uid: 'job-a', owner: job });
    const stuck = pod('job', 'migrate-b', { uid: 'job-b', owner: job });
    const terminated = (p: PodSpec) =>
      snap(p, 'MODIFIED', {
        phase: 'Failed',
        nodeName: 'node-1',
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(p.created) }],
        containerStatuses: [
          {
            name: 'app',
            restartCount: 0,
            containerID: 'containerd://run-0',
            state: {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                startedAt: iso(s(10)),
                finishedAt: iso(s(20)),
                containerID: 'containerd://run-0',
              },
            },
          },
        ],
      });
    await ingest(table, [running(failing, s(10)), terminated(failing), unschedulable(stuck)]);
    const clock = { now: s(901) };
    const enabled = { rules: alertRulesOf({ ownerKinds: { Job: { enabled: true } } }, 'test') };
    const sweep = sweeper(table, clock, enabled);
    expect((await sweep()).clusters[0]).toMatchObject({ opened: ['pending#job-b'], crashLooping: 0 });
    await ingest(table, [terminated(stuck)]);
    clock.now = s(960);
    expect((await sweep()).clusters[0]!.resolved).toEqual(['pending#job-b']);
    expect(notices().at(-1)!.pods[0]).toMatchObject({ resolution: 'Failed' });
    // By default (Job pods excluded) neither alerts.
    const quiet = await env.freshTable();
    await ingest(quiet, [unschedulable({ ...stuck, cluster: 'job2' })]);
    expect((await sweeper(quiet, { now: s(2000) })()).clusters[0]).toMatchObject({
      opened: [],
      stuckPending: 0,
    });
  });
});

describe('crash loops', () => {
  it('flapping between CrashLoopBackOff and Running: one episode, not one per restart', async () => {
    const table = await env.freshTable();
    const p = pod('flap', 'api-1');
    const starts = [s(0), s(10), s(30), s(70), s(150), s(310), s(610), s(910)];
    await ingest(table, crashLoop(p, starts.slice(0, 7)));
    const clock = { now: s(700) };
    const sweep = sweeper(table, clock);
    // Restarts since +10, 11m40s ago: not 15 minutes yet.
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], crashLooping: 0 });
    clock.now = s(915);
    await ingest(table, crashLoop(p, starts, { runningAgain: s(912) }));
    // Running between two crashes at the sweep: out of the index, not opened this minute.
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], crashLooping: 0 });
    await ingest(table, crashLoop(p, [...starts, s(1212)]));
    clock.now = s(1220);
    expect((await sweep()).clusters[0]!.opened).toEqual(['crashloop#flap-api-1']);
    await ingest(table, crashLoop(p, [...starts, s(1212)], { runningAgain: s(1512) }));
    clock.now = s(1520);
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], resolved: [] });
    await ingest(table, crashLoop(p, [...starts, s(1212), s(1512)]));
    clock.now = s(1580);
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], resolved: [], crashLooping: 1 });
    expect(published()).toHaveLength(1);
  });

  it('an init container crash loop alerts as a crash loop, naming the init container', async () => {
    const table = await env.freshTable();
    const p = pod('init', 'migrate-1');
    const starts = [s(0), s(60), s(200), s(500)];
    const term = (i: number) => ({
      terminated: {
        exitCode: 1,
        reason: 'Error',
        startedAt: iso(starts[i]!),
        finishedAt: iso(starts[i]! + 1000),
        containerID: `containerd://init-${i}`,
      },
    });
    const app: SnapContainer = {
      name: 'app',
      restartCount: 0,
      state: { waiting: { reason: 'PodInitializing' } },
    };
    const inputs: Input[] = starts.map((t, i) =>
      snap(p, i === 0 ? 'ADDED' : 'MODIFIED', {
        phase: 'Pending',
        nodeName: 'node-1',
        initContainerCount: 1,
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(p.created) }],
        initContainerStatuses: [
          {
            name: 'init-db',
            restartCount: i,
            containerID: `containerd://init-${i}`,
            state: { running: { startedAt: iso(t) } },
            ...(i > 0 ? { lastState: term(i - 1) } : {}),
          },
        ],
        containerStatuses: [app],
      }),
    );
    inputs.push(
      snap(p, 'MODIFIED', {
        phase: 'Pending',
        nodeName: 'node-1',
        initContainerCount: 1,
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(p.created) }],
        initContainerStatuses: [
          {
            name: 'init-db',
            restartCount: 3,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: 'back-off 5m0s restarting failed container=init-db',
              },
            },
            lastState: term(3),
          },
        ],
        containerStatuses: [app],
      }),
    );
    await ingest(table, inputs);
    const r = (await sweeper(table, { now: s(1000) })()).clusters[0]!;
    // The pod is Pending too (no app container started): both alerts, as their definitions say.
    expect(r.opened.sort()).toEqual(['crashloop#init-migrate-1', 'pending#init-migrate-1']);
    const crash = notices().find((n) => n.kind === 'crashloop')!;
    expect(crash.pods[0]).toMatchObject({
      container: 'init-db',
      initContainer: true,
      status: 'Init:CrashLoopBackOff',
    });
  });
});
