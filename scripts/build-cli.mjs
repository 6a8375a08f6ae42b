/**
 * Bundles the CLI (cli/main.ts and what it imports) with esbuild into dist/cli/, so that
 * `podlife` starts on plain Node.js in tens of milliseconds instead of compiling TypeScript
 * through tsx at every run. Run by `npm ci` / `npm install` (the `prepare` script) and, when
 * the bundle is missing or older than a source it was built from, by bin/podlife.js itself.
 *
 * - Code splitting: each command is its own chunk, loaded when it runs (`podlife --help`
 *   loads main.js alone).
 * - zod and yaml are bundled; the AWS SDK and other rarely used packages stay external
 *   (node_modules is there; the SDK loads only to sign).
 * - local/ and web/ (local mode: DynamoDB Local, the handlers, the dashboard's build) stay
 *   TypeScript, imported through tsx when `podlife local` runs: they find files beside their
 *   own sources (import.meta.dirname), which a bundle would move. The input reader
 *   (local/read-inputs.ts), which replay uses on every run and which finds no file of its own,
 *   is bundled.
 * - inputs.json records every bundled source of the project with its size and mtime: bin/podlife.js compares
 *   them at start-up (a few stat calls) and rebuilds when one changed.
 *
 *   node scripts/build-cli.mjs [OUTDIR]
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUTDIR = join(ROOT, 'dist', 'cli');
/** Files that shape the bundle without being in it. */
const BUILD_INPUTS = ['scripts/build-cli.mjs', 'package.json', 'package-lock.json'];

/** local/ and web/ stay TypeScript, imported from the sources (see above); these are bundled. */
const BUNDLED = new Set(['../local/read-inputs.ts']);

/** local/ and web/ stay TypeScript, imported from the sources (see above). */
function keepSourcesOf(outdir) {
  return {
    name: 'podlife-keep-local-sources',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/(local|web)\// }, (args) => {
        if (!args.importer.startsWith(join(ROOT, 'cli')) || BUNDLED.has(args.path)) return undefined;
        const target = resolve(args.resolveDir, args.path);
        let path = relative(outdir, target).split('\\').join('/');
        if (!path.startsWith('.')) path = `./${path}`;
        return { path, external: true };
      });
    },
  };
}

function stampOf(inputs) {
  return inputs.map((file) => {
    const s = statSync(join(ROOT, file));
    return { file, size: s.size, mtimeMs: s.mtimeMs };
  });
}

/**
 * Builds into a fresh directory beside `outdir`, then swaps it in: a podlife starting meanwhile
 * sees the old bundle or none (and builds its own), never half of one.
 */
export async function buildCli(outdir = DEFAULT_OUTDIR) {
  const { build } = await import('esbuild');
  const started = Date.now();
  const tmp = `${outdir}.tmp-${process.pid}-${started}`;
  const result = await build({
    entryPoints: { main: join(ROOT, 'cli', 'main.ts') },
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // zod and yaml (read on every replay) are bundled: one file parses faster than Node
    // resolves and loads their hundreds of modules. What loads rarely stays in node_modules.
    external: [
      '@aws-sdk/*',
      '@smithy/*',
      '@kubernetes/*',
      '@aws-lambda-powertools/*',
      'tsx',
      'tsx/*',
      'esbuild',
    ],
    chunkNames: '[name]-[hash]',
    mainFields: ['module', 'main'],
    // For a CommonJS module among them that requires a Node.js built-in.
    banner: {
      js: "import { createRequire as __podlifeCreateRequire } from 'node:module';const require = __podlifeCreateRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [keepSourcesOf(outdir)],
  });
  // The project's sources; the packages' change with package-lock.json (and npm ci rebuilds).
  const inputs = [
    ...Object.keys(result.metafile.inputs)
      .map((f) => relative(ROOT, resolve(ROOT, f)))
      .filter((f) => !f.startsWith('node_modules')),
    ...BUILD_INPUTS,
  ].sort();
  const files = stampOf(inputs);
  // A source saved during the build: leave the stamp stale, so the next start rebuilds.
  for (const f of files) if (f.mtimeMs >= started) f.mtimeMs = -1;
  writeFileSync(join(tmp, 'inputs.json'), `${JSON.stringify({ files }, null, 1)}\n`);
  writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(dirname(outdir), { recursive: true });
  const old = `${outdir}.old-${process.pid}-${started}`;
  try {
    renameSync(outdir, old);
  } catch {
    // no bundle yet
  }
  try {
    renameSync(tmp, outdir);
  } catch {
    // another podlife swapped its own in first: the same sources, use it
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return { outdir, files: readdirSync(outdir), ms: Date.now() - started };
}

/** Whether the bundle in `outdir` was built from the sources as they are now. */
export function isFresh(outdir = DEFAULT_OUTDIR) {
  try {
    const { files } = JSON.parse(readFileSync(join(outdir, 'inputs.json'), 'utf8'));
    for (const f of files) {
      const s = statSync(join(ROOT, f.file));
      if (s.size !== f.size || s.mtimeMs !== f.mtimeMs) return false;
    }
    return files.length > 0;
  } catch {
    return false;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildCli(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUTDIR);
  console.error(`podlife CLI bundled into ${relative(process.cwd(), out.outdir) || '.'} in ${out.ms} ms`);
}
