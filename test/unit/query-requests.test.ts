/**
 * The query API's and the sweep's pure parts, without a network: the DynamoDB requests each
 * route and the sweep send (toStrictEqual: exactly these, never a Scan), parameter validation,
 * the pagination token, path matching, index items → rows, the alert configuration, messages
 * and the decision of when an episode is over.
 */
import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../functions/query/router.ts';
import { alertsDue, resolutionOf } from '../../functions/sweep/sweep.ts';
import { noticeEventEntry, noticeOf, noticePublishInput } from '../../model/alert-groups.ts';
import {
  alertConfigFromEnv,
  crashLoopAlertOf,
  DEFAULT_ALERT_CONFIG,
  historyCommandOf,
  openedMessage,
  pendingThresholdsFromEnv,
  resolvedAlertOf,
  resolvedMessage,
  stuckPendingAlertOf,
} from '../../model/alerts.ts';
import {
  BadParameterError,
  decodeToken,
  encodeToken,
  PendingParams,
  parseParams,
  StatsParams,
} from '../../model/api-schemas.ts';
import { crashLoopingPodOf, minThreshold, pendingPodOf, thresholdFor } from '../../model/pod-rows.ts';
import { deleteAlertRequest, putAlertRequest } from '../../store/alert-store.ts';
import {
  clustersRequest,
  crashLoopingRequest,
  historyRequest,
  openAlertsRequest,
  pendingRequest,
  statsRequests,
  uidLookupRequest,
} from '../../store/pod-queries.ts';

const T = 'podlife';

describe('requests (pure)', () => {
  it('history: one Query on the name partition', () => {
    expect(historyRequest(T, 'prod', 'web', 'api-0')).toStrictEqual({
      TableName: T,
      ReturnConsumedCapacity: 'TOTAL',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': 'POD#prod#web#api-0' },
    });
  });

  it('uid lookup on byUid; clusters and open alerts on their partitions', () => {
    expect(uidLookupRequest(T, 'prod', 'u-1')).toStrictEqual({
      TableName: T,
      ReturnConsumedCapacity: 'TOTAL',
      IndexName: 'byUid',
      KeyConditionExpression: '#uk = :uk',
      ExpressionAttributeNames: { '#uk': 'uidKey' },
      ExpressionAttributeValues: { ':uk': 'prod#u-1' },
    });
    expect(clustersRequest(T).ExpressionAttributeValues).toStrictEqual({ ':pk': 'CLUSTERS' });
    expect(openAlertsRequest(T, 'prod')).toMatchObject({
      ExpressionAttributeValues: { ':pk': 'ALERT#prod' },
      ConsistentRead: true,
    });
  });

  it('pending: the sparse index, created before the cut; a namespace is a filter on the table key', () => {
    expect(
      pendingRequest(T, { cluster: 'prod', createdBefore: '2026-11-02T08:00:00.000Z', limit: 2 }),
    ).toStrictEqual({
      TableName: T,
      ReturnConsumedCapacity: 'TOTAL',
      IndexName: 'pending',
      KeyConditionExpression: '#p = :p AND #ck < :before',
      ExpressionAttributeNames: { '#p': 'pendingKey', '#ck': 'createdKey' },
      ExpressionAttributeValues: { ':p': 'PENDING#prod', ':before': '2026-11-02T08:00:00.000Z' },
      Limit: 2,
    });
    const start = { pk: 'POD#prod#web#a', sk: 'u', pendingKey: 'PENDING#prod', createdKey: 'x' };
    expect(
      pendingRequest(T, { cluster: 'prod', namespace: 'web', createdBefore: 'z', startKey: start }),
    ).toMatchObject({
      FilterExpression: 'begins_with(#tpk, :podPrefix)',
      ExpressionAttributeNames: { '#tpk': 'pk' },
      ExpressionAttributeValues: { ':podPrefix': 'POD#prod#web#' },
      ExclusiveStartKey: start,
    });
  });

  it('crash loops: the sparse index of the cluster', () => {
    expect(crashLoopingRequest(T, { cluster: 'prod' })).toStrictEqual({
      TableName: T,
      ReturnConsumedCapacity: 'TOTAL',
      IndexName: 'crashLooping',
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': 'crashKey' },
      ExpressionAttributeValues: { ':p': 'CRASH#prod' },
    });
  });

  it('stats: byNamespace (an owner too: no byOwner index), or one byClusterDay query per day, all BETWEEN [from, to)', () => {
    const scope = { cluster: 'prod', fromIso: '2026-11-01T12:00:00.000Z', toIso: '2026-11-03T00:00:00.000Z' };
    const owner = statsRequests(
      T,
      { ...scope, namespace: 'web', owner: { kind: 'Deployment', name: 'api' } },
      [],
    );
    // The owner's pods are the namespace's that name it: the stats route keeps those.
    expect(owner).toStrictEqual([
      {
        TableName: T,
        ReturnConsumedCapacity: 'TOTAL',
        IndexName: 'byNamespace',
        KeyConditionExpression: '#p = :p AND #ck BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#p': 'nsKey', '#ck': 'createdKey' },
        ExpressionAttributeValues: {
          ':p': 'NS#prod#web',
          ':from': scope.fromIso,
          ':to': scope.toIso,
        },
      },
    ]);
    expect(statsRequests(T, { ...scope, namespace: 'web' }, [])[0]).toMatchObject({
      IndexName: 'byNamespace',
      ExpressionAttributeValues: { ':p': 'NS#prod#web' },
    });
    const days = statsRequests(T, scope, ['2026-11-01', '2026-11-02']);
    expect(days.map((r) => [r.IndexName, r.ExpressionAttributeValues?.[':p']])).toStrictEqual([
      ['byClusterDay', 'DAY#prod#2026-11-01'],
      ['byClusterDay', 'DAY#prod#2026-11-02'],
    ]);
  });

  it('alert items: created only if absent, deleted only if present', () => {
    expect(putAlertRequest(T, { pk: 'ALERT#prod', sk: 'pending#u' })).toStrictEqual({
      TableName: T,
      Item: { pk: 'ALERT#prod', sk: 'pending#u' },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(deleteAlertRequest(T, { pk: 'ALERT#prod', sk: 'pending#u' })).toMatchObject({
      ConditionExpression: 'attribute_exists(#pk)',
    });
  });
});

describe('parameters and tokens', () => {
  it('defaults, durations, and the first problem as a BadParameterError', () => {
    expect(parseParams(PendingParams, { cluster: 'prod' })).toStrictEqual({
      cluster: 'prod',
      olderThan: 0,
      limit: 100,
    });
    expect(parseParams(PendingParams, { cluster: 'prod', olderThan: '1h30m', limit: '7' })).toMatchObject({
      olderThan: 5400,
      limit: 7,
    });
    const bad = (raw: Record<string, string>) => {
      try {
        parseParams(PendingParams, raw);
      } catch (e) {
        return [(e as BadParameterError).parameter, (e as BadParameterError).reason];
      }
      return undefined;
    };
    expect(bad({})).toEqual(['cluster', 'required']);
    expect(bad({ cluster: 'a/b' })).toEqual(['cluster', 'no control characters or /']);
    expect(bad({ cluster: 'prod', extra: '1' })).toEqual(['extra', 'unknown parameter for this route']);
    expect(parseParams(StatsParams, { cluster: 'p', since: '2026-11-01T00:00:00Z' }).since).toStrictEqual({
      at: Date.parse('2026-11-01T00:00:00Z'),
    });
    expect(parseParams(StatsParams, { cluster: 'p' }).since).toStrictEqual({ ago: 86400 });
  });

  it('a token carries exactly the index keys of the requested partition', () => {
    const key = { pk: 'POD#prod#web#a', sk: 'u', pendingKey: 'PENDING#prod', createdKey: '2026#u' };
    const token = encodeToken(key)!;
    const attrs = ['pk', 'sk', 'pendingKey', 'createdKey'];
    expect(decodeToken(token, attrs, { pendingKey: 'PENDING#prod' })).toStrictEqual(key);
    expect(decodeToken(undefined, attrs, {})).toBeUndefined();
    expect(() => decodeToken(token, attrs, { pendingKey: 'PENDING#dev' })).toThrow(BadParameterError);
    expect(() => decodeToken(encodeToken({ ...key, extra: 'x' }), attrs, {})).toThrow(
      /not a token of this route/,
    );
    expect(() => decodeToken(encodeToken({ ...key, sk: 1 }), attrs, {})).toThrow(/not a token of this route/);
    expect(() => decodeToken('%%%', attrs, {})).toThrow(/not a token this API issued/);
  });

  it('paths: literal segments win; parameters are decoded; unknown paths match nothing', () => {
    expect(matchRoute('/pods/by-uid/prod/u-1')).toMatchObject({
      route: { path: '/pods/by-uid/{cluster}/{uid}' },
      pathParams: { cluster: 'prod', uid: 'u-1' },
    });
    expect(matchRoute('/pods/prod/web/api-0')?.pathParams).toStrictEqual({
      cluster: 'prod',
      namespace: 'web',
      name: 'api-0',
    });
    expect(matchRoute('/pods/by-uid/prod/synthetic%3Aweb%2Fa%402026')?.pathParams.uid).toBe(
      'synthetic:web/a@2026',
    );
    expect(matchRoute('/pending/')?.route.path).toBe('/pending');
    expect(matchRoute('/pods/prod/web')).toBeUndefined();
    expect(matchRoute('/pods/prod/web/%E0%A4%A')).toBeUndefined();
  });
});

describe('rows and thresholds', () => {
  const item = {
    pk: 'POD#prod#batch#job-1',
    sk: 'u-1',
    createdAt: '2026-11-02T08:00:00.000Z',
    phase: 'Pending',
    ownerKind: 'Job',
    ownerName: 'job',
    unschedulableMessage: '0/3 nodes are available',
    restartTimes: [1_793_606_400, 1_793_610_000],
    restarts: 4,
    lastTerminationReason: 'OOMKilled',
    lastExitCode: 137,
    crashLoopBackOffSeconds: 80,
    waitingReason: 'CrashLoopBackOff',
  };
  const now = Date.parse('2026-11-02T08:10:00.000Z');
  const thresholds = { defaultSeconds: 300, overrides: { batch: 1800, critical: 60 } };

  it('per-namespace thresholds; the lowest one bounds the sweep query', () => {
    expect(thresholdFor(thresholds, 'batch')).toBe(1800);
    expect(thresholdFor(thresholds, 'web')).toBe(300);
    expect(thresholdFor(thresholds, 'constructor')).toBe(300);
    expect(minThreshold(thresholds)).toBe(60);
  });

  it('a pending row: identity from the keys, age, stuck by its namespace threshold', () => {
    expect(pendingPodOf(item, now, thresholds)).toStrictEqual({
      cluster: 'prod',
      namespace: 'batch',
      name: 'job-1',
      uid: 'u-1',
      owner: { kind: 'Job', name: 'job' },
      node: null,
      phase: 'Pending',
      createdAt: '2026-11-02T08:00:00.000Z',
      createdAtSource: 'creationTimestamp',
      ageSeconds: 600,
      ready: null,
      waitingReason: 'CrashLoopBackOff',
      unschedulableMessage: '0/3 nodes are available',
      statusReason: null,
      thresholdSeconds: 1800,
      stuck: false,
    });
    expect(pendingPodOf({ ...item, pk: 'POD#prod#web#job-1' }, now, thresholds).stuck).toBe(true);
    // kubectl's READY, stored as `0/2` while the pod is Pending (issue 14).
    expect(pendingPodOf({ ...item, ready: '0/2' }, now, thresholds).ready).toEqual({ ready: 0, total: 2 });
  });

  it('a pod without creationTimestamp: its first-seen time (in the index key) stands in, marked so', () => {
    const { createdAt: _, ...noCreation } = item;
    const standIn = { ...noCreation, createdKey: '2026-11-02T08:05:00.000Z#u-1' };
    expect(pendingPodOf(standIn, now, thresholds)).toMatchObject({
      createdAt: '2026-11-02T08:05:00.000Z',
      createdAtSource: 'firstSeen',
      ageSeconds: 300,
    });
    // No time at all (key 0000#uid): no age, and said so.
    expect(pendingPodOf({ ...noCreation, createdKey: '0000#u-1' }, now, thresholds)).toMatchObject({
      createdAt: null,
      createdAtSource: null,
      ageSeconds: null,
    });
  });

  it('an open back-off counts up to now; without its start it is null, never 0', () => {
    const row = crashLoopingPodOf({ ...item, backOffSince: '2026-11-02T07:50:00.000Z' }, now, 3600);
    expect(row).toMatchObject({
      crashLoopBackOffSeconds: 80,
      backOffOpenSince: '2026-11-02T07:50:00.000Z',
      openBackOffSeconds: 1200,
    });
    expect(
      crashLoopingPodOf({ ...item, backOffSince: '2026-11-02T07:50:00.000Z' }, now + 60_000, 3600)
        .openBackOffSeconds,
    ).toBe(1260);
    expect(crashLoopingPodOf(item, now, 3600)).toMatchObject({
      backOffOpenSince: null,
      openBackOffSeconds: null,
    });
  });

  it('a crash-loop row counts the restarts within the window before now', () => {
    const at = (1_793_610_000 + 60) * 1000;
    expect(crashLoopingPodOf(item, at, 120)).toMatchObject({
      restarts: 4,
      restartsInWindow: 1,
      lastExitCode: 137,
      lastRestartAt: new Date(1_793_610_000_000).toISOString(),
    });
    expect(crashLoopingPodOf(item, at, 7200).restartsInWindow).toBe(2);
  });
});

describe('alerts', () => {
  it('configuration from the environment: defaults, overrides, and a bad value named', () => {
    expect(alertConfigFromEnv({})).toStrictEqual(DEFAULT_ALERT_CONFIG);
    expect(
      pendingThresholdsFromEnv({ STUCK_PENDING_SECONDS: '120', STUCK_PENDING_OVERRIDES: '{"batch": 1800}' }),
    ).toStrictEqual({
      defaultSeconds: 120,
      overrides: { batch: 1800 },
    });
    expect(() => pendingThresholdsFromEnv({ STUCK_PENDING_OVERRIDES: '{batch: 1}' })).toThrow(
      /STUCK_PENDING_OVERRIDES must be JSON/,
    );
    expect(() => pendingThresholdsFromEnv({ STUCK_PENDING_OVERRIDES: '{"Batch_X": 1}' })).toThrow(
      /STUCK_PENDING_OVERRIDES: Batch_X: not a Kubernetes namespace/,
    );
    expect(() => pendingThresholdsFromEnv({ STUCK_PENDING_OVERRIDES: '{"batch": -1}' })).toThrow(
      /seconds > 0/,
    );
    expect(() => alertConfigFromEnv({ CRASHLOOP_MIN_RESTARTS: 'three' })).toThrow(
      /CRASHLOOP_MIN_RESTARTS must be a number/,
    );
  });

  const now = Date.parse('2026-11-02T08:10:00.000Z');
  const pending = pendingPodOf(
    {
      pk: 'POD#prod#web#api-7f9-x2',
      sk: 'u-2',
      createdAt: '2026-11-02T08:00:00.000Z',
      phase: 'Pending',
      ownerKind: 'Deployment',
      ownerName: 'api',
      unschedulableMessage: '0/3 nodes are available: 3 Insufficient cpu.',
    },
    now,
    { defaultSeconds: 300, overrides: {} },
  );

  it('which pods open an episode: stuck Pending, and crash loops with enough restarts in the window', () => {
    const crash = crashLoopingPodOf(
      {
        pk: 'POD#prod#web#w-1',
        sk: 'u-3',
        restartTimes: [now / 1000 - 10, now / 1000 - 20, now / 1000 - 30],
        restarts: 3,
      },
      now,
      3600,
    );
    const calm = crashLoopingPodOf(
      { pk: 'POD#prod#web#w-2', sk: 'u-4', restartTimes: [now / 1000 - 10], restarts: 9 },
      now,
      3600,
    );
    const young = { ...pending, uid: 'u-5', stuck: false, ageSeconds: 10 };
    const job = { ...pending, uid: 'u-6', owner: { kind: 'Job', name: 'etl' } };
    // The 5-minute threshold the rows were made with (the default is the mixin's 15 minutes).
    const fiveMinutes = { ...DEFAULT_ALERT_CONFIG, pending: { defaultSeconds: 300, overrides: {} } };
    expect(
      alertsDue([pending, young, job], [crash, calm], fiveMinutes, now).map((a) => `${a.kind}#${a.uid}`),
    ).toEqual(['pending#u-2', 'crashloop#u-3']);
    // Crash-looping for 15 minutes: its first restart in the window 30 s ago is too recent.
    const first = new Map([['u-3', now / 1000 - 30]]);
    expect(alertsDue([], [crash], fiveMinutes, now, first)).toEqual([]);
    expect(alertsDue([], [crash], { ...fiveMinutes, crashLoopForSeconds: 0 }, now, first)).toHaveLength(1);
  });

  it('what the on-call engineer reads: a one-line subject, the facts, the commands to run', () => {
    const m = openedMessage(stuckPendingAlertOf(pending, now));
    expect(m.subject).toBe('[podlife] Stuck Pending: web/api-7f9-x2 (prod) for 10m');
    expect(m.body).toBe(
      [
        'Pod web/api-7f9-x2 in cluster prod has been Pending for 10m (threshold 5m).',
        '',
        'Cluster:          prod',
        'Pod:              web/api-7f9-x2 (uid u-2)',
        'Owner:            Deployment/api',
        'Created:          2026-11-02T08:00:00.000Z (10m ago)',
        'Node:             (not scheduled)',
        'Scheduler:        0/3 nodes are available: 3 Insufficient cpu.',
        '',
        'Investigate:',
        '  podlife history web/api-7f9-x2 --cluster prod',
        '  kubectl describe pod -n web api-7f9-x2',
        '',
      ].join('\n'),
    );
    const r = resolvedMessage(resolvedAlertOf(stuckPendingAlertOf(pending, now), 'Deleted', now + 90_000));
    expect(r.subject).toBe('[podlife] Resolved: Stuck Pending web/api-7f9-x2 (prod)');
    expect(r.body).toMatch(
      /^Pod web\/api-7f9-x2 in cluster prod is no longer stuck Pending: it was deleted\.\n/,
    );
    expect(r.body).toContain('Open for:         1m30s');
    const long = openedMessage(stuckPendingAlertOf({ ...pending, cluster: 'é'.repeat(80) }, now));
    expect(long.subject.length).toBe(100);
    expect(long.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(historyCommandOf({ cluster: 'my cluster', namespace: 'web', name: 'a' })).toBe(
      "podlife history web/a --cluster 'my cluster'",
    );
  });

  it('SNS message and EventBridge entry of an alert (a notice of one pod)', () => {
    const alert = crashLoopAlertOf(
      crashLoopingPodOf(
        { pk: 'POD#prod#web#w-1', sk: 'u-3', restarts: 3, lastTerminationReason: 'Error', lastExitCode: 1 },
        now,
        3600,
      ),
      now,
      3600,
    );
    const notice = noticeOf('opened', [alert], { nowMs: now, maxPodsListed: 20 });
    const input = noticePublishInput('arn:topic', notice);
    expect(input).toMatchObject({
      TopicArn: 'arn:topic',
      Subject: '[podlife] Crash looping: web/w-1 (prod) Error (exit code 1)',
      MessageAttributes: {
        cluster: { DataType: 'String', StringValue: 'prod' },
        kind: { StringValue: 'crashloop' },
        state: { StringValue: 'opened' },
        dedupKey: { StringValue: notice.dedupKey },
      },
    });
    const entry = noticeEventEntry('podlife', notice);
    expect(entry).toMatchObject({
      EventBusName: 'podlife',
      Source: 'podlife.alerts',
      DetailType: 'Pod Crash Looping',
    });
    expect(JSON.parse(entry.Detail)).toStrictEqual(JSON.parse(JSON.stringify(notice)));
    expect(notice.pods).toStrictEqual([alert]);
  });

  it('when an episode ends, from the pod item read back', () => {
    const cfg = DEFAULT_ALERT_CONFIG;
    const cases: [
      string,
      'pending' | 'crashloop',
      Record<string, unknown> | undefined,
      string | undefined,
    ][] = [
      ['item expired', 'pending', undefined, 'Gone'],
      ['still in the pending index', 'pending', { phase: 'Pending', pendingKey: 'PENDING#prod' }, undefined],
      ['started', 'pending', { phase: 'Running' }, 'Running'],
      ['deleted', 'pending', { phase: 'Pending', deleted: true }, 'Deleted'],
      ['failed before starting', 'pending', { phase: 'Failed' }, 'Failed'],
      ['still crash-looping', 'crashloop', { phase: 'Running', crashKey: 'CRASH#prod' }, undefined],
      ['job finished', 'crashloop', { phase: 'Succeeded' }, 'Succeeded'],
      ['deleted while looping', 'crashloop', { phase: 'Running', deleted: true }, 'Deleted'],
    ];
    for (const [what, kind, item, want] of cases) expect(resolutionOf(kind, item, now, cfg), what).toBe(want);
  });
});
