/**
 * Cost allocation tags: every taggable resource of the stack carries `podlife:component` (its
 * construct: pipeline, query, ops, alerts, dashboard, forwarder, widget) and `podlife:cluster-set`
 * (context `podlife:costTags`, default `default`), plus any tags given. The resource types left
 * untagged are exactly those CloudFormation cannot tag.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { costTagsFromContext } from '../../infra/context.ts';
import { COST_TAGS, PodlifeStack } from '../../infra/podlife-stack.ts';

type Res = { Type: string; Properties?: { Tags?: unknown; Replicas?: { Tags?: unknown }[] } };

/** CloudFormation types with no Tags property (policies, permissions, routes, archives, ...). */
const UNTAGGABLE = new Set([
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::Events::Archive',
  'AWS::IAM::Policy',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Permission',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
]);

function tagsOf(r: Res): Record<string, string> | undefined {
  // A TableV2's tags are per replica; API Gateway v2 resources hold a map, the others a list.
  const raw =
    r.Type === 'AWS::DynamoDB::GlobalTable' ? r.Properties?.Replicas?.[0]?.Tags : r.Properties?.Tags;
  if (raw === undefined) return undefined;
  if (Array.isArray(raw))
    return Object.fromEntries(raw.map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
  return raw as Record<string, string>;
}

/** An app that does not bundle the functions (the template only is read). */
const offline = () => new App({ context: { 'cli-telemetry': false, 'aws:cdk:bundling-stacks': [] } });

function resources(stack: PodlifeStack): Res[] {
  return Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Res>);
}

describe('cost allocation tags', () => {
  it('every taggable resource has podlife:component and podlife:cluster-set', () => {
    const all = resources(new PodlifeStack(offline(), 'Tagged'));
    const components = new Set<string>();
    for (const r of all) {
      const tags = tagsOf(r);
      if (!tags) {
        expect(UNTAGGABLE.has(r.Type), `${r.Type} has no tags`).toBe(true);
        continue;
      }
      expect(tags[COST_TAGS.clusterSet], r.Type).toBe('default');
      expect(tags[COST_TAGS.component], r.Type).toMatch(
        /^(pipeline|forwarder|query|ops|alerts|dashboard|widget)$/,
      );
      components.add(tags[COST_TAGS.component]!);
    }
    expect([...components].sort()).toEqual([
      'alerts',
      'dashboard',
      'forwarder',
      'ops',
      'pipeline',
      'query',
      'widget',
    ]);
    expect(all.filter((r) => tagsOf(r)).length).toBeGreaterThan(40);
  });

  it('podlife:costTags sets the cluster set and adds tags; a wrong value fails the synth', () => {
    const costTags = costTagsFromContext((k) =>
      k === 'podlife:costTags' ? '{"clusterSet": "eu-prod", "tags": {"cost-center": "1234"}}' : undefined,
    );
    for (const r of resources(new PodlifeStack(offline(), 'Custom', { costTags }))) {
      const tags = tagsOf(r);
      if (!tags) continue;
      expect(tags).toMatchObject({ [COST_TAGS.clusterSet]: 'eu-prod', 'cost-center': '1234' });
    }
    expect(() => costTagsFromContext(() => '{"clusterSet": 3}')).toThrow(/podlife:costTags: clusterSet/);
  });
});
