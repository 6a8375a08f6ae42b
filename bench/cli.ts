/**
 * The CLI's start-up: wall time of `podlife --help` and `podlife replay demo/trace.jsonl` (the
 * real bin, a child process each, as a shell runs them), beside `node -e 0` measured in the same
 * run, interleaved, so that a loaded machine slows all three alike: the ratios are the figures
 * that compare between machines. Median and minimum of N runs each. The bundle is checked (and
 * rebuilt if stale) by one untimed run first.
 *
 *   node --import tsx bench/cli.ts [--runs 9]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'podlife.js');
const TRACE = join(ROOT, 'demo', 'trace.jsonl');

interface CliBenchOptions {
  runs?: number | undefined;
  log?: ((line: string) => void) | undefined;
}

const CASES = {
  nodeE0: ['-e', '0'],
  help: [BIN, '--help'],
  replayDemo: [BIN, 'replay', TRACE],
};

function timeOnce(args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (i: number) => {
    const v = s[i];
    if (v === undefined) throw new Error('median of no samples');
    return v;
  };
  return s.length % 2 ? at((s.length - 1) / 2) : (at(s.length / 2 - 1) + at(s.length / 2)) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function runCliBench(opts: CliBenchOptions = {}): Promise<Record<string, number>> {
  const runs = opts.runs ?? 9;
  const log = opts.log ?? (() => {});
  timeOnce(CASES.help); // builds the bundle if it is missing or stale: not timed
  const times = { nodeE0: [] as number[], help: [] as number[], replayDemo: [] as number[] };
  for (let i = 0; i < runs; i++) {
    times.nodeE0.push(timeOnce(CASES.nodeE0));
    times.help.push(timeOnce(CASES.help));
    times.replayDemo.push(timeOnce(CASES.replayDemo));
    log(
      `cli: run ${i + 1}/${runs}: ${Object.entries(times)
        .map(([k, v]) => `${k} ${round(v[i] ?? Number.NaN)} ms`)
        .join(', ')}`,
    );
  }
  const out: Record<string, number> = {};
  for (const [name, xs] of Object.entries(times)) {
    out[`${name}.medianMs`] = round(median(xs));
    out[`${name}.minMs`] = round(Math.min(...xs));
  }
  const base = median(times.nodeE0);
  out.helpToNodeRatio = round(median(times.help) / base, 2);
  out.replayDemoToNodeRatio = round(median(times.replayDemo) / base, 2);
  return out;
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  const r = await runCliBench({ runs: values.runs ? Number(values.runs) : undefined, log: console.error });
  console.log(JSON.stringify(r, null, 2));
}
