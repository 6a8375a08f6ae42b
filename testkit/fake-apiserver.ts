/**
 * A Kubernetes API server, as far as list + watch of Pods and core/v1 Events goes, on
 * 127.0.0.1 (a free port), for running the real @kubernetes/client-node informer in tests.
 *
 * Like the real one: one resourceVersion counter for everything (etcd's revision); lists carry
 * `metadata.resourceVersion` and page with `limit`/`continue`; `?watch=true&resourceVersion=N`
 * streams one JSON WatchEvent per line, first the history after N, then live changes;
 * `labelSelector` (=, ==, !=, exists, !exists) and `fieldSelector` (a.b=c, a.b!=c) filter both;
 * BOOKMARKs go to watches that allow them; a watch from a resourceVersion older than the
 * compacted history gets 410 Gone, either as a watch ERROR event carrying a Status with
 * code 410 and the connection closed (what the real watch cache does), or as HTTP 410.
 *
 * Controls for tests: add / modify / remove objects, `dropWatches()` (destroys the sockets),
 * `endWatches()` (ends them cleanly, like a server-side timeout), `expire()` (compacts the
 * history), `down` (answer 503 to everything), and a request log.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export type Obj = any;

export type Kind = 'pods' | 'events';

interface HistoryEntry {
  rv: number;
  kind: Kind;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}

interface Watcher {
  kind: Kind;
  namespace?: string | undefined;
  filter: (o: Obj) => boolean;
  bookmarks: boolean;
  res: http.ServerResponse;
  socket: Socket;
}

export interface RequestRecord {
  kind: Kind;
  namespace?: string | undefined;
  watch: boolean;
  resourceVersion?: string | undefined;
  status: number;
  query: Record<string, string>;
}

/** Equality-based label selectors, as kubectl writes them. */
export function labelFilter(selector: string | null): (o: Obj) => boolean {
  if (!selector) return () => true;
  const reqs = selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((r) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(r);
      if (ne) {
        const [, key = '', value = ''] = ne;
        return (l: Record<string, string>) => l[key.trim()] !== value.trim();
      }
      const eq = /^([^!=]+)==?(.*)$/.exec(r);
      if (eq) {
        const [, key = '', value = ''] = eq;
        return (l: Record<string, string>) => l[key.trim()] === value.trim();
      }
      if (r.startsWith('!')) return (l: Record<string, string>) => !(r.slice(1) in l);
      return (l: Record<string, string>) => r in l;
    });
  return (o) => {
    const labels = o?.metadata?.labels ?? {};
    return reqs.every((f) => f(labels));
  };
}

/** Field selectors on dotted paths (`involvedObject.kind=Pod`). */
export function fieldFilter(selector: string | null): (o: Obj) => boolean {
  if (!selector) return () => true;
  const reqs = selector.split(',').map((r) => {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(r.trim());
    if (!m) throw new Error(`bad field selector: ${r}`);
    const [, dotted = '', op, value] = m;
    const path = dotted.split('.');
    const get = (o: Obj) => path.reduce((x: Obj, k: string) => x?.[k], o);
    return op === '!='
      ? (o: Obj) => String(get(o) ?? '') !== value
      : (o: Obj) => String(get(o) ?? '') === value;
  });
  return (o) => reqs.every((f) => f(o));
}

const KIND_OF: Record<Kind, { list: string; item: string }> = {
  pods: { list: 'PodList', item: 'Pod' },
  events: { list: 'EventList', item: 'Event' },
};

export class FakeApiServer {
  private readonly server: http.Server;
  private readonly objects: Record<Kind, Map<string, Obj>> = { pods: new Map(), events: new Map() };
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly pages = new Map<string, { items: Obj[]; rv: number; offset: number }>();
  private readonly sockets = new Set<Socket>();
  private rv = 1000;
  private compactedRv = 0;
  private pageSeq = 0;
  /** When true every request gets 503, as from an API server that is restarting. */
  down = false;
  /** How a too-old resourceVersion is answered on watch: ERROR event (default) or HTTP 410. */
  goneMode: 'event' | 'http' = 'event';
  readonly requests: RequestRecord[] = [];
  port = 0;

  constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig for this server (plain http, a dummy token). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'tester', token: 'not-a-secret' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** The current resourceVersion (etcd revision). */
  get resourceVersion(): number {
    return this.rv;
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  lists(kind: Kind = 'pods'): number {
    return this.requests.filter((r) => r.kind === kind && !r.watch && r.status === 200).length;
  }
  watches(kind: Kind = 'pods'): number {
    return this.requests.filter((r) => r.kind === kind && r.watch).length;
  }

  private key(o: Obj): string {
    return `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
  }

  private record(kind: Kind, type: HistoryEntry['type'], obj: Obj): Obj {
    const o = structuredClone(obj);
    o.metadata = { ...o.metadata, resourceVersion: String(++this.rv) };
    const e: HistoryEntry = { rv: this.rv, kind, type, object: o };
    this.history.push(e);
    for (const w of this.watchers) this.deliver(w, e);
    return o;
  }

  /** Creates (or replaces without an event if `silent`) an object; returns the stored copy. */
  add(kind: Kind, obj: Obj): Obj {
    const o = this.record(kind, 'ADDED', obj);
    this.objects[kind].set(this.key(o), o);
    return o;
  }

  /** Updates an object (matched by namespace/name). */
  modify(kind: Kind, obj: Obj): Obj {
    if (!this.objects[kind].has(this.key(obj))) throw new Error(`no such ${kind}: ${this.key(obj)}`);
    const o = this.record(kind, 'MODIFIED', obj);
    this.objects[kind].set(this.key(o), o);
    return o;
  }

  /** Deletes an object; the DELETED event carries its last state. */
  remove(kind: Kind, namespace: string, name: string): void {
    const k = `${namespace}/${name}`;
    const o = this.objects[kind].get(k);
    if (!o) throw new Error(`no such ${kind}: ${k}`);
    this.objects[kind].delete(k);
    this.record(kind, 'DELETED', o);
  }

  get(kind: Kind, namespace: string, name: string): Obj | undefined {
    const o = this.objects[kind].get(`${namespace}/${name}`);
    return o ? structuredClone(o) : undefined;
  }

  all(kind: Kind): Obj[] {
    return [...this.objects[kind].values()].map((o) => structuredClone(o));
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch that allows them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      this.write(w, {
        type: 'BOOKMARK',
        object: {
          kind: KIND_OF[w.kind].item,
          apiVersion: 'v1',
          metadata: { resourceVersion: String(this.rv) },
        },
      });
    }
  }

  /** Destroys every open watch connection (a network drop). */
  dropWatches(): void {
    for (const w of this.watchers) w.socket.destroy();
    this.watchers.clear();
  }

  /** Ends every open watch cleanly (like the server-side watch timeout). */
  endWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /**
   * Compacts the history: every resourceVersion up to now is too old to watch from. Open
   * watches get a 410 ERROR event and are closed (goneMode 'event'), or are closed and then
   * get HTTP 410 when they come back (goneMode 'http').
   */
  expire(): void {
    // etcd compacts up to a revision; the next list answers at or after it.
    this.compactedRv = ++this.rv;
    this.history.length = 0;
    for (const w of this.watchers) {
      if (this.goneMode === 'event') {
        this.write(w, { type: 'ERROR', object: this.goneStatus() });
        w.res.end();
      } else {
        w.socket.destroy();
      }
    }
    this.watchers.clear();
  }

  private goneStatus(): Obj {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${this.compactedRv - 1} (${this.compactedRv})`,
      reason: 'Expired',
      code: 410,
    };
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private write(w: Watcher, ev: { type: string; object: Obj }): void {
    if (!w.res.writableEnded) w.res.write(`${JSON.stringify(ev)}\n`);
  }

  private deliver(w: Watcher, e: HistoryEntry): void {
    if (e.kind !== w.kind) return;
    if (w.namespace && e.object.metadata.namespace !== w.namespace) return;
    if (!w.filter(e.object)) return;
    this.write(w, { type: e.type, object: e.object });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(pods|events)$/.exec(url.pathname);
    const query = Object.fromEntries(url.searchParams.entries());
    const watch = query.watch === 'true' || query.watch === '1';
    const json = (status: number, body: Obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!m || req.method !== 'GET') {
      json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
      });
      return;
    }
    const namespace = m[1] ? decodeURIComponent(m[1]) : undefined;
    const kind = m[2] as Kind;
    const rec: RequestRecord = {
      kind,
      namespace,
      watch,
      resourceVersion: query.resourceVersion,
      status: 200,
      query,
    };
    this.requests.push(rec);
    if (this.down) {
      rec.status = 503;
      json(503, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'ServiceUnavailable',
        code: 503,
      });
      return;
    }
    let filter: (o: Obj) => boolean;
    try {
      const lf = labelFilter(query.labelSelector ?? null);
      const ff = fieldFilter(query.fieldSelector ?? null);
      filter = (o) => lf(o) && ff(o);
    } catch (err) {
      rec.status = 400;
      json(400, { kind: 'Status', status: 'Failure', message: (err as Error).message, code: 400 });
      return;
    }
    if (!watch) {
      this.list(kind, namespace, filter, query, rec, json);
      return;
    }

    const from = Number(query.resourceVersion ?? '0');
    if (from > 0 && from < this.compactedRv) {
      if (this.goneMode === 'http') {
        rec.status = 410;
        json(410, this.goneStatus());
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ERROR', object: this.goneStatus() })}\n`);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = {
      kind,
      namespace,
      filter,
      bookmarks: query.allowWatchBookmarks === 'true',
      res,
      socket: req.socket,
    };
    for (const e of this.history) if (e.rv > from) this.deliver(w, e);
    this.watchers.add(w);
    req.socket.on('close', () => this.watchers.delete(w));
  }

  private list(
    kind: Kind,
    namespace: string | undefined,
    filter: (o: Obj) => boolean,
    query: Record<string, string>,
    rec: RequestRecord,
    json: (status: number, body: Obj) => void,
  ): void {
    let page: { items: Obj[]; rv: number; offset: number };
    if (query.continue) {
      const p = this.pages.get(query.continue);
      if (!p) {
        rec.status = 410;
        json(410, { ...this.goneStatus(), message: 'continue token expired' });
        return;
      }
      page = p;
    } else {
      const items = [...this.objects[kind].values()]
        .filter((o) => (!namespace || o.metadata.namespace === namespace) && filter(o))
        .sort((a, b) => (this.key(a) < this.key(b) ? -1 : 1));
      page = { items, rv: this.rv, offset: 0 };
    }
    const limit = Number(query.limit ?? '0');
    const end = limit > 0 ? Math.min(page.items.length, page.offset + limit) : page.items.length;
    const metadata: Obj = { resourceVersion: String(page.rv) };
    if (end < page.items.length) {
      const token = `c${++this.pageSeq}`;
      this.pages.set(token, { items: page.items, rv: page.rv, offset: end });
      metadata.continue = token;
    }
    json(200, {
      kind: KIND_OF[kind].list,
      apiVersion: 'v1',
      metadata,
      items: page.items.slice(page.offset, end),
    });
  }
}

export async function startFakeApiServer(): Promise<FakeApiServer> {
  return new FakeApiServer().start();
}
