/**
 * Serves an API Gateway HTTP API (payload 2.0) Lambda handler on node:http, so local mode and
 * the end-to-end tests run the very handler the deployed API runs: each request becomes an
 * APIGatewayProxyEventV2 (as API Gateway builds it: lower-case headers, decoded query values,
 * repeated ones joined by commas), and the structured result becomes the response.
 * Listens on 127.0.0.1 unless told otherwise: local mode has no authentication, so every request
 * is also checked before its body is read (see `refusal`): a Host other than this server's own
 * (DNS rebinding) gets 421, a foreign Origin or a browser's cross-site subresource request gets
 * 403, and a body over `maxBodyBytes` gets 413 with the socket read no further.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { safeLines } from '../core/terminal-text.ts';

type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;

interface ServeOptions {
  /** 0 (default): any free port. */
  port?: number;
  host?: string;
  /** Largest request body read (default: 1 MiB); beyond it, 413 and the connection is closed. */
  maxBodyBytes?: number;
}

/** The default request-body bound: the forwarder sends at most 256 KB per call. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Why a request is refused before its body is read, or null. `host`/`port` are where this server
 * listens: only `Host: 127.0.0.1:PORT`, `localhost:PORT` (or the listening host) is accepted, so
 * a page whose DNS name was rebound to 127.0.0.1 cannot reach the API; an `Origin` other than
 * those (a web page on another origin; `null` from sandboxes and files) is refused, as is a
 * browser's cross-site request that carries no Origin (Sec-Fetch-Site), except a navigation to
 * the page. Non-browser clients (the forwarder, the CLI, curl) send neither header.
 */
export function refusal(
  headers: IncomingMessage['headers'],
  host: string,
  port: number,
): { status: number; message: string } | null {
  const own = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `${host}:${port}`.toLowerCase()]);
  const hostHeader = (headers.host ?? '').toLowerCase();
  if (!own.has(hostHeader)) {
    return { status: 421, message: `Host must be 127.0.0.1:${port} or localhost:${port}` };
  }
  const origin = headers.origin;
  if (origin !== undefined && !own.has(origin.toLowerCase().replace(/^http:\/\//, ''))) {
    return { status: 403, message: 'cross-origin requests are not accepted' };
  }
  const site = headers['sec-fetch-site'];
  if ((site === 'cross-site' || site === 'same-site') && headers['sec-fetch-mode'] !== 'navigate') {
    return { status: 403, message: 'cross-site requests are not accepted' };
  }
  return null;
}

export interface ServedHandler {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** The body, or null as soon as it is known to exceed `max` bytes (nothing more is read then). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function refuse(
  res: import('node:http').ServerResponse,
  status: number,
  message: string,
  close = false,
): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  // Closing: the rest of the body is not read; the socket goes once the answer is out.
  res.end(body, close ? () => res.socket?.destroySoon?.() : undefined);
}

/** The event API Gateway would hand the Lambda for this request (pure but for the clock and id). */
export function eventOf(
  req: {
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    remoteAddress?: string | undefined;
  },
  body: Buffer,
  now = Date.now(),
): APIGatewayProxyEventV2 {
  const url = new URL(req.url, 'http://localhost');
  // Maps, then own properties: a parameter or header named `toString`, `constructor` or
  // `__proto__` is a key like any other (as API Gateway's JSON event has it), never Object's.
  const headerMap = new Map<string, string>();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headerMap.set(k.toLowerCase(), Array.isArray(v) ? v.join(',') : v);
  }
  const headers: Record<string, string> = Object.fromEntries(headerMap);
  const queryMap = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    const seen = queryMap.get(k);
    queryMap.set(k, seen === undefined ? v : `${seen},${v}`);
  }
  const query: Record<string, string> = Object.fromEntries(queryMap);
  const rawQueryString = url.search.replace(/^\?/, '');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? '',
      http: {
        method: req.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
  if (rawQueryString) event.queryStringParameters = query;
  if (body.length > 0) {
    event.body = body.toString('base64');
    event.isBase64Encoded = true;
  }
  return event;
}

/** Serves `handler` until `close()`. */
export async function serveHandler(handler: HttpApiHandler, opts: ServeOptions = {}): Promise<ServedHandler> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  let port = 0;
  const server = createServer(async (req, res) => {
    try {
      const refused = refusal(req.headers, host, port);
      if (refused) return refuse(res, refused.status, refused.message, true);
      const requestBody = await readBody(req, maxBody);
      if (requestBody === null) return refuse(res, 413, `request body over ${maxBody} bytes`, true);
      const event = eventOf(
        {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          remoteAddress: req.socket.remoteAddress,
        },
        requestBody,
      );
      const out = await handler(event);
      // API Gateway's rules for a result that is not an object with statusCode: 200, JSON.
      const result: APIGatewayProxyStructuredResultV2 =
        typeof out === 'object' && out !== null && 'statusCode' in out
          ? out
          : {
              statusCode: 200,
              headers: { 'content-type': 'application/json' },
              body: typeof out === 'string' ? out : JSON.stringify(out ?? null),
            };
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
      if (result.cookies?.length) headers['set-cookie'] = result.cookies;
      const body = result.body ?? '';
      res.writeHead(result.statusCode ?? 200, headers);
      res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
    } catch (err) {
      // What API Gateway answers when the integration fails.
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
      console.error(safeLines(`podlife local API: handler failed: ${(err as Error)?.stack ?? err}`));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
