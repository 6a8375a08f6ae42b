/**
 * The CLI as shipped: bin/podlife.js runs the bundle in dist/cli/ (scripts/build-cli.mjs, run
 * by `npm ci` through `prepare`), built from the sources as they are now, loading only what
 * the command needs; and a mistyped command line ends in one clear line, not in Node's text.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, no types
import { buildCli, isFresh } from '../../scripts/build-cli.mjs';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'podlife.js');
const TRACE = join(ROOT, 'demo', 'trace.jsonl');
// Beside dist/cli, so that the bundle's relative paths to local/ are the same.
const CHECK = join(ROOT, 'dist', `cli-check-${process.pid}`);
const STALE = join(ROOT, 'dist', `cli-stale-${process.pid}`);

afterAll(() => {
  rmSync(CHECK, { recursive: true, force: true });
  rmSync(STALE, { recursive: true, force: true });
});

async function podlife(args: string[], env: Record<string, string> = {}, node: string[] = []) {
  try {
    const { stdout, stderr } = await run(process.execPath, [...node, BIN, ...args], {
      env: { PATH: process.env.PATH, ...env },
      maxBuffer: 16 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const jsFiles = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );

describe('podlife runs the bundle, built from the current sources', () => {
  it('after any podlife run, dist/cli is exactly what the sources build now', async () => {
    expect((await podlife(['--help'])).code).toBe(0);
    await buildCli(CHECK);
    expect(isFresh(join(ROOT, 'dist', 'cli'))).toBe(true);
    const shipped = jsFiles(join(ROOT, 'dist', 'cli'));
    expect(Object.keys(shipped)).toContain('main.js');
    expect(shipped).toEqual(jsFiles(CHECK));
  }, 60_000);

  it('a bundle older than a source is rebuilt before it runs', async () => {
    await buildCli(STALE);
    const stamp = JSON.parse(readFileSync(join(STALE, 'inputs.json'), 'utf8'));
    const main = stamp.files.find((f: { file: string }) => f.file === 'cli/main.ts');
    main.size += 1; // as if cli/main.ts had been edited since
    writeFileSync(join(STALE, 'inputs.json'), JSON.stringify(stamp));
    expect(isFresh(STALE)).toBe(false);
    const r = await podlife(['--help'], { PODLIFE_CLI_DIST: STALE });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^podlife: how your Kubernetes pods/);
    expect(isFresh(STALE)).toBe(true);
  }, 60_000);

  it('--help loads no package and no command; replay loads no AWS SDK, local mode or tsx', async () => {
    // Records every module Node loads (module.registerHooks), printed at exit.
    const hook = `data:text/javascript,${encodeURIComponent(
      "import { registerHooks } from 'node:module';const seen=[];registerHooks({load(url,ctx,next){seen.push(url);return next(url,ctx);}});process.on('exit',()=>process.stderr.write('\\nLOADED '+JSON.stringify(seen)+'\\n'));",
    )}`;
    const loaded = (stderr: string) =>
      JSON.parse(/\nLOADED (.*)\n$/.exec(stderr)![1]!).filter(
        (u: string) => !u.startsWith('node:'),
      ) as string[];
    const help = await podlife(['--help'], {}, ['--import', hook]);
    expect(help.code).toBe(0);
    const helpFiles = loaded(help.stderr).map((u) => u.replace(`file://${ROOT}/`, ''));
    // bin, the bundle's main and its errors chunk (did you mean): a few kB, nothing else.
    expect(helpFiles.slice(0, 2)).toEqual(['bin/podlife.js', 'dist/cli/main.js']);
    expect(helpFiles.every((f) => f === 'bin/podlife.js' || f.startsWith('dist/cli/'))).toBe(true);
    const bytes = helpFiles.reduce((n, f) => n + readFileSync(join(ROOT, f)).length, 0);
    expect(bytes).toBeLessThan(20_000);
    const replay = await podlife(['replay', TRACE], {}, ['--import', hook]);
    expect(replay.code).toBe(0);
    const replayFiles = loaded(replay.stderr);
    expect(replayFiles.filter((u) => /node_modules|\/local\/|\.ts$/.test(u))).toEqual([]);
  }, 60_000);
});

describe('no dead ends in the command line', () => {
  it('replay --speed 2: one clean line naming the option and where it belongs, the help hint, exit 2', async () => {
    const r = await podlife(['replay', '--speed', '2', TRACE]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "podlife replay: unknown option --speed (did you mean podlife local --speed?)\nRun 'podlife replay --help' for usage.\n",
    });
  });

  it('a misspelled command or option: did you mean, exit 2', async () => {
    const cases: [string[], string][] = [
      [
        ['replya', TRACE],
        'podlife: unknown command "replya" (did you mean replay?)\nCommands: local, replay, history, pending, crashloops, stats, pods, silence, purge. Run \'podlife --help\' for what each does.\n',
      ],
      [
        ['crashloop'],
        'podlife: unknown command "crashloop" (did you mean crashloops?)\nCommands: local, replay, history, pending, crashloops, stats, pods, silence, purge. Run \'podlife --help\' for what each does.\n',
      ],
      [
        ['--hlep'],
        "podlife: unknown option --hlep (did you mean --help?)\nCommands: local, replay, history, pending, crashloops, stats, pods, silence, purge. Run 'podlife --help' for what each does.\n",
      ],
      [
        ['replay', '--jsno', TRACE],
        "podlife replay: unknown option --jsno (did you mean --json?)\nRun 'podlife replay --help' for usage.\n",
      ],
      [
        ['local', '--sped', 'max'],
        "podlife local: unknown option --sped (did you mean --speed?)\nRun 'podlife local --help' for usage.\n",
      ],
      [
        ['history', 'default/x', '--namesapce', 'y'],
        "podlife history: unknown option --namesapce (did you mean --namespace?)\nRun 'podlife history --help' for usage.\n",
      ],
      [
        ['pending', '--cluster'],
        "podlife pending: --cluster needs a value\nRun 'podlife pending --help' for usage.\n",
      ],
      [
        ['replay', '--frobnicate', TRACE],
        "podlife replay: unknown option --frobnicate\nRun 'podlife replay --help' for usage.\n",
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => podlife(args)));
    cases.forEach(([args, stderr], i) => {
      expect(results[i], args.join(' ')).toEqual({ code: 2, stdout: '', stderr });
    });
  }, 60_000);
});
