/**
 * Lighthouse scores of the dashboard, mobile and desktop: performance, accessibility, best
 * practices, SEO (Lighthouse 12, the system Chromium, headless). Run against a page that is up,
 * e.g. local mode:
 *
 *   npx podlife local --speed max &          # http://127.0.0.1:8787/
 *   node --import tsx scripts/lighthouse.ts [URL] [--runs N] [--json]
 *
 * Prints one line per form factor (the median of N runs, default 1) and the audits that lost
 * points. Not part of the test suite: a run takes 20-60 s on a busy 2-core machine.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

interface Report {
  categories: Record<string, { score: number | null }>;
  audits: Record<string, { score: number | null; scoreDisplayMode: string; displayValue?: string }>;
}

async function lighthouse(url: string, formFactor: 'mobile' | 'desktop'): Promise<Report> {
  const dir = await mkdtemp(join(tmpdir(), 'podlife-lh-'));
  try {
    const out = join(dir, 'report.json');
    await run(
      join(ROOT, 'node_modules', '.bin', 'lighthouse'),
      [
        url,
        ...(formFactor === 'desktop' ? ['--preset=desktop'] : []),
        '--chrome-flags=--headless=new --no-sandbox',
        `--only-categories=${CATEGORIES.join(',')}`,
        '--output=json',
        `--output-path=${out}`,
        '--quiet',
      ],
      {
        env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' },
        timeout: 300_000,
      },
    );
    return JSON.parse(await readFile(out, 'utf8')) as Report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } },
});
const url = positionals[0] ?? 'http://127.0.0.1:8787/';
const runs = Math.max(1, Number(values.runs) || 1);
const result: Record<string, Record<string, number>> = {};
for (const ff of ['mobile', 'desktop'] as const) {
  const reports: Report[] = [];
  for (let i = 0; i < runs; i++) reports.push(await lighthouse(url, ff));
  result[ff] = Object.fromEntries(
    CATEGORIES.map((c) => [c, median(reports.map((r) => Math.round((r.categories[c]?.score ?? 0) * 100)))]),
  );
  if (!values.json) {
    console.log(`${ff.padEnd(8)} ${CATEGORIES.map((c) => `${c} ${result[ff]?.[c]}`).join(' · ')}`);
    const last = reports.at(-1)!;
    for (const [id, a] of Object.entries(last.audits)) {
      if (
        a.score != null &&
        a.score < 0.9 &&
        !['informative', 'notApplicable', 'manual'].includes(a.scoreDisplayMode)
      )
        console.log(`         ${id} ${a.score}${a.displayValue ? ` (${a.displayValue})` : ''}`);
    }
  }
}
if (values.json) console.log(JSON.stringify(result));
