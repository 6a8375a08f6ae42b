/**
 * The dashboard's files as local mode serves them: compressed when the browser accepts it
 * (brotli, else gzip; `Vary: Accept-Encoding`), with a strong ETag (a matching If-None-Match
 * gets a bodiless 304) and the Cache-Control a static site wants: content-hashed files
 * (`app.0123456789.js`, web/build.ts) `immutable` for a year, everything else (index.html)
 * `no-cache`, so a new build is picked up on the next load. index.html gets the API's base
 * inlined (`<meta name="podlife-api">`), so the page needs no config.json round trip, and, when
 * the server has the data at hand (local mode: `firstView`), the first view drawn in
 * (web/src/first-view.ts): the first response shows the lists.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { etagOf, noneMatch } from '../functions/query/etag.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.map', '.json', '.svg']);
/** web/build.ts's HASHED_NAME (not imported: that module loads esbuild). */
const HASHED_NAME = /\.[0-9a-f]{10}\.(?:js|css)(?:\.map)?$/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The encoding to send for an Accept-Encoding header: br, gzip or none (q=0 refuses one). */
export function encodingFor(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name) accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (e: string) => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : null;
}

interface Variant {
  body: Buffer;
  etag: string;
}

/** Serves the files of one built dashboard directory; compressed variants are kept in memory. */
export class StaticFiles {
  private readonly cache = new Map<string, Variant>();

  constructor(
    private readonly dir: string,
    /** The API's base URL as the page should see it (inlined into index.html). */
    private readonly apiBaseUrl = 'api/',
    /**
     * index.html as served, from the built one (after the API base is inlined): local mode draws
     * the first view into it. Called per request; a failure serves the page as built.
     */
    private readonly firstView?: (index: string) => Promise<string>,
  ) {}

  private compress(raw: Buffer, encoding: 'br' | 'gzip' | null, quality = 9): Variant {
    const body =
      encoding === 'br'
        ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: quality } })
        : encoding === 'gzip'
          ? gzipSync(raw, { level: quality })
          : raw;
    // One ETag per representation: a gzip body is not the same bytes as the plain one.
    return {
      body,
      etag: etagOf(body.toString('base64')).replace(/"$/, `${encoding ? `-${encoding}` : ''}"`),
    };
  }

  /** index.html with the first view drawn in: a fresh variant per request (the data moves). */
  private async drawn(encoding: 'br' | 'gzip' | null): Promise<Variant> {
    const built = await this.variant('index.html', null);
    if (!this.firstView) return this.variant('index.html', encoding);
    let page: string;
    try {
      page = await this.firstView(built.body.toString('utf8'));
    } catch {
      return this.variant('index.html', encoding);
    }
    // Quality 5: compressed per request (brotli 9 of the drawn page costs ~20 ms, 5 ~2 ms).
    return this.compress(Buffer.from(page), encoding, encoding === 'gzip' ? 6 : 5);
  }

  private async variant(name: string, encoding: 'br' | 'gzip' | null): Promise<Variant> {
    const key = `${name}\n${encoding ?? ''}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let raw = await readFile(join(this.dir, name));
    if (name === 'index.html') {
      const meta = `<meta name="podlife-api" content="${this.apiBaseUrl.replace(/[&"<>]/g, '')}">`;
      raw = Buffer.from(
        raw.toString('utf8').replace('<meta charset="utf-8">', `<meta charset="utf-8">\n${meta}`),
      );
    }
    const v = this.compress(raw, encoding);
    this.cache.set(key, v);
    return v;
  }

  /** The answer to a GET of `path` (`/`, `/index.html`, `/app.HASH.js`, …). */
  async get(
    path: string,
    headers: Record<string, string | undefined>,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const name = path === '/' ? 'index.html' : path.replace(/^\/+/, '');
    if (!name || name.includes('..') || name.includes('/') || name.includes('\\'))
      return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
    const ext = extname(name);
    const encoding = COMPRESSIBLE.has(ext) ? encodingFor(headers['accept-encoding']) : null;
    let v: Variant;
    try {
      v = name === 'index.html' ? await this.drawn(encoding) : await this.variant(name, encoding);
    } catch {
      return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
    }
    const common: Record<string, string> = {
      etag: v.etag,
      'cache-control': HASHED_NAME.test(name) ? IMMUTABLE : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(COMPRESSIBLE.has(ext) ? { vary: 'accept-encoding' } : {}),
    };
    if (noneMatch(headers['if-none-match'], v.etag)) return { statusCode: 304, headers: common, body: '' };
    return {
      statusCode: 200,
      headers: {
        ...common,
        'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
        ...(encoding ? { 'content-encoding': encoding } : {}),
      },
      body: v.body.toString('base64'),
      isBase64Encoded: true,
    };
  }
}

/**
 * An API answer compressed as the browser accepts (local mode; in AWS, API Gateway's HTTP API
 * sends it as the Lambda wrote it). Only bodies worth it (over 1 KB); `Vary: Accept-Encoding`.
 */
export function compressed(
  result: APIGatewayProxyStructuredResultV2,
  acceptEncoding: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  const encoding = encodingFor(acceptEncoding);
  if ((result.statusCode ?? 200) !== 200 || typeof result.body !== 'string' || result.isBase64Encoded)
    return result;
  const headers = { ...(result.headers ?? {}), vary: 'accept-encoding' };
  if (!encoding || result.body.length < 1024) return { ...result, headers };
  const raw = Buffer.from(result.body);
  const body =
    encoding === 'br'
      ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
      : gzipSync(raw, { level: 6 });
  return {
    ...result,
    headers: { ...headers, 'content-encoding': encoding },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}
