/**
 * Histogram bins on the log-ish time scale, edges included, and where percentile marks sit.
 */
import { describe, expect, it } from 'vitest';
import { BINS, binIndex, histogramOf, positionOf } from '../../web/src/histogram.ts';

describe('histogram bins', () => {
  it('are the ten documented ranges, lower bound inclusive', () => {
    expect(BINS.map((b) => b.label)).toEqual([
      '<1s',
      '1-2s',
      '2-5s',
      '5-10s',
      '10-30s',
      '30s-1m',
      '1-2m',
      '2-5m',
      '5-10m',
      '10m+',
    ]);
    const cases: [number, string][] = [
      [0, '<1s'],
      [0.999, '<1s'],
      [1, '1-2s'],
      [1.5, '1-2s'],
      [2, '2-5s'],
      [4.99, '2-5s'],
      [5, '5-10s'],
      [10, '10-30s'],
      [29.9, '10-30s'],
      [30, '30s-1m'],
      [59, '30s-1m'],
      [60, '1-2m'],
      [119, '1-2m'],
      [120, '2-5m'],
      [300, '5-10m'],
      [599.9, '5-10m'],
      [600, '10m+'],
      [6900, '10m+'],
      [Number.POSITIVE_INFINITY, '10m+'],
      [-3, '<1s'],
    ];
    for (const [v, label] of cases) expect([v, BINS[binIndex(v)]!.label]).toEqual([v, label]);
  });

  it('count values and leave out what is not a number', () => {
    expect(histogramOf([])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(histogramOf([0, 0, 5, 44, 6900, null, undefined, Number.NaN, 1, 1.5])).toEqual([
      2, 2, 0, 1, 0, 1, 0, 0, 0, 1,
    ]);
    // Every value lands in exactly one bin.
    const values = Array.from({ length: 500 }, (_, i) => i * 1.7);
    expect(histogramOf(values).reduce((a, b) => a + b, 0)).toBe(values.length);
  });

  it('place percentile marks inside their bin, monotonically', () => {
    expect(positionOf(0)).toBe(0);
    expect(positionOf(1)).toBeCloseTo(0.1);
    expect(positionOf(3.5)).toBeCloseTo(0.25); // half way through 2-5s, the third bin
    expect(positionOf(10_000)).toBeCloseTo(0.95); // the open last bin: its middle
    const xs = [0, 0.5, 1, 2, 3, 9, 10, 45, 60, 200, 599, 600, 3600];
    const ps = xs.map(positionOf);
    expect(ps).toEqual([...ps].sort((a, b) => a - b));
    for (const p of ps) expect(p >= 0 && p <= 1).toBe(true);
  });
});
