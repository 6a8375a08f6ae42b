#!/usr/bin/env node
// The `podlife` command. It runs the CLI's bundle (dist/cli/, built by scripts/build-cli.mjs at
// `npm ci` / `npm install`): plain JavaScript, each command's code loaded only when it runs, so
// `podlife --help` answers in tens of milliseconds. When the bundle is missing, or one of the
// sources it was built from has changed since (a dev checkout: an edit, a pull, a rebase), it is
// rebuilt first (esbuild, a fraction of a second); if that fails (say a read-only install), the
// TypeScript sources run through tsx, as slow as before but never stale.
// PODLIFE_CLI_DIST: another bundle directory (tests).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.env.PODLIFE_CLI_DIST || join(root, 'dist', 'cli');

/** Same check as scripts/build-cli.mjs's isFresh, without loading it (or esbuild). */
function fresh() {
  try {
    const { files } = JSON.parse(readFileSync(join(dist, 'inputs.json'), 'utf8'));
    for (const f of files) {
      const s = statSync(join(root, f.file));
      if (s.size !== f.size || s.mtimeMs !== f.mtimeMs) return false;
    }
    return files.length > 0;
  } catch {
    return false;
  }
}

let main;
if (!fresh()) {
  try {
    const { buildCli } = await import('../scripts/build-cli.mjs');
    await buildCli(dist);
  } catch {
    // cannot build here: run the sources (below)
  }
}
if (fresh()) {
  ({ main } = await import(pathToFileURL(join(dist, 'main.js')).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
// `podlife replay ... | head`: a reader that has seen enough is no error (as for kubectl).
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
