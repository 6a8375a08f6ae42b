/**
 * The CloudWatch console widget (issue 15: "what is stuck" inside the AWS console): the widget
 * Lambda's handler on DynamoDB Local with the demo trace ingested, its HTML rendered in Chromium.
 * It must show the same pods as the query API, and a click (the `<cwdb-action>` after each pod
 * link, whose parameters the console sends back to the function) must open that pod's timeline
 * with the replay's figures.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeQueryHandler, type QueryHandler } from '../../functions/query/query.ts';
import { makeWidgetHandler, type WidgetHandler } from '../../functions/widget/widget.ts';
import { type Browser, CHROMIUM, launchChromium, SKIP_BROWSER } from '../../testkit/chromium.ts';
import { type LocalTable, startLocalTable } from '../../testkit/ingest-harness.ts';
import { apiEvent, type LoadedDemo, loadDemo } from '../../testkit/query-support.ts';

const CSS = readFileSync(new URL('../../web/static/style.css', import.meta.url), 'utf8');
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:podlife-widget';
const context = { invokedFunctionArn: ARN };

if (SKIP_BROWSER) console.warn(`console widget browser test skipped: ${CHROMIUM} not found; in CI it runs.`);

/** What CloudWatch sends: the widget's parameters at the top level and in widgetContext.params. */
function widgetEvent(params: Record<string, string>, theme: 'light' | 'dark' = 'light') {
  return {
    ...params,
    widgetContext: {
      dashboardName: 'podlife',
      widgetId: 'widget-1',
      accountId: '123456789012',
      theme,
      params,
      width: 900,
      height: 600,
    },
  };
}

describe.skipIf(SKIP_BROWSER)('the console widget, rendered in chromium', () => {
  let t: LocalTable;
  let demo: LoadedDemo;
  let query: QueryHandler;
  let widget: WidgetHandler;
  let browser: Browser;

  beforeAll(async () => {
    t = await startLocalTable('podlife-widget');
    demo = await loadDemo(t.doc, t.tableName, 'demo');
    const { localDynamoClient } = await import('../../local/dynamodb-local.ts');
    query = makeQueryHandler({
      client: localDynamoClient(t.ddb.endpoint),
      tableName: t.tableName,
      now: () => demo.now,
    });
    widget = makeWidgetHandler({ query, css: CSS });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function apiPods(path: string): Promise<string[]> {
    const only = path === '/pending' ? { olderThan: '0s' } : {};
    const res = await query(apiEvent(path, { cluster: 'demo', limit: '200', ...only }));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body ?? '{}') as { pods: { namespace: string; name: string }[] };
    return body.pods.map((p) => `${p.namespace}/${p.name}`).sort();
  }

  async function show(html: string) {
    await browser.page.setContent(`<!doctype html><html><body>${html}</body></html>`);
  }

  /** Each row's pod, and the parameters its click sends back to the widget function. */
  async function rowsOf(table: string) {
    return browser.page.$$eval(`#${table} tbody tr`, (trs) =>
      trs
        .map((tr) => ({
          pod: tr.getAttribute('data-pod') ?? '',
          action: tr.querySelector('cwdb-action'),
        }))
        .map((r) => ({
          pod: r.pod,
          call: r.action?.getAttribute('action') ?? null,
          endpoint: r.action?.getAttribute('endpoint') ?? null,
          params: r.action?.textContent ?? null,
        })),
    );
  }

  it('pending: the same pods as GET /pending, each a call that opens it', async () => {
    const html = await widget(widgetEvent({ view: 'pending' }), context);
    expect(html).not.toMatch(/<script/i);
    await show(html);
    const rows = await rowsOf('pending-table');
    expect(rows.map((r) => r.pod).sort()).toEqual(await apiPods('/pending'));
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      expect(r.call).toBe('call');
      expect(r.endpoint).toBe(ARN);
      const params = JSON.parse(r.params ?? '{}');
      expect(`${params.namespace}/${params.name}`).toBe(r.pod);
      expect(params).toMatchObject({ view: 'pod', cluster: 'demo', from: 'pending' });
    }
    // No page link survives: a hash link would go nowhere in the console.
    expect(await browser.page.locator('a[href^="#"]').count()).toBe(0);
    expect(
      await browser.page.locator('.podlife-widget[data-view="pending"] section[data-cluster="demo"]').count(),
    ).toBe(1);
  });

  it('crash-looping: the same pods as GET /crashloops', async () => {
    await show(await widget(widgetEvent({ view: 'crashloops', cluster: 'demo' }, 'dark'), context));
    const rows = await rowsOf('crash-table');
    expect(rows.map((r) => r.pod).sort()).toEqual(await apiPods('/crashloops'));
    expect(rows.length).toBeGreaterThan(0);
  });

  it("a click opens the pod's timeline with the replay's figures, and 'back' returns to the list", async () => {
    await show(await widget(widgetEvent({ view: 'crashloops' }), context));
    const [first] = await rowsOf('crash-table');
    const params = JSON.parse(first?.params ?? '{}') as Record<string, string>;
    // The console sends the action's parameters as the event (and in widgetContext.params).
    await show(await widget(widgetEvent(params), context));
    const record = demo.records.find(
      (r) => `${r.namespace}/${r.name}` === first?.pod && (!params.uid || r.uid === params.uid),
    );
    expect(record).toBeDefined();
    expect(await browser.page.locator('svg.gantt').count()).toBe(1);
    expect(await browser.page.locator('[data-figure="restarts"]').textContent()).toBe(
      String(record?.restarts),
    );
    expect(await browser.page.locator('.pod-detail').getAttribute('data-uid')).toBe(record?.uid);
    const back = JSON.parse((await browser.page.locator('a.back + cwdb-action').textContent()) ?? '{}');
    expect(back).toEqual({ view: 'crashloops', cluster: 'demo' });
  });

  it('bad parameters are a message in the widget, never a failure', async () => {
    const long = 'x'.repeat(300);
    expect(await widget(widgetEvent({ view: 'everything' }), context)).toMatch(/widget parameter view/);
    expect(
      await widget(widgetEvent({ view: 'pod', cluster: 'demo', namespace: long, name: 'a' }), context),
    ).toMatch(/widget parameter namespace/);
    expect(await widget(widgetEvent({ view: 'pod', cluster: 'demo' }), context)).toMatch(
      /needs cluster, namespace and name/,
    );
    const unknown = await widget(
      widgetEvent({ view: 'pod', cluster: 'demo', namespace: 'nope', name: 'gone' }),
      context,
    );
    expect(unknown).toMatch(/No pod <strong>nope\/gone<\/strong>/);
    const hostile = await widget(
      widgetEvent({ view: 'pending', cluster: '<img src=x onerror=alert(1)>' }),
      context,
    );
    expect(hostile).not.toContain('<img');
  });
});
