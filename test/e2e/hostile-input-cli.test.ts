/**
 * Hostile input through the real `podlife` bin (issue 10): `replay` and `local --exit` keep
 * every good pod, report each bad input as `FILE:LINE: reason`, exit 2, and never send a
 * control character from the input to the terminal.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'podlife.js');
const TRACE = join(ROOT, 'demo', 'trace.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'podlife-hostile-'));
const BOMB = join(dir, 'bomb.yaml');
writeFileSync(
  BOMB,
  [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  ].join('\n'),
);
const ESC_LINE = JSON.stringify({ type: 'ADDED', object: { kind: 'Pod\x1b]0;pwned\x07\x1b[2J' } });

function podlife(args: string[], input?: string, timeout = 60_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { maxBuffer: 64 << 20, timeout },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Characters a terminal would obey (newlines between lines are podlife's own). */
const rawControls = (text: string) =>
  [...text].map((c) => c.charCodeAt(0)).filter((c) => (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f));

describe('podlife under hostile input', () => {
  it('replay: a broken first line on stdin loses nothing: 43 pods, one problem, exit 2', async () => {
    const input = `{"type":"ADDED","object":{"kind":"Po\n${readFileSync(TRACE, 'utf8')}`;
    const { code, stdout, stderr } = await podlife(['replay', '--json', '-'], input);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toHaveLength(43);
    expect(stderr).toMatch(/^<stdin>:1: not JSON: /);
  });

  it('replay: an alias bomb and control characters after a good file: its pods printed, problems escaped, exit 2', async () => {
    const esc = join(dir, 'esc.jsonl');
    writeFileSync(esc, `${ESC_LINE}\n`);
    const { code, stdout, stderr } = await podlife(['replay', '--no-stats', TRACE, BOMB, esc]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/^mission-control\s+oomkilled-pod/m);
    expect(stderr).toContain(`${BOMB}:1: YAML: ReferenceError: Excessive alias count`);
    expect(stderr).toContain(`${esc}:1: object.kind: not a Pod or Event (Pod\\x1b]0;pwned\\x07\\x1b[2J)`);
    expect(rawControls(stdout + stderr)).toEqual([]);
  });

  it('an unknown command or option with control characters is echoed escaped', async () => {
    const cmd = await podlife(['\x1b[2Jwipe']);
    expect(cmd.code).toBe(2); // a usage error: nothing started
    expect(cmd.stderr).toContain('unknown command "\\x1b[2Jwipe"');
    const opt = await podlife(['replay', '--now', '\x1b]0;t\x07', TRACE]);
    expect(opt.code).toBe(1);
    expect(rawControls(cmd.stderr + opt.stderr)).toEqual([]);
  });

  it('local --exit: the bomb and the bad line are problems, the trace is replayed, exit 2', async () => {
    const esc = join(dir, 'esc-local.jsonl');
    writeFileSync(esc, `${ESC_LINE}\n`);
    const { code, stdout, stderr } = await podlife(
      ['local', '--speed', 'max', '--exit', '--port', '0', TRACE, BOMB, esc],
      undefined,
      180_000,
    );
    expect(stderr).toContain(`${BOMB}:1: YAML: ReferenceError: Excessive alias count`);
    expect(stdout).toMatch(/replayed 54 snapshots and 63 events/);
    expect(code).toBe(2);
    expect(rawControls(stdout + stderr)).toEqual([]);
  }, 200_000);
});
