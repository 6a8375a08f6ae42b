/**
 * The forwarder's command (`main`) against a fake API server (the 25 pods of a real kind
 * cluster) and a bus that refuses every call: a SIGTERM while PutEvents calls fail ends within
 * the flush deadline, with exit code 0, every buffered entry counted as dropped; and a SIGTERM
 * while the API server is down too.
 */

import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../forwarder/main.ts';
import { FakeApiServer } from '../../testkit/fake-apiserver.ts';
import { kindPods, waitFor, writeKubeconfig } from './helpers.ts';

let api: FakeApiServer;
let bus: http.Server;
let busCalls = 0;
let inventoryCalls = 0;
const before = new Set<NodeJS.SignalsListener>();

beforeEach(async () => {
  api = await new FakeApiServer().start();
  for (const p of kindPods()) api.add('pods', p);
  busCalls = 0;
  inventoryCalls = 0;
  // The local pipeline's endpoint, throttling every call.
  bus = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      busCalls++;
      if (body.includes('"Pod Inventory"')) inventoryCalls++;
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"message":"Rate exceeded"}');
    });
  });
  await new Promise<void>((r) => bus.listen(0, '127.0.0.1', r));
  for (const l of process.listeners('SIGTERM')) before.add(l);
});

afterEach(async () => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    for (const l of process.listeners(sig)) if (!before.has(l)) process.off(sig, l);
  await new Promise<void>((r) => bus.close(() => r()));
  await api.close();
});

/** The SIGTERM handler `main` added, called as Node calls it. */
function sigterm(): void {
  const l = process.listeners('SIGTERM').find((x) => !before.has(x)) as ((s: string) => void) | undefined;
  if (!l) throw new Error('no SIGTERM handler');
  l('SIGTERM');
}

function run(flushSeconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'podlife-shutdown-'));
  const kubeconfig = writeKubeconfig(join(dir, 'config'), api.url);
  return main(
    [
      '--cluster=kind-test',
      `--kubeconfig=${kubeconfig}`,
      '--sink=local',
      `--local-url=http://127.0.0.1:${(bus.address() as AddressInfo).port}/events`,
      '--port=0',
      '--host=127.0.0.1',
      `--flush-seconds=${flushSeconds}`,
      '--heartbeat-seconds=0',
      '--log-level=ERROR',
    ],
    {},
  );
}

describe('SIGTERM while PutEvents calls fail', () => {
  it('the flush deadline holds and the exit code is 0', async () => {
    const exit = run(1);
    // The pods and the Pod Inventory have been refused a few times: both are retrying, the
    // inventory's back-off now in steps of seconds.
    await waitFor(() => inventoryCalls >= 5, 'refused inventory calls', 20_000);
    const t0 = Date.now();
    sigterm();
    expect(await exit).toBe(0);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3_500);
  });

  it('with the API server down as well: the same', async () => {
    const exit = run(1);
    await waitFor(() => busCalls >= 3, 'refused calls', 20_000);
    api.down = true;
    api.dropWatches();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    sigterm();
    expect(await exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3_500);
  });
});
