/**
 * The command line under hostile words. Before: `podlife toString` (or `constructor`,
 * `__proto__`, `hasOwnProperty`) found Object's own member in the command table and crashed with
 * `TypeError: cmd.load is not a function` and a stack trace; `podlife replay --toString` "did you
 * mean" every other command (`'toString' in options` is true for any object); `--stuck-after -5m`
 * said only "needs a value". Now: an unknown command or option, exit 2, one line; the dash case
 * says how to pass such a value.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCliArgs } from '../../cli/args.ts';
import { UsageError } from '../../cli/errors.ts';
import { main } from '../../cli/main.ts';

let stderr: string[];
let stdout: string[];
beforeEach(() => {
  stderr = [];
  stdout = [];
  vi.spyOn(process.stderr, 'write').mockImplementation(((c: unknown) => stderr.push(String(c))) as never);
  vi.spyOn(process.stdout, 'write').mockImplementation(((c: unknown) => stdout.push(String(c))) as never);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('Object.prototype names are no commands or options', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'podlife %s: unknown command, exit 2, no stack',
    async (word) => {
      await expect(main([word])).resolves.toBe(2);
      const text = stderr.join('');
      expect(text).toMatch(new RegExp(`^podlife: unknown command "${word}"`));
      expect(text).not.toMatch(/TypeError|at main/);
    },
  );

  it.each(['--toString', '--constructor', '--__proto__', '--valueOf'])(
    'podlife replay %s x: unknown option, no command suggested',
    async (option) => {
      await expect(main(['replay', option, 'x'])).resolves.toBe(2);
      const text = stderr.join('');
      expect(text).toContain(`podlife replay: unknown option ${option}`);
      expect(text).not.toMatch(/did you mean podlife/);
    },
  );

  it('an option another command has is still suggested (the control)', async () => {
    await expect(main(['replay', '--speed', '60x', 'x'])).resolves.toBe(2);
    expect(stderr.join('')).toMatch(/did you mean podlife local --speed/);
  });
});

describe('a value that starts with a dash', () => {
  it('says how to pass it', () => {
    const parse = (args: string[]) =>
      parseCliArgs({ args, allowPositionals: true, options: { 'stuck-after': { type: 'string' } } });
    expect(() => parse(['--stuck-after', '-5m'])).toThrow(UsageError);
    expect(() => parse(['--stuck-after', '-5m'])).toThrow(
      '--stuck-after needs a value (a value that starts with "-": --stuck-after=VALUE)',
    );
    expect(parse(['--stuck-after=-5m']).values['stuck-after']).toBe('-5m');
  });
});
