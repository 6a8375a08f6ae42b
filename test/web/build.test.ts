/**
 * The build: a complete static site, and small. The whole page (HTML + JS + CSS) stays under
 * 64 KB uncompressed ("small, fast, no heavy framework").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../web/build.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('buildWeb', () => {
  it('writes index.html, app.js with its source map, and style.css; the page is under 64 KB', async () => {
    const out = await mkdtemp(join(tmpdir(), 'podlife-web-build-'));
    dirs.push(out);
    const built = await buildWeb(out);
    expect(Object.keys(built.files).sort()).toEqual(['app.js', 'app.js.map', 'index.html', 'style.css']);
    expect(built.pageBytes).toBe(
      built.files['app.js']! + built.files['index.html']! + built.files['style.css']!,
    );
    expect(built.pageBytes).toBeLessThan(64 * 1024);
    const index = await readFile(join(out, 'index.html'), 'utf8');
    expect(index).toContain('<script type="module" src="app.js"></script>');
    expect(index).toContain('<link rel="stylesheet" href="style.css">');
    const js = await readFile(join(out, 'app.js'), 'utf8');
    expect(js).toMatch(/\/\/# sourceMappingURL=app\.js\.map\s*$/);
    // An ES module for browsers: no Node built-ins slipped into the bundle.
    expect(js).not.toMatch(/\bfrom\s*["']node:|require\(["']node:/);
  });
});
