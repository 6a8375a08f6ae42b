/**
 * The console widgets in the synthesised stack: one function that renders HTML from the table
 * with the query API's read-only grant and nothing more, a reserved concurrency, and two custom
 * widgets on the dashboard that call it (pending and crash-looping pods). The widget's HTML is
 * tested in Chromium (test/web/console-widget.browser.test.ts); cdk-nag covers the function with
 * the rest of the stack (nag.test.ts).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WIDGET_RESERVED_CONCURRENCY } from '../../infra/console-widgets.ts';
import type { PodlifeStack } from '../../infra/podlife-stack.ts';
import { synthStack } from '../../testkit/stack.ts';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
let stack: PodlifeStack;
let template: Template;

beforeAll(() => {
  stack = synthStack({ bundle: false });
  template = Template.fromStack(stack);
}, 120_000);

const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

describe('the console widget function', () => {
  it('has a reserved concurrency and the table name', () => {
    const fn = template.toJSON().Resources[idOf(stack.consoleWidgets.widget.fn)];
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(WIDGET_RESERVED_CONCURRENCY);
    expect(Object.keys(fn.Properties.Environment.Variables)).toContain('TABLE_NAME');
  });

  it('may only read as the query API does: Query/GetItem on the table and indexes, BatchGetItem on the table', () => {
    const roleId = idOf(stack.consoleWidgets.widget.role);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    const dynamo = actions.filter((a) => a.startsWith('dynamodb:')).sort();
    expect(dynamo).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    // Nothing else but its own logs (and X-Ray's two actions, on every PodlifeFunction).
    const others = actions.filter(
      (a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:') && !a.startsWith('xray:'),
    );
    expect(others).toEqual([]);
  });
});

describe('the dashboard', () => {
  it('shows the pending and crash-looping widgets, each calling the widget function', () => {
    const dash = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dash?.Properties.DashboardBody);
    const fnId = idOf(stack.consoleWidgets.widget.fn);
    const customs = body.match(/\\"type\\":\\"custom\\"/g) ?? [];
    expect(customs.length).toBe(2);
    expect(body).toContain(`"Fn::GetAtt":["${fnId}","Arn"]`);
    expect(body).toContain('\\"view\\":\\"pending\\"');
    expect(body).toContain('\\"view\\":\\"crashloops\\"');
  });
});
