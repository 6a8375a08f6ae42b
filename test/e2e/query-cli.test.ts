/**
 * `podlife history | pending | crashloops | stats` as a user runs them: the real bin in a child
 * process, against the real query handler served on 127.0.0.1 by local/http-adapter.ts over
 * DynamoDB Local holding the demo trace (ingested by the real handler). Also against an
 * "IAM-protected" server that, like API Gateway with the IAM authorizer, refuses unsigned
 * requests with 403: `--api` signs (SigV4, execute-api) and passes, an unsigned call is refused
 * with one clear line. Each spawn costs ~1.5 s of tsx start-up, so one run of each kind of
 * output is spawned (all at once, in beforeAll); the remaining cases call the same command
 * functions in-process with captured output.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Io } from '../../cli/api-options.ts';
import { crashloopsCommand } from '../../cli/crashloops.ts';
import { historyCommand } from '../../cli/history.ts';
import { pendingCommand } from '../../cli/pending.ts';
import { statsCommand } from '../../cli/stats.ts';
import { mapLimit } from '../../core/concurrency.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { statsOf } from '../../core/stats.ts';
import { makeQueryHandler } from '../../functions/query/query.ts';
import { type ServedHandler, serveHandler } from '../../local/http-adapter.ts';
import {
  type CrashLoopingPod,
  type PendingPod,
  type StatsResponse,
  TraceResponse,
} from '../../model/api-schemas.ts';
import { otlpTraceOf, traceIdOf } from '../../model/otlp.ts';
import { busEventOf, harness, type LocalTable, startLocalTable } from '../../testkit/ingest-harness.ts';
import { type LoadedDemo, loadDemo, unschedulable } from '../../testkit/query-support.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'podlife.js');

let t: LocalTable;
let demo: LoadedDemo;
let open: ServedHandler;
let iam: ServedHandler;
/** Served as local mode serves it: the page at / (with its config.json), the API under /api. */
let dash: ServedHandler;
const seen: Record<string, string>[] = [];

const ENV = {
  PATH: process.env.PATH,
  HOME: '/nonexistent',
  AWS_ACCESS_KEY_ID: 'AKIDPODLIFETEST',
  AWS_SECRET_ACCESS_KEY: 'podlife-test-secret',
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  NO_COLOR: '1',
};

async function podlife(args: string[], env: Record<string, string | undefined> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...ENV, ...env },
      maxBuffer: 16 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  t = await startLocalTable('podlife-cli');
  demo = await loadDemo(t.doc, t.tableName, 'demo');
  const h = harness(t.doc, t.tableName);
  const created = Date.parse('2026-11-02T20:00:00Z');
  await h.handler(
    busEventOf(
      unschedulable({ cluster: 'edge', namespace: 'web', name: 'api-1', uid: 'edge-api-1', created }),
    ),
  );
  const handler = makeQueryHandler({ client: t.client, tableName: t.tableName, now: () => demo.now });
  open = await serveHandler(handler);
  dash = await serveHandler(async (event) => {
    if (event.rawPath === '/config.json') return JSON.stringify({ apiBaseUrl: 'api/' });
    if (event.rawPath.startsWith('/api/')) return handler({ ...event, rawPath: event.rawPath.slice(4) });
    return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
  });
  // API Gateway with the IAM authorizer: no SigV4 signature, no call.
  iam = await serveHandler(async (event) => {
    seen.push(event.headers as Record<string, string>);
    if (!event.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      return {
        statusCode: 403,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"Forbidden"}',
      };
    }
    return handler(event);
  });
  await spawnAll();
}, 180_000);
afterAll(async () => {
  await open?.close();
  await iam?.close();
  await dash?.close();
  await t?.stop();
});

const columns = (line: string) => line.trim().split(/\s{2,}/);

type Run = Awaited<ReturnType<typeof podlife>>;
const spawned: Record<string, Run> = {};

/** Every spawned run, started together once the servers are up. */
function spawnAll(): Promise<void> {
  const runs: [string, string[], Record<string, string | undefined>?][] = [
    ['pending', ['pending', '--local', open.url, '--cluster', 'demo']],
    ['pendingJson', ['pending', '--local', open.url, '-o', 'json', '--older-than', '1h']],
    ['history', ['history', 'argocd/my-pod', '--local', open.url, '--cluster', 'demo']],
    ['historyJson', ['history', '-n', 'argocd', 'my-pod', '--local', open.url, '-o', 'json']],
    ['crashloops', ['crashloops', '--local', open.url, '--cluster', 'demo', '--window', '40d']],
    [
      'stats',
      [
        'stats',
        '--local',
        open.url,
        '--cluster',
        'demo',
        '--since',
        '2026-11-01T00:00:00Z',
        '--until',
        '2026-11-04T00:00:00Z',
      ],
    ],
    ['signed', ['pending', '--api', iam.url, '--cluster', 'demo']],
    [
      'unsigned',
      ['pending', '--cluster', 'demo'],
      { PODLIFE_API_URL: iam.url.replace('127.0.0.1', 'localhost') },
    ],
    [
      'noCredentials',
      ['stats', '--api', iam.url, '--cluster', 'demo'],
      { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    ],
    ['noApi', ['pending']],
    ['dashboardUrl', ['pending', '--local', dash.url, '--cluster', 'demo']],
    ['dashboardUrlSlash', ['pending', '--local', `${dash.url}/`, '--cluster', 'demo']],
    ['unknownCluster', ['pending', '--local', open.url, '--cluster', 'prod']],
    ['refused', ['crashloops', '--local', 'http://127.0.0.1:9']],
    ['misspelledOption', ['pending', '--local', open.url, '--clustr', 'demo']],
    ['help', ['--help']],
    ['pendingDemoJson', ['pending', '--local', open.url, '--cluster', 'demo', '-o', 'json']],
    ['pendingYaml', ['pending', '--local', open.url, '--cluster', 'demo', '-o', 'yaml']],
    ['pendingCsv', ['pending', '--local', open.url, '--cluster', 'demo', '-o', 'csv']],
    [
      'crashSorted',
      [
        'crashloops',
        '--local',
        open.url,
        '--cluster',
        'demo',
        '--window',
        '40d',
        '--sort-by',
        'restarts',
        '--no-headers',
        '-o',
        'wide',
      ],
    ],
  ];
  return mapLimit(runs, 4, async ([key, args, env]) => {
    spawned[key] = await podlife(args, env);
  }).then(() => undefined);
}

/** A command run in-process: its exit status and what it wrote. */
function captureIo(): Io {
  const sink = { write: () => true };
  return { out: sink, err: sink, env: {} } as unknown as Io;
}

async function inProcess(
  command: (argv: string[], io: Io) => Promise<number>,
  argv: string[],
  url: string = open.url,
) {
  let out = '';
  let err = '';
  const io = {
    out: {
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    err: {
      write: (s: string) => {
        err += s;
        return true;
      },
    },
    env: {},
  } as unknown as Io;
  const code = await command([...argv, '--local', url], io);
  return { code, stdout: out, stderr: err };
}

describe('tables by default, JSON with -o json', () => {
  it('pending: kubectl-style table, STUCK, reason, owner and the scheduler message', async () => {
    const r = spawned.pending;
    expect(r!.stderr).toBe('');
    expect(r!.code).toBe(0);
    const lines = r!.stdout.trimEnd().split('\n');
    expect(columns(lines[0]!)).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'AGE',
      'STUCK',
      'REASON',
      'OWNER',
      'MESSAGE',
    ]);
    expect(r!.stdout).toMatch(
      /^openshift-ingress\s+router-default-7bbdcfcf9b-7xdln\s+0\/1\s+\S+\s+yes\s+Unschedulable\s+Deployment\/router-default\s+0\/\d+ nodes are available/m,
    );
    expect(r!.stdout).toMatch(/^argocd\s+image-pull-backoff\s+0\/1\s+\S+\s+yes\s+ContainerCreating/m);
    // stdout is a pipe: the scheduler's message is whole (the taint that is the reason is kept).
    expect(r!.stdout).not.toContain('…');
    const message = demo.records.find((x) => x.name === 'router-default-7bbdcfcf9b-7xdln')!
      .unschedulableMessage!;
    expect(message.length).toBeGreaterThan(90);
    expect(r!.stdout).toContain(message.replace(/\s+/g, ' ').trim());
  });

  it('pending across clusters: every cluster the API knows, with a CLUSTER column; JSON for scripts', async () => {
    const table = await inProcess(pendingCommand, []);
    expect(columns(table.stdout.split('\n')[0]!)[0]).toBe('CLUSTER');
    expect(table.stdout).toMatch(/^edge\s+web\s+api-1\s/m);
    const pods = JSON.parse(spawned.pendingJson!.stdout) as PendingPod[];
    expect(new Set(pods.map((p) => p.cluster))).toEqual(new Set(['demo', 'edge']));
    expect(pods.every((p) => p.ageSeconds! > 3600)).toBe(true);
  });

  it('history: every incarnation, newest first, then each timeline; -o json is replay --json', async () => {
    const r = spawned.history;
    expect(r!.code).toBe(0);
    const lines = r!.stdout.split('\n');
    expect(columns(lines[0]!).slice(0, 7)).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'TO-SCHEDULE',
    ]);
    expect(lines[1]).toMatch(/^argocd\s+my-pod\s+0\/1\s+Error\s+0\s/);
    expect(lines[2]).toMatch(
      /^argocd\s+my-pod\s+0\/1\s+CrashLoopBackOff\s+3 \(\S+ ago\)\s.*\s44s\s+Error \(1\)\s+no$/,
    );
    expect(r!.stdout).toMatch(/^TIME\s+WHAT\s+CONTAINER\s+DETAILS$/m);
    // Each 0-second run: its start, then its termination, which says which run it ends.
    expect(r!.stdout).toMatch(
      /ContainerRestarted\s+main\s+restart #3\n.*ContainerTerminated\s+main\s+Error, exit 1, ends restart #3 \(ran 0s\)/,
    );
    expect(r!.stdout).toMatch(
      /ContainerWaiting\s+main\s+CrashLoopBackOff: Back-off 40s restarting failed container=main pod=my-pod_argocd\(/,
    );

    const want = demo.records.filter((x) => x.namespace === 'argocd' && x.name === 'my-pod').reverse();
    expect(JSON.parse(spawned.historyJson!.stdout) as PodRecord[]).toEqual(want);
    const byUid = await inProcess(historyCommand, ['--uid', want[1]!.uid, '--cluster', 'demo', '-o', 'json']);
    expect(JSON.parse(byUid.stdout)).toEqual([want[1]]);
  });

  it('history -o otlp: the incarnations as one OTLP/JSON trace request, open spans ending at the CLI’s now', async () => {
    const want = demo.records.filter((x) => x.namespace === 'argocd' && x.name === 'my-pod').reverse();
    const r = await inProcess(historyCommand, ['argocd/my-pod', '--cluster', 'demo', '-o', 'otlp']);
    const got = TraceResponse.parse(JSON.parse(r.stdout));
    expect(got.resourceSpans.map((rs) => rs.scopeSpans[0]!.spans[0]!.traceId)).toEqual(
      want.map((p) => traceIdOf('demo', p.uid)),
    );
    // The crash-looping incarnation is still going: its root ends at the CLI's clock.
    const now = Number(BigInt(got.resourceSpans[1]!.scopeSpans[0]!.spans[0]!.endTimeUnixNano) / 1_000_000n);
    expect(now).toBeGreaterThan(Date.parse(want[1]!.timeline.at(-1)!.at!));
    expect(got).toEqual(otlpTraceOf(want, { now }));
  });

  it('history follows the route’s pages: every incarnation, in the order the pages give them', async () => {
    const want = demo.records.filter((x) => x.namespace === 'argocd' && x.name === 'my-pod').reverse();
    const asked: (string | undefined)[] = [];
    // One record a page, the token the offset of the next.
    const paged = await serveHandler(async (event) => {
      // --cluster is checked against the clusters the API knows (the answer in the contract's shape).
      if (event.rawPath === '/clusters')
        return JSON.stringify({ clusters: [{ name: 'demo', lastSeenAt: null }] });
      const token = event.queryStringParameters?.nextToken;
      asked.push(token);
      const i = Number(token ?? 0);
      const more = i + 1 < want.length ? { nextToken: String(i + 1) } : {};
      const body = {
        cluster: 'demo',
        namespace: 'argocd',
        name: 'my-pod',
        pods: want.slice(i, i + 1),
        ...more,
      };
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    });
    try {
      const r = await inProcess(
        historyCommand,
        ['argocd/my-pod', '--cluster', 'demo', '-o', 'json'],
        paged.url,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(want);
      expect(asked).toEqual([undefined, '1']);
    } finally {
      await paged.close();
    }
  });

  it('crashloops: restarts, in the window, last termination with exit code', async () => {
    const r = spawned.crashloops;
    expect(r!.code).toBe(0);
    expect(columns(r!.stdout.split('\n')[0]!)).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'RESTARTS',
      'IN-40D',
      'LAST-TERMINATION',
      'BACK-OFF',
      'AGE',
      'OWNER',
    ]);
    // 3 restarts seen in the window: attempts 1, 2 and 3 (restartCount numbers them); RESTARTS as kubectl prints it.
    // BACK-OFF: the 44 s between runs plus the open back-off, counting up to now (issue 14).
    expect(r!.stdout).toMatch(
      /^argocd\s+my-pod\s+0\/1\s+3 \(\d+[smhd]\S* ago\)\s+3\s+Error \(1\)\s+\d+h\d*m? \(open\)/m,
    );
    const json = await inProcess(crashloopsCommand, ['-o', 'json', '--min-restarts', '2', '--window', '40d']);
    const pods = JSON.parse(json.stdout) as CrashLoopingPod[];
    expect(pods.map((p) => p.name)).toContain('my-pod');
    expect(pods.every((p) => p.restartsInWindow >= 2)).toBe(true);
    const myPod = pods.find((p) => p.name === 'my-pod')!;
    expect(myPod.crashLoopBackOffSeconds).toBe(44);
    // The last termination of `main` (the container waiting in CrashLoopBackOff), as in the trace.
    expect(myPod.backOffOpenSince).toBe('2026-11-02T08:03:49.000Z');
    expect(myPod.openBackOffSeconds).toBeGreaterThan(3600);
  });

  it("stats: replay's statistics table, the scope's total first; -o json is the API's answer", async () => {
    const r = spawned.stats;
    expect(r!.code).toBe(0);
    const lines = r!.stdout.split('\n');
    expect(columns(lines[0]!)).toEqual([
      'NAMESPACE',
      'PODS',
      'TO-SCHEDULE p50/90/99',
      'PENDING-FOR p50/90/99',
      'TO-READY p50/90/99',
      'BACK-OFF p50/90/99',
      'RESTARTS',
      'TERMINATIONS',
    ]);
    // Every pod replay counts (43), the two without a creationTimestamp included (issue 14).
    expect(lines[1]).toMatch(new RegExp(`^demo \\(all\\)\\s+${demo.records.length}\\s`));
    expect(demo.records).toHaveLength(43);
    expect(r!.stdout).toMatch(/^scraper\s+16\s/m);
    const range = ['--since', '2026-11-01T00:00:00Z', '--until', '2026-11-04T00:00:00Z'];
    const owners = await inProcess(statsCommand, ['--cluster', 'demo', '-n', 'default', ...range]);
    expect(owners.stdout).toMatch(/^OWNER\s+PODS/);
    expect(owners.stdout).toMatch(/^default\/StatefulSet\/redis\s+2\s/m);
    const json = await inProcess(statsCommand, [
      '--cluster',
      'demo',
      '-n',
      'scraper',
      ...range,
      '-o',
      'json',
    ]);
    expect((JSON.parse(json.stdout) as StatsResponse).stats).toEqual(
      statsOf(demo.records.filter((x) => x.namespace === 'scraper')),
    );
  });
});

describe('the deployed API: SigV4-signed, refusals in one line', () => {
  it('--api signs every request (execute-api, region, credentials from the environment)', async () => {
    const r = spawned.signed;
    expect(r!.stderr).toBe('');
    expect(r!.code).toBe(0);
    expect(r!.stdout).toMatch(/router-default-7bbdcfcf9b-7xdln/);
    // Two requests, both signed: /clusters (is `demo` a cluster the API knows?), then /pending.
    const signed = seen.filter((h) => h.authorization);
    expect(signed).toHaveLength(2);
    for (const h of signed) {
      expect(h.host).toBe(new URL(iam.url).host);
      expect(h.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDPODLIFETEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/,
      );
      expect(h['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    }
  });

  it('PODLIFE_API_URL is the default API; an unsigned call to an IAM API is a 403, said in one line', async () => {
    // http://localhost is local mode (unsigned): the IAM API refuses it.
    expect(spawned.unsigned).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'podlife pending: the API refused the request (403: Forbidden): check your AWS credentials / IAM policy (execute-api:Invoke)\n',
    });
  });

  it('no credentials to sign with: one line, exit 1', async () => {
    expect(spawned.noCredentials!.code).toBe(1);
    expect(spawned.noCredentials!.stderr).toMatch(
      /^podlife stats: no AWS credentials to sign the request with: .+\n$/,
    );
  });
});

describe('errors and help', () => {
  it('API refusals and failures: one line on stderr, exit 1', async () => {
    const cases: [(argv: string[], io: Io) => Promise<number>, string[], RegExp][] = [
      [
        pendingCommand,
        ['--cluster', 'demo', '--older-than', '5x'],
        /^podlife pending: bad parameter olderThan: not a duration.*\n$/,
      ],
      [
        historyCommand,
        ['default/no-such-pod', '--cluster', 'demo'],
        /^podlife history: no pod default\/no-such-pod in cluster demo\n$/,
      ],
      [
        historyCommand,
        ['default/no-such-pod'],
        /^podlife history: no pod default\/no-such-pod in any cluster \(demo, edge\)\n$/,
      ],
    ];
    for (const [command, argv, message] of cases) {
      const r = await inProcess(command, argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    const down = await pendingCommand(['--local', 'http://127.0.0.1:9'], {
      out: process.stdout,
      err: {
        write: (s: string) =>
          expect(s).toBe(
            "podlife pending: cannot reach the API at http://127.0.0.1:9: ECONNREFUSED: is local mode running there? Start it with 'npm start' (or 'podlife local'), or give its URL with --local\n",
          ),
      },
      env: {},
    } as unknown as Io);
    expect(down).toBe(1);
  });

  it('usage errors name what is wrong (main adds the --help hint)', async () => {
    const cases: [(argv: string[], io: Io) => Promise<number>, string[], RegExp][] = [
      [statsCommand, [], /^several clusters \(demo, edge\): choose one with --cluster$/],
      [statsCommand, ['--cluster', 'demo', '--owner', 'Deployment/web'], /^--owner needs --namespace/],
      [historyCommand, [], /^which pod\? Give NAMESPACE\/NAME/],
      [pendingCommand, ['-o', 'go-template'], /^-o go-template: use table, wide, json, yaml, csv$/],
      [
        pendingCommand,
        ['-o', 'jsoon'],
        /^-o jsoon: use table, wide, json, yaml, csv \(did you mean json\?\)$/,
      ],
      [pendingCommand, ['--interval', '0s', '-w'], /^--interval 0s: give a duration above 0$/],
      [
        crashloopsCommand,
        ['--api', 'https://x.execute-api.eu-west-1.amazonaws.com'],
        /^--api and --local are exclusive/,
      ],
    ];
    for (const [command, argv, message] of cases)
      await expect(inProcess(command, argv), argv.join(' ')).rejects.toThrow(message);
    expect(spawned.noApi!.code).toBe(1);
    expect(spawned.noApi!.stderr).toMatch(
      /^podlife pending: which API\? Give --api URL .*PODLIFE_API_URL\nRun 'podlife pending --help' for usage\.\n$/,
    );
  });

  it('--local takes the dashboard URL (with or without /) as well as its /api', async () => {
    expect(spawned.dashboardUrl!.stderr).toBe('');
    expect(spawned.dashboardUrl!.code).toBe(0);
    expect(spawned.dashboardUrl!.stdout).toBe(spawned.pending!.stdout);
    expect(spawned.dashboardUrlSlash).toEqual(spawned.dashboardUrl);
    const api = await pendingCommand(['--local', `${dash.url}/api`, '--cluster', 'demo', '-o', 'json'], {
      ...captureIo(),
    });
    expect(api).toBe(0);
  });

  it('a refused connection names the URL as given and what to do', async () => {
    expect(spawned.refused!.code).toBe(1);
    expect(spawned.refused!.stdout).toBe('');
    expect(spawned.refused!.stderr).toBe(
      "podlife crashloops: cannot reach the API at http://127.0.0.1:9: ECONNREFUSED: is local mode running there? Start it with 'npm start' (or 'podlife local'), or give its URL with --local\n",
    );
  });

  it('an unknown --cluster is exit 1 naming the known clusters, not "No Pending pods."', async () => {
    expect(spawned.unknownCluster).toEqual({
      code: 1,
      stdout: '',
      stderr: `podlife pending: unknown cluster "prod": the API at ${open.url} knows demo, edge (choose one with --cluster, or leave --cluster out for all)\n`,
    });
    const cases: [(argv: string[], io: Io) => Promise<number>, string, string[]][] = [
      [crashloopsCommand, 'crashloops', []],
      [statsCommand, 'stats', []],
      [historyCommand, 'history', ['argocd/my-pod']],
      [historyCommand, 'history', ['--uid', 'x']],
    ];
    for (const [command, name, argv] of cases) {
      const r = await inProcess(command, [...argv, '--cluster', 'prod']);
      expect(r, name).toEqual({
        code: 1,
        stdout: '',
        stderr: `podlife ${name}: unknown cluster "prod": the API at ${open.url} knows demo, edge (choose one with --cluster, or leave --cluster out for all)\n`,
      });
    }
  });

  it('did you mean covers the new flags', async () => {
    for (const [argv, hint] of [
      [['--sort-bt', 'AGE'], '--sort-by'],
      [['--no-header'], '--no-headers'],
      [['--wach'], '--watch'],
      [['--intervall', '2s'], '--interval'],
    ] as const)
      await expect(inProcess(pendingCommand, [...argv]), argv[0]).rejects.toThrow(`did you mean ${hint}?`);
  });

  it('a misspelled option: one line with "did you mean", the --help hint, exit 2', async () => {
    expect(spawned.misspelledOption).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "podlife pending: unknown option --clustr (did you mean --cluster?)\nRun 'podlife pending --help' for usage.\n",
    });
  });

  it('--help: usage, options and examples for each command; podlife --help lists them', async () => {
    for (const [cmd, command] of [
      ['history', historyCommand],
      ['pending', pendingCommand],
      ['crashloops', crashloopsCommand],
      ['stats', statsCommand],
    ] as const) {
      const r = await inProcess(command, ['--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: podlife ${cmd}`));
      expect(r.stdout).toMatch(/--api URL/);
      expect(r.stdout).toMatch(/\nExamples:\n {2}podlife /);
      expect(r.stdout).toMatch(/-o, --output FMT\s+table\|wide\|json\|yaml\|csv/);
      expect(r.stdout).toMatch(/--no-headers/);
      expect(r.stdout).toMatch(/--sort-by F/);
      expect(r.stdout).toMatch(/podlife \S+ .*(-o (wide|yaml|csv|json)|--sort-by)/);
      if (cmd === 'pending' || cmd === 'crashloops') {
        expect(r.stdout).toMatch(/-w, --watch/);
        expect(r.stdout).toMatch(/--interval DUR/);
        expect(r.stdout).toMatch(new RegExp(`podlife ${cmd} -w`));
      } else expect(r.stdout).not.toMatch(/--watch/);
    }
    for (const cmd of ['replay', 'history', 'pending', 'crashloops', 'stats']) {
      expect(spawned.help!.stdout).toMatch(new RegExp(`^ {2}${cmd}\\s`, 'm'));
    }
  });
});

describe("kubectl's habits through the built CLI", () => {
  it('-o yaml parses back equal to -o json', () => {
    const json = JSON.parse(spawned.pendingDemoJson!.stdout);
    expect(json.length).toBeGreaterThan(3);
    expect(parseYaml(spawned.pendingYaml!.stdout)).toEqual(json);
  });

  it('-o csv: a header, one record a pod, the scheduler message whole and quoted', () => {
    const r = spawned.pendingCsv!;
    expect(r.code, r.stderr).toBe(0);
    const [header, ...records] = r.stdout.trimEnd().split('\r\n');
    expect(header).toBe('NAMESPACE,NAME,READY,AGE,STUCK,REASON,OWNER,MESSAGE,NODE,STUCK-AFTER,UID');
    const pods = JSON.parse(spawned.pendingDemoJson!.stdout) as PendingPod[];
    expect(records).toHaveLength(pods.length);
    const router = pods.find((p) => p.name.startsWith('router-default'))!;
    // The message has commas: quoted, whole.
    expect(router.unschedulableMessage).toContain(',');
    expect(r.stdout).toContain(`"${router.unschedulableMessage!.replace(/"/g, '""')}"`);
  });

  it('--sort-by restarts (a field) with --no-headers -o wide: ascending, no header, wide columns', () => {
    const r = spawned.crashSorted!;
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).not.toMatch(/^NAMESPACE/);
    const counts = lines.map((l) => Number(columns(l)[3]!.split(' ')[0]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(lines.join('\n')).toMatch(/CrashLoopBackOff/);
  });

  it('pending -w: the list, then only the new row when the data changes; Ctrl-C exits 0', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'pending', '-w', '--interval', '200ms', '--local', open.url, '--cluster', 'edge'],
      {
        env: ENV,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const until = async (cond: () => boolean, what: string) => {
      for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(cond(), `${what}; stdout: ${out}; stderr: ${err}`).toBe(true);
    };
    try {
      await until(() => /api-1/.test(out), 'the first list');
      expect(out).toMatch(/^NAMESPACE\s+NAME\s+READY\s+AGE\s+STUCK/);
      const first = out;
      // Two more looks: nothing changed, nothing printed.
      await new Promise((r) => setTimeout(r, 600));
      expect(out).toBe(first);
      const h = harness(t.doc, t.tableName);
      await h.handler(
        busEventOf(
          unschedulable({
            cluster: 'edge',
            namespace: 'web',
            name: 'api-2',
            uid: 'edge-api-2',
            created: Date.parse('2026-11-02T20:01:00Z'),
          }),
        ),
      );
      await until(() => /api-2/.test(out), 'the new row');
      const added = out.slice(first.length).trimEnd().split('\n');
      expect(added).toHaveLength(1);
      expect(added[0]).toMatch(/^web\s+api-2\s/);
      expect(added[0]!.indexOf('api-2')).toBe(first.split('\n')[1]!.indexOf('api-1'));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
