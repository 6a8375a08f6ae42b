/**
 * Silences and the namespace purge on DynamoDB Local, through the operations handler (the
 * routes the API serves) and the real sweep, SNS and EventBridge mocked: a silence holds a new
 * episode (recorded as silenced, nothing sent) until it expires or is deleted, and then the alert
 * goes out saying which silence held it; a purge deletes a namespace's history, is idempotent,
 * and says which copies remain.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeOpsHandler } from '../../functions/query/ops.ts';
import { makeQueryHandler } from '../../functions/query/query.ts';
import { snsEventBridgeNotifier } from '../../functions/sweep/notifier.ts';
import { makeSweepHandler } from '../../functions/sweep/sweep.ts';
import { type AlertConfig, DEFAULT_ALERT_CONFIG } from '../../model/alerts.ts';
import { alertPk } from '../../model/keys.ts';
import { SilenceResponse, SilencesResponse } from '../../model/silences.ts';
import { busEventOf, harness, type Input, quietLogger, silentMetrics } from '../../testkit/ingest-harness.ts';
import { apiEvent, crashLoop, type PodSpec, running, unschedulable } from '../../testkit/query-support.ts';
import { sweepTables } from '../../testkit/sweep-support.ts';

const env = sweepTables('podlife-silence');
const { sns, events } = env;
const freshTable = () => env.freshTable();

const T0 = Date.parse('2026-11-20T10:00:00Z');
const pod = (namespace: string, name: string, cluster = 'prod'): PodSpec => ({
  cluster,
  namespace,
  name,
  uid: `${cluster}-${namespace}-${name}`,
  created: T0,
  owner: { kind: 'Deployment', name: name.replace(/-\w+$/, '') },
});

async function ingest(tableName: string, inputs: readonly Input[]) {
  const h = harness(env.t.doc, tableName);
  for (const i of inputs) await h.handler(busEventOf(i));
}

function setup(tableName: string, clock: { now: number }, config: Partial<AlertConfig> = {}) {
  const sweep = makeSweepHandler({
    client: env.t.client,
    tableName,
    notifier: snsEventBridgeNotifier({
      sns: new SNSClient({ region: 'eu-west-1' }),
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:podlife-alerts',
      events: new EventBridgeClient({ region: 'eu-west-1' }),
      busName: 'podlife',
    }),
    config: { ...DEFAULT_ALERT_CONFIG, pending: { defaultSeconds: 300, overrides: {} }, ...config },
    now: () => clock.now,
    logger: quietLogger(),
    metrics: silentMetrics(),
  });
  const ops = makeOpsHandler({ client: env.t.client, tableName, now: () => clock.now });
  const query = makeQueryHandler({ client: env.t.client, tableName, now: () => clock.now });
  // As API Gateway routes them: GET /silences to the (read-only) query function, the writes to
  // the operations function.
  const call = async (method: string, path: string, body?: unknown, q: Record<string, string> = {}) => {
    const e: APIGatewayProxyEventV2 = { ...apiEvent(path, q, method) };
    if (body !== undefined) e.body = JSON.stringify(body);
    const r = method === 'GET' ? await query(e) : await ops(e);
    return { status: r.statusCode, body: JSON.parse(String(r.body)), headers: r.headers ?? {} };
  };
  return { sweep, call };
}

const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const noticesPut = () =>
  events
    .commandCalls(PutEventsCommand)
    .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail ?? '{}')));

async function alertSks(tableName: string, cluster: string): Promise<string[]> {
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

describe('silences', () => {
  it('a silence holds new episodes (recorded, not sent) and, once expired, the alert goes out naming it', async () => {
    const table = await freshTable();
    const web = pod('web', 'api-1');
    const batch = pod('batch', 'etl-1');
    await ingest(table, [unschedulable(web), unschedulable(batch)]);
    const clock = { now: T0 + 60_000 };
    const { sweep, call } = setup(table, clock);

    const created = await call('POST', '/silences', {
      cluster: 'prod',
      namespace: 'web',
      durationSeconds: 3600,
      comment: 'node pool upgrade, CHG-1234',
    });
    expect(created.status).toBe(201);
    const { silence } = SilenceResponse.parse(created.body);
    expect(silence).toMatchObject({ cluster: 'prod', namespace: 'web', owner: null, reason: null });
    expect(silence.endsAt).toBe(new Date(T0 + 60_000 + 3_600_000).toISOString());

    // 10 minutes Pending: both are stuck; the silenced one is recorded, only the other is sent.
    clock.now = T0 + 600_000;
    const first = await sweep();
    expect(first.clusters[0]).toMatchObject({
      opened: ['pending#prod-batch-etl-1'],
      silenced: ['pending#prod-web-api-1'],
      stuckPending: 2,
    });
    expect(published().map((m) => m.Subject)).toEqual([
      expect.stringContaining('Stuck Pending: batch/etl-1'),
    ]);
    expect(await alertSks(table, 'prod')).toEqual([
      'pending#prod-batch-etl-1',
      'silenced#pending#prod-web-api-1',
    ]);

    // The API lists it, active, with what it holds.
    const listed = SilencesResponse.parse(
      (await call('GET', '/silences', undefined, { cluster: 'prod' })).body,
    );
    expect(listed.silences).toHaveLength(1);
    expect(listed.silences[0]).toMatchObject({ id: silence.id, active: true });
    expect(listed.silences[0]!.silenced.map((s) => s.name)).toEqual(['api-1']);

    // Still held a minute later: nothing new.
    clock.now += 60_000;
    expect((await sweep()).clusters[0]).toMatchObject({ opened: [], silenced: ['pending#prod-web-api-1'] });
    expect(published()).toHaveLength(1);

    // The silence ends while the pod is still stuck: the alert goes out, saying which silence held it.
    clock.now = Date.parse(silence.endsAt) + 1000;
    const after = await sweep();
    expect(after.clusters[0]).toMatchObject({ opened: ['pending#prod-web-api-1'], silenced: [] });
    expect(published()).toHaveLength(2);
    const msg = published()[1]!;
    expect(msg.Subject).toContain('Stuck Pending: web/api-1');
    expect(msg.Message).toContain(`silenced by ${silence.id} from ${new Date(T0 + 600_000).toISOString()}`);
    const notice = noticesPut().at(-1)!;
    expect(notice.pods[0].silencedBefore).toEqual({
      silenceId: silence.id,
      since: new Date(T0 + 600_000).toISOString(),
      until: silence.endsAt,
    });
    expect(await alertSks(table, 'prod')).toEqual(['pending#prod-batch-etl-1', 'pending#prod-web-api-1']);
    const later = SilencesResponse.parse((await call('GET', '/silences')).body);
    expect(later.silences[0]).toMatchObject({ active: false, silenced: [] });
  });

  it('deleting a silence releases what it held; a pod that left the state meanwhile is never announced', async () => {
    const table = await freshTable();
    const a = pod('shop', 'cart-1');
    const b = pod('shop', 'cart-2');
    await ingest(table, [
      unschedulable(a),
      unschedulable(b, '0/3 nodes are available: 3 node(s) had taint.'),
    ]);
    const clock = { now: T0 + 60_000 };
    const { sweep, call } = setup(table, clock);
    const byReason = SilenceResponse.parse(
      (
        await call('POST', '/silences', {
          cluster: 'prod',
          owner: 'Deployment/cart',
          reason: 'Insufficient cpu',
          durationSeconds: 7200,
          comment: 'capacity request open',
        })
      ).body,
    ).silence;
    const all = SilenceResponse.parse(
      (await call('POST', '/silences', { cluster: 'prod', durationSeconds: 7300, comment: 'all' })).body,
    ).silence;
    clock.now = T0 + 600_000;
    const first = await sweep();
    expect(first.clusters[0]!.silenced.sort()).toEqual([
      'pending#prod-shop-cart-1',
      'pending#prod-shop-cart-2',
    ]);
    expect(published()).toHaveLength(0);

    // cart-2 starts while silenced: its record goes, nothing is sent for it.
    await ingest(table, [running(b, T0 + 620_000)]);
    // Deleting the catch-all: cart-1 is still held by the reason silence.
    expect((await call('DELETE', `/silences/${all.id}`)).status).toBe(200);
    expect((await call('DELETE', `/silences/${all.id}`)).status).toBe(404);
    clock.now += 60_000;
    const second = await sweep();
    expect(second.clusters[0]).toMatchObject({ opened: [], silenced: ['pending#prod-shop-cart-1'] });
    expect(await alertSks(table, 'prod')).toEqual(['silenced#pending#prod-shop-cart-1']);

    expect((await call('DELETE', `/silences/${byReason.id}`)).status).toBe(200);
    clock.now += 60_000;
    const third = await sweep();
    expect(third.clusters[0]).toMatchObject({ opened: ['pending#prod-shop-cart-1'], silenced: [] });
    expect(published().map((m) => m.Subject)).toEqual([expect.stringContaining('shop/cart-1')]);
    // The record names the silence that first held it (of two, the one that ends last).
    expect(published()[0]!.Message).toContain(
      `silenced by ${all.id} from ${new Date(T0 + 600_000).toISOString()} until ${new Date(clock.now).toISOString()}`,
    );
  });

  it('the routes refuse what is wrong: a bad body, a missing comment, an unknown method', async () => {
    const table = await freshTable();
    const { call } = setup(table, { now: T0 });
    const bad = await call('POST', '/silences', { cluster: 'prod', durationSeconds: 10, comment: 'x' });
    expect(bad).toMatchObject({ status: 400, body: { parameter: 'durationSeconds' } });
    const noComment = await call('POST', '/silences', { cluster: 'prod', durationSeconds: 600 });
    expect(noComment).toMatchObject({ status: 400, body: { parameter: 'comment' } });
    const put = await call('PUT', '/silences', {});
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('POST');
    // The operations function writes only: the list is the query function's.
    const opsGet = await makeOpsHandler({ client: env.t.client, tableName: table, now: () => T0 })(
      apiEvent('/silences'),
    );
    expect(opsGet.statusCode).toBe(405);
    expect((await call('GET', '/silences', undefined, { cluster: '' })).status).toBe(400);
    expect((await call('GET', '/silences', undefined, { other: 'x' })).status).toBe(400);
    expect((await call('DELETE', '/silences/nope')).status).toBe(400);
  });
});

describe('purge', () => {
  it('deletes a namespace history (every incarnation, its alert records), idempotent, and says what remains', async () => {
    const table = await freshTable();
    const gone = Array.from({ length: 30 }, (_, i) => pod('tenant-a', `job-${i}`));
    const kept = [pod('tenant-b', 'web-1'), pod('tenant-a', 'web-1', 'other')];
    await ingest(
      table,
      [...gone, ...kept].map((p) => unschedulable(p)),
    );
    const clock = { now: T0 + 600_000 };
    const { sweep, call } = setup(table, clock);
    await sweep();
    expect((await alertSks(table, 'prod')).filter((s) => s.startsWith('pending#'))).toHaveLength(31);

    const query = makeQueryHandler({ client: env.t.client, tableName: table, now: () => clock.now });
    const pendingIn = async (cluster: string, namespace: string) =>
      JSON.parse(String((await query(apiEvent('/pending', { cluster, namespace }))).body)).pods.length;
    expect(await pendingIn('prod', 'tenant-a')).toBe(30);

    const first = await call('DELETE', '/namespaces/tenant-a', undefined, { cluster: 'prod' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ cluster: 'prod', namespace: 'tenant-a', done: true });
    expect(first.body.deleted).toBe(30 + 30);
    expect(first.body.remaining.map((r: { copy: string }) => r.copy)).toEqual([
      'EventBridge archive of forwarder events',
      'EventBridge archive of alert events',
      'SQS failure, invalid-event and dead-letter queues',
      'CloudWatch Logs (Lambda and API access logs)',
      'DynamoDB point-in-time recovery',
    ]);
    expect(first.body.remaining[4].expiresBy).toBe(new Date(clock.now + 35 * 86_400_000).toISOString());

    expect(await pendingIn('prod', 'tenant-a')).toBe(0);
    expect(await pendingIn('prod', 'tenant-b')).toBe(1);
    expect(await pendingIn('other', 'tenant-a')).toBe(1);
    expect(await alertSks(table, 'prod')).toEqual(['pending#prod-tenant-b-web-1']);
    const again = await call('DELETE', '/namespaces/tenant-a', undefined, { cluster: 'prod' });
    expect(again.body).toMatchObject({ deleted: 0, done: true });
    expect((await call('DELETE', '/namespaces/tenant-a')).status).toBe(400);
  });
});

describe('alert content', () => {
  it('an init container crash loop names the init container and Init:CrashLoopBackOff; the runbook link uses runbookBaseUrl', async () => {
    const table = await freshTable();
    const p = pod('db', 'migrate-1');
    const s = (x: number) => T0 + x * 1000;
    // The same runs, by an init container: the pod stays Pending, its app container initialising.
    const inputs = crashLoop(p, [s(0), s(60), s(200), s(500)]).map((i) => {
      if (i.kind !== 'snapshot') return i;
      const pod = i.snapshot.pod;
      const init = pod.containerStatuses.map((c) => ({ ...c, name: 'init-db' }));
      return {
        ...i,
        snapshot: {
          ...i.snapshot,
          pod: {
            ...pod,
            phase: 'Pending' as const,
            initContainerCount: 1,
            initContainerStatuses: init,
            containerStatuses: [
              { name: 'app', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
            ],
          },
        },
      };
    });
    await ingest(table, inputs);
    const clock = { now: s(600) };
    const { sweep } = setup(table, clock, {
      crashLoopForSeconds: 0,
      pending: { defaultSeconds: 86_400, overrides: {} },
      runbookBaseUrl: 'https://github.com/example/podlife/blob/main/docs/runbooks.md',
    });
    expect((await sweep()).clusters[0]!.opened).toEqual(['crashloop#prod-db-migrate-1']);
    const notice = noticesPut()[0]!;
    expect(notice).toMatchObject({
      kind: 'crashloop',
      severity: 'warning',
      runbook: 'https://github.com/example/podlife/blob/main/docs/runbooks.md#pod-alert-crash-loop',
    });
    expect(notice.dedupKey).toMatch(/^podlife\/[0-9a-f]{24}$/);
    expect(notice.pods[0]).toMatchObject({
      container: 'init-db',
      initContainer: true,
      status: 'Init:CrashLoopBackOff',
      waitingMessage: 'back-off 5m0s restarting failed container',
    });
    const msg = published()[0]!.Message!;
    expect(msg).toContain('Container:        init-db (init container)');
    expect(msg).toContain('Status:           Init:CrashLoopBackOff');
    expect(msg).toContain(
      'Runbook:          https://github.com/example/podlife/blob/main/docs/runbooks.md#pod-alert-crash-loop',
    );
  });
});
