/**
 * Bundles the forwarder into one ESM file that runs on plain Node.js 24 with no node_modules
 * (what deploy/Dockerfile copies into the runtime image):
 *
 *   node --import tsx forwarder/build.ts [--outfile dist/forwarder/forwarder.mjs]
 *
 * The AWS SDK and the Kubernetes client are bundled (nothing provides them at run time). The
 * banner gives CommonJS dependencies a `require` inside the ESM bundle.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';

export const ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));
export const DEFAULT_OUTFILE = fileURLToPath(new URL('../dist/forwarder/forwarder.mjs', import.meta.url));

export interface BuildResult {
  outfile: string;
  bytes: number;
  metafile: Metafile;
}

export async function buildForwarder(outfile = DEFAULT_OUTFILE, minify = true): Promise<BuildResult> {
  const result = await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify,
    sourcemap: false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __podlifeCreateRequire } from 'node:module';const require = __podlifeCreateRequire(import.meta.url);",
    },
  });
  const bundle = Object.entries(result.metafile.outputs).find(([k]) => k.endsWith('.mjs'));
  if (!bundle) throw new Error('esbuild wrote no .mjs bundle');
  const bytes = bundle[1].bytes;
  return { outfile, bytes, metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { outfile: { type: 'string' }, 'no-minify': { type: 'boolean' } },
  });
  const r = await buildForwarder(values.outfile ?? DEFAULT_OUTFILE, !values['no-minify']);
  process.stdout.write(`${r.outfile}: ${(r.bytes / 1024).toFixed(0)} KB\n`);
}
