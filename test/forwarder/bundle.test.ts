/**
 * The forwarder as a user runs it: the esbuild bundle (what the Docker image runs) started as
 * a child process with a kubeconfig pointing at the local API server, with `--sink stdout` and
 * with `--sink local` into a stand-in for the local pipeline. It lists, sends, serves its
 * probes, and on SIGTERM flushes and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE_HEARTBEAT } from '../../core/heartbeat.ts';
import { DETAIL_TYPE_INVENTORY } from '../../core/inventory.ts';
import { buildForwarder } from '../../forwarder/build.ts';
import type { LocalSinkRequest } from '../../forwarder/sinks.ts';
import { FakeApiServer } from '../../testkit/fake-apiserver.ts';
import { kindPods, waitFor, withRestarts, writeKubeconfig } from './helpers.ts';

let dir: string;
let bundle: string;
let server: FakeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'podlife-fwd-'));
  bundle = (await buildForwarder(join(dir, 'forwarder.mjs'))).outfile;
  server = await new FakeApiServer().start();
  for (const p of kindPods()) server.add('pods', p);
  kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, server.url);
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [bundle, ...args], {
    env: { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  const onData = (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) {
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push({ text: line });
        }
      }
      i = buf.indexOf('\n');
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, exit };
}

const portOf = (r: Run) =>
  (r.lines.find((l) => l.message === 'serving /healthz /readyz /metrics') as { port: number }).port;

describe('the bundled forwarder, run as a process', () => {
  it('--sink stdout: one JSON entry per pod, probes, a change, SIGTERM → flush and exit 0', async () => {
    // The cluster name comes from the environment here (PODLIFE_CLUSTER), the rest from flags.
    const r = run(
      [
        '--sink',
        'stdout',
        '--kubeconfig',
        kubeconfig,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--log-level',
        'INFO',
        // The restart below is routine news (inside a known crash loop): sent without its
        // 30 s routine linger here, so the test need not wait for it.
        '--routine-linger-seconds',
        '0',
      ],
      {
        PODLIFE_CLUSTER: 'kind-e2e',
      },
    );
    type Out = { Source: string; DetailType: string; Detail: string };
    const sent = () => r.lines.filter((l) => 'Source' in l) as Out[];
    // The pods' entries; the forwarder's heartbeat (at start, then every 60 s) and its Pod
    // Inventory (after the list) go out beside them.
    const entries = () =>
      sent().filter((e) => e.DetailType !== DETAIL_TYPE_HEARTBEAT && e.DetailType !== DETAIL_TYPE_INVENTORY);
    try {
      await waitFor(() => entries().length === 25, '25 entries on stdout', 20_000);
      await waitFor(
        () => sent().some((e) => e.DetailType === DETAIL_TYPE_INVENTORY),
        'the inventory',
        20_000,
      );
      const inventory = sent().find((e) => e.DetailType === DETAIL_TYPE_INVENTORY)!;
      expect(JSON.parse(inventory.Detail).uids).toHaveLength(25);
      const beats = sent().filter((e) => e.DetailType === DETAIL_TYPE_HEARTBEAT);
      expect(beats.length).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(beats[0]!.Detail)).toMatchObject({ cluster: 'kind-e2e' });
      const port = portOf(r);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('podlife_forwarder_forwarded_total{detail_type="Pod Facts"} 25');
      // On stdout the facts stay readable (--payload facts-json is the default there).
      const first = JSON.parse(entries()[0]!.Detail);
      expect(first).toMatchObject({ schemaVersion: 1, cluster: 'kind-e2e', facts: { pod: {} } });
      expect(entries()[0]).not.toHaveProperty('EventBusName');

      const p = server.all('pods').find((x) => x.metadata.name === 'e2e-container-creating');
      server.modify('pods', withRestarts(p, 9));
      await waitFor(() => entries().length === 26, 'the change', 10_000);
      // Only what is new: the restart count, the new run, the latest state.
      const change = JSON.parse(entries()[25]!.Detail);
      expect(change.facts.pod).toBeUndefined();
      expect(change.facts.containers[0]).toMatchObject({ name: 'alpine', restarts: 9 });
    } finally {
      r.child.kill('SIGTERM');
    }
    expect(await r.exit).toBe(0);
    expect(r.lines.some((l) => l.message === 'forwarder stopped')).toBe(true);
  });

  it('--sink local: POSTs the entries to the local pipeline', async () => {
    const bodies: LocalSinkRequest[] = [];
    const pipeline = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"FailedEntryCount":0,"Entries":[]}');
      });
    });
    await new Promise<void>((r) => pipeline.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(pipeline.address() as AddressInfo).port}/events`;
    const r = run([
      '--cluster',
      'kind-local',
      '--sink',
      'local',
      '--local-url',
      url,
      '--kubeconfig',
      kubeconfig,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ]);
    try {
      const podEntries = () =>
        bodies
          .flatMap((b) => b.entries)
          .filter((e) => e.DetailType !== DETAIL_TYPE_HEARTBEAT && e.DetailType !== DETAIL_TYPE_INVENTORY);
      await waitFor(() => podEntries().length === 25, '25 entries posted', 20_000);
      expect(bodies.every((b) => b.entries.length <= 10)).toBe(true);
      expect(JSON.parse(bodies[0]!.entries[0]!.Detail).cluster).toBe('kind-local');
    } finally {
      r.child.kill('SIGTERM');
      expect(await r.exit).toBe(0);
      await new Promise<void>((res) => pipeline.close(() => res()));
    }
  });

  it('bad flags: exit 2 with the flag named', async () => {
    const r = run(['--sink', 'eventbridge', '--cluster', 'c']);
    expect(await r.exit).toBe(2);
    expect(r.lines[0]!.text).toBe(
      'podlife-forwarder: --bus (PODLIFE_BUS) is required with --sink eventbridge',
    );
  });
});
