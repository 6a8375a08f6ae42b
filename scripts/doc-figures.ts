/**
 * Figures in docs checked against the bench output they came from (bench/figures.json).
 *
 * A doc embeds a measured figure between markers:
 *
 *   <!-- fig:ingest.churnFacts.wcuPerWrite -->2.88<!-- /fig -->
 *   <!-- fig:items.restarts20000.itemBytes:kB1 -->5.0 KB<!-- /fig -->
 *
 * `fig:NAME[:FORMAT]` names a figure of bench/figures.json (`suite.figure`, as `npm run bench`
 * prints it) and how it is written (FORMATS below; default: a whole number with thousands
 * separators, else two decimals). `--check` (in `npm run check`) fails when a marked figure
 * differs from the file or names a figure the file does not have, or a marker is malformed;
 * `--write` rewrites every marked figure from the file. Run the bench suite (`npm run bench --
 * --only SUITE`) and `--write` after a change that moves a figure.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Written by `npm run bench` (bench/figures-file.ts): `{ suites, figures: { "suite.figure": value } }`. */
const FIGURES_FILE = join(ROOT, 'bench', 'figures.json');

function readFigures(): Record<string, number> {
  const parsed = JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as { figures?: Record<string, number> };
  return parsed.figures ?? {};
}

const group = (v: number, decimals: number) =>
  v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

/** How a figure is written: `dN` N decimals, `kBN`/`MBN` bytes in kB/MB (1000s) with N decimals, `pctN` a ratio as %. */
export function formatFigure(value: number, format?: string): string {
  if (format === undefined) return Number.isInteger(value) ? group(value, 0) : group(value, 2);
  const m = /^(d|kB|MB|pct|x)(\d)$/.exec(format);
  if (!m) throw new Error(`unknown figure format "${format}" (dN, kBN, MBN, pctN, xN)`);
  const n = Number(m[2]);
  switch (m[1]) {
    case 'd':
      return group(value, n);
    case 'kB':
      return `${group(value / 1000, n)} KB`;
    case 'MB':
      return `${group(value / 1e6, n)} MB`;
    case 'pct':
      return `${group(value * 100, n)} %`;
    default:
      return `${group(value, n)}×`;
  }
}

const MARKER = /<!-- fig:([^\s>]*) -->([\s\S]*?)<!-- \/fig -->/g;

export interface FigureProblem {
  line: number;
  message: string;
}

/** Every marker of a doc checked against the figures; `fixed` is the doc with each figure rewritten. */
export function checkDoc(
  text: string,
  figures: Record<string, number>,
): { problems: FigureProblem[]; fixed: string; count: number } {
  const problems: FigureProblem[] = [];
  let count = 0;
  const fixed = text.replace(MARKER, (whole, spec: string, shown: string, offset: number) => {
    count++;
    const line = text.slice(0, offset).split('\n').length;
    const [name = '', format, extra] = spec.split(':');
    if (!/^[\w-]+(\.[\w-]+)+$/.test(name) || extra !== undefined) {
      problems.push({ line, message: `malformed marker "fig:${spec}" (fig:suite.figure[:format])` });
      return whole;
    }
    const value = figures[name];
    if (value === undefined) {
      problems.push({ line, message: `unknown figure ${name} (not in bench/figures.json)` });
      return whole;
    }
    let want: string;
    try {
      want = formatFigure(value, format);
    } catch (err) {
      problems.push({ line, message: (err as Error).message });
      return whole;
    }
    if (shown !== want)
      problems.push({ line, message: `${name} is ${want} in bench/figures.json, the doc says ${shown}` });
    return `<!-- fig:${spec} -->${want}<!-- /fig -->`;
  });
  // A marker opened and never closed (or closed twice) is not silently skipped.
  const opens = (text.match(/<!-- fig:/g) ?? []).length;
  const closes = (text.match(/<!-- \/fig -->/g) ?? []).length;
  if (opens !== count || closes !== count)
    problems.push({ line: 1, message: `${opens} fig markers opened, ${closes} closed, ${count} complete` });
  return { problems, fixed, count };
}

/** The Markdown files of the repository (docs, READMEs), fixtures and dependencies left out. */
export function docFiles(dir = ROOT): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || ['node_modules', 'dist', 'cdk.out', 'fixtures'].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...docFiles(p));
    else if (e.name.endsWith('.md')) out.push(p);
  }
  return out.sort();
}

function main(args: string[]): number {
  const write = args.includes('--write');
  if (!write && !args.includes('--check')) {
    console.error('usage: node --import tsx scripts/doc-figures.ts --check|--write');
    return 2;
  }
  const figures = readFigures();
  let bad = 0;
  let marked = 0;
  for (const file of docFiles()) {
    const text = readFileSync(file, 'utf8');
    const { problems, fixed, count } = checkDoc(text, figures);
    marked += count;
    const rel = relative(ROOT, file);
    if (write) {
      if (fixed !== text) {
        writeFileSync(file, fixed);
        console.log(`${rel}: figures rewritten from ${relative(ROOT, FIGURES_FILE)}`);
      }
      for (const p of problems.filter((p) => !p.message.includes(' the doc says ')))
        console.error(`${rel}:${p.line}: ${p.message}`);
      bad += problems.filter((p) => !p.message.includes(' the doc says ')).length;
    } else {
      for (const p of problems) console.error(`${rel}:${p.line}: ${p.message}`);
      bad += problems.length;
    }
  }
  if (bad) {
    if (!write)
      console.error(
        'docs and bench/figures.json disagree: run the bench, then `node --import tsx scripts/doc-figures.ts --write`',
      );
    return 1;
  }
  if (!write) console.log(`doc figures: ${marked} marked figures match bench/figures.json`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main(process.argv.slice(2));
