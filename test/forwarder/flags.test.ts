/**
 * The flag table (forwarder/flags.ts) is the one declaration of each flag: --help, the
 * parser, the environment names and docs/forwarder.md's table all come from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAG_ENV, FLAGS, flagTable, helpText, parseConfig } from '../../forwarder/flags.ts';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'forwarder.md');

describe('one flag table', () => {
  it("docs/forwarder.md's flag table is the generated one", () => {
    const doc = readFileSync(DOC, 'utf8');
    const m = /<!-- flags:begin[^>]*-->\n([\s\S]*?)\n<!-- flags:end -->/.exec(doc);
    expect(m, 'flags:begin / flags:end markers in docs/forwarder.md').not.toBeNull();
    expect(m?.[1]).toBe(flagTable());
  });

  it('--help names every flag and its variable', () => {
    const help = helpText();
    for (const f of FLAGS) {
      expect(help).toContain(`--${f.flag}`);
      expect(help).toContain(f.env);
    }
    // Every help line fits a terminal.
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('every flag parses, and its variable sets the same value', () => {
    expect(Object.keys(FLAG_ENV)).toEqual(FLAGS.map((f) => f.flag));
    const sample: Record<string, string> = {
      cluster: 'c',
      bus: 'b',
      region: 'eu-west-1',
      namespaces: 'a,b',
      selector: 'app=web',
      kubeconfig: '/k',
      context: 'x',
      sink: 'stdout', // not local: every boolean is set, and --cluster-source refuses --sink local
      payload: 'snapshot',
      'linger-seconds': '2',
      'routine-linger-seconds': '45',
      'local-url': 'http://127.0.0.1:1/events',
      port: '9',
      host: '127.0.0.1',
      'buffer-entries': '500',
      'flush-seconds': '3',
      'heartbeat-seconds': '30',
      'log-level': 'debug',
    };
    const argv = FLAGS.flatMap((f) =>
      f.kind === 'boolean' ? [`--${f.flag}`] : [`--${f.flag}`, sample[f.flag] ?? ''],
    );
    const env = Object.fromEntries(
      FLAGS.map((f) => [f.env, f.kind === 'boolean' ? 'true' : (sample[f.flag] ?? '')]),
    );
    const fromFlags = parseConfig(argv, {});
    expect(fromFlags).not.toBe('help');
    expect(parseConfig([], env)).toEqual(fromFlags);
  });
});
