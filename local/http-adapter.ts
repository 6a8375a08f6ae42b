/**
 * Serves an API Gateway HTTP API (payload 2.0) Lambda handler on node:http, so local mode and
 * the end-to-end tests run the very handler the deployed API runs: each request becomes an
 * APIGatewayProxyEventV2 (as API Gateway builds it: lower-case headers, decoded query values,
 * repeated ones joined by commas), and the structured result becomes the response.
 * Listens on 127.0.0.1 unless told otherwise: local mode has no authentication.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;

export interface ServeOptions {
  /** 0 (default): any free port. */
  port?: number;
  host?: string;
}

export interface ServedHandler {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The event API Gateway would hand the Lambda for this request (pure but for the clock and id). */
export function eventOf(
  req: { method: string; url: string; headers: IncomingMessage['headers']; remoteAddress?: string },
  body: Buffer,
  now = Date.now(),
): APIGatewayProxyEventV2 {
  const url = new URL(req.url, 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
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
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
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
  const server = createServer(async (req, res) => {
    try {
      const event = eventOf(
        {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          remoteAddress: req.socket.remoteAddress,
        },
        await readBody(req),
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
      console.error('podlife local API: handler failed:', err);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
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
