/**
 * bench/figures.json: the figures of the last full run of each bench suite, by `suite.figure`,
 * with the date and machine each suite ran on. docs/ embeds them between markers
 * (`<!-- fig:ingest.churnFacts.wcuPerWrite -->2.88<!-- /fig -->`), checked against this file by
 * scripts/doc-figures.ts. A run of some suites replaces those suites' figures only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const FIGURES_FILE = fileURLToPath(new URL('figures.json', import.meta.url));

interface FiguresFile {
  /** Per suite: when and where its figures were measured. */
  suites: Record<string, { date: string; machine: string }>;
  /** `suite.figure` → value, sorted by name. */
  figures: Record<string, number>;
}

export function readFigures(file = FIGURES_FILE): FiguresFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<FiguresFile>;
    return { suites: parsed.suites ?? {}, figures: parsed.figures ?? {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { suites: {}, figures: {} };
    throw err;
  }
}

/** Six significant digits: what a doc can quote, without run-to-run noise in the diff. */
function tidy(v: number): number {
  return Number.isInteger(v) ? v : Number(v.toPrecision(6));
}

/** The file with `results`' suites replaced (the others kept). Pure: for tests. */
export function mergedFigures(
  old: FiguresFile,
  results: Record<string, Record<string, number>>,
  stamp: { date: string; machine: string },
): FiguresFile {
  const figures: Record<string, number> = {};
  for (const [k, v] of Object.entries(old.figures)) if (!((k.split('.')[0] ?? '') in results)) figures[k] = v;
  const suites = { ...old.suites };
  for (const [suite, values] of Object.entries(results)) {
    suites[suite] = stamp;
    for (const [k, v] of Object.entries(values)) if (Number.isFinite(v)) figures[`${suite}.${k}`] = tidy(v);
  }
  const sorted = <T>(r: Record<string, T>) =>
    Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { suites: sorted(suites), figures: sorted(figures) };
}

export function machine(): string {
  const c = cpus();
  return `${process.platform} ${process.arch}, ${c.length} × ${c[0]?.model.trim() ?? 'cpu'}, Node ${process.versions.node}`;
}

/** Merges a run's results into bench/figures.json; returns the file's path. */
export function mergeFigures(results: Record<string, Record<string, number>>, file = FIGURES_FILE): string {
  const next = mergedFigures(readFigures(file), results, {
    date: new Date().toISOString().slice(0, 10),
    machine: machine(),
  });
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  return file;
}
