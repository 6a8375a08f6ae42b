/**
 * The whole pipeline on one machine, end to end, as `npm start` runs it: the demo trace →
 * the stack's rules → the ingest handler → DynamoDB Local → the sweep on the stack's schedule →
 * the query API → the dashboard in Debian's chromium. What the API and the page show must be
 * what `podlife replay` computes for the same trace.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFiles } from '../../cli/replay.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { statsOf } from '../../core/stats.ts';
import { LocalMode } from '../../local/local-mode.ts';
import { type Browser, launchChromium, SKIP_BROWSER } from '../../testkit/chromium.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TRACE = join(ROOT, 'demo', 'trace.jsonl');
const ROUTER = { namespace: 'openshift-ingress', name: 'router-default-7bbdcfcf9b-7xdln' };
const run = promisify(execFile);

describe('local mode on the demo trace', () => {
  let mode: LocalMode;
  let expected: PodRecord[];
  let now: number;

  beforeAll(async () => {
    mode = await LocalMode.start({ port: 0 });
    const summary = await mode.replay({ files: [TRACE], cluster: 'demo', speed: 'max' });
    expect(summary).toMatchObject({ snapshots: 54, events: 63, rejected: 0 });
    const replayed = await replayFiles([TRACE], { cluster: 'demo', stuckAfterSeconds: 300 });
    expected = replayed.records;
    now = replayed.now;
  });

  afterAll(async () => {
    await mode?.stop();
  });

  const api = async (path: string) => {
    const res = await fetch(`${mode.url}/api${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('ends the replay with the clock at the trace’s end, like podlife replay', () => {
    expect(mode.clock.now()).toBe(now);
    expect(mode.bus.failures).toEqual([]);
    // 94 trace events reach the ingest; the sweep's scheduled runs are deliveries too.
    expect(mode.bus.stats.delivered).toBeGreaterThan(94);
    // Only the alert events match no rule: the stack leaves routing them to users (Slack, PagerDuty).
    expect(mode.bus.stats.unmatched).toBe(mode.alerts.length);
  });

  it('the history route returns exactly the records podlife replay prints', async () => {
    const names = new Set(expected.map((r) => `${r.namespace}/${r.name}`));
    expect(names.size).toBeGreaterThan(30);
    for (const key of names) {
      const [namespace, name] = key.split('/');
      const { status, body } = await api(`/pods/demo/${namespace}/${encodeURIComponent(name!)}`);
      expect(status).toBe(200);
      const want = expected.filter((r) => r.namespace === namespace && r.name === name).reverse();
      expect(body.pods, key).toEqual(want);
    }
  });

  it('lists the stuck Pending pods with the scheduler’s reason, and the crash-looping ones', async () => {
    const pending = await api('/pending?cluster=demo');
    expect(pending.status).toBe(200);
    const router = pending.body.pods.find((p: any) => p.name === ROUTER.name);
    expect(router).toMatchObject({ namespace: ROUTER.namespace, stuck: true });
    expect(router.unschedulableMessage).toMatch(/^0\/2 nodes are available/);
    const stuckByReplay = expected
      .filter((r) => r.stuckPending && !r.deleted && r.phase === 'Pending')
      .map((r) => r.uid);
    const stuckByApi = pending.body.pods.filter((p: any) => p.stuck).map((p: any) => p.uid);
    expect(stuckByApi.sort()).toEqual(stuckByReplay.sort());

    const crash = await api('/crashloops?cluster=demo');
    const myPod = crash.body.pods.find((p: any) => p.name === 'my-pod');
    expect(myPod).toMatchObject({
      namespace: 'argocd',
      restarts: 3,
      lastTerminationReason: 'Error',
      lastExitCode: 1,
    });
  });

  it('the stats route agrees with statsOf over the replayed records', async () => {
    const { status, body } = await api(
      '/stats?cluster=demo&namespace=scraper&since=2026-11-01T00:00:00Z&until=2026-11-04T00:00:00Z',
    );
    expect(status).toBe(200);
    const want = statsOf(expected.filter((r) => r.namespace === 'scraper'));
    expect(body.stats).toMatchObject({
      pods: want.pods,
      pendingSeconds: want.pendingSeconds,
      timeToReadySeconds: want.timeToReadySeconds,
      scheduledAfterSeconds: want.scheduledAfterSeconds,
    });
  });

  it('the sweep ran on the stack’s schedule and alerted once per stuck or crash-looping pod', async () => {
    const subjects = mode.alerts.map((a) => a.subject ?? '');
    expect(subjects.some((s) => s.includes(ROUTER.name))).toBe(true);
    expect(subjects.some((s) => s.includes('my-pod'))).toBe(true);
    // Another sweep at the same instant opens no second episode.
    const before = mode.alerts.length;
    await mode.bus.runSchedules();
    expect(mode.alerts.length).toBe(before);
  });

  it('accepts the forwarder’s local sink on POST /events and ingests what it sends', async () => {
    const detail = {
      schemaVersion: 1,
      cluster: 'sink-test',
      observedAt: '2026-11-02T09:00:00Z',
      type: 'ADDED',
      pod: {
        uid: 'sink-uid-1',
        namespace: 'default',
        name: 'from-forwarder',
        creationTimestamp: '2026-11-02T08:59:00Z',
        phase: 'Pending',
        initContainerCount: 0,
        conditions: [],
        initContainerStatuses: [],
        containerStatuses: [],
      },
    };
    const res = await fetch(`${mode.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        entries: [
          { Source: 'podlife.forwarder', DetailType: 'Pod Snapshot', Detail: JSON.stringify(detail) },
          { Source: 'podlife.forwarder', DetailType: 'Pod Snapshot', Detail: 'not json' },
        ],
      }),
    });
    // PutEvents' answer: the second entry refused, the first taken.
    expect(await res.json()).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ EventId: expect.any(String) }, { ErrorCode: expect.any(String) }],
    });
    await mode.bus.drain();
    const { status, body } = await api('/pods/sink-test/default/from-forwarder');
    expect(status).toBe(200);
    expect(body.pods[0]).toMatchObject({ uid: 'sink-uid-1', phase: 'Pending' });
  });

  it('sets invalid events aside on the invalid-events queue, with the reason', async () => {
    mode.bus.putEvents([
      {
        Source: 'podlife.forwarder',
        DetailType: 'Pod Snapshot',
        Detail: JSON.stringify({ schemaVersion: 9 }),
      },
    ]);
    await mode.bus.drain();
    const parked = [...mode.bus.queues.values()].flat();
    expect(parked.length).toBeGreaterThan(0);
    expect(JSON.stringify(parked.at(-1))).toMatch(/schemaVersion/);
  });

  describe.skipIf(SKIP_BROWSER)('the dashboard in chromium', () => {
    let browser: Browser;
    let page: Page;

    // biome-ignore lint/suspicious/noDuplicateTestHooks: this nested suite's own browser, after the outer replay
    beforeAll(async () => {
      browser = await launchChromium();
      page = browser.page;
    });

    // biome-ignore lint/suspicious/noDuplicateTestHooks: closes this nested suite's browser
    afterAll(async () => {
      await browser?.close();
    });

    it('shows the stuck pod, the crash-looping pod and its timeline with the replay’s figures', async () => {
      await page.goto(`${mode.url}/`);
      const stuck = page.locator(`#pending-table tr[data-pod="${ROUTER.namespace}/${ROUTER.name}"]`);
      await stuck.waitFor({ timeout: 15_000 });
      expect(await stuck.locator('.badge').textContent()).toBe('stuck');
      expect(await stuck.locator('.why').textContent()).toContain('0/2 nodes are available');
      const crash = page.locator('#crash-table tr[data-pod="argocd/my-pod"]');
      expect(await crash.locator('.restarts .val').textContent()).toBe('3');
      expect(await crash.locator('.term').textContent()).toBe('Error (1)');
      await crash.locator('a.pod').click();
      const myPod = expected.find((r) => r.name === 'my-pod' && r.restarts === 3)!;
      const detail = page.locator(`#pod-body article[data-uid="${myPod.uid}"]`);
      await detail.waitFor({ timeout: 10_000 });
      expect(await detail.locator('dd[data-figure="pendingSeconds"]').textContent()).toBe('5s');
      expect(await detail.locator('svg.gantt g[data-kind="back-off"]').count()).toBe(3);
      await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'local-mode.png'), fullPage: true });
    });
  });
});

describe('podlife local as a command', () => {
  it('--exit replays, sweeps, prints the summary and stops', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, 'bin', 'podlife.js'), 'local', '--speed', 'max', '--exit', '--port', '0', TRACE],
      {
        cwd: ROOT,
      },
    );
    expect(stdout).toMatch(/dashboard {2}http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toMatch(/replayed 54 snapshots and 63 events/);
  });

  it('a taken port is a one-line error and exit status 1', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await run(
        process.execPath,
        [join(ROOT, 'bin', 'podlife.js'), 'local', '--port', String(port), '--exit'],
        { cwd: ROOT },
      );
      expect.unreachable();
    } catch (err) {
      const e = err as { code: number; stderr: string };
      expect(e.code).toBe(1);
      expect(e.stderr.trim()).toBe(
        `podlife local: port ${port} is taken on 127.0.0.1: pass --port N, or --port 0 for any free port`,
      );
    } finally {
      blocker.close();
    }
  });

  it('no Java is a one-line error that says what to install', async () => {
    const emptyPath = await mkdtemp(join(tmpdir(), 'podlife-nojava-'));
    try {
      await run(process.execPath, [join(ROOT, 'bin', 'podlife.js'), 'local', '--port', '0', '--exit'], {
        cwd: ROOT,
        env: { ...process.env, PATH: emptyPath },
      });
      expect.unreachable();
    } catch (err) {
      const e = err as { code: number; stderr: string };
      expect(e.code).toBe(1);
      expect(e.stderr.trim()).toBe(
        'podlife local: Java 17+ is needed for DynamoDB Local: apt-get install -y openjdk-17-jre-headless',
      );
    } finally {
      await rm(emptyPath, { recursive: true, force: true });
    }
  });

  it('a bad kubeconfig is a one-line error before anything starts', async () => {
    try {
      await run(
        process.execPath,
        [join(ROOT, 'bin', 'podlife.js'), 'local', '--kubeconfig', '/nonexistent/kubeconfig'],
        { cwd: ROOT },
      );
      expect.unreachable();
    } catch (err) {
      const e = err as { code: number; stderr: string };
      expect(e.code).toBe(1);
      expect(e.stderr.trim()).toMatch(
        /^podlife local: cannot use the kubeconfig \/nonexistent\/kubeconfig: ENOENT/,
      );
    }
  });
});
