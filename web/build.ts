/**
 * Builds the dashboard: web/src/main.ts bundled by esbuild (ESM, minified, with a source map)
 * into app.HASH.js, plus web/static/* beside it (CSS minified, style.HASH.css). HASH is the
 * first 10 hex digits of the file's SHA-256, and index.html names the hashed files, so a server
 * can let browsers keep them for good (`Cache-Control: immutable`) and revalidate only index.html. The output directory is a complete static
 * site: local mode serves it, and it can be uploaded as is (with a config.json naming the API).
 *
 *   node --import tsx web/build.ts [OUT_DIR]     # default web/dist
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';

const WEB_DIR = import.meta.dirname;
export const DEFAULT_OUT_DIR = join(WEB_DIR, 'dist');

export interface WebBuild {
  outDir: string;
  /** Bytes per file written (source map included). */
  files: Record<string, number>;
  /** What a browser loads: HTML + JS + CSS, uncompressed, source map excluded. */
  pageBytes: number;
}

/** `app.js` → `app.0123456789.js`: the content's hash in the name. */
export const HASHED_NAME = /\.[0-9a-f]{10}\.(?:js|css)(?:\.map)?$/;
const hashOf = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 10);

export async function buildWeb(outDir: string = DEFAULT_OUT_DIR): Promise<WebBuild> {
  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  // A rebuild into the same directory leaves no stale hashed files behind.
  for (const f of await readdir(out)) if (HASHED_NAME.test(f)) await rm(join(out, f));
  await build({
    entryPoints: [join(WEB_DIR, 'src', 'main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const staticDir = join(WEB_DIR, 'static');
  for (const f of await readdir(staticDir)) {
    if (f.endsWith('.css')) {
      const css = await transform(await readFile(join(staticDir, f), 'utf8'), {
        loader: 'css',
        minify: true,
      });
      await writeFile(join(out, f), css.code);
    } else {
      await copyFile(join(staticDir, f), join(out, f));
    }
  }
  // Content-hashed names for the script (and its map) and the stylesheet; index.html names them.
  const js = await readFile(join(out, 'app.js'), 'utf8');
  const jsName = `app.${hashOf(js)}.js`;
  await writeFile(
    join(out, jsName),
    js.replace(/\/\/# sourceMappingURL=app\.js\.map\s*$/, `//# sourceMappingURL=${jsName}.map\n`),
  );
  await rename(join(out, 'app.js.map'), join(out, `${jsName}.map`));
  await rm(join(out, 'app.js'));
  const css = await readFile(join(out, 'style.css'));
  const cssName = `style.${hashOf(css)}.css`;
  await rename(join(out, 'style.css'), join(out, cssName));
  const index = await readFile(join(out, 'index.html'), 'utf8');
  await writeFile(
    join(out, 'index.html'),
    index.replace('src="app.js"', `src="${jsName}"`).replace('href="style.css"', `href="${cssName}"`),
  );
  const files: Record<string, number> = {};
  for (const f of (await readdir(out)).sort()) files[f] = (await stat(join(out, f))).size;
  const pageBytes = Object.entries(files)
    .filter(([f]) => /\.(html|js|css)$/.test(f))
    .reduce((n, [, b]) => n + b, 0);
  return { outDir: out, files, pageBytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = await buildWeb(process.argv[2]);
  for (const [f, b] of Object.entries(result.files))
    console.log(`${f.padEnd(24)} ${(b / 1024).toFixed(1)} KB`);
  console.log(
    `page (html+js+css): ${(result.pageBytes / 1024).toFixed(1)} KB uncompressed → ${result.outDir}`,
  );
}
