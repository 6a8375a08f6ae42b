/**
 * Figures in docs checked against bench/figures.json (scripts/doc-figures.ts), and the bench's
 * per-suite merge into that file (bench/figures-file.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergedFigures } from '../../bench/figures-file.ts';
import { checkDoc, docFiles, formatFigure } from '../../scripts/doc-figures.ts';

const FIGS = {
  'ingest.churnFacts.wcuPerWrite': 2.8812,
  'items.a.itemBytes': 5019,
  'ingest.churn.events': 8382,
};

describe('doc figures', () => {
  it('formats', () => {
    expect(formatFigure(8382)).toBe('8,382');
    expect(formatFigure(2.8812)).toBe('2.88');
    expect(formatFigure(0.2, 'd2')).toBe('0.20');
    expect(formatFigure(5019, 'kB1')).toBe('5.0 KB');
    expect(formatFigure(13207816, 'MB1')).toBe('13.2 MB');
    expect(formatFigure(0.224, 'pct0')).toBe('22 %');
    expect(() => formatFigure(1, 'furlongs')).toThrow(/unknown figure format/);
  });

  it('passes a doc whose figures match, and rewrites one that drifted', () => {
    const good = 'WCU <!-- fig:ingest.churnFacts.wcuPerWrite -->2.88<!-- /fig --> per write';
    expect(checkDoc(good, FIGS)).toEqual({ problems: [], fixed: good, count: 1 });
    const drifted = 'a\n<!-- fig:items.a.itemBytes:kB1 -->4.9 KB<!-- /fig -->';
    const r = checkDoc(drifted, FIGS);
    expect(r.problems).toEqual([
      { line: 2, message: 'items.a.itemBytes is 5.0 KB in bench/figures.json, the doc says 4.9 KB' },
    ]);
    expect(r.fixed).toBe('a\n<!-- fig:items.a.itemBytes:kB1 -->5.0 KB<!-- /fig -->');
  });

  it('fails on an unknown figure, a bad format, a malformed or unclosed marker', () => {
    const msgs = (t: string) => checkDoc(t, FIGS).problems.map((p) => p.message);
    expect(msgs('<!-- fig:ingest.nope -->1<!-- /fig -->')).toEqual([
      'unknown figure ingest.nope (not in bench/figures.json)',
    ]);
    expect(msgs('<!-- fig:ingest.churn.events:zz9 -->1<!-- /fig -->')[0]).toMatch(/unknown figure format/);
    expect(msgs('<!-- fig:events -->1<!-- /fig -->')[0]).toMatch(/malformed marker/);
    expect(msgs('<!-- fig:ingest.churn.events -->8,382')[0]).toMatch(/1 fig markers opened, 0 closed/);
  });

  it('every doc of the repository agrees with bench/figures.json (what `npm run check` runs)', () => {
    const { figures } = JSON.parse(readFileSync('bench/figures.json', 'utf8'));
    let marked = 0;
    for (const f of docFiles()) {
      const { problems, count } = checkDoc(readFileSync(f, 'utf8'), figures);
      expect(problems, f).toEqual([]);
      marked += count;
    }
    expect(marked).toBeGreaterThan(0);
  });
});

describe('bench/figures.json merge', () => {
  it("replaces the suites that ran, keeps the others' figures and dates", () => {
    const old = {
      suites: { items: { date: 'd1', machine: 'm' }, ingest: { date: 'd1', machine: 'm' } },
      figures: { 'ingest.gone': 1, 'items.a': 2 },
    };
    const next = mergedFigures(
      old,
      { ingest: { x: 1 / 3, n: 7, bad: Number.NaN } },
      { date: 'd2', machine: 'm2' },
    );
    expect(next).toEqual({
      suites: { ingest: { date: 'd2', machine: 'm2' }, items: { date: 'd1', machine: 'm' } },
      figures: { 'ingest.n': 7, 'ingest.x': 0.333333, 'items.a': 2 },
    });
  });
});
