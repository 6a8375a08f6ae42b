/**
 * The small pure parts every command leans on: nearest-rank percentiles (the contract's
 * definition), durations in and out, Kubernetes times, the progress bar's terminal behaviour.
 */
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../cli/progress.ts';
import { renderTable } from '../../cli/table.ts';
import { distributionOf, nearestRank } from '../../core/percentiles.ts';
import { groupsOf, statsBy, statsOf } from '../../core/stats.ts';
import { formatSeconds, parseDuration, secondsBetween, toMillis } from '../../core/time.ts';

describe('nearest-rank percentiles', () => {
  it.each([
    // rank = ceil(p/100 * N), 1-based, over ascending values
    [[15, 20, 35, 40, 50], 50, 35],
    [[15, 20, 35, 40, 50], 90, 50],
    [[15, 20, 35, 40, 50], 30, 20],
    [[3, 6, 7, 8, 8, 10, 13, 15, 16, 20], 25, 7],
    [[3, 6, 7, 8, 8, 10, 13, 15, 16, 20], 50, 8],
    [[3, 6, 7, 8, 8, 10, 13, 15, 16, 20], 100, 20],
    [[42], 99, 42],
  ])('%j p%d = %d', (values, p, want) => {
    expect(nearestRank(values, p)).toBe(want);
  });

  it('leaves out pods without the figure and is null for none', () => {
    expect(distributionOf([null, 4, undefined, 2])).toEqual({ count: 2, p50: 2, p90: 4, p99: 4, max: 4 });
    expect(distributionOf([null])).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
  });

  it('groups count restarts and terminations by reason', () => {
    const s = statsOf([
      { restarts: 2, lastTerminationReason: 'OOMKilled', pendingSeconds: 10 },
      { restarts: 1, lastTerminationReason: 'Error', pendingSeconds: null },
      { restarts: 0, lastTerminationReason: 'OOMKilled' },
    ]);
    expect(s.pods).toBe(3);
    expect(s.restarts).toBe(3);
    expect(s.terminationsByReason).toEqual({ OOMKilled: 2, Error: 1 });
    expect(s.pendingSeconds.count).toBe(1);
  });
});

describe('durations and times', () => {
  it.each([
    ['300', 300],
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['2d', 172800],
    ['250ms', 0.25],
  ])('parses %s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['soon', '5 m', '-5m', '5x', ''])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/not a duration/);
  });

  it.each([
    [null, '-'],
    [0, '0s'],
    [1.5, '1.5s'],
    [59, '59s'],
    [60, '1m'],
    [192, '3m12s'],
    [7500, '2h5m'],
    [273600, '3d4h'],
  ])('formats %j as %s', (s, text) => expect(formatSeconds(s)).toBe(text));

  it('treats zero times as no time and clamps clock skew to 0', () => {
    expect(toMillis('1970-01-01T00:00:00Z')).toBeNull();
    expect(toMillis('0001-01-01T00:00:00Z')).toBeNull();
    expect(toMillis(null)).toBeNull();
    expect(toMillis('2024-11-17T10:40:04.123456Z')).toBe(Date.parse('2024-11-17T10:40:04.123Z'));
    expect(secondsBetween(2000, 1000)).toBe(0);
    expect(secondsBetween(null, 1000)).toBeNull();
  });
});

describe('terminal output', () => {
  it('pads kubectl-style columns with three spaces and trims the last', () => {
    expect(
      renderTable(
        ['A', 'LONGER'],
        [
          ['xx', 'y'],
          ['x', ''],
        ],
      ),
    ).toBe('A    LONGER\nxx   y\nx');
  });

  it('draws a progress bar only on a terminal, and clears it when done', () => {
    const written: string[] = [];
    const tty = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const bar = progressBar('replaying', tty, 0);
    bar.update(512 << 10, 1 << 20);
    bar.done();
    expect(written[0]).toMatch(/^\rreplaying █+░+\s+50%\s+0\.5 MB\/1\.0 MB/);
    expect(written.at(-1)).toBe('\r\x1b[K');
    const piped: string[] = [];
    const pipe = { isTTY: false, write: (s: string) => piped.push(s) } as unknown as NodeJS.WriteStream;
    const quiet = progressBar('replaying', pipe, 0);
    quiet.update(1, 2);
    quiet.done();
    expect(piped).toEqual([]);
  });
});

describe('grouping for stats', () => {
  const rows = [
    { ns: 'b', pendingSeconds: 3 },
    { ns: null, pendingSeconds: 9 },
    { ns: 'a', pendingSeconds: 1 },
    { ns: 'b', pendingSeconds: 2 },
  ];
  it('groups by key, sorted, rows in input order, null keys left out', () => {
    expect(groupsOf(rows, (r) => r.ns)).toEqual([
      ['a', [rows[2]]],
      ['b', [rows[0], rows[3]]],
    ]);
  });
  it('statsBy is statsOf over the same groups', () => {
    expect(statsBy(rows, (r) => r.ns)).toEqual(groupsOf(rows, (r) => r.ns).map(([k, l]) => [k, statsOf(l)]));
  });
});

describe('mapLimit', () => {
  it('keeps input order with at most `limit` in flight', async () => {
    const { mapLimit } = await import('../../core/concurrency.ts');
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
