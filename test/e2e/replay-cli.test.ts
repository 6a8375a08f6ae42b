/**
 * `podlife replay` as a user runs it: the real bin, real files, stdin, exit codes, stderr.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { decodeObject } from '../../core/decode.ts';
import { FIGURE_NAMES } from '../../core/figures.ts';
import { PayloadEncoder } from '../../forwarder/payload.ts';
import { FIXTURES_DIR, RECEIVED_AT } from '../../testkit/fixtures.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'podlife.js');
const TRACE = join(import.meta.dirname, '..', '..', 'demo', 'trace.jsonl');

async function podlife(
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('podlife replay', () => {
  it('prints a kubectl-style table and percentiles for the demo trace', async () => {
    const { code, stdout, stderr } = await podlife(['replay', TRACE]);
    expect(code).toBe(0);
    const header = stdout.split('\n')[0];
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'TO-SCHEDULE',
      'PENDING-FOR',
      'TO-READY',
      'BACK-OFF',
      'LAST-TERMINATION',
      'STUCK',
    ]);
    // STATUS is kubectl's (issue 11): an unschedulable pod is Pending, an init crash loop Init:Error.
    // AGE in kubectl's format, to the trace's end; empty cells <none>.
    expect(stdout).toMatch(
      /^openshift-ingress\s+router-default-7bbdcfcf9b-7xdln\s+0\/1\s+Pending\s+0\s+16h\s+<none>\s.*yes$/m,
    );
    // RESTARTS as kubectl prints it: the count and the last termination's age; no creation time: AGE <none>.
    expect(stdout).toMatch(
      /^mission-control\s+oomkilled-pod\s+0\/1\s+Running\s+9 \(13h ago\)\s+<none>\s.*\s1h55m\s+OOMKilled \(1\)\s+no$/m,
    );
    expect(stdout).toMatch(
      /^default\s+crashloop-deployment-6bf9b7b858-m9882\s+0\/1\s+Init:Error\s+1 \(16h ago\)\s.*\s3s\s+Error \(1\)\s+yes$/m,
    );
    // STUCK is for a pod stuck now: test-pod was Pending 3h once, and is Running (Terminating) now.
    expect(stdout).toMatch(/^default\s+test-pod\s+0\/1\s+Terminating\s+0\s+16h\s+3h\s+3h\s.*\sno$/m);
    // READY is kubectl's (issue 14): the sidecar pod counts its native sidecar.
    expect(stdout).toMatch(/^default\s+sleep\s+2\/2\s+Running\s/m);
    expect(stdout).toMatch(
      /^NAMESPACE\s+PODS\s+TO-SCHEDULE p50\/90\/99\s+PENDING-FOR p50\/90\/99\s+TO-READY p50\/90\/99\s+BACK-OFF p50\/90\/99/m,
    );
    expect(stdout).toMatch(/^OWNER\s+PODS/m);
    expect(stdout).toMatch(/^default\/StatefulSet\/redis\s+2\s/m);
    expect(stderr).toMatch(/replayed 54 snapshots and 63 events of 43 pods \(0 rejected\)/);
  });

  it('-o json is --json, byte for byte; -o yaml parses back equal; -o csv one record a pod; --sort-by, --no-headers, -o wide', async () => {
    const [json, oJson, yaml, csv, sorted] = await Promise.all([
      podlife(['replay', '--json', TRACE]),
      podlife(['replay', '-o', 'json', TRACE]),
      podlife(['replay', '-o', 'yaml', TRACE]),
      podlife(['replay', '-o', 'csv', TRACE]),
      podlife(['replay', '--sort-by', 'RESTARTS', '--no-headers', '--no-stats', '-o', 'wide', TRACE]),
    ]);
    expect(oJson).toEqual(json);
    expect(json.stderr).toBe('');
    expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'NAMESPACE,NAME,READY,STATUS,RESTARTS,AGE,TO-SCHEDULE,PENDING-FOR,TO-READY,BACK-OFF,LAST-TERMINATION,STUCK,PHASE,INIT-FOR,ALL-RESTARTS,NODE,OWNER,UID',
    );
    expect(lines).toHaveLength(44);
    expect(lines).toContain(
      'mission-control,oomkilled-pod,0/1,Running,9 (13h ago),,,,,1h55m,OOMKilled (1),no,Running,,9,gke-hub-cluster-private-pool-containe-b918c0a5-x9j3,,def4df27-ade6-4ba1-b2dc-57d07e12bfe6',
    );
    expect(sorted.code).toBe(0);
    const rows = sorted.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(43);
    expect(rows[0]).not.toMatch(/^NAMESPACE/);
    const restarts = rows.map((r) => Number(r.split(/\s{2,}/)[4]!.split(' ')[0]));
    expect(restarts).toEqual([...restarts].sort((a, b) => a - b));
    expect(rows.at(-1)).toMatch(/^mission-control\s+oomkilled-pod\s/);
    const bad = await podlife(['replay', '--sort-by', 'restart', TRACE]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--sort-by restart: no such column or field \(did you mean /);
  });

  it('--json prints one object per uid with exactly the contract keys', async () => {
    const { code, stdout } = await podlife(['replay', '--json', '--cluster', 'prod', TRACE]);
    expect(code).toBe(0);
    const pods = JSON.parse(stdout) as Record<string, unknown>[];
    expect(pods).toHaveLength(43);
    expect(new Set(pods.map((p) => p.uid)).size).toBe(43);
    const keys = [...FIGURE_NAMES, 'cluster', 'namespace', 'name', 'uid', 'owner', 'node', 'timeline'].sort();
    for (const p of pods) expect(Object.keys(p).sort()).toEqual(keys);
    expect(pods.every((p) => p.cluster === 'prod')).toBe(true);
    const redis1 = pods.find((p) => p.name === 'redis-1')!;
    expect(redis1).toMatchObject({ scheduledAfterSeconds: 2, owner: { kind: 'StatefulSet', name: 'redis' } });
  });

  it('reads EventBridge events captured from the bus (Pod Facts, compressed or not): the same records as the trace', async () => {
    // What the forwarder put on the bus for the demo trace, as an archive or a capture holds it.
    // Compressed (what --payload facts sends past 64 KB, and the earlier default) and readable.
    const encoder = new PayloadEncoder({ compress: true });
    const plain = new PayloadEncoder({ compress: false });
    const lines: string[] = [];
    let n = 0;
    for (const line of readFileSync(TRACE, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const d = decodeObject(JSON.parse(line), { cluster: 'prod', now: RECEIVED_AT });
      if (d.kind !== 'snapshot' && d.kind !== 'event') continue;
      const enc = n++ % 2 ? encoder : plain;
      const p = d.kind === 'snapshot' ? enc.snapshot(d.snapshot) : enc.event(d.cluster, d.event);
      // Both encoders see every input (so their ledgers agree); the emitted form alternates.
      const other = enc === encoder ? plain : encoder;
      if (d.kind === 'snapshot') other.snapshot(d.snapshot);
      else other.event(d.cluster, d.event);
      if (!p) continue;
      lines.push(
        JSON.stringify({
          version: '0',
          id: `e-${n}`,
          'detail-type': p.detailType,
          source: 'podlife.forwarder',
          account: '111122223333',
          time: '2026-11-02T08:00:00Z',
          region: 'eu-west-1',
          resources: [],
          detail: p.detail,
        }),
      );
    }
    expect(lines.some((l) => l.includes('factsDeflate'))).toBe(true);
    expect(lines.some((l) => l.includes('"facts":{'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'podlife-bus-'));
    const file = join(dir, 'bus.jsonl');
    writeFileSync(
      file,
      `${lines.join('\n')}\n{"source":"podlife.forwarder","detail-type":"Pod Facts","detail":{"schemaVersion":1}}\n`,
    );
    const now = ['--now', '2026-11-03T00:00:00Z'];
    const fromBus = await podlife(['replay', '--json', ...now, file]);
    const fromTrace = await podlife(['replay', '--json', '--cluster', 'prod', ...now, TRACE]);
    expect(fromTrace.code).toBe(0);
    expect(JSON.parse(fromBus.stdout)).toEqual(JSON.parse(fromTrace.stdout));
    // The bad capture line is reported with its line number, the field named.
    expect(fromBus.code).toBe(2);
    expect(fromBus.stderr).toMatch(new RegExp(`${file}:${lines.length + 1}: detail\\.`));
  });

  it('reads stdin with -, and --now / --stuck-after change what is stuck', async () => {
    const text = readFileSync(join(FIXTURES_DIR, 'gitops-engine__pod-imagepullbackoff.yaml'), 'utf8');
    const early = await podlife(['replay', '--json', '--now', '2019-04-04T16:07:55Z', '-'], text);
    expect(JSON.parse(early.stdout)[0].stuckPending).toBe(false);
    const late = await podlife(
      ['replay', '--json', '--now', '2019-04-04T16:07:55Z', '--stuck-after', '30s', '-'],
      text,
    );
    expect(JSON.parse(late.stdout)[0].stuckPending).toBe(true);
  });

  it('bad lines are reported as FILE:LINE: reason, the rest is used, and the exit code is 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podlife-'));
    const good = readFileSync(join(FIXTURES_DIR, 'pandaychen-blog__api-watch-pods-2016.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const file = join(dir, 'mixed.jsonl');
    const badTime = JSON.parse(good[0]!);
    badTime.object.metadata.creationTimestamp = 'yesterday';
    writeFileSync(
      file,
      [
        good[0],
        '{"type":"MODIFIED","object":{"kind":"Pod"',
        good[1],
        JSON.stringify({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'x' } } }),
        JSON.stringify(badTime),
        good[2],
        good[3],
      ].join('\n'),
    );
    const { code, stdout, stderr } = await podlife(['replay', '--json', file]);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${file}:2: not JSON: `));
    expect(lines[1]).toBe(`${file}:4: object.kind: not a Pod or Event (ConfigMap)`);
    expect(lines[2]).toBe(`${file}:5: object.metadata.creationTimestamp: not an RFC 3339 time`);
    const [pod] = JSON.parse(stdout);
    expect(pod).toMatchObject({ name: 'nginx-app-o0kvl', phase: 'Running', timeToReadySeconds: 1 });
  });

  it('a List item that fails is reported at its own line in a YAML file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podlife-'));
    const file = join(dir, 'list.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: PodList',
        'items:',
        '- metadata: {name: a, namespace: x, uid: u1, creationTimestamp: "2026-01-01T00:00:00Z"}',
        '  status: {phase: Pending}',
        '- metadata: {name: b, namespace: x, uid: u2, creationTimestamp: "2026-01-01T00:00:00Z"}',
        '  status: {phase: Sleeping}',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await podlife(['replay', file]);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(new RegExp(`^${file}:6: items\\[1\\]: status.phase: `));
    // No spec: no containers to count, READY is absent (<none>), never guessed.
    expect(stdout).toMatch(/^x\s+a\s+<none>\s+Pending/m);
  });

  it('an empty input is a warning naming it, and exit status 2; the other inputs still count', async () => {
    const empty = podlife(['replay', '-'], '');
    const { code, stdout, stderr } = await empty;
    expect(code).toBe(2);
    expect(stdout).toBe('No pods found.\n');
    expect(stderr.split('\n')[0]).toBe(
      '-: empty: no Pod, Event or watch event in it (nothing replayed from this input)',
    );
    const dir = mkdtempSync(join(tmpdir(), 'podlife-empty-'));
    const blank = join(dir, 'blank.jsonl');
    writeFileSync(blank, '\n  \n\n');
    const both = await podlife(['replay', '--json', blank, TRACE]);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe(
      `${blank}: empty: no Pod, Event or watch event in it (nothing replayed from this input)`,
    );
    expect((JSON.parse(both.stdout) as unknown[]).length).toBeGreaterThan(10);
  });

  it('usage errors exit 1 with a one-line reason; --help explains the command', async () => {
    const missing = await podlife(['replay', '/nonexistent/trace.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    const badDuration = await podlife(['replay', '--stuck-after', 'soon', TRACE]);
    expect(badDuration.code).toBe(1);
    expect(badDuration.stderr).toMatch(/not a duration: "soon"/);
    const help = await podlife(['replay', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: podlife replay/);
    expect(help.stdout).toMatch(/Exit status/);
  });
});
