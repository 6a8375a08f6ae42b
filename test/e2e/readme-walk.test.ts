/**
 * The README, walked as written (issue 14: "every command it shows runs and its output matches
 * the README's sample"). Every `$ ` line of its console blocks is either run here, through the
 * built CLI exactly as npm's `npx` would run it, or listed in SKIPPED with why it cannot run on a
 * test machine (it needs AWS, a cluster, or is the suite itself). A command added to the README
 * and to neither list fails the first test. The two printed samples (the local-mode summary and
 * the replay table) are compared with what the commands print now.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'podlife.js');
const run = promisify(execFile);

/** What cannot run on a test machine, and why (the command as the README writes it). */
const SKIPPED: Record<string, string> = {
  'npm ci': 'installs the repository: .ci/run does it on a fresh clone before this test runs',
  'npm start': 'runs until Ctrl-C; `npx podlife local --speed max --exit` below is the same run, stopping',
  'npm test': 'the suite this test is part of',
  'npm run check': 'run by .ci/run and by every commit; not from inside the suite',
  'npm run test:unit': 'the unit project of this same suite',
  'npm run bench': 'benchmarks take minutes and are not tests (the brief: figures, not timed tests)',
  'npx podlife local my-watch-stream.jsonl': 'a placeholder for the reader’s own recording',
  'npx podlife local --kubeconfig ~/.kube/config --context kind-dev':
    'needs a live cluster (test/e2e/local-live-cluster.test.ts runs it against a real API server)',
  'kubectl get pods -A --watch --output-watch-events -o json | npx podlife replay --cluster prod -':
    'needs kubectl and a cluster; replay from stdin is tested in test/e2e/replay-cli.test.ts',
  'npx podlife history argocd/my-pod --cluster prod':
    'needs the deployed API ($PODLIFE_API_URL); run below with --local',
  'npx podlife pending --older-than 5m': 'needs the deployed API; run below with --local',
  'npx podlife crashloops': 'needs the deployed API; run below with --local',
  'npx podlife stats --namespace payments --since 24h': 'needs the deployed API; run below with --local',
  'npx podlife pending -w':
    'needs the deployed API and runs until Ctrl-C (test/e2e/query-cli.test.ts watches)',
  'npx podlife crashloops -o wide --sort-by RESTARTS': 'needs the deployed API; run below with --local',
  'npx podlife pods -n payments --reason OOMKilled --since 24h':
    'needs the deployed API; run below with --local',
  'npm run synth': 'a CDK synth with bundling: test/infra synthesises the same stack',
  'npx cdk deploy -c podlife:alertEmail=teams@example.com -c podlife:healthEmail=oncall@example.com':
    'needs an AWS account',
};

/** Run here (the README's text → how the test runs it). */
const RUN = [
  'npx podlife --help',
  'npx podlife replay demo/trace.jsonl',
  'npx podlife replay --json test/fixtures/real/devops2-volodymyr__minikube-default-{podlist,eventlist}.json',
  'npx podlife replay demo/trace.jsonl -o csv --no-stats > pods.csv',
  'npx podlife local --speed max --exit',
  'npx podlife pending --local http://127.0.0.1:8787/api',
];

const readme = () => readFile(join(ROOT, 'README.md'), 'utf8');

/** Every `$ ` line of the README's console blocks, without its trailing `# comment`. */
function commandsOf(text: string): string[] {
  const out: string[] = [];
  let inConsole = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) {
      inConsole = line.trim() === '```console' && !inConsole;
      continue;
    }
    if (inConsole && line.startsWith('$ '))
      out.push(
        line
          .slice(2)
          .replace(/\s{2,}#.*$/, '')
          .trim(),
      );
  }
  return out;
}

/** The fenced block that follows `marker` in the README. */
function blockAfter(text: string, marker: string): string[] {
  const at = text.indexOf(marker);
  expect(at, marker).toBeGreaterThan(-1);
  const open = text.indexOf('```\n', at);
  const close = text.indexOf('\n```', open + 4);
  return text.slice(open + 4, close).split('\n');
}

/** `npx podlife ARGS` as bash runs it (brace expansion, redirection), with the built CLI. */
async function sh(command: string, cwd = ROOT) {
  const line = command.replace(/^npx podlife\b/, `node ${JSON.stringify(BIN)}`);
  try {
    const { stdout, stderr } = await run('bash', ['-c', line], {
      cwd,
      maxBuffer: 64 << 20,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const squeeze = (s: string) => s.replace(/\s+$/g, '');

describe('README, walked as written', () => {
  let text: string;
  let tmp: string;
  beforeAll(async () => {
    text = await readme();
    tmp = await mkdtemp(join(tmpdir(), 'podlife-readme-'));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('every command it shows is run here or skipped with a reason', () => {
    const shown = commandsOf(text);
    expect(shown.length).toBeGreaterThan(15);
    const unknown = shown.filter((c) => !RUN.includes(c) && !(c in SKIPPED));
    expect(unknown, 'README commands this test neither runs nor explains').toEqual([]);
    // And nothing here refers to a command the README no longer shows.
    expect([...RUN, ...Object.keys(SKIPPED)].filter((c) => !shown.includes(c))).toEqual([]);
  });

  it('`npx podlife --help` lists the commands', async () => {
    const r = await sh('npx podlife --help');
    expect(r.code).toBe(0);
    for (const c of ['local', 'replay', 'history', 'pending', 'crashloops', 'stats', 'pods'])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });

  it('`npm run demo` prints the README’s sample rows', async () => {
    expect(text).toContain('`npm run demo` (= `npx podlife replay demo/trace.jsonl`)');
    const sample = blockAfter(text, '`npm run demo`').filter((l) => l && l !== '…');
    const r = await sh('npx podlife replay demo/trace.jsonl');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').map(squeeze);
    // The header and each sample row, as printed (the sample is a cut of the real table).
    expect(lines[0]).toBe(squeeze(sample[0] ?? ''));
    for (const row of sample.slice(1)) expect(lines, row).toContain(squeeze(row));
  });

  it('replay --json of the minikube fixtures (brace expansion) is a JSON array, one object per pod', async () => {
    const r = await sh(
      'npx podlife replay --json test/fixtures/real/devops2-volodymyr__minikube-default-{podlist,eventlist}.json',
    );
    expect(r.code).toBe(0);
    const pods = JSON.parse(r.stdout) as { uid: string }[];
    expect(Array.isArray(pods)).toBe(true);
    expect(new Set(pods.map((p) => p.uid)).size).toBe(pods.length);
    expect(pods.length).toBeGreaterThan(0);
  });

  it('replay -o csv --no-stats > pods.csv writes a CSV with a header and a row per pod', async () => {
    const r = await sh('npx podlife replay demo/trace.jsonl -o csv --no-stats > pods.csv', tmp);
    // Run from a scratch directory: the relative path is the repository's.
    const again =
      r.code === 0
        ? r
        : await sh(`npx podlife replay ${join(ROOT, 'demo/trace.jsonl')} -o csv --no-stats > pods.csv`, tmp);
    expect(again.code).toBe(0);
    const csv = (await readFile(join(tmp, 'pods.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^NAMESPACE,NAME,/);
    const json = JSON.parse((await sh('npx podlife replay demo/trace.jsonl --json')).stdout) as unknown[];
    expect(csv.length - 1).toBe(json.length);
  });

  it('`npx podlife local --speed max --exit` prints the README’s summary (with --port 0)', async () => {
    const sample = blockAfter(text, 'as printed here:');
    // --port 0: the test must not collide with another on 8787; the URLs then carry that port.
    const r = await sh('npx podlife local --speed max --exit --port 0');
    expect(r.code, r.stderr).toBe(0);
    const port = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(r.stdout)?.[1];
    expect(port).toBeDefined();
    // The banner and summary go to stdout, the alerts to stderr (a terminal shows them interleaved).
    const printed = `${r.stdout}\n${r.stderr}`
      .split('\n')
      .map((l) => squeeze(l.replaceAll(`127.0.0.1:${port}`, '127.0.0.1:8787')));
    const expected = sample.map(squeeze).filter(Boolean);
    const timeless = (l: string) => l.replace(/ in \d+(\.\d+)?m?s /, ' in T ');
    const alerts = (ls: string[]) => ls.filter((l) => l.startsWith('ALERT')).sort();
    expect(alerts(printed)).toEqual(alerts(expected));
    for (const l of expected.filter((l) => !l.startsWith('ALERT')))
      expect(printed.map(timeless), l).toContain(timeless(l));
  });

  it('`npx podlife pending --local URL` answers against local mode (the port it took)', async () => {
    const child = spawn(process.execPath, [BIN, 'local', '--speed', 'max', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`local mode did not finish replaying: ${out}`)),
          120_000,
        );
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (m?.[1] && /replayed \d+ snapshots/.test(out)) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.on('exit', (code) => reject(new Error(`local mode exited ${code}: ${out}`)));
      });
      const readmeUrl = 'http://127.0.0.1:8787/api';
      const pending = await sh(
        `npx podlife pending --local ${readmeUrl.replace('http://127.0.0.1:8787', url)}`,
      );
      expect(pending.code, pending.stderr).toBe(0);
      expect(pending.stdout).toMatch(/^(CLUSTER\s+)?NAMESPACE\s+NAME\s/m);
      expect(pending.stdout).toContain('router-default-7bbdcfcf9b-7xdln');
      // The commands the README shows against the deployed API, here with --local.
      for (const c of [
        'npx podlife crashloops -o wide --sort-by RESTARTS',
        'npx podlife pending --older-than 5m',
        'npx podlife history argocd/my-pod --cluster demo',
        'npx podlife stats --since 24h',
      ]) {
        const r = await sh(`${c} --local ${url}`);
        expect(r.code, `${c}: ${r.stderr}`).toBe(0);
        expect(r.stdout.length, c).toBeGreaterThan(0);
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
