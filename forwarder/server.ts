/**
 * The forwarder's HTTP endpoints, for the kubelet's probes and for Prometheus:
 * - GET /healthz: 200 while the process serves (liveness);
 * - GET /readyz: 200 once every pod informer has completed its first list, 503 before and
 *   during shutdown (readiness);
 * - GET /metrics: the Prometheus text format of ForwarderMetrics (its prom-client Registry).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ForwarderMetrics } from './metrics.ts';

export interface ServerOptions {
  metrics: ForwarderMetrics;
  isReady: () => boolean;
}

export function createProbeServer(opts: ServerOptions): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const text = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    switch (path) {
      case '/healthz':
        return text(200, 'ok\n');
      case '/readyz':
        return opts.isReady() ? text(200, 'ready\n') : text(503, 'not ready\n');
      case '/metrics':
        opts.metrics.render().then(
          (body) => text(200, body, opts.metrics.contentType),
          () => text(500, 'metrics unavailable\n'),
        );
        return;
      default:
        return text(404, 'not found\n');
    }
  });
}

/** Listens and resolves with the bound port (port 0 picks a free one). */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
