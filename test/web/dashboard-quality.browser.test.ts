/**
 * The dashboard as a page that must score like the best, in Debian's chromium (playwright-core),
 * against the engine's answers on the whole demo trace (test/web/engine-api.ts):
 * - axe-core: no violation, light and dark, at 1366×768 and 390×844, with a pod's Gantt and a
 *   group's histograms on screen;
 * - layout shift while loading (a PerformanceObserver('layout-shift') from before the first
 *   byte): CLS < 0.1; no sideways scroll at 390 px;
 * - keyboard: every focusable element, Tab and Shift+Tab, shows a focus ring that no overflow
 *   clips and the sticky header does not cover;
 * - each card's count equals the API's answer and the replay's records, every row counted is on
 *   the page (no inner scroll hiding rows), and no label is cut (screenshots at 1366×768 and
 *   1920×1080, light and dark, in test-artifacts/).
 * Lighthouse is not run here (minutes per run): scripts/lighthouse.ts.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchChromium, SKIP_BROWSER } from '../../testkit/chromium.ts';
import { buildWeb } from '../../web/build.ts';
import { type EngineApi, startEngineApi } from './engine-api.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

type Scheme = 'light' | 'dark';
const SIZES = {
  laptop: { width: 1366, height: 768 },
  phone: { width: 390, height: 844 },
  desktop: { width: 1920, height: 1080 },
} as const;

/** Sums layout shifts not caused by input, from before the page's first script runs. */
const CLS_OBSERVER = `
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
`;

describe.skipIf(SKIP_BROWSER)('the dashboard: accessibility, layout shift, focus, counts', () => {
  let api: EngineApi;
  let browser: Browser;
  let webDir: string;
  let axeSource: string;
  let podUid: string;

  beforeAll(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'podlife-web-'));
    await buildWeb(webDir);
    const trace = await readFile(join(ROOT, 'demo', 'trace.jsonl'), 'utf8');
    api = await startEngineApi({ webDir, stages: [trace] });
    podUid = api.state().records.find((r) => r.name === 'my-pod' && r.restarts === 3)!.uid!;
    axeSource = await readFile(AXE, 'utf8');
    browser = await launchChromium();
    await browser.context.addInitScript(CLS_OBSERVER);
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  /** A fresh page at a size and colour scheme, loaded with a pod and a group selected. */
  async function open(size: keyof typeof SIZES, scheme: Scheme, hash?: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize(SIZES[size]);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${api.url}${hash ?? `#cluster=demo&pod=argocd/my-pod&uid=${podUid}&group=default`}`);
    await page.locator('#pending-table').waitFor();
    await page.locator('#pod-body article').waitFor();
    await page.locator('section.hists').waitFor();
    await page.waitForTimeout(300);
    return page;
  }

  const axeRun = async (page: Page) => {
    await page.evaluate(axeSource); // evaluate is not subject to the page's CSP
    return page.evaluate(async () => {
      const r = await (
        window as unknown as {
          axe: {
            run(o: object): Promise<{
              violations: { id: string; nodes: { target: string[]; failureSummary: string }[] }[];
            }>;
          };
        }
      ).axe.run({ resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id,
        nodes: v.nodes
          .slice(0, 3)
          .map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n')[1] ?? ''}`),
      }));
    });
  };

  for (const size of ['laptop', 'phone'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${SIZES[size].width}×${SIZES[size].height} ${scheme}: axe finds nothing, CLS < 0.1, no sideways scroll`, async () => {
        const page = await open(size, scheme);
        try {
          const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
          console.log(`CLS ${size} ${scheme}: ${cls.toFixed(4)}`);
          expect(cls).toBeLessThan(0.1);
          // The timeline table and the terminations are part of the page too.
          await page.locator('details.timeline summary').click();
          expect(await axeRun(page)).toEqual([]);
          const widths = await page.evaluate(() => ({
            page: document.documentElement.scrollWidth,
            window: window.innerWidth,
          }));
          const wide = await page.evaluate(() =>
            [...document.querySelectorAll<HTMLElement>('body *')]
              .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
              .filter((el) => !el.closest('.scroll, .gantt-wrap'))
              .slice(0, 5)
              .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`),
          );
          expect([widths.page, wide]).toEqual([widths.window, []]);
        } finally {
          await page.close();
        }
      });
    }
  }

  it('the focus ring of every focusable element is visible: drawn, not clipped, not under the header', async () => {
    for (const size of ['laptop', 'phone'] as const) {
      const page = await open(size, 'light');
      try {
        const check = () =>
          page.evaluate(() => {
            const el = document.activeElement as HTMLElement | null;
            if (!el || el === document.body) return null;
            const style = getComputedStyle(el);
            const ring = Number.parseFloat(style.outlineWidth) || 0;
            const offset = Number.parseFloat(style.outlineOffset) || 0;
            const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
            if (style.outlineStyle === 'none' || ring < 1) return `${name}: no outline`;
            const r = el.getBoundingClientRect();
            // The ring's outer edge: offset + width beyond the border box (0 or less: drawn inside).
            const out = Math.max(ring + offset, 0);
            const box = { l: r.left - out, t: r.top - out, r: r.right + out, b: r.bottom + out };
            // Clipped: an ancestor that hides overflow cuts the ring (1 px tolerance).
            for (let a = el.parentElement; a; a = a.parentElement) {
              const s = getComputedStyle(a);
              if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
              const c = a.getBoundingClientRect();
              if (box.l < c.left - 1 || box.r > c.right + 1 || box.t < c.top - 1 || box.b > c.bottom + 1)
                return `${name}: ring clipped by ${a.tagName.toLowerCase()}.${a.className}`;
            }
            const header = document.querySelector('header.top');
            if (header && !header.contains(el)) {
              const h = header.getBoundingClientRect();
              // An element taller than the room below the header cannot fit: part of it must show.
              const fits = r.height <= window.innerHeight - h.bottom;
              if (fits ? r.top < h.bottom - 1 : r.bottom < h.bottom + 16)
                return `${name}: under the sticky header`;
            }
            return 'ok';
          });
        const seen: string[] = [];
        const problems: string[] = [];
        for (let i = 0; i < 120; i++) {
          await page.keyboard.press('Tab');
          const got = await check();
          if (got == null) break;
          if (got !== 'ok') problems.push(got);
          seen.push(got);
        }
        // Back up the page: Shift+Tab scrolls up, the sticky header must not cover the focus.
        for (let i = 0; i < 40; i++) {
          await page.keyboard.press('Shift+Tab');
          const got = await check();
          if (got == null) break;
          if (got !== 'ok') problems.push(`shift+tab ${got}`);
        }
        expect(seen.length).toBeGreaterThan(15);
        expect([size, problems]).toEqual([size, []]);
      } finally {
        await page.close();
      }
    }
  });

  it("each card's count equals the API's and the replay's; every row counted is on the page", async () => {
    const page = await open('laptop', 'light');
    try {
      const { records } = api.state();
      const replayPending = records.filter((r) => r.phase === 'Pending' && !r.deleted).length;
      const replayCrash = records.filter((r) => r.waitingReason === 'CrashLoopBackOff' && !r.deleted).length;
      const apiPending = (
        (await (await fetch(`${api.url}pending?cluster=demo`)).json()) as { pods: unknown[] }
      ).pods.length;
      const apiCrash = (
        (await (await fetch(`${api.url}crashloops?cluster=demo`)).json()) as { pods: unknown[] }
      ).pods.length;
      expect([apiPending, apiCrash]).toEqual([replayPending, replayCrash]);
      const shown = await page.evaluate(() => {
        const card = (id: string) => {
          const rows = [...document.querySelectorAll<HTMLElement>(`#${id} tbody tr`)];
          // A row is on the page when its box lies inside every ancestor that clips.
          const visible = rows.filter((row) => {
            const r = row.getBoundingClientRect();
            if (r.height < 1) return false;
            for (let a = row.parentElement; a; a = a.parentElement) {
              const s = getComputedStyle(a);
              if (s.overflowY === 'visible') continue;
              const c = a.getBoundingClientRect();
              if (r.top < c.top - 1 || r.bottom > c.bottom + 1) return false;
            }
            return true;
          }).length;
          const summary = document
            .querySelector(`#${id}`)
            ?.closest('.card')
            ?.querySelector('.summary strong');
          return { rows: rows.length, visible, summary: Number(summary?.textContent) };
        };
        return { pending: card('pending-table'), crash: card('crash-table') };
      });
      expect(shown.pending).toEqual({ rows: replayPending, visible: replayPending, summary: replayPending });
      expect(shown.crash).toEqual({ rows: replayCrash, visible: replayCrash, summary: replayCrash });
    } finally {
      await page.close();
    }
  });

  it('screenshots at 1366×768 and 1920×1080, light and dark: no label cut, no bar text beyond its bar', async () => {
    for (const size of ['laptop', 'desktop'] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await open(size, scheme);
        try {
          await page.screenshot({
            path: join(ARTIFACTS, `dashboard-${SIZES[size].width}x${SIZES[size].height}-${scheme}.png`),
            fullPage: true,
          });
          const cut = await page.evaluate(() => {
            const out: string[] = [];
            // HTML text cut by its box (the scheduler's message is clamped on purpose: full text in its title).
            for (const el of document.querySelectorAll<HTMLElement>('main *')) {
              if (el.closest('.msg, svg, pre, .scroll, .gantt-wrap') && !el.matches('td, th, .badge, .pod'))
                continue;
              const s = getComputedStyle(el);
              const clips = s.overflowX !== 'visible' || s.textOverflow === 'ellipsis';
              if (clips && !el.matches('.scroll, .gantt-wrap, pre') && el.scrollWidth > el.clientWidth + 1)
                out.push(`${el.tagName}.${el.className}: ${el.textContent?.slice(0, 40)}`);
            }
            // On a laptop or wider, no list hides columns behind a sideways scroll.
            for (const el of document.querySelectorAll<HTMLElement>(
              '#pending-body .scroll, #crash-body .scroll',
            ))
              if (el.scrollWidth > el.clientWidth + 1)
                out.push(`${el.getAttribute('aria-label')} scrolls sideways`);
            // A STATUS (CrashLoopBackOff, ImagePullBackOff) is one line, never broken inside the word.
            for (const td of document.querySelectorAll<HTMLElement>('td.status')) {
              const range = document.createRange();
              range.selectNodeContents(td);
              const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
              if (lines.size > 1) out.push(`status broken over ${lines.size} lines: ${td.textContent}`);
            }
            // Gantt bar text: whole (no …) and inside its bar.
            for (const g of document.querySelectorAll<SVGGElement>('svg.gantt g.seg')) {
              const text = g.querySelector('text');
              const rect = g.querySelector('rect');
              if (!text || !rect) continue;
              const t = text.getBBox();
              const b = rect.getBBox();
              if ((text.textContent ?? '').includes('…') || t.x + t.width > b.x + b.width + 0.5)
                out.push(`bar ${g.dataset.lane}/${g.dataset.kind}: ${text.textContent}`);
            }
            return out;
          });
          expect([size, scheme, cut]).toEqual([size, scheme, []]);
          // 0-second runs are drawn as marks at least 5 units wide, not slivers.
          const narrow = await page.evaluate(
            () =>
              [...document.querySelectorAll<SVGRectElement>('svg.gantt g.seg rect')].filter(
                (r) => r.getBBox().width < 5,
              ).length,
          );
          expect(narrow).toBe(0);
        } finally {
          await page.close();
        }
      }
    }
  });

  it('a link by name only (#pod=ns/name) opens the newest incarnation and highlights that same one', async () => {
    const page = await open('laptop', 'light', '#cluster=demo&pod=argocd/my-pod');
    try {
      const shown = await page.locator('#pod-body article').getAttribute('data-uid');
      const newest = api
        .state()
        .records.filter((r) => r.namespace === 'argocd' && r.name === 'my-pod')
        .sort((a, b) => (b.timeline[0]?.at ?? '').localeCompare(a.timeline[0]?.at ?? ''))[0]!;
      expect(shown).toBe(newest.uid);
      await expect.poll(() => decodeURIComponent(page.url())).toContain(`uid=${newest.uid}`);
      // The incarnation links and list rows agree: the current one is the one shown.
      await expect
        .poll(() => page.locator('nav.incarnations a[aria-current]').getAttribute('data-focus'))
        .toBe(`inc:${newest.uid}`);
      const current = page.locator('main a.pod[aria-current]');
      for (const a of await current.all())
        expect(await a.getAttribute('data-focus')).toBe(`pod:argocd/my-pod/${newest.uid}`);
    } finally {
      await page.close();
    }
  });

  it('one time zone in the header: UTC, labelled; #updated is not a live region', async () => {
    const page = await open('laptop', 'light');
    try {
      await expect.poll(() => page.locator('#updated').textContent()).toMatch(/^Updated \d\d:\d\d:\d\d UTC/);
      expect(await page.locator('#updated').textContent()).not.toMatch(/AM|PM/);
      expect(await page.locator('#updated').getAttribute('aria-live')).toBeNull();
      expect(await page.locator('#updated').getAttribute('role')).toBeNull();
    } finally {
      await page.close();
    }
  });
});
