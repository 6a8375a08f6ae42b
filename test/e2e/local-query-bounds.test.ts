/**
 * Local mode answers every query in bounded time and stays responsive while it serves another:
 * local mode runs in a child process (testkit/local-mode-child.ts), so a stalled event loop
 * there cannot stall the test's clock. The widest /stats request allowed (92 days, the whole
 * cluster) and the hostile ones (`since=100000000d`, with and without a namespace) are in flight
 * while /pending is asked: it must answer within a generous bound, and every request must end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** Generous: /pending on the demo data takes milliseconds; a stalled loop takes minutes. */
const PENDING_BOUND_MS = 10_000;
const ANY_BOUND_MS = 25_000;

let child: ChildProcess;
let url: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'testkit/local-mode-child.ts'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      if (l.startsWith('{"url"')) resolve(JSON.parse(l).url);
    });
    child.once('exit', (code) => reject(new Error(`local mode exited (${code}) before it was ready`)));
  });
}, 120_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}, 30_000);

/** GET under /api with a hard timeout: the status and how long it took (status 0: no answer in time). */
async function timed(path: string, timeoutMs: number) {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/api${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as Record<string, unknown>;
    return { status: res.status, body, ms: performance.now() - started };
  } catch (err) {
    return { status: 0, body: { error: String(err) }, ms: performance.now() - started };
  }
}

describe('local mode: bounded time per request, responsive while serving another', () => {
  it('/pending answers promptly while the widest /stats and hostile ones are in flight', async () => {
    const stats = [
      timed('/stats?cluster=demo&since=92d', ANY_BOUND_MS),
      timed('/stats?cluster=demo&since=92d&groupBy=owner', ANY_BOUND_MS),
      timed('/stats?cluster=demo&since=100000000d', ANY_BOUND_MS),
      timed('/stats?cluster=demo&namespace=default&since=100000000d', ANY_BOUND_MS),
      timed(`/pending?cluster=demo&olderThan=${'1'.repeat(24)}`, ANY_BOUND_MS),
    ];
    // Asked while those are being served.
    await new Promise((r) => setTimeout(r, 20));
    const pending = await timed('/pending?cluster=demo', PENDING_BOUND_MS);
    expect(pending.status, JSON.stringify(pending.body)).toBe(200);
    expect(pending.ms).toBeLessThan(PENDING_BOUND_MS);
    const [wide, wideByOwner, hostile, hostileNs, hugeOlderThan] = await Promise.all(stats);
    expect(wide!.status).toBe(200);
    expect(wideByOwner!.status).toBe(200);
    for (const r of [hostile, hostileNs, hugeOlderThan]) {
      expect(r!.status, JSON.stringify(r!.body)).toBe(400);
      expect(r!.body.parameter).toEqual(expect.any(String));
    }
    console.info(
      `local mode: /pending ${pending.ms.toFixed(0)} ms beside /stats 92d (${wide!.ms.toFixed(0)} ms) and since=100000000d (${hostile!.ms.toFixed(0)} / ${hostileNs!.ms.toFixed(0)} ms)`,
    );
  }, 60_000);
});
