/**
 * `podlife local`: the whole pipeline on this machine (DynamoDB Local, the stack's rules, the
 * Lambdas' handlers, the query API and the web dashboard on 127.0.0.1), fed by the demo trace,
 * a recorded watch stream, or a live cluster through the forwarder's local sink.
 */
import { closeSync, constants, openSync, statSync } from 'node:fs';
import { safeText } from '../core/terminal-text.ts';
import { formatSeconds, parseDuration } from '../core/time.ts';
import type { LocalMode } from '../local/local-mode.ts';
import { formatProblem } from '../local/read-inputs.ts';
import { parseCliArgs } from './args.ts';
import { clusterOption } from './cluster-option.ts';
import { UsageError } from './errors.ts';
import { progressBar } from './progress.ts';

const LOCAL_HELP = `Usage: podlife local [options] [FILE...]

Runs podlife's whole pipeline on this machine, with no AWS account: the official DynamoDB Local
(started and stopped here), the stack's own EventBridge rules, the ingest, sweep and query
handlers the Lambdas run, the query API and the web dashboard on 127.0.0.1.

Input (one of):
  FILE...                    watch streams / Pod Lists / Events to replay (default: demo/trace.jsonl)
  --kubeconfig PATH          watch a live cluster through the forwarder (with --context NAME)

Options:
  --speed N|Nx|max           trace seconds per second (default: 60x); max = as fast as it goes
  --max-gap DUR              shorten idle stretches of the trace to this (default: 2m)
  --cluster NAME             cluster name for replayed input (default: demo)
  --port N                   HTTP port on 127.0.0.1 (default: 8787; 0 = any free port)
  --stuck-after DUR          stuck-Pending threshold (default: 5m)
  --exit                     stop after the replay and the final sweep (for scripts and CI)
  -h, --help                 this help

While it runs:
  http://127.0.0.1:PORT/             the dashboard
  http://127.0.0.1:PORT/api/...      the query API (the deployed routes: /pending, /crashloops, /stats, ...)
  POST http://127.0.0.1:PORT/events  the forwarder's local sink (forwarder --sink local --local-url ...)

Examples:
  npm start                                   # the demo trace at 60x, dashboard at the printed URL
  npx podlife local --speed max --exit        # replay, sweep, print the summary, stop
  npx podlife local --kubeconfig ~/.kube/config --context kind-dev
  npx podlife pending --local http://127.0.0.1:8787/api`;

/**
 * Why an input cannot be read (one line naming it), or null: checked before anything starts,
 * so a typo costs no DynamoDB Local start and never leaves one running.
 */
function unreadableInput(file: string): string | null {
  if (file === '-') return null;
  try {
    if (statSync(file).isDirectory())
      return `${file}: is a directory (give the files in it: ${file}/*.jsonl)`;
    closeSync(openSync(file, constants.O_RDONLY));
    return null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return `${file}: no such file`;
    if (code === 'EACCES' || code === 'EPERM') return `${file}: permission denied`;
    if (code === 'EISDIR') return `${file}: is a directory`;
    return `${file}: cannot be read (${code ?? (e as Error).message})`;
  }
}

function parseSpeed(text: string): number | 'max' {
  if (text === 'max') return 'max';
  const m = /^(\d+(?:\.\d+)?)x?$/.exec(text);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--speed: not a speed: ${text} (use e.g. 60x, 1, max)`);
  return Number(m[1]);
}

export const LOCAL_OPTIONS = {
  speed: { type: 'string', default: '60x' },
  'max-gap': { type: 'string', default: '2m' },
  cluster: { type: 'string', default: 'demo' },
  port: { type: 'string', default: '8787' },
  'stuck-after': { type: 'string', default: '5m' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  exit: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Run from the bundle (a .js file), registers tsx for local/'s TypeScript; from sources, no-op. */
async function typeScriptLoader(): Promise<void> {
  if (import.meta.url.endsWith('.ts')) return;
  const { register } = await import('tsx/esm/api');
  register();
}

export async function localCommand(
  argv: string[],
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  const { values, positionals } = parseCliArgs({
    args: argv,
    allowPositionals: true,
    options: LOCAL_OPTIONS,
  });
  if (values.help) {
    out.write(`${LOCAL_HELP}\n`);
    return 0;
  }
  const speed = parseSpeed(values.speed);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: not a port: ${values.port}`);
  const files = positionals.length ? positionals : ['demo/trace.jsonl'];
  const log = (line: string) => err.write(`${safeText(line)}\n`);
  clusterOption(values.cluster);
  const stuckAfterSeconds = parseDuration(values['stuck-after']);
  const maxGapSeconds = parseDuration(values['max-gap']);
  if (!kubeConfigWanted(values)) {
    for (const file of files) {
      const problem = unreadableInput(file);
      if (problem) {
        err.write(`podlife local: ${safeText(problem)}\n`);
        return 2;
      }
    }
  }

  // A live cluster's kubeconfig is checked before anything starts: a bad one costs nothing.
  let kubeConfig: import('@kubernetes/client-node').KubeConfig | undefined;
  if (values.kubeconfig || values.context) {
    try {
      await typeScriptLoader();
      const { loadClusterConfig } = await import('../local/live-cluster.ts');
      kubeConfig = loadClusterConfig({
        ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
        ...(values.context === undefined ? {} : { context: values.context }),
      });
    } catch (e) {
      err.write(`podlife local: ${safeText((e as Error).message)}\n`);
      return 1;
    }
  }

  // Local mode's parts (DynamoDB Local, the AWS SDK, the handlers) load only now. They stay
  // TypeScript in the CLI's bundle (scripts/build-cli.mjs): from the bundle, through tsx.
  await typeScriptLoader();
  const [{ JAVA_MISSING }, { LocalMode }] = await Promise.all([
    import('../local/dynamodb-local.ts'),
    import('../local/local-mode.ts'),
  ]);
  let mode: LocalMode;
  try {
    mode = await LocalMode.start({
      port,
      stuckAfterSeconds,
      log,
      onAlert: (a) => log(`ALERT  ${a.subject ?? a.message.split('\n')[0]}`),
    });
  } catch (e) {
    const error = e as Error & { code?: string };
    if (error.message === JAVA_MISSING || error.code === 'JAVA_MISSING')
      err.write(`podlife local: ${error.message}\n`);
    else if (error.code === 'EADDRINUSE') {
      err.write(
        `podlife local: port ${port} is taken on 127.0.0.1: pass --port N, or --port 0 for any free port\n`,
      );
    } else err.write(`podlife local: could not start: ${safeText(error.message)}\n`);
    return 1;
  }
  const onInt = () => void stop().then(() => process.exit(130));
  const onTerm = () => void stop().then(() => process.exit(143));
  const stop = async () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await mode.stop();
  };
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    return await runStarted(mode, stop);
  } catch (e) {
    // Whatever fails once DynamoDB Local runs stops it: one line, an exit code, never a hang.
    const error = e as Error & { code?: string; path?: string };
    const input = ['ENOENT', 'EISDIR', 'EACCES', 'EPERM'].includes(error.code ?? '');
    const where = error.path && !error.message.includes(error.path) ? `${error.path}: ` : '';
    err.write(`podlife local: ${input ? '' : 'failed: '}${safeText(where + error.message)}\n`);
    await stop();
    return input ? 2 : 1;
  }

  async function runStarted(mode: LocalMode, stop: () => Promise<void>): Promise<number> {
    // Links that work as printed: a live cluster's name is known only once it is watched.
    const api = kubeConfig
      ? `${mode.url}/api/clusters`
      : `${mode.url}/api/pending?cluster=${encodeURIComponent(values.cluster)}`;
    out.write(
      `podlife local mode\n  dashboard  ${mode.url}/\n  query API  ${safeText(api)}\n  local sink ${mode.url}/events (POST)\n`,
    );

    if (kubeConfig) {
      try {
        const { watchClusterInto } = await import('../local/live-cluster.ts');
        await watchClusterInto(mode, kubeConfig, {
          ...(values.context === undefined ? {} : { context: values.context }),
          log,
        });
      } catch (e) {
        err.write(`podlife local: ${safeText((e as Error).message)}\n`);
        await stop();
        return 1;
      }
      out.write('watching the cluster; Ctrl-C to stop\n');
      return new Promise<number>(() => {});
    }

    const bar = progressBar('replaying', err, 0);
    let rejected = 0;
    const summary = await mode.replay({
      files,
      cluster: values.cluster,
      speed,
      maxGapSeconds,
      onProgress: (done, total) => bar.update(done, total),
      onProblem: (p) => {
        rejected++;
        err.write(`${formatProblem(p)}\n`);
      },
    });
    bar.done();
    const bus = mode.bus.stats;
    out.write(
      `replayed ${summary.snapshots} snapshots and ${summary.events} events in ${summary.wallSeconds.toFixed(1)}s ` +
        `(trace ${formatSeconds(summary.traceStart != null && summary.traceEnd != null ? (summary.traceEnd - summary.traceStart) / 1000 : null)}); ` +
        `${bus.delivered} deliveries, ${mode.bus.failures.length} failed, ${mode.alerts.length} alerts\n`,
    );
    if (values.exit) {
      await stop();
      return rejected > 0 ? 2 : 0;
    }
    out.write(`now = ${new Date(mode.clock.now()).toISOString()} (the trace's end); Ctrl-C to stop\n`);
    return new Promise<number>(() => {});
  }
}

function kubeConfigWanted(values: { kubeconfig?: string; context?: string }): boolean {
  return Boolean(values.kubeconfig || values.context);
}
