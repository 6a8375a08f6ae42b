/**
 * Reader benchmark: `podlife replay`'s reader on a large JSON-lines file whose first line is
 * broken (the case that used to switch it to whole-document YAML: 3 GB and 90 s for 50 MB, every
 * pod lost), and on one line far over the line cap. Each run is a child process, so its peak
 * RSS is its own. The demo trace is repeated to the size asked (43 pods, so the engine's share
 * of memory stays small and the figure is the reader's); `baseline` is an empty file's run.
 *
 *   node --import tsx bench/reader.ts [--mb 50] [--json]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface ReaderBenchOptions {
  /** Size of the JSON-lines file, MB. */
  mb?: number | undefined;
  log?: ((line: string) => void) | undefined;
}

const ROOT = join(import.meta.dirname, '..');

/** Replays `file` in a fresh Node process; its time, peak RSS, pods and problems. */
function replayInChild(file: string): { seconds: number; peakRssMb: number; pods: number; problems: number } {
  const script = `
    const { replayFiles } = await import(${JSON.stringify(join(ROOT, 'cli', 'replay.ts'))});
    const t = performance.now();
    const r = await replayFiles([${JSON.stringify(file)}], { cluster: 'bench', stuckAfterSeconds: 300 });
    console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024,
      pods: r.records.length, problems: r.problems.length }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

export async function runReaderBench(opts: ReaderBenchOptions = {}): Promise<Record<string, number>> {
  const log = opts.log ?? (() => {});
  const mb = opts.mb ?? 50;
  const dir = mkdtempSync(join(tmpdir(), 'podlife-reader-bench-'));
  try {
    const trace = readFileSync(join(ROOT, 'demo', 'trace.jsonl'));
    const big = join(dir, 'broken-first-line.json');
    const fd = openSync(big, 'w');
    writeSync(fd, '{"type":"ADDED","object":{"kind":"Po\n');
    let size = 0;
    while (size < mb << 20) {
      writeSync(fd, trace);
      size += trace.length;
    }
    closeSync(fd);
    log(`reader: ${(size / 1048576).toFixed(0)} MB of JSON lines, broken first line, format sniffed (.json)`);
    const a = replayInChild(big);

    // One line of 64 MB, no newline: skipped past the 16 MiB line cap, never held whole.
    const long = join(dir, 'one-long-line.jsonl');
    const fd2 = openSync(long, 'w');
    writeSync(fd2, '{"x":"');
    const chunk = Buffer.alloc(1 << 20, 'y');
    for (let i = 0; i < 64; i++) writeSync(fd2, chunk);
    closeSync(fd2);
    log('reader: one 64 MB line');
    const b = replayInChild(long);
    const empty = join(dir, 'empty.jsonl');
    closeSync(openSync(empty, 'w'));
    const base = replayInChild(empty);
    return {
      'baseline.peakRssMb': Math.round(base.peakRssMb),
      brokenFirstLineMb: Math.round(size / 1048576),
      'brokenFirstLine.seconds': Number(a.seconds.toFixed(2)),
      'brokenFirstLine.peakRssMb': Math.round(a.peakRssMb),
      'brokenFirstLine.pods': a.pods,
      'brokenFirstLine.problems': a.problems,
      'oneLine64Mb.seconds': Number(b.seconds.toFixed(2)),
      'oneLine64Mb.peakRssMb': Math.round(b.peakRssMb),
      'oneLine64Mb.problems': b.problems,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('bench/reader.ts')) {
  const { values } = parseArgs({
    options: { mb: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const result = await runReaderBench({
    mb: values.mb ? Number(values.mb) : undefined,
    log: values.json ? undefined : (l) => console.error(l),
  });
  console.log(values.json ? JSON.stringify(result) : result);
}
