/**
 * Local mode's dead ends (issues 10 and 14): a missing or unreadable input is one line naming
 * the path and exit 2 before anything starts (today: a banner, an ENOENT, then a hang with
 * DynamoDB Local running); a failure once DynamoDB Local runs stops it and exits (never a hang);
 * SIGTERM or SIGINT to `npm start` stops node and the Java child (npm's shell used to orphan
 * both).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { localCommand } from '../../cli/local.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'podlife-dead-ends-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** [pid, ppid, command line] of every process. */
function processes(): { pid: number; ppid: number; cmd: string }[] {
  const out: { pid: number; ppid: number; cmd: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue; // exited, waiting to be reaped
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ');
      out.push({ pid: Number(d), ppid: Number(rest[1]), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const descendants = (root: number) => {
  const all = processes();
  const found: { pid: number; ppid: number; cmd: string }[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
};
const javaChildren = () => descendants(process.pid).filter((p) => p.cmd.startsWith('java'));
const alive = (pid: number) => processes().some((p) => p.pid === pid);

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

async function run(args: string[]) {
  const out = sink();
  const err = sink();
  const started = Date.now();
  const code = await localCommand(args, out as never, err as never);
  return { code, out: out.text, err: err.text, ms: Date.now() - started };
}

describe('podlife local: inputs checked before anything starts', () => {
  it('a missing file: one line naming it, exit 2, no DynamoDB Local started', async () => {
    const missing = join(tmp, 'missing.jsonl');
    const r = await run([missing, '--exit', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`podlife local: ${missing}: no such file\n`);
    expect(r.out).toBe('');
    expect(r.ms).toBeLessThan(2000);
    expect(javaChildren()).toEqual([]);
  });

  it('a directory: one line naming it, exit 2', async () => {
    const r = await run(['demo', '--exit', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^podlife local: demo: is a directory.*\n$/);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(javaChildren()).toEqual([]);
  });

  it('a good file then a missing one: nothing starts either', async () => {
    const r = await run(['demo/trace.jsonl', join(tmp, 'nope.yaml'), '--exit', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.yaml: no such file/);
    expect(r.out).toBe('');
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file: permission denied, exit 2', async () => {
    const locked = join(tmp, 'locked.jsonl');
    writeFileSync(locked, '{}\n');
    chmodSync(locked, 0o000);
    const r = await run([locked, '--exit', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`podlife local: ${locked}: permission denied\n`);
  });

  it('a failure once DynamoDB Local runs (a read error mid-replay) stops it and exits, no hang', async () => {
    // /proc/self/mem opens fine and fails on the first read (EIO): past every check, after the start.
    const r = await run(['/proc/self/mem', '--exit', '--port', '0', '--speed', 'max']);
    expect(r.out).toMatch(/podlife local mode/);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/^podlife local: .*EIO/m);
    expect(javaChildren()).toEqual([]);
  });
});

describe('npm start and signals', () => {
  const startAndSignal = async (signal: NodeJS.Signals) => {
    const npm: ChildProcess = spawn('npm', ['start', '--', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    const npmPid = npm.pid!;
    let tree: { pid: number; cmd: string }[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let text = '';
        npm.stdout!.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('dashboard')) resolve();
        });
        npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it served`)));
      });
      tree = descendants(npmPid);
      expect(tree.some((p) => p.cmd.includes('cli/main.ts local'))).toBe(true);
      expect(tree.some((p) => p.cmd.startsWith('java'))).toBe(true);
      process.kill(npmPid, signal);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && tree.some((p) => alive(p.pid)))
        await new Promise((r) => setTimeout(r, 200));
      return tree.filter((p) => alive(p.pid)).map((p) => p.cmd);
    } finally {
      for (const p of [...tree.reverse(), { pid: npmPid }]) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  };

  it('SIGTERM and SIGINT to npm start stop node and the Java child', { timeout: 120_000 }, async () => {
    const [term, int] = await Promise.all([startAndSignal('SIGTERM'), startAndSignal('SIGINT')]);
    expect(term).toEqual([]);
    expect(int).toEqual([]);
  });
});
