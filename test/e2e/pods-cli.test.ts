/**
 * `podlife pods` as a user runs it: the real bin in a child process against the real query
 * handler served on 127.0.0.1 as local mode serves it, over DynamoDB Local holding the demo
 * trace (ingested by the real handler); the replay of the same trace is the oracle. One spawn
 * per kind of output (tsx start-up is ~1.5 s each); the other cases call the command in-process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../cli/api-options.ts';
import { podsCommand } from '../../cli/pods.ts';
import { makeQueryHandler } from '../../functions/query/query.ts';
import { ROUTES } from '../../functions/query/router.ts';
import { podsRouteWith } from '../../functions/query/routes/pods.ts';
import { type ServedHandler, serveHandler } from '../../local/http-adapter.ts';
import type { FoundPod } from '../../model/api-schemas.ts';
import { type LocalTable, startLocalTable } from '../../testkit/ingest-harness.ts';
import { type LoadedDemo, loadDemo } from '../../testkit/query-support.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'podlife.js');
const ENV = { PATH: process.env.PATH, HOME: '/nonexistent', NO_COLOR: '1' };
const RANGE = ['--since', '2026-11-01T00:00:00Z', '--until', '2026-11-04T00:00:00Z'];

let t: LocalTable;
let demo: LoadedDemo;
let api: ServedHandler;
/** The same API with a tiny /pods budget (3 keys a request): every search takes many pages. */
let tiny: ServedHandler;

async function podlife(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: ENV, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The command in-process, its output captured. */
async function inProcess(args: string[], tty = false) {
  let out = '';
  let err = '';
  const io: Io = {
    out: {
      write: (s: string) => {
        out += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    err: {
      isTTY: tty,
      write: (s: string) => {
        err += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    env: {},
  };
  const code = await podsCommand(args, io);
  return { code, out, err };
}

beforeAll(async () => {
  t = await startLocalTable('podlife-pods-cli');
  demo = await loadDemo(t.doc, t.tableName, 'demo');
  api = await serveHandler(
    makeQueryHandler({ client: t.client, tableName: t.tableName, now: () => demo.now }),
  );
  tiny = await serveHandler(
    makeQueryHandler({
      client: t.client,
      tableName: t.tableName,
      now: () => demo.now,
      routes: ROUTES.map((r) =>
        r.path === '/pods' ? podsRouteWith({ budget: { readUnits: 1, chunk: 3 } }) : r,
      ),
    }),
  );
}, 180_000);
afterAll(async () => {
  await tiny?.close();
  await api?.close();
  await t?.stop();
});

const columns = (line: string) => line.trim().split(/\s{2,}/);

describe('podlife pods', () => {
  it('a kubectl-like table with the sort figure: the 5 slowest starts (spawned bin)', async () => {
    const r = await podlife([
      'pods',
      '--local',
      api.url,
      ...RANGE,
      '--sort-by',
      'timeToReady',
      '--limit',
      '5',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [head, ...rows] = r.stdout.trimEnd().split('\n');
    expect(columns(head!)).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'NODE',
      'TIMETOREADYSECONDS',
    ]);
    const slowest = [...demo.records]
      .filter((x) => x.timeToReadySeconds != null)
      .sort((a, b) => b.timeToReadySeconds! - a.timeToReadySeconds!)
      .slice(0, 5);
    expect(rows.map((l) => columns(l)[1])).toEqual(slowest.map((x) => x.name));
    const top = slowest[0]!;
    expect(columns(rows[0]!)[2]).toBe(top.ready ? `${top.ready.ready}/${top.ready.total}` : '<none>');
    expect(columns(rows[0]!)[3]).toBe(top.status);
    expect(r.stderr).toContain('pods created 2026-11-01T00:00:00.000Z to 2026-11-04T00:00:00.000Z');
  });

  it('-o json: the API rows, filtered as asked (spawned bin)', async () => {
    const r = await podlife([
      'pods',
      '--local',
      api.url,
      ...RANGE,
      '-n',
      'scraper',
      '--reason',
      'Error',
      '-o',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const pods = JSON.parse(r.stdout) as FoundPod[];
    const want = demo.records.filter((x) => x.namespace === 'scraper' && x.lastTerminationReason === 'Error');
    expect(want.length).toBeGreaterThan(1);
    expect(pods.map((p) => p.uid).sort()).toEqual(want.map((x) => x.uid).sort());
  });

  it('--node, --min, --phase, --status, --waiting-reason as the route filters', async () => {
    const minReady = await inProcess([
      '--local',
      api.url,
      ...RANGE,
      '--node',
      'datagen-1-34',
      '--min',
      'timeToReady=50',
      '-o',
      'json',
    ]);
    expect(minReady.code).toBe(0);
    const got = (JSON.parse(minReady.out) as FoundPod[]).map((p) => p.name).sort();
    expect(got).toEqual(
      demo.records
        .filter((x) => x.node === 'datagen-1-34' && (x.timeToReadySeconds ?? -1) >= 50)
        .map((x) => x.name)
        .sort(),
    );
    for (const [flag, value, field] of [
      ['--phase', 'Failed', 'phase'],
      ['--status', 'Terminating', 'status'],
      ['--waiting-reason', 'CrashLoopBackOff', 'waitingReason'],
    ] as const) {
      const r = await inProcess(['--local', api.url, ...RANGE, flag, value, '-o', 'json']);
      const pods = JSON.parse(r.out) as FoundPod[];
      expect(pods.length, flag).toBeGreaterThan(0);
      expect(
        pods.every((p) => p[field] === value),
        flag,
      ).toBe(true);
    }
  });

  it('--limit follows the pages up to N; the table says when more follow', async () => {
    const r = await inProcess(['--local', api.url, ...RANGE, '--limit', '3']);
    expect(r.out.trimEnd().split('\n')).toHaveLength(4);
    expect(r.err).toContain('more follow (--limit 3)');
    const none = await inProcess(['--local', api.url, ...RANGE, '--status', 'NoSuchStatus']);
    expect(none.out).toBe('No pods found.\n');
  });

  it('a tiny budget per request: the command follows every page, and prints the same answer', async () => {
    const nodes = [...new Set(demo.records.map((x) => x.node).filter((n): n is string => n != null))];
    for (const node of nodes.slice(0, 3)) {
      const args = [...RANGE, '--cluster', 'demo', '--node', node, '-o', 'json'];
      const whole = await inProcess(['--local', api.url, ...args]);
      const paged = await inProcess(['--local', tiny.url, ...args]);
      expect(paged.code, paged.err).toBe(0);
      expect(JSON.parse(paged.out)).toEqual(JSON.parse(whole.out));
      const requests = Number(/in (\d+) requests/.exec(paged.err)?.[1]);
      expect(requests, paged.err).toBeGreaterThan(1);
      expect(paged.err).toContain(`examined ${demo.records.length} pods`);
    }
    // The 5 slowest starts, merged from a pass of pages: replay's 5 slowest, in order.
    const slow = await inProcess([
      '--local',
      tiny.url,
      ...RANGE,
      '--cluster',
      'demo',
      '--sort-by',
      'timeToReady',
      '--limit',
      '5',
      '-o',
      'json',
    ]);
    const slowest = [...demo.records]
      .filter((x) => x.timeToReadySeconds != null)
      .sort((a, b) => b.timeToReadySeconds! - a.timeToReadySeconds!)
      .slice(0, 5);
    expect((JSON.parse(slow.out) as FoundPod[]).map((p) => p.figures.timeToReadySeconds)).toEqual(
      slowest.map((x) => x.timeToReadySeconds),
    );
    expect(slow.err).toMatch(/the first 5 by timeToReadySeconds of all of them/);
  });

  it('on a terminal, a progress line redrawn after each page, cleared at the end; none in a pipe', async () => {
    const args = ['--local', tiny.url, ...RANGE, '--cluster', 'demo', '--phase', 'Running'];
    const tty = await inProcess(args, true);
    expect(tty.code).toBe(0);
    const lines = tty.err.split('\r').filter((l) => l.startsWith('examined'));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines[0]).toMatch(/^examined \d+ pods \(\d+% of the range\), \d+ matched, 1 requests/);
    expect(tty.err).toContain('\r\x1b[K\n');
    const pipe = await inProcess(args);
    expect(pipe.err).not.toContain('\r');
    expect(pipe.out).toBe(tty.out);
  });

  it('usage errors name the option', async () => {
    await expect(inProcess(['--local', api.url, '--sort-by', 'restarts', '--limit', '2000'])).rejects.toThrow(
      /--limit 2000 with --sort-by restarts: at most 1000/,
    );
    await expect(inProcess(['--local', api.url, ...RANGE, '--sort-by', 'nosuch'])).rejects.toThrow(
      /--sort-by nosuch/,
    );
    await expect(inProcess(['--local', api.url, '--min', 'restarts'])).rejects.toThrow(/--min restarts/);
    await expect(inProcess(['--local', api.url, '--owner', 'Job/x'])).rejects.toThrow(/needs --namespace/);
    await expect(inProcess(['--local', api.url, '--order', 'up'])).rejects.toThrow(/--order up/);
    await expect(inProcess(['--local', api.url, '--limit', '0'])).rejects.toThrow(/--limit 0/);
    const bad = await inProcess(['--local', api.url, '--phase', 'Sleeping']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/phase/);
  });
});
