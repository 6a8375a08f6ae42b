/**
 * Local mode's static files (local/static-files.ts): brotli or gzip as Accept-Encoding allows,
 * a strong ETag per representation with 304s, `immutable` for content-hashed names and
 * `no-cache` for index.html, which gets the API base inlined.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressed, encodingFor, IMMUTABLE, StaticFiles } from '../../local/static-files.ts';

let dir: string;
let files: StaticFiles;
const JS = `console.log(${JSON.stringify('x'.repeat(2000))});\n`;
const INDEX =
  '<!doctype html>\n<html><head><meta charset="utf-8"><title>t</title></head><body></body></html>\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'podlife-static-'));
  await writeFile(join(dir, 'app.0123456789.js'), JS);
  await writeFile(join(dir, 'index.html'), INDEX);
  files = new StaticFiles(dir, 'api/');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const bodyOf = (r: { body?: string | undefined; headers?: Record<string, unknown> | undefined }) => {
  const raw = Buffer.from(r.body ?? '', 'base64');
  const enc = r.headers?.['content-encoding'];
  return (enc === 'br' ? brotliDecompressSync(raw) : enc === 'gzip' ? gunzipSync(raw) : raw).toString();
};

describe('encodingFor', () => {
  it('prefers br, then gzip; q=0 refuses; * counts; nothing means identity', () => {
    expect(encodingFor('gzip, deflate, br, zstd')).toBe('br');
    expect(encodingFor('gzip')).toBe('gzip');
    expect(encodingFor('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(encodingFor('*')).toBe('br');
    expect(encodingFor('identity')).toBeNull();
    expect(encodingFor(undefined)).toBeNull();
    expect(encodingFor('gzip;q=0')).toBeNull();
  });
});

describe('StaticFiles', () => {
  it('compresses what the browser accepts, and says so (Vary)', async () => {
    for (const [accept, enc] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['', undefined],
    ] as const) {
      const r = await files.get('/app.0123456789.js', { 'accept-encoding': accept });
      expect([accept, r.statusCode, r.headers?.['content-encoding']]).toEqual([accept, 200, enc]);
      expect(r.headers?.vary).toBe('accept-encoding');
      expect(r.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
      expect(bodyOf(r)).toBe(JS);
      if (enc) expect(Buffer.from(r.body!, 'base64').length).toBeLessThan(JS.length / 10);
    }
  });

  it('hashed files are immutable; index.html is no-cache and names the API', async () => {
    const js = await files.get('/app.0123456789.js', {});
    expect(js.headers?.['cache-control']).toBe(IMMUTABLE);
    const index = await files.get('/', { 'accept-encoding': 'gzip' });
    expect(index.headers?.['cache-control']).toBe('no-cache');
    expect(bodyOf(index)).toContain('<meta charset="utf-8">\n<meta name="podlife-api" content="api/">');
  });

  it('ETag per representation; a matching If-None-Match is a bodiless 304', async () => {
    const plain = await files.get('/', {});
    const gz = await files.get('/', { 'accept-encoding': 'gzip' });
    expect(plain.headers?.etag).toMatch(/^"[^"]+"$/);
    expect(gz.headers?.etag).not.toBe(plain.headers?.etag);
    const again = await files.get('/', {
      'accept-encoding': 'gzip',
      'if-none-match': String(gz.headers?.etag),
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers?.etag).toBe(gz.headers?.etag);
    // The other representation's tag does not match.
    const other = await files.get('/', {
      'accept-encoding': 'gzip',
      'if-none-match': String(plain.headers?.etag),
    });
    expect(other.statusCode).toBe(200);
  });

  it('404 for a missing file or a path out of the directory', async () => {
    for (const p of ['/nope.js', '/../etc/passwd', '/a/b.js', '/..%2f'])
      expect([p, (await files.get(p, {})).statusCode]).toEqual([p, 404]);
  });
});

describe('compressed (API answers in local mode)', () => {
  it('compresses a large 200 as accepted, keeps the ETag; leaves small ones and errors as they are', () => {
    const body = JSON.stringify({ pods: Array.from({ length: 200 }, (_, i) => ({ name: `p${i}` })) });
    const ok = { statusCode: 200, headers: { etag: '"x"' }, body };
    const gz = compressed(ok, 'gzip');
    expect(gz.headers?.['content-encoding']).toBe('gzip');
    expect(gz.headers?.etag).toBe('"x"');
    expect(gunzipSync(Buffer.from(gz.body!, 'base64')).toString()).toBe(body);
    expect(compressed(ok, undefined).body).toBe(body);
    expect(compressed({ ...ok, body: '{}' }, 'br').body).toBe('{}');
    const err = { statusCode: 404, body };
    expect(compressed(err, 'br')).toBe(err);
  });
});
