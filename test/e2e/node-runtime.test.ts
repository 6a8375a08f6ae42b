/**
 * What we test is what we ship: the tests, every `node` the scripts start, the bundled
 * forwarder (what the image runs) and the three Lambda bundles (built as NodejsFunction builds
 * them) all run on the Node.js pinned in package.json (the `node` package, 24.x: the Lambdas'
 * nodejs24.x and the image's distroless nodejs24), and the AWS SDK has nothing to warn about.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForwarder } from '../../forwarder/build.ts';
import { BUNDLING, lambdaBuildOptions, NODE_RUNTIME } from '../../infra/podlife-function.ts';
import { FakeApiServer } from '../../testkit/fake-apiserver.ts';
import { writeKubeconfig } from '../forwarder/helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const PINNED = `v${PKG.devDependencies.node}`;
const SDK_WARNING = /NodeVersionSupportWarning|AWS SDK for JavaScript \(v3\)/;
// The Lambda bundles keep the AWS SDK external (the runtime provides it): built under
// node_modules/ so that the import resolves to the project's locked SDK.
const LAMBDA_OUT = join(ROOT, 'node_modules', '.cache', 'podlife-test', 'lambda-runtime');

let dir: string;
let server: FakeApiServer | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'podlife-runtime-'));
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  rmSync(LAMBDA_OUT, { recursive: true, force: true });
});

describe('one Node.js for tests, scripts, forwarder and Lambdas', () => {
  it('the tests run on the pinned Node.js 24, and so does the `node` that scripts and shebangs find', () => {
    expect(PKG.devDependencies.node).toMatch(/^24\.\d+\.\d+$/); // exact, no range
    expect(PKG.engines.node).toBe('24.x');
    expect(NODE_RUNTIME.name).toBe('nodejs24.x');
    expect(BUNDLING.target).toBe('node24');
    expect(process.version).toBe(PINNED);
    // npm run / npx put node_modules/.bin first: `node` there is the pinned one, not the machine's.
    const r = spawnSync('node', ['--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(PINNED);
    // The CLI (bin/podlife.js, `npx podlife`) starts on it too; no SDK warning on any command.
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'podlife.js'), '--help'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(cli.status).toBe(0);
    expect(cli.stderr).not.toMatch(SDK_WARNING);
  });

  it('the bundled forwarder (EventBridge sink) reports the pinned Node.js at startup and no SDK warning', async () => {
    server = await new FakeApiServer().start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, server.url);
    const bundle = (await buildForwarder(join(dir, 'forwarder.mjs'))).outfile;
    // Plain `node` from PATH, as the image's ENTRYPOINT runs the bundle (no tsx, no node_modules).
    const child: ChildProcess = spawn(
      'node',
      [bundle, '--cluster', 'rt', '--bus', 'podlife', '--region', 'eu-west-1', '--kubeconfig', kubeconfig],
      {
        env: {
          PATH: process.env.PATH,
          AWS_ACCESS_KEY_ID: 'AKIDPODLIFETEST',
          AWS_SECRET_ACCESS_KEY: 'podlife-test-secret',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:9',
          PODLIFE_PORT: '0',
          PODLIFE_HOST: '127.0.0.1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal })),
    );
    try {
      const deadline = Date.now() + 20_000;
      while (!out.includes('"serving /healthz /readyz /metrics"') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const started = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { message: string; node?: string; sink?: string })
        .find((l) => l.message === 'serving /healthz /readyz /metrics');
      expect(started, out).toMatchObject({ sink: 'eventbridge', node: PINNED });
    } finally {
      child.kill('SIGTERM');
    }
    // What the process said is the message: a shutdown that does not end in exit 0 shows why.
    expect(await exit, out).toEqual({ code: 0, signal: null });
    expect(out).not.toMatch(SDK_WARNING);
  }, 60_000);

  it.each([
    ['ingest', { TABLE_NAME: 't', EVENT_BUS_NAME: 'b' }],
    ['query', { TABLE_NAME: 't' }],
    [
      'sweep',
      { TABLE_NAME: 't', EVENT_BUS_NAME: 'b', ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111111111111:t' },
    ],
  ])(
    'the %s Lambda bundle loads on the pinned Node.js (cold start), no SDK warning',
    async (name, env) => {
      const outdir = join(LAMBDA_OUT, name);
      mkdirSync(outdir, { recursive: true });
      const outfile = join(outdir, 'index.mjs');
      // The settings every PodlifeFunction is bundled with (infra/podlife-function.ts).
      await build(lambdaBuildOptions(join(ROOT, 'functions', name, 'handler.ts'), outfile));
      const script = `const m = await import(${JSON.stringify(outfile)});
console.log(JSON.stringify({ node: process.version, handler: typeof m.handler }));`;
      const r = spawnSync('node', ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIDPODLIFETEST',
          AWS_SECRET_ACCESS_KEY: 'podlife-test-secret',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...env,
        },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ node: PINNED, handler: 'function' });
      expect(r.stderr).not.toMatch(SDK_WARNING);
    },
    60_000,
  );
});
