/**
 * Sender binding (issue 15, context `podlife:senders`): a bound cluster's events are ingested only
 * from its own source (and account), every other event speaking for it is parked as
 * `wrong-sender` and counted; each bound cluster of this account has a role that may put only its
 * own source; a bound cluster in another account gets a bus policy statement for its sources.
 * The rules are checked with the local matcher (local/event-pattern.ts): with the plain ingest
 * rules and the filtered-clusters rule they split every ingestible event, each matched once.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE_EXPORTER, EXPORTER_SOURCE } from '../../core/exporter-event.ts';
import { DETAIL_TYPE_HEARTBEAT } from '../../core/heartbeat.ts';
import { DETAIL_TYPE_FACTS } from '../../core/pod-facts.ts';
import { boundSource } from '../../core/sender-binding.ts';
import { DETAIL_TYPE_EVENT, DETAIL_TYPE_SNAPSHOT, EVENT_SOURCE } from '../../core/snapshot.ts';
import { sendersFromContext } from '../../infra/context.ts';
import { INGESTED } from '../../infra/pipeline.ts';
import {
  boundIngestPattern,
  EVENT_PATTERN_LIMIT,
  groupBindings,
  type SenderBinding,
  wrongSenderPattern,
} from '../../infra/sender-binding.ts';
import { compilePattern, type EventPattern, matchesPattern } from '../../local/event-pattern.ts';
import { synthStack } from '../../testkit/stack.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
const HERE = '000000000000'; // the bus's own account, as the envelope says it for same-account senders
const THERE = '111122223333';
const ELSEWHERE = '444455556666';

function rulesOf(t: Template) {
  const rules = Object.entries(t.findResources('AWS::Events::Rule')) as [string, Resource][];
  const enabled = rules.filter(([, r]) => r.Properties.State !== 'DISABLED');
  const pick = (re: RegExp) =>
    enabled.filter(([id]) => re.test(id)).map(([, r]) => r.Properties.EventPattern as EventPattern);
  return {
    ingest: pick(/^Pipeline(Ingest|ExporterIngest|BoundIngest)Rule/),
    filtered: pick(/^PipelineFilteredClustersRule/),
    wrong: pick(/^PipelineWrongSenderRule/),
    all: rules,
  };
}

const KINDS = [
  [EVENT_SOURCE, DETAIL_TYPE_FACTS],
  [EVENT_SOURCE, DETAIL_TYPE_SNAPSHOT],
  [EVENT_SOURCE, DETAIL_TYPE_EVENT],
  [EVENT_SOURCE, DETAIL_TYPE_HEARTBEAT],
  [EXPORTER_SOURCE, DETAIL_TYPE_EXPORTER],
] as const;
const CLUSTERS: (string | undefined)[] = ['demo', 'prod', 'eu', 'staging', 'Prod', undefined];
const SENDERS: SenderBinding[] = [{ cluster: 'prod' }, { cluster: 'eu', account: THERE }];

/** Every ingestible event's sources: the plain one, each bound one, and one bound to no binding. */
function* events() {
  for (const [plain, type] of KINDS) {
    const sources = [plain, ...['prod', 'eu', 'staging'].map((c) => boundSource(c, plain))];
    for (const source of sources)
      for (const cluster of CLUSTERS)
        for (const account of [HERE, THERE, ELSEWHERE])
          yield {
            plain,
            event: {
              source,
              'detail-type': type,
              account,
              detail: cluster === undefined ? { uid: 'u' } : { cluster },
            },
          };
  }
}

/** Which rule should take it: the spec of the binding, written out. */
function expected(
  plain: string,
  e: { source: string; account: string; detail: { cluster?: string } },
  listed: readonly string[] | undefined,
): 'ingest' | 'filtered' | 'wrong' | 'none' {
  const c = e.detail.cluster;
  if (e.source === plain) {
    if (c === 'prod' || c === 'eu') return 'wrong';
    if (!listed) return 'ingest';
    return c !== undefined && listed.includes(c) ? 'ingest' : 'filtered';
  }
  if (e.source === boundSource('prod', plain as typeof EVENT_SOURCE))
    return c === 'prod' ? 'ingest' : 'wrong';
  if (e.source === boundSource('eu', plain as typeof EVENT_SOURCE))
    return c === 'eu' && e.account === THERE ? 'ingest' : 'wrong';
  return 'none'; // a source bound to no binding: no rule takes it (IAM gives it to nobody)
}

function checkPartition(t: Template, listed: string[] | undefined) {
  const r = rulesOf(t);
  expect(r.wrong.length).toBeGreaterThan(0);
  let n = 0;
  for (const { plain, event } of events()) {
    const got = {
      ingest: r.ingest.filter((p) => matchesPattern(p, event)).length,
      filtered: r.filtered.filter((p) => matchesPattern(p, event)).length,
      wrong: r.wrong.filter((p) => matchesPattern(p, event)).length,
    };
    const want = expected(plain, event, listed);
    expect(got, JSON.stringify(event)).toEqual({
      ingest: want === 'ingest' ? 1 : 0,
      filtered: want === 'filtered' ? 1 : 0,
      wrong: want === 'wrong' ? 1 : 0,
    });
    n++;
  }
  expect(n).toBe(KINDS.length * 4 * CLUSTERS.length * 3);
}

describe('sender binding: the rules', () => {
  it('with clusterNames: ingest, filtered clusters and wrong sender split every ingestible event', () => {
    const t = Template.fromStack(
      synthStack({ bundle: false, pipeline: { clusterNames: ['demo', 'prod'], senders: SENDERS } }),
    );
    // eu is bound, not listed: accepted all the same (the list grows by the bound clusters).
    checkPartition(t, ['demo', 'prod', 'eu']);
  });

  it('without clusterNames: every unbound cluster ingested, bound ones only from their senders', () => {
    const t = Template.fromStack(
      synthStack({ bundle: false, pipeline: { clusterNames: [], senders: SENDERS } }),
    );
    expect(rulesOf(t).filtered).toEqual([]);
    checkPartition(t, undefined);
  });

  it('every listed cluster bound: the plain ingest rules are disabled, a plain event of a bound cluster is wrong', () => {
    const t = Template.fromStack(
      synthStack({ bundle: false, pipeline: { clusterNames: ['prod', 'eu'], senders: SENDERS } }),
    );
    const plain = rulesOf(t).all.filter(([id]) => /^Pipeline(Ingest|ExporterIngest)Rule/.test(id));
    expect(plain).toHaveLength(2);
    for (const [, r] of plain) expect(r.Properties.State).toBe('DISABLED');
    checkPartition(t, ['prod', 'eu']);
  });

  it('the old code had no binding: a plain sender writing a bound cluster was ingested (the shape of the fix)', () => {
    // Without senders, the same plain event claiming prod reaches the ingest: that is what binding refuses.
    const t = Template.fromStack(synthStack({ bundle: false, pipeline: { clusterNames: ['demo', 'prod'] } }));
    const r = rulesOf(t);
    const claim = {
      source: EVENT_SOURCE,
      'detail-type': DETAIL_TYPE_FACTS,
      account: HERE,
      detail: { cluster: 'prod' },
    };
    expect(r.ingest.filter((p) => matchesPattern(p, claim))).toHaveLength(1);
    expect(r.wrong).toEqual([]);
  });

  it('many bindings: packed into rule pairs whose patterns fit the 2,048-character quota and EventBridge accepts', () => {
    const many: SenderBinding[] = Array.from({ length: 40 }, (_, i) => ({
      cluster: `cluster-eu-west-${i}`,
      ...(i % 2 ? { account: String(100000000000 + i) } : {}),
    }));
    const groups = groupBindings(many, INGESTED);
    expect(groups.flat()).toEqual(many);
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) {
      for (const p of [boundIngestPattern(g, INGESTED), wrongSenderPattern(g, INGESTED)]) {
        expect(JSON.stringify(p).length).toBeLessThanOrEqual(EVENT_PATTERN_LIMIT);
        compilePattern(p as EventPattern); // throws on a pattern EventBridge refuses
      }
    }
    const t = Template.fromStack(
      synthStack({ bundle: false, pipeline: { clusterNames: [], senders: many } }),
    );
    expect(rulesOf(t).wrong).toHaveLength(groups.length);
    expect(
      t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'TriggeredRules' } }),
    ).toSatisfy(
      (a: object) =>
        Object.keys(a).filter((id) => id.startsWith('PipelineWrongSenderAlarm')).length === groups.length,
    );
  });
});

describe('sender binding: the template', () => {
  const t = Template.fromStack(
    synthStack({ bundle: false, pipeline: { clusterNames: ['demo', 'prod'], senders: SENDERS } }),
  );
  const roles = Object.entries(t.findResources('AWS::IAM::Role')).filter(([id]) =>
    id.startsWith('SenderAccess'),
  );
  const policies = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith('SenderAccess'),
  );

  it('a bound cluster of this account: its own role, PutEvents on the bus of its own source only', () => {
    expect(roles.map(([id]) => id)).toEqual([expect.stringMatching(/^SenderAccessprod/)]);
    expect(policies).toHaveLength(1);
    const statements = (policies[0]![1].Properties.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(statements).toEqual([
      {
        Sid: 'PutEventsOnThePodlifeBus',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineBus/), 'Arn'] },
        Condition: { StringEquals: { 'events:source': 'podlife.forwarder.prod' } },
      },
    ]);
    // Trusted by EKS Pod Identity (the default), nothing else.
    const trust = JSON.stringify(roles[0]![1].Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('pods.eks.amazonaws.com');
    expect(Object.keys(t.findOutputs('*')).filter((id) => id.startsWith('SenderAccessprod'))).toHaveLength(1);
  });

  it('a bound cluster in another account: no role here; the bus lets that account put its bound sources only', () => {
    const statements = Object.values(t.findResources('AWS::Events::EventBusPolicy')).map(
      (p) => (p as Resource).Properties.Statement as Record<string, unknown>,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Sid: `cdk-BoundSendersInAccount${THERE}`,
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Condition: {
        StringEquals: { 'events:source': [boundSource('eu'), boundSource('eu', EXPORTER_SOURCE)] },
      },
    });
    expect(JSON.stringify(statements[0]!.Principal)).toContain(THERE);
  });

  it('the wrong-sender rule parks a report in the invalid-events queue; its count is alarmed with a runbook', () => {
    const queueId = Object.keys(t.findResources('AWS::SQS::Queue')).find((id) =>
      id.startsWith('PipelineInvalidEventsQueue'),
    )!;
    const [ruleId, rule] = Object.entries(t.findResources('AWS::Events::Rule')).find(([id]) =>
      id.startsWith('PipelineWrongSenderRule'),
    )! as [string, Resource];
    const [target] = rule.Properties.Targets as {
      Arn: unknown;
      InputTransformer: { InputTemplate: string; InputPathsMap: Record<string, string> };
    }[];
    expect(target!.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    expect(target!.InputTransformer.InputTemplate).toContain('"kind":"wrong-sender"');
    expect(target!.InputTransformer.InputTemplate).toContain('<aws.events.event.ingestion-time>');
    expect(Object.values(target!.InputTransformer.InputPathsMap).sort()).toEqual(
      ['$.account', '$.detail', '$.detail-type', '$.id', '$.region', '$.source', '$.time'].sort(),
    );
    const busId = Object.keys(t.findResources('AWS::Events::EventBus'))[0]!;
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Dimensions: Match.arrayWith([
        { Name: 'EventBusName', Value: { Ref: busId } },
        { Name: 'RuleName', Value: { Ref: ruleId } },
      ]),
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('Runbook: docs/runbooks.md#wrongsender$'),
    });
  });

  it('the archive keeps the bound sources too (replayable like the plain ones)', () => {
    const archive = Object.values(t.findResources('AWS::Events::Archive'))[0] as Resource;
    const pattern = archive.Properties.EventPattern as EventPattern;
    compilePattern(pattern);
    for (const source of [
      EVENT_SOURCE,
      EXPORTER_SOURCE,
      boundSource('prod'),
      boundSource('eu', EXPORTER_SOURCE),
    ])
      expect(matchesPattern(pattern, { source, detail: {} }), source).toBe(true);
    for (const source of ['podlife.alerts', 'podlife.ingest', 'podlife.forwarderx'])
      expect(matchesPattern(pattern, { source, detail: {} }), source).toBe(false);
  });

  it('the shipped defaults (no podlife:senders) add nothing', () => {
    const plain = Template.fromStack(synthStack({ bundle: false }));
    const ids = Object.keys(plain.toJSON().Resources as object);
    expect(ids.filter((id) => /SenderAccess|BoundIngest|WrongSender/.test(id))).toEqual([]);
  });
});

describe('podlife:senders context', () => {
  const get = (v: unknown) => (k: string) => (k === 'podlife:senders' ? v : undefined);

  it('reads bindings, as an object or its JSON on the command line; absent: none', () => {
    expect(sendersFromContext(get(undefined))).toBeUndefined();
    const v = [
      { cluster: 'prod-eu' },
      { cluster: 'prod-us', account: THERE, serviceAccount: { namespace: 'p', name: 'f' } },
    ];
    expect(sendersFromContext(get(v))).toEqual(v);
    expect(sendersFromContext(get(JSON.stringify(v)))).toEqual(v);
  });

  it('says what is wrong and where', () => {
    expect(() => sendersFromContext(get([{ cluster: 'a' }, { cluster: 'b', account: '12' }]))).toThrow(
      'context podlife:senders[1].account: a 12-digit AWS account id',
    );
    expect(() => sendersFromContext(get([{ cluster: 'a/b' }]))).toThrow(
      'context podlife:senders[0].cluster: a cluster name',
    );
    expect(() => sendersFromContext(get([{ cluster: 'a' }, { cluster: 'a' }]))).toThrow(
      'context podlife:senders[1].cluster: a is bound already at [0]',
    );
    expect(() => sendersFromContext(get([{ cluster: 'a', role: 'x' }]))).toThrow(
      'context podlife:senders[0]',
    );
    expect(() => sendersFromContext(get('not json'))).toThrow('podlife:senders');
  });
});
