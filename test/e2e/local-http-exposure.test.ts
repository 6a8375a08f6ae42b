/**
 * Local mode's HTTP server under hostile requests (issue 10, "Local mode's exposure"): a Host
 * other than its own (DNS rebinding) gets 421 on every path, a foreign Origin or a browser's
 * cross-site subresource request 403, `POST /events` only takes `application/json`, a body over
 * 1 MiB gets 413 and is read no further, every entry is validated before any is routed and the
 * answer is PutEvents' own (FailedEntryCount, Entries[i].EventId | ErrorCode/ErrorMessage), a GET
 * on /events says it is POST-only. Then a seeded, bounded fuzz over /events bodies: no 5xx, every
 * bad entry reported at its index, and the pods stored from the good entries equal to the same
 * good entries put on the bus alone (under another cluster name).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEntry } from '../../local/local-bus.ts';
import { LocalMode } from '../../local/local-mode.ts';

/** The indexes of the entries a PutEvents answer refused (what the forwarder's LocalSink retries). */
const refusedIndexes = (body: { Entries: { ErrorCode?: string }[] }) =>
  body.Entries.flatMap((e, i) => (e.ErrorCode ? [i] : []));

const MiB = 1024 * 1024;
const SOURCE = 'podlife.forwarder';
const NS = 'fuzz';
const BASE = Date.now() - 6 * 3600_000;
const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

function snapshotDetail(cluster: string, pod: number, phase: string, dt: number) {
  return {
    schemaVersion: 1,
    cluster,
    observedAt: iso(BASE + dt * 1000),
    type: 'MODIFIED',
    pod: {
      uid: `${cluster}-uid-${pod}`,
      namespace: NS,
      name: `pod-${pod}`,
      creationTimestamp: iso(BASE),
      phase,
      initContainerCount: 0,
      conditions: [],
      initContainerStatuses: [],
      containerStatuses: [],
    },
  };
}

const good = (cluster: string, pod: number, phase = 'Pending', dt = 0) => ({
  Source: SOURCE,
  DetailType: 'Pod Snapshot',
  Detail: JSON.stringify(snapshotDetail(cluster, pod, phase, dt)),
});

/** A raw HTTP/1.1 request (fetch cannot set Host), answering status, headers and body. */
function raw(
  port: number,
  opts: {
    method?: string | undefined;
    path?: string | undefined;
    headers?: Record<string, string>;
    body?: string | undefined;
  },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: opts.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('local mode’s HTTP server under hostile requests', () => {
  let mode: LocalMode;
  let port: number;
  let webDir: string;
  const json = { 'content-type': 'application/json' };
  const post = (body: unknown, headers: Record<string, string> = json) =>
    fetch(`${mode.url}/events`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'podlife-web-test-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>podlife</title>');
    mode = await LocalMode.start({ port: 0, webDir });
    port = mode.server.port;
  });
  afterAll(async () => {
    await mode?.stop();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('refuses a Host other than 127.0.0.1:PORT / localhost:PORT on every path (DNS rebinding): 421', async () => {
    const put = mode.bus.stats.put;
    for (const host of [`rebound.evil.example:${port}`, 'evil.example', `127.0.0.1:${port + 1}`]) {
      for (const [method, path] of [
        ['GET', '/'],
        ['GET', '/api/pending?cluster=demo'],
        ['POST', '/events'],
      ]) {
        const res = await raw(port, {
          method,
          path,
          headers: { host, ...json },
          body: method === 'POST' ? JSON.stringify({ entries: [good('rebind', 1)] }) : undefined,
        });
        expect(res.status, `${host} ${method} ${path}`).toBe(421);
      }
    }
    // No Host at all (HTTP/1.0 style): refused too (Node's own parser answers 400 for HTTP/1.1).
    const noHost = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/clusters', setHost: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect([400, 421]).toContain(noHost);
    expect(mode.bus.stats.put).toBe(put);
    expect((await raw(port, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect((await raw(port, { headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
  });

  it('refuses a foreign Origin (and `null`) with 403, takes its own origin', async () => {
    const put = mode.bus.stats.put;
    for (const origin of [
      'http://evil.example',
      'null',
      `http://127.0.0.1:${port + 1}`,
      `https://localhost:${port}`,
    ]) {
      const res = await post({ entries: [good('origin', 1)] }, { ...json, origin });
      expect(res.status, origin).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const api = await fetch(`${mode.url}/api/clusters`, { headers: { origin } });
      expect(api.status, origin).toBe(403);
    }
    expect(mode.bus.stats.put).toBe(put);
    const own = await post({ entries: [good('origin', 1)] }, { ...json, origin: `http://127.0.0.1:${port}` });
    expect(own.status).toBe(200);
  });

  it('refuses a browser’s cross-site request without Origin (Sec-Fetch-Site), not a navigation to the page', async () => {
    // (raw requests: fetch sets Sec-Fetch-Mode itself)
    const host = `127.0.0.1:${port}`;
    const sub = await raw(port, {
      path: '/api/clusters',
      headers: { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    });
    expect(sub.status).toBe(403);
    const nav = await raw(port, {
      headers: { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    });
    expect(nav.status).toBe(200);
  });

  it('POST /events takes only Content-Type: application/json (415), nothing routed', async () => {
    const put = mode.bus.stats.put;
    const body = JSON.stringify({ entries: [good('ctype', 1)] });
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await post(body, { 'content-type': type });
      expect(res.status, type).toBe(415);
    }
    // fetch's own default for a string body is text/plain: what a cross-site <form> or no-cors fetch sends.
    expect((await fetch(`${mode.url}/events`, { method: 'POST', body })).status).toBe(415);
    expect(mode.bus.stats.put).toBe(put);
    expect((await post(body, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('a GET on /events explains it is POST-only (405)', async () => {
    const res = await fetch(`${mode.url}/events`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await res.json()).message).toMatch(/POST/);
  });

  it('a declared body over 1 MiB gets 413 before any of it is read', async () => {
    const put = mode.bus.stats.put;
    const res = await raw(port, {
      method: 'POST',
      path: '/events',
      headers: { host: `127.0.0.1:${port}`, ...json, 'content-length': String(100 * MiB) },
    }).catch((e: Error) => ({ status: -1, headers: {}, body: e.message }));
    expect(res.status).toBe(413);
    expect(mode.bus.stats.put).toBe(put);
  });

  it('a streamed (chunked) 100 MB body gets 413 and is read no further: memory stays flat', async () => {
    const put = mode.bus.stats.put;
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const { written, answer } = await new Promise<{ written: number; answer: string }>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let written = 0;
      let answer = '';
      let closed = false;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const head = `${chunk.length.toString(16)}\r\n`;
      sock.on('data', (d) => {
        answer += d.toString();
      });
      const finish = () => {
        if (closed) return;
        closed = true;
        resolve({ written, answer });
      };
      sock.on('close', finish);
      sock.on('error', finish);
      sock.write(
        `POST /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      const pump = () => {
        while (!closed && written < 100 * MiB) {
          written += chunk.length;
          sock.write(head);
          sock.write(chunk);
          const more = sock.write('\r\n');
          if (!more) {
            sock.once('drain', pump);
            return;
          }
        }
        if (!closed) sock.end('0\r\n\r\n');
      };
      pump();
      setTimeout(() => sock.destroy(), 30_000).unref();
    });
    clearInterval(sampler);
    if (process.env.PODLIFE_MEASURE)
      console.info(`100 MB streamed: client wrote ${written} bytes, server RSS +${peak - rssBefore}`);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    // The client got stuck or cut off long before 100 MB: the server stopped reading.
    expect(written).toBeLessThan(32 * MiB);
    expect(peak - rssBefore).toBeLessThan(48 * MiB);
    expect(mode.bus.stats.put).toBe(put);
  });

  it('validates every entry before routing any, and answers in PutEvents’ own shape', async () => {
    const put = mode.bus.stats.put;
    const res = await post({
      entries: [
        good('shape', 1),
        null,
        good('shape', 2),
        { Source: SOURCE, DetailType: 'Pod Snapshot', Detail: 'not json' },
        { Source: SOURCE, DetailType: 'Pod Snapshot', Detail: '{}', Time: 'yesterday' },
        { Source: SOURCE, DetailType: 'Pod Snapshot', Detail: 7 },
      ],
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.FailedEntryCount).toBe(4);
    expect(refusedIndexes(body)).toEqual([1, 3, 4, 5]);
    expect(body.Entries).toHaveLength(6);
    expect(body.Entries[0]).toEqual({ EventId: expect.any(String) });
    expect(body.Entries[2]).toEqual({ EventId: expect.any(String) });
    expect(body.Entries[1]).toEqual({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.any(String) });
    expect(body.Entries[3]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: expect.any(String) });
    expect(body.Entries[4].ErrorCode).toBe('InvalidArgument');
    expect(body.Entries[5].ErrorCode).toBe('InvalidArgument');
    expect(mode.bus.stats.put - put).toBe(6);
    await mode.bus.drain();
    for (const pod of [1, 2]) {
      const r = await fetch(`${mode.url}/api/pods/shape/${NS}/pod-${pod}`);
      expect(r.status).toBe(200);
    }
  });

  it('refuses a call that is not 1 to 10 entries, or not JSON, as a whole (400)', async () => {
    const put = mode.bus.stats.put;
    for (const body of [
      { entries: [] },
      { entries: Array.from({ length: 11 }, (_, i) => good('many', i)) },
      { entries: 'x' },
      {},
      'not json',
      'null',
      '[]',
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
    expect(mode.bus.stats.put).toBe(put);
  });

  describe('fuzz (fast-check, seeded, bounded)', () => {
    const PODS = 4;
    type Gen = { good: true; pod: number; phase: string; dt: number } | { good: false; value: unknown };
    const mutations = (pod: number): unknown[] => {
      const g = good('m', pod);
      return [
        { ...g, Source: undefined },
        { ...g, Source: '' },
        { ...g, DetailType: 5 },
        { ...g, Detail: undefined },
        { ...g, Detail: '[1,2]' },
        { ...g, Detail: 'null' },
        { ...g, Detail: '{"a":' },
        { ...g, Time: 'not a time' },
        { ...g, Time: 1e300 },
        { ...g, Time: {} },
        { ...g, Resources: [1] },
        { ...g, Resources: 'arn' },
        { ...g, EventBusName: 3 },
        { ...g, Detail: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) },
      ];
    };
    const goodGen: fc.Arbitrary<Gen> = fc.record({
      good: fc.constant(true as const),
      pod: fc.integer({ min: 0, max: PODS - 1 }),
      phase: fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed'),
      dt: fc.integer({ min: 0, max: 3600 }),
    });
    const badGen: fc.Arbitrary<Gen> = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: PODS - 1 }), fc.nat(13)).map(([p, i]) => ({
        good: false as const,
        value: mutations(p)[i],
      })),
      fc
        .jsonValue({ maxDepth: 3 })
        .filter((v) => validateEntry(v) !== null)
        .map((value) => ({ good: false as const, value })),
    );

    it('no 5xx; every bad entry reported at its index; good entries stored as the good ones alone are', async () => {
      const seen = new Set<number>();
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(goodGen, badGen), { minLength: 1, maxLength: 10 }),
          async (gens) => {
            const entries = gens.map((g) => (g.good ? good('fuzz-http', g.pod, g.phase, g.dt) : g.value));
            const text = JSON.stringify({ entries });
            const res = await post(text);
            if (Buffer.byteLength(text) > MiB) {
              expect(res.status).toBe(413);
              return;
            }
            expect(res.status).toBe(200);
            const body = await res.json();
            const bad = gens.flatMap((g, i) => (g.good ? [] : [i]));
            expect(refusedIndexes(body)).toEqual(bad);
            expect(body.FailedEntryCount).toBe(bad.length);
            for (const i of bad)
              expect(body.Entries[i].ErrorCode, JSON.stringify(entries[i])).toMatch(/^\w+$/);
            for (const [i, g] of gens.entries()) {
              if (!g.good) continue;
              expect(body.Entries[i].EventId).toEqual(expect.any(String));
              seen.add(g.pod);
              // The reference: the same good entry alone, straight onto the bus, another cluster.
              const ref = mode.bus.putEvents([good('fuzz-ref', g.pod, g.phase, g.dt)]);
              expect(ref.failed).toEqual([]);
            }
            await mode.bus.drain();
          },
        ),
        { seed: 20261129, numRuns: 40 },
      );
      await mode.bus.drain();
      expect(seen.size).toBeGreaterThan(0);
      for (let pod = 0; pod < PODS; pod++) {
        const [a, b] = await Promise.all(
          ['fuzz-http', 'fuzz-ref'].map(async (c) => {
            const r = await fetch(`${mode.url}/api/pods/${c}/${NS}/pod-${pod}`);
            return { status: r.status, text: (await r.text()).replaceAll(c, 'CLUSTER') };
          }),
        );
        expect(a!.status, `pod-${pod}`).toBe(seen.has(pod) ? 200 : 404);
        expect(a).toEqual(b);
      }
      // Still answering after all that.
      expect((await fetch(`${mode.url}/api/clusters`)).status).toBe(200);
    });

    it('any body at all: 400 or 413 or 200, never 5xx, nothing routed unless it is a list of entries', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ maxLength: 200 }),
            fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
            fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ entries: v })),
          ),
          async (text) => {
            const put = mode.bus.stats.put;
            const res = await post(text);
            expect([200, 400]).toContain(res.status);
            if (res.status === 400) expect(mode.bus.stats.put).toBe(put);
            await res.arrayBuffer();
          },
        ),
        { seed: 10, numRuns: 100 },
      );
      await mode.bus.drain();
    });
  });
});
