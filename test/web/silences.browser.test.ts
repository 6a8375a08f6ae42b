/**
 * Silences on the dashboard and in the console widget, in local mode (DynamoDB Local, the real
 * ingest, sweep, query and operations handlers) and Debian's chromium: a silence created through
 * the API (`POST /api/silences`) before the demo's pods get stuck holds their alerts; the page
 * then lists it (scope, holding, ends in …, why) and marks the rows it holds with a "silenced
 * until" badge naming it, the console widget's lists do the same, and every count still equals
 * the API's. axe-core: no violation; layout shift while loading < 0.1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMode } from '../../local/local-mode.ts';
import { type Browser, CHROMIUM, launchChromium, SKIP_BROWSER } from '../../testkit/chromium.ts';
import { createApi } from '../../web/src/api.ts';
import { renderWidget } from '../../web/src/widget.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
/** The demo trace ends at 2026-11-03T00:33:18Z, 16h33m after it starts. */
const TRACE_END = Date.parse('2026-11-03T00:33:18Z');
const BEFORE_TRACE = TRACE_END - 17 * 3_600_000;

if (SKIP_BROWSER) console.warn(`silences browser test skipped: ${CHROMIUM} not found; in CI it runs.`);

interface Listed {
  pods: { namespace: string; name: string; uid: string }[];
}

describe.skipIf(SKIP_BROWSER)('silences on the dashboard and the console widget (local mode)', () => {
  let mode: LocalMode;
  let browser: Browser;
  let silenceId: string;
  const alerts: string[] = [];

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${mode.url}/api${path}`);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    // As `podlife local` starts it (a 5-minute stuck threshold).
    mode = await LocalMode.start({
      port: 0,
      stuckAfterSeconds: 300,
      onAlert: (a) => alerts.push(a.subject ?? a.message),
    });
    // An operator silences argocd for a day, before the replay's pods get stuck there.
    mode.clock.at(BEFORE_TRACE, 0);
    const res = await fetch(`${mode.url}/api/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        cluster: 'demo',
        namespace: 'argocd',
        durationSeconds: 86_400,
        comment: 'argocd upgrade CHG-42',
      }),
    });
    expect(res.status).toBe(201);
    silenceId = ((await res.json()) as { silence: { id: string } }).silence.id;
    await mode.replay({ files: [join(ROOT, 'demo', 'trace.jsonl')], cluster: 'demo', speed: 'max' });
    browser = await launchChromium();
    await browser.context.addInitScript(`
      window.__cls = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
      }).observe({ type: 'layout-shift', buffered: true });`);
  });

  afterAll(async () => {
    await browser?.close();
    await mode?.stop();
  });

  it('the sweep held the argocd alerts: recorded as silenced, not sent', async () => {
    expect(alerts.some((a) => a.includes('argocd/'))).toBe(false);
    expect(alerts.length).toBeGreaterThan(0);
    const { silences } = await api<{
      silences: { id: string; active: boolean; silenced: { namespace: string; name: string }[] }[];
    }>('/silences?cluster=demo');
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({ id: silenceId, active: true });
    // The stuck pod is held to the end; argocd/my-pod's crash loop was held too, and its record
    // went when the pod left the alert's state (no restart in the last hour): never announced.
    expect(silences[0]!.silenced.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      'argocd/image-pull-backoff',
    ]);
  });

  it('the dashboard lists it and badges the rows it holds; counts equal the API; axe clean, no layout shift', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${mode.url}/#cluster=demo`);
    await page.locator('#silences-table').waitFor();
    await page.waitForTimeout(300);

    const row = page.locator(`#silences-table tr[data-silence="${silenceId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('namespace argocd');
    expect(text).toContain('argocd upgrade CHG-42');
    // Created 17 h before the trace's end for a day: 7 h left at the API's now.
    expect(text).toContain('in 7h');
    expect(text).toContain('07:33 UTC');
    expect(await page.locator('#silences .summary').textContent()).toBe('1 active · holding 1 alert');

    const pending = await api<Listed>('/pending?cluster=demo&olderThan=0s&limit=200');
    const crash = await api<Listed>('/crashloops?cluster=demo&limit=200');
    expect(await page.locator('#pending-table tbody tr').count()).toBe(pending.pods.length);
    expect(await page.locator('#crash-table tbody tr').count()).toBe(crash.pods.length);
    const badged = async (table: string) =>
      page.$$eval(`#${table} tbody tr:has(.badge.silenced)`, (trs) =>
        trs.map((tr) => ({
          pod: tr.getAttribute('data-pod'),
          badge: tr.querySelector('.badge.silenced')?.textContent,
          id: tr.querySelector('.badge.silenced')?.getAttribute('data-silence'),
        })),
      );
    expect(await badged('pending-table')).toEqual([
      { pod: 'argocd/image-pull-backoff', badge: `silenced until 07:33 by ${silenceId}`, id: silenceId },
    ]);
    // Crash-looping now, but no alert to hold (test/web/silences-render.test.ts badges a held one).
    expect(await badged('crash-table')).toEqual([]);

    await page.evaluate(await readFile(AXE, 'utf8')); // evaluate is not subject to the page's CSP
    const violations = await page.evaluate(async () => {
      const r = await (
        window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string }[] }> } }
      ).axe.run({ resultTypes: ['violations'] });
      return r.violations.map((v) => v.id);
    });
    expect(violations).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __cls: number }).__cls)).toBeLessThan(0.1);
    await page.close();
  });

  it('the first response shows the lists (drawn by the server), and the page does not draw them again', async () => {
    const first = await (await fetch(`${mode.url}/`)).text();
    expect(first).not.toContain('<body class="booting">');
    expect(first).toContain('id="pending-table"');
    expect(first).toContain(`data-silence="${silenceId}"`);
    const pending = await api<Listed>('/pending?cluster=demo&olderThan=0s&limit=200');
    expect(first.match(/<tr class="[^"]*" data-pod=/g)).toHaveLength(pending.pods.length);
    const page = await browser.context.newPage();
    await page.addInitScript(`window.__redrawn = [];
      addEventListener('DOMContentLoaded', () => new MutationObserver((list) => {
        for (const m of list) if (m.type === 'childList' && m.target.id?.endsWith('-body')) window.__redrawn.push(m.target.id);
      }).observe(document, { subtree: true, childList: true }));`);
    await page.goto(`${mode.url}/`);
    // The first poll has answered (the header says when), and drew nothing: the server's view was the page's.
    await expect.poll(() => page.locator('#updated').textContent()).toMatch(/^Updated /);
    expect(await page.evaluate(() => location.hash)).toBe('#cluster=demo');
    expect(await page.evaluate(() => (window as unknown as { __redrawn: string[] }).__redrawn)).toEqual([]);
    // A change of view still draws: the namespace → owner toggle redraws the statistics.
    await page.locator('#stats .toggle a', { hasText: 'owner' }).click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __redrawn: string[] }).__redrawn))
      .toContain('stats-body');
    await page.close();
  });

  it('the console widget: the pending and crash-looping lists badge the held rows and list the silence', async () => {
    const client = createApi(`${mode.url}/api/`, (u, i) => fetch(u, i));
    const css = await readFile(join(ROOT, 'web', 'static', 'style.css'), 'utf8');
    const opts = { endpoint: 'arn:aws:lambda:us-east-1:123456789012:function:podlife-widget', css };
    const page = browser.page;
    for (const [view, table, pod] of [
      ['pending', 'pending-table', 'argocd/image-pull-backoff'],
      ['crashloops', 'crash-table', null],
    ] as const) {
      const html = await renderWidget(client, { view, cluster: 'demo' }, opts);
      await page.setContent(`<!doctype html><html><body>${html}</body></html>`);
      const held = await page.$$eval(`#${table} tbody tr:has(.badge.silenced)`, (trs) =>
        trs.map((tr) => tr.getAttribute('data-pod')),
      );
      expect(held, view).toEqual(pod ? [pod] : []);
      expect(await page.locator(`#silences-table tr[data-silence="${silenceId}"]`).count(), view).toBe(1);
    }
  });
});
