/**
 * The CLI's client for podlife's query API: GET a route, answer JSON. Against the deployed API
 * every request is signed with SigV4 (service `execute-api`; credentials from the AWS SDK's
 * default provider chain, `--profile` included; region from the URL or the environment).
 * Against local mode (`--local`) requests are plain HTTP. A refusal becomes one clear line;
 * so does an answer that does not match the route's schema (model/api-schemas.ts), naming the
 * field.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { z } from 'zod';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A failed call, said in one line for a person. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** SHA-256 (and HMAC-SHA-256 with a secret) in the shape SignatureV4 wants, on node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** RFC 3986 encoding (what SigV4 expects: `!'()*` too). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The region of an `https://ID.execute-api.REGION.amazonaws.com` URL, if it is one. */
export function regionOfUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(url).hostname)?.[1];
}

export interface SignInput {
  url: URL;
  region: string;
  credentials: Credentials;
  /** Signing time (tests fix it). */
  now?: Date;
  /** Default GET; a body (JSON) is signed with it. */
  method?: string;
  body?: string;
}

/** The headers of a signed GET of `url` (host, x-amz-date, [x-amz-security-token], authorization). */
export async function signedHeaders(input: SignInput): Promise<Record<string, string>> {
  const { url } = input;
  // Loaded only to sign: local mode and replay never need it.
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const signer = new SignatureV4({
    service: 'execute-api',
    region: input.region,
    credentials: input.credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : [...[prev].flat(), v];
  }
  const signed = await signer.sign(
    {
      method: input.method ?? 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: {
        host: url.host,
        ...(input.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(input.body !== undefined ? { body: input.body } : {}),
    },
    { signingDate: input.now ?? new Date() },
  );
  return signed.headers as Record<string, string>;
}

export interface ApiClientOptions {
  /** The API's base URL. */
  baseUrl: string;
  /**
   * A 404 at baseUrl may mean it is a dashboard's URL: read its /config.json (apiBaseUrl, as
   * the page does) and use the API it names.
   */
  discover?: boolean;
  /** `aws`: SigV4-signed (the deployed API); `local`: plain HTTP (local mode). */
  mode: 'aws' | 'local';
  profile?: string | undefined;
  region?: string | undefined;
  /** Credentials to sign with (default: the SDK's provider chain, with `profile`). */
  credentials?: () => Promise<Credentials>;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface RawResponse {
  status: number;
  body: string;
}

function get(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
  method = 'GET',
  body?: string,
): Promise<RawResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const bodyHeaders: Record<string, string> =
      body !== undefined
        ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
        : {};
    const req = send(
      url,
      { method, headers: { accept: 'application/json', ...bodyHeaders, ...headers }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** The one line a person reads for a failed answer. */
export function errorOf(status: number, body: string): ApiError {
  let parsed: { error?: string; parameter?: string; reason?: string; message?: string } = {};
  try {
    parsed = JSON.parse(body);
  } catch {
    // not JSON (a proxy's page): use the status alone
  }
  if (status === 400 && parsed.parameter) {
    return new ApiError(`bad parameter ${parsed.parameter}: ${parsed.reason}`, status);
  }
  if (status === 403 || status === 401) {
    return new ApiError(
      `the API refused the request (${status}${parsed.message ? `: ${parsed.message}` : ''}): check your AWS credentials / IAM policy (execute-api:Invoke)`,
      status,
    );
  }
  if (status === 404) return new ApiError(parsed.error ?? parsed.message ?? 'not found', status);
  const what = parsed.error ?? parsed.message ?? (body.slice(0, 200) || 'no answer');
  return new ApiError(`the API answered ${status}: ${what}`, status);
}

const MAX_FIELD_TEXT = 120;

/** `pods[0].stuck`: where in an answer an issue is. */
function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : `${out ? '.' : ''}${String(k)}`;
  return out.length > MAX_FIELD_TEXT ? `${out.slice(0, MAX_FIELD_TEXT)}…` : out;
}

/**
 * The one line for an answer that is not what the contract says: the route, the first field at
 * fault and what is wrong with it.
 */
export function mismatchOf(route: string, error: z.ZodError): ApiError {
  const issue = error.issues[0];
  let what = 'does not match';
  if (issue) {
    const at = fieldOf(issue.path);
    const field = at ? `field ${at}` : 'the answer';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => JSON.stringify(k.slice(0, MAX_FIELD_TEXT))).join(', ');
      what = `${field}: unexpected field ${keys}`;
    } else if (issue.code === 'invalid_type' && issue.input === undefined) what = `${field}: missing`;
    else what = `${field}: ${issue.message.slice(0, MAX_FIELD_TEXT)}`;
  }
  return new ApiError(
    `the API's answer to ${route} does not match podlife's contract: ${what} (is the API another podlife version?)`,
  );
}

/** The AWS SDK's default chain (env, SSO, ~/.aws profiles, ...), loaded only when signing. */
function defaultCredentials(profile: string | undefined): () => Promise<Credentials> {
  let provider: (() => Promise<Credentials>) | undefined;
  return async () => {
    if (!provider) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      provider = fromNodeProviderChain(profile ? { profile } : {}) as () => Promise<Credentials>;
    }
    return provider();
  };
}

export class ApiClient {
  private base: URL;
  private discover: boolean;
  private readonly region: string | undefined;
  private readonly credentials: () => Promise<Credentials>;
  private readonly timeoutMs: number;
  /** The URL as the user gave it. */
  readonly givenUrl: string;

  constructor(readonly opts: ApiClientOptions) {
    this.givenUrl = opts.baseUrl;
    this.discover = opts.discover ?? false;
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    const env = opts.env ?? process.env;
    this.region = opts.region ?? regionOfUrl(opts.baseUrl) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    this.credentials = opts.credentials ?? defaultCredentials(opts.profile);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** The URL of a route with its query (values RFC 3986-encoded, undefined ones left out). */
  urlOf(path: string, query: Record<string, string | number | undefined> = {}): URL {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const qs = Object.entries(query)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(String(v))}`)
      .join('&');
    url.search = qs;
    return url;
  }

  /** GET a route; its JSON answer parsed with `schema` (the route's contract), or an ApiError. */
  async get<S extends z.ZodType>(
    path: string,
    schema: S,
    query: Record<string, string | number | undefined> = {},
  ): Promise<z.output<S>> {
    return this.send('GET', path, schema, query);
  }

  /** A route called with `method` (and a JSON body); its answer parsed with `schema`, or an ApiError. */
  async send<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    schema: S,
    query: Record<string, string | number | undefined> = {},
    json?: unknown,
  ): Promise<z.output<S>> {
    const url = this.urlOf(path, query);
    const payload = json === undefined ? undefined : JSON.stringify(json);
    let headers: Record<string, string> = {};
    if (this.opts.mode === 'aws') {
      if (!this.region) {
        throw new ApiError("cannot tell the API's region from its URL: set --region or AWS_REGION");
      }
      let credentials: Credentials;
      try {
        credentials = await this.credentials();
      } catch (err) {
        throw new ApiError(
          `no AWS credentials to sign the request with: ${(err as Error).message.split('\n')[0]}`,
        );
      }
      headers = await signedHeaders({
        url,
        region: this.region,
        credentials,
        method,
        ...(payload !== undefined ? { body: payload } : {}),
      });
    }
    let res: RawResponse;
    try {
      res = await get(url, headers, this.timeoutMs, method, payload);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const what =
        this.opts.mode === 'local'
          ? "is local mode running there? Start it with 'npm start' (or 'podlife local'), or give its URL with --local"
          : 'check the URL (--api or PODLIFE_API_URL) and your network';
      throw new ApiError(`cannot reach the API at ${this.givenUrl}: ${e.code ?? e.message}: ${what}`);
    }
    if (res.status === 404 && this.discover) {
      this.discover = false;
      if (await this.discoverApi()) return this.send(method, path, schema, query, json);
    }
    this.discover = false;
    if (res.status < 200 || res.status >= 300) throw errorOf(res.status, res.body);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new ApiError(`the API's answer is not JSON: ${res.body.slice(0, 100)}`);
    }
    let parsed = schema.safeParse(body, { reportInput: true });
    // A newer API may add fields: an older CLI drops what its contract does not know (each
    // pass removes the unknown keys zod reported; nested objects can take a few passes).
    for (let pass = 0; pass < 8 && !parsed.success && onlyUnknownKeys(parsed.error); pass++) {
      dropUnknownKeys(body, parsed.error);
      parsed = schema.safeParse(body, { reportInput: true });
    }
    if (!parsed.success) throw mismatchOf(url.pathname, parsed.error);
    return parsed.data;
  }

  /** The API a dashboard's /config.json names (`apiBaseUrl`, relative to it), if it names one. */
  private async discoverApi(): Promise<boolean> {
    try {
      const res = await get(new URL('config.json', this.base), {}, this.timeoutMs);
      const api = (JSON.parse(res.body) as { apiBaseUrl?: unknown }).apiBaseUrl;
      if (res.status !== 200 || typeof api !== 'string') return false;
      const next = new URL(api, this.base);
      if (next.origin !== this.base.origin || next.href === this.base.href) return false;
      this.base = new URL(next.href.endsWith('/') ? next.href : `${next.href}/`);
      return true;
    } catch {
      return false;
    }
  }

  /** Every page of a paginated route (following nextToken), each parsed with `schema`. */
  async getAll<S extends z.ZodType<{ pods: unknown[]; nextToken?: string }>>(
    path: string,
    schema: S,
    query: Record<string, string | number | undefined>,
  ): Promise<z.output<S>['pods']> {
    const out: z.output<S>['pods'] = [];
    let nextToken: string | undefined;
    do {
      const page: z.output<S> = await this.get(path, schema, { ...query, nextToken });
      out.push(...page.pods);
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }
}

function onlyUnknownKeys(error: z.ZodError): boolean {
  return error.issues.length > 0 && error.issues.every((i) => i.code === 'unrecognized_keys');
}

/** Deletes, in the parsed JSON `body`, the keys each `unrecognized_keys` issue names. */
function dropUnknownKeys(body: unknown, error: z.ZodError): void {
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    let at: unknown = body;
    for (const step of issue.path)
      at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[step] : undefined;
    if (at === null || typeof at !== 'object') continue;
    for (const key of issue.keys) delete (at as Record<string, unknown>)[key];
  }
}
