/**
 * The CLI's one output module (cli/output.ts) and its columns (cli/columns.ts): formats, the
 * empty marker, truncation only on a terminal, CSV quoting, YAML = JSON, --sort-by, and kubectl's
 * RESTARTS / AGE / STUCK meanings; the timeline's termination names the run it ends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as yamlParse } from 'yaml';
import { age, pendingSignature, restartsText, stuckNow, timelineRows } from '../../cli/columns.ts';
import { UsageError } from '../../cli/errors.ts';
import { crashLoopListing, pendingListing, statsListing } from '../../cli/format-query.ts';
import {
  addOutputFormat,
  csvField,
  formatsOf,
  type Listing,
  NONE,
  OUTPUT_FORMATS,
  outputFormatOf,
  renderListing,
  sortRows,
} from '../../cli/output.ts';
import { watchListing } from '../../cli/watch.ts';
import type { PodRecord } from '../../core/pod-record.ts';
import { statsOf } from '../../core/stats.ts';

const emptyStats = () => statsOf([]);

import type { TimelineEntry } from '../../core/timeline.ts';
import type { CrashLoopingPod, PendingPod } from '../../model/api-schemas.ts';

const TAINT =
  '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn\'t match Pod\'s node affinity/selector, "quoted"\nsecond line. preemption: 0/3 nodes are available.';

const pending = (over: Partial<PendingPod> = {}): PendingPod => ({
  cluster: 'c',
  namespace: 'web',
  name: 'api-1',
  uid: 'u1',
  owner: { kind: 'ReplicaSet', name: 'api-7d9' },
  node: null,
  phase: 'Pending',
  createdAt: '2026-11-02T20:00:00.000Z',
  createdAtSource: 'creationTimestamp',
  ageSeconds: 330,
  waitingReason: null,
  unschedulableMessage: TAINT,
  statusReason: null,
  thresholdSeconds: 300,
  stuck: true,
  ...over,
});

const pipe = () => ({ isTTY: false, write: () => true }) as unknown as NodeJS.WritableStream;
const tty = () => ({ isTTY: true, write: () => true }) as unknown as NodeJS.WritableStream;

describe('formats: one table of them, every listing command', () => {
  it('table, wide, json, yaml, csv for each command; an unknown -o names them with "did you mean"', () => {
    for (const c of ['history', 'pending', 'crashloops', 'stats', 'replay'])
      expect(formatsOf(c)).toEqual(expect.arrayContaining(['table', 'wide', 'json', 'yaml', 'csv']));
    expect(() => outputFormatOf('pending', 'jsn')).toThrow(UsageError);
    expect(() => outputFormatOf('pending', 'jsn')).toThrow(
      /use table, wide, json, yaml, csv.*did you mean json/,
    );
  });

  it('a format added for one command (say otlp for history) is that command’s only', () => {
    addOutputFormat('test-only', { describe: 'x', render: () => 'X', commands: ['history'] });
    try {
      expect(formatsOf('history')).toContain('test-only');
      expect(formatsOf('pending')).not.toContain('test-only');
      expect(() => renderListing(pendingListing([pending()]), { output: 'test-only' }, pipe())).toThrow(
        UsageError,
      );
      const history: Listing<unknown> = { command: 'history', rows: [], columns: [] };
      expect(renderListing(history, { output: 'test-only' }, pipe())).toBe('X\n');
    } finally {
      delete OUTPUT_FORMATS['test-only'];
    }
  });
});

describe('table cells', () => {
  it('into a pipe the message is whole (one line); on a terminal it is cut with …', () => {
    const piped = renderListing(pendingListing([pending()]), {}, pipe());
    expect(piped).toContain(TAINT.replace(/\s+/g, ' '));
    expect(piped).not.toContain('…');
    const onTty = renderListing(pendingListing([pending()]), {}, tty());
    expect(onTty).toContain('…');
    expect(onTty).not.toContain('preemption');
    // -o wide is never cut, even on a terminal.
    expect(renderListing(pendingListing([pending()]), { output: 'wide' }, tty())).toContain('preemption');
  });

  it('one empty marker, <none>, in every command’s table', () => {
    const p = renderListing(
      pendingListing([pending({ owner: null, unschedulableMessage: null })]),
      {},
      pipe(),
    );
    expect(p.split('\n')[1]).toMatch(new RegExp(`${NONE}\\s+${NONE}$`));
    const c: CrashLoopingPod = {
      ...pending(),
      restarts: 0,
      restartsInWindow: 0,
      lastRestartAt: null,
      lastTerminationReason: null,
      lastExitCode: null,
      crashLoopBackOffSeconds: 0,
      waitingReason: 'CrashLoopBackOff',
      owner: null,
    } as never;
    const cl = renderListing(crashLoopListing([c], 3600, Date.now()), {}, pipe());
    expect(cl.split('\n')[1]).toContain(NONE);
    const s = renderListing(
      statsListing('stats', 'NAMESPACE', [{ key: 'x', stats: emptyStats() }]),
      {},
      pipe(),
    );
    expect(s.split('\n')[1]).toContain(NONE);
    for (const out of [p, cl, s]) expect(out).not.toMatch(/\s[-—]\s/);
  });

  it('--no-headers drops the header of the table and of CSV', () => {
    const l = pendingListing([pending()]);
    expect(renderListing(l, { 'no-headers': true }, pipe()).split('\n')[0]).toMatch(/^web\s+api-1/);
    expect(renderListing(l, { output: 'csv', 'no-headers': true }, pipe())).toMatch(/^web,api-1,/);
  });

  it('an empty list says so in the table formats, and is [] in JSON', () => {
    expect(renderListing(pendingListing([]), {}, pipe())).toBe('No Pending pods.\n');
    expect(renderListing(pendingListing([]), { output: 'json' }, pipe())).toBe('[]\n');
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes commas, quotes and newlines; doubles quotes; leaves plain text bare', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('one\ntwo')).toBe('"one\ntwo"');
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
    expect(csvField('\x1b[2J')).toBe('\\x1b[2J');
  });

  it('a scheduler message reads back whole from the CSV (a small RFC 4180 reader)', () => {
    const text = renderListing(pendingListing([pending()]), { output: 'csv' }, pipe());
    const rows = parseCsv(text.replace(/\r?\n$/, ''));
    expect(rows[0]).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'AGE',
      'STUCK',
      'REASON',
      'OWNER',
      'MESSAGE',
      'NODE',
      'STUCK-AFTER',
      'UID',
    ]);
    expect(rows[1]![7]).toBe(TAINT);
    expect(rows[1]![8]).toBe('');
  });

  it('any text round-trips through a field', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', ' ', 'é') }), (s) => {
        const [row] = parseCsv(csvField(s));
        expect(row?.[0] ?? '').toBe(s);
      }),
    );
  });
});

describe('YAML is the JSON', () => {
  it('parses back equal to -o json, for any pending rows', () => {
    const arb = fc.array(
      fc.record({
        name: fc.string(),
        unschedulableMessage: fc.option(fc.string()),
        ageSeconds: fc.option(fc.nat()),
        stuck: fc.boolean(),
      }),
      { maxLength: 5 },
    );
    fc.assert(
      fc.property(arb, (overs) => {
        const l = pendingListing(overs.map((o) => pending(o)));
        const json = JSON.parse(renderListing(l, { output: 'json' }, pipe()));
        expect(yamlParse(renderListing(l, { output: 'yaml' }, pipe()))).toEqual(json);
      }),
    );
  });
});

describe('--sort-by', () => {
  const rows = [
    pending({ name: 'b', ageSeconds: 50 }),
    pending({ name: 'a', ageSeconds: null }),
    pending({ name: 'c', ageSeconds: 7 }),
    pending({ name: 'd', ageSeconds: 50 }),
  ];
  it('by a column (any case) or a field (kubectl JSONPath forms too), ascending, no value last, stable', () => {
    const l = pendingListing(rows);
    const names = (key: string) => sortRows(l, key).map((r) => r.name);
    expect(names('AGE')).toEqual(['c', 'b', 'd', 'a']);
    expect(names('age')).toEqual(['c', 'b', 'd', 'a']);
    expect(names('ageSeconds')).toEqual(['c', 'b', 'd', 'a']);
    expect(names('.ageSeconds')).toEqual(['c', 'b', 'd', 'a']);
    expect(names('{.name}')).toEqual(['a', 'b', 'c', 'd']);
    expect(names('.owner.name')).toEqual(['b', 'a', 'c', 'd']);
  });

  it('an unknown key is a usage error with "did you mean"', () => {
    expect(() => sortRows(pendingListing(rows), 'agee')).toThrow(
      /--sort-by agee: no such column or field \(did you mean/,
    );
  });

  it('the result does not depend on the input order (ties broken by a total key here)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ name: fc.string(), ageSeconds: fc.option(fc.nat(100)) }), {
          selector: (r) => r.name,
          maxLength: 8,
        }),
        fc.func(fc.integer()),
        (items, shuffleKey) => {
          const a = items.map((o) => pending(o));
          const b = [...a].sort((x, y) => shuffleKey(x.name) - shuffleKey(y.name));
          const byName = (l: PendingPod[]) =>
            sortRows(pendingListing(sortRows(pendingListing(l), 'name')), 'AGE');
          expect(byName(b)).toEqual(byName(a));
        },
      ),
    );
  });

  it('a pinned total stays first', () => {
    const s = (pods: number) => ({ ...emptyStats(), pods });
    const l = statsListing(
      'stats',
      'NAMESPACE',
      [
        { key: 'all', stats: s(9) },
        { key: 'x', stats: s(5) },
        { key: 'y', stats: s(1) },
      ],
      { pinned: 1 },
    );
    expect(sortRows(l, 'PODS').map((r) => r.key)).toEqual(['all', 'y', 'x']);
  });
});

describe("kubectl's meanings", () => {
  it('AGE is HumanDuration', () => {
    expect([45, 330, 11_040, 183_600, 90 * 86_400].map(age)).toEqual(['45s', '5m30s', '3h4m', '2d3h', '90d']);
    expect(age(null)).toBeNull();
  });

  it('RESTARTS: the count and "(N ago)" when there is a last restart', () => {
    const now = Date.parse('2026-11-02T08:10:00Z');
    expect(restartsText(5, '2026-11-02T08:05:00Z', now)).toBe('5 (5m ago)');
    expect(restartsText(0, '2026-11-02T08:05:00Z', now)).toBe('0');
    expect(restartsText(3, null, now)).toBe('3');
  });

  it('STUCK is for a pod stuck now, not one that was stuck once', () => {
    const r = { stuckPending: true, phase: 'Running', deleted: false } as PodRecord;
    expect(stuckNow(r)).toBe(false);
    expect(stuckNow({ ...r, phase: 'Pending' })).toBe(true);
    expect(stuckNow({ ...r, phase: 'Pending', deleted: true })).toBe(false);
  });
});

describe('timeline: a termination names the run it ends', () => {
  it('a 0-second run reads restart #1 … ends restart #1 (ran 0s)', () => {
    const t: TimelineEntry[] = [
      { at: '2026-11-02T08:03:00.000Z', type: 'ContainerStarted', container: 'main' },
      { at: '2026-11-02T08:03:02.000Z', type: 'ContainerTerminated', container: 'main', exitCode: 1 },
      { at: '2026-11-02T08:03:05.000Z', type: 'ContainerRestarted', container: 'main', count: 1 },
      { at: '2026-11-02T08:03:05.000Z', type: 'ContainerTerminated', container: 'main', exitCode: 1 },
      { at: '2026-11-02T08:03:09.000Z', type: 'ContainerTerminated', container: 'main', exitCode: 1 },
    ];
    const rows = timelineRows(t);
    expect(rows.map((r) => r.run)).toEqual([undefined, 'the first run', undefined, 'restart #1', undefined]);
    expect(rows[1]!.ranSeconds).toBe(2);
    expect(rows[3]!.ranSeconds).toBe(0);
  });
});

/** A minimal RFC 4180 reader (CRLF or LF between records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
    i++;
  }
  row.push(field);
  rows.push(row);
  return rows;
}

describe('--watch (in process, a fake API whose data changes)', () => {
  it('prints the list with its header, then only new or changed rows, never for time alone; stops on abort', async () => {
    const looks: PendingPod[][] = [
      [],
      [pending({ name: 'a', uid: 'a', ageSeconds: 10 })],
      [pending({ name: 'a', uid: 'a', ageSeconds: 12 })],
      [
        pending({ name: 'a', uid: 'a', ageSeconds: 14, stuck: false }),
        pending({ name: 'b', uid: 'b', ageSeconds: 1 }),
      ],
    ];
    const stop = new AbortController();
    let i = 0;
    let out = '';
    let err = '';
    const write = (f: (s: string) => void) =>
      ({
        write: (s: string) => {
          f(s);
          return true;
        },
      }) as unknown as NodeJS.WritableStream;
    const code = await watchListing(
      {
        command: 'pending',
        fetch: async () => {
          const rows = looks[i] ?? looks.at(-1)!;
          i++;
          if (i >= looks.length) stop.abort();
          return pendingListing(rows);
        },
        key: (p) => p.uid,
        signature: pendingSignature,
        intervalMs: 1,
        signal: stop.signal,
        err: write((s) => {
          err += s;
        }),
      },
      {},
      write((s) => {
        out += s;
      }),
    );
    expect(code).toBe(0);
    expect(err).toBe('No Pending pods.\n');
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 5).join(' '))).toEqual([
      'NAMESPACE NAME READY AGE STUCK',
      'web a <none> 10s yes',
      'web a <none> 14s no',
      'web b <none> 1s yes',
    ]);
  });
});
