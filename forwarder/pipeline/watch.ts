/**
 * Stage 1, watch: one informer (list + watch) on one Kubernetes resource path, kept alive through what real API
 * servers do: watches that end, connections that drop, 410 Gone, errors, bursts.
 *
 * It is @kubernetes/client-node's own informer (`ListWatch`, what `makeInformer` returns), with
 * three things around it:
 * - a `Watch` subclass (`PacedWatch`) that asks for bookmarks and a server-side timeout, trims
 *   every object to the fields podlife reads before the informer caches it (so env, args,
 *   annotations and managedFields are not even kept in memory), and paces re-watches: a watch
 *   that ends without delivering anything, or with 410 Gone, makes the next list or watch wait
 *   an exponential back-off with full jitter;
 * - a list function that pages through the list (limit/continue) as raw JSON and, before the
 *   informer replaces its cache, diffs the listed uids against the cached ones: a pod that
 *   vanished while the watch was away is reported (`onRelist`) so it can be sent as DELETED.
 *   The diff is by uid, not by name, so a StatefulSet pod deleted and recreated under the same
 *   name during the gap is still reported as deleted;
 * - a restart loop: the informer stops on any error (its contract: "the caller must restart");
 *   it is restarted after an exponential back-off with full jitter, capped, and resumes from
 *   its last resourceVersion (a 410 on that watch then leads to a relist).
 */
import http from 'node:http';
import https from 'node:https';
import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import { type Backoff, backoffDelayMs, sleep as realSleep, type Sleep } from '../../core/backoff.ts';
import type { ForwarderMetrics } from '../metrics.ts';
import type { Log } from './send.ts';
import { type Raw, slimPod, trimEvent, trimPod } from './trim.ts';

export type Resource = 'pods' | 'events';

/** The API paths to watch: the cluster-wide one, or one per namespace. */
export function resourcePaths(resource: Resource, namespaces?: string[]): string[] {
  if (!namespaces || namespaces.length === 0) return [`/api/v1/${resource}`];
  return namespaces.map((ns) => `/api/v1/namespaces/${encodeURIComponent(ns)}/${resource}`);
}

export type Verb = 'add' | 'update' | 'delete';

export interface WatcherHandlers {
  /** An object was added, updated or deleted (from a list or a watch). */
  onObject(verb: Verb, obj: KubernetesObject): void;
  /** A relist found these cached objects gone (by uid): deleted while the watch was away. */
  onRelist?(vanished: KubernetesObject[]): void;
  /** A list completed. */
  onListed?(): void;
  /**
   * A list completed, every page of it: the uids it held, when it began (epoch ms, before its
   * first page; the API server's `Date` of that page when its clock is behind ours) and its
   * resourceVersion (for the Pod Inventory, pipeline/inventory.ts).
   */
  onListedUids?(list: { uids: string[]; listedAt: number; resourceVersion: string }): void;
}

export interface WatcherOptions {
  metrics: ForwarderMetrics;
  logger?: Log | undefined;
  now?: (() => number) | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
  /** First back-off step (full jitter picks in [0, step)). */
  backoffBaseMs?: number | undefined;
  backoffCapMs?: number | undefined;
  /** A watch that ends sooner than this with no event counts as a failure (paced). */
  minHealthyWatchMs?: number | undefined;
  /** Items per list page (limit/continue). */
  pageSize?: number | undefined;
  /** Server-side watch timeout range in seconds, picked at random like client-go (300..600). */
  watchTimeoutSeconds?: [number, number] | undefined;
  /** Replace application-written messages while trimming (the forwarder without --forward-messages). */
  withholdMessages?: boolean | undefined;
  /**
   * Pods only: once a pod was handed to `onObject`, keep only its identity in the cache
   * (`slimPod`). For the Pod Facts payload, whose ledger holds what was sent.
   */
  slimCache?: boolean | undefined;
}

/** Status code of an error from the client, the list, or a watch ERROR event. */
function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}

function describe(err: unknown): string {
  const e = err as { message?: string; statusCode?: number; code?: unknown; type?: string } | null;
  const parts = [e?.message ?? String(err)];
  if (e?.statusCode) parts.push(`HTTP ${e.statusCode}`);
  return parts.join(' ').slice(0, 300);
}

/** The client's Watch, paced and trimming (see the file comment). */
class PacedWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly owner: ResourceWatcher,
  ) {
    super(kc);
  }
  override watch(
    path: string,
    query: Record<string, unknown>,
    callback: (phase: string, apiObj: Raw, watchObj?: Raw) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return this.owner.pacedWatch(path, query, callback, done, (p, q, c, d) => super.watch(p, q, c, d));
  }
}

type SuperWatch = Watch['watch'];

/** One resource path under an informer that never gives up (see the file comment). */
export class ResourceWatcher {
  readonly resource: Resource;
  readonly path: string;
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly m: ForwarderMetrics;
  private readonly log: Log | undefined;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly backoffTiming: Backoff;
  private readonly minHealthyMs: number;
  private readonly pageSize: number;
  private readonly timeoutRange: [number, number];
  private readonly trim: (o: Raw) => KubernetesObject;
  private failures = 0;
  private pendingPause = false;
  private stopping = false;
  private listedOnce = false;
  private readonly abort = new AbortController();
  private restarting: Promise<void> | undefined;

  constructor(
    private readonly kc: KubeConfig,
    resource: Resource,
    path: string,
    private readonly handlers: WatcherHandlers,
    opts: WatcherOptions & { labelSelector?: string | undefined; fieldSelector?: string | undefined },
  ) {
    this.resource = resource;
    this.path = path;
    this.m = opts.metrics;
    this.log = opts.logger;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.backoffTiming = { baseMs: opts.backoffBaseMs ?? 1_000, capMs: opts.backoffCapMs ?? 60_000 };
    this.minHealthyMs = opts.minHealthyWatchMs ?? 5_000;
    this.pageSize = opts.pageSize ?? 500;
    this.timeoutRange = opts.watchTimeoutSeconds ?? [300, 600];
    const withhold = opts.withholdMessages ?? false;
    this.trim = (o: Raw) => (resource === 'pods' ? trimPod(o, withhold) : trimEvent(o, withhold));
    const trim = this.trim;
    this.informer = new ListWatch<KubernetesObject>(
      path,
      new PacedWatch(kc, this),
      () => this.list(opts.labelSelector, opts.fieldSelector, trim),
      false,
      opts.labelSelector,
      opts.fieldSelector,
    );
    const slim = resource === 'pods' && opts.slimCache === true;
    // The object handed over is the one the cache keeps: slimmed right after the handler.
    this.informer.on('add', (o) => {
      this.handlers.onObject('add', o);
      if (slim) slimPod(o);
    });
    this.informer.on('update', (o) => {
      this.handlers.onObject('update', o);
      if (slim) slimPod(o);
    });
    this.informer.on('delete', (o) => this.handlers.onObject('delete', o));
    this.informer.on('error', (err) => this.onError(err));
  }

  /** True once a list has completed. */
  get listed(): boolean {
    return this.listedOnce;
  }

  /** The informer's current object for a name (trimmed). */
  lookup(namespace: string, name: string): KubernetesObject | undefined {
    return this.informer.get(name, namespace);
  }

  /** Every cached object (trimmed). */
  cached(): readonly KubernetesObject[] {
    return this.informer.list();
  }

  start(): Promise<void> {
    this.stopping = false;
    return this.informer.start().catch((err) => this.onError(err));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.informer.stop();
    await this.restarting;
  }

  private backoff(): number {
    return backoffDelayMs(this.failures++, this.backoffTiming, this.random);
  }

  /** Waits the back-off if the last watch ended badly (410, or nothing delivered). */
  private async pace(): Promise<void> {
    if (!this.pendingPause) return;
    this.pendingPause = false;
    const delay = this.backoff();
    this.log?.debug('pacing before the next list/watch', { resource: this.resource, delayMs: delay });
    await this.sleep(delay, this.abort.signal);
  }

  private onError(err: unknown): void {
    if (this.stopping) return;
    const delay = this.backoff();
    this.m.watchRestarts.inc({ resource: this.resource, reason: 'error' });
    this.log?.warn('watch failed, restarting after back-off', {
      resource: this.resource,
      path: this.path,
      error: describe(err),
      delayMs: delay,
      consecutiveFailures: this.failures,
    });
    this.restarting = this.sleep(delay, this.abort.signal).then(async () => {
      this.restarting = undefined;
      if (!this.stopping) await this.start();
    });
  }

  /** Called by PacedWatch in place of Watch.watch. */
  async pacedWatch(
    path: string,
    query: Record<string, unknown>,
    callback: (phase: string, apiObj: Raw, watchObj?: Raw) => void,
    done: (err: unknown) => void,
    superWatch: (...a: Parameters<SuperWatch>) => ReturnType<SuperWatch>,
  ): Promise<AbortController> {
    await this.pace();
    if (this.stopping) return new AbortController();
    const [lo, hi] = this.timeoutRange;
    const q = {
      ...query,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(lo + this.random() * (hi - lo)),
    };
    const started = this.now();
    let delivered = 0;
    let gone = false;
    const trim = this.trim;
    const cb = (type: string, obj: Raw, raw?: Raw) => {
      if (type === 'ERROR') {
        const code = statusOf(obj);
        if (code === 410) gone = true;
        this.log?.warn('watch ERROR event', { resource: this.resource, code, reason: obj?.reason });
        return callback(type, obj, raw);
      }
      if (delivered++ === 0) this.failures = 0;
      if (type === 'BOOKMARK') return callback(type, obj, raw);
      this.m.watchEvents.inc({ resource: this.resource, type: String(type) });
      return callback(type, trim(obj), raw);
    };
    const wrappedDone = (err: unknown) => {
      if (this.stopping) return; // our own abort: the informer stays stopped
      const status = statusOf(err);
      if (err && status !== 410) return done(err); // informer reports it: restart with back-off
      if (gone || status === 410) {
        this.m.watchRestarts.inc({ resource: this.resource, reason: 'gone' });
        this.log?.info('watch answered 410 Gone, relisting', { resource: this.resource });
        this.pendingPause = true;
        return done(err);
      }
      this.m.watchRestarts.inc({ resource: this.resource, reason: 'closed' });
      if (delivered === 0 && this.now() - started < this.minHealthyMs) this.pendingPause = true;
      return done(null);
    };
    return superWatch(path, q, cb, wrappedDone);
  }

  private async list(
    labelSelector: string | undefined,
    fieldSelector: string | undefined,
    trim: (o: Raw) => KubernetesObject,
  ): Promise<KubernetesListObject<KubernetesObject>> {
    await this.pace();
    if (this.stopping) throw new Error('stopping');
    this.m.relists.inc({ resource: this.resource });
    let listedAt = this.now();
    const items: KubernetesObject[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    do {
      const url = new URL(this.serverUrl() + this.path);
      url.searchParams.set('limit', String(this.pageSize));
      if (cont) url.searchParams.set('continue', cont);
      if (labelSelector) url.searchParams.set('labelSelector', labelSelector);
      if (fieldSelector) url.searchParams.set('fieldSelector', fieldSelector);
      const { body, date } = await this.getJson(url);
      const page = body as Raw;
      // The API server's own clock (the one that writes creationTimestamp), if it is behind ours.
      if (!cont && date !== undefined && Number.isFinite(Date.parse(date)))
        listedAt = Math.min(listedAt, Date.parse(date));
      if (!page || !Array.isArray(page.items)) throw new Error(`list ${this.path}: not a List`);
      if (!resourceVersion) resourceVersion = page.metadata?.resourceVersion ?? '';
      for (const it of page.items) {
        this.m.watchEvents.inc({ resource: this.resource, type: 'LISTED' });
        items.push(trim(it));
      }
      cont = page.metadata?.continue || undefined;
    } while (cont);
    const listed = new Set(items.map((o) => o.metadata?.uid));
    const vanished = this.informer.list().filter((o) => o.metadata?.uid && !listed.has(o.metadata.uid));
    if (vanished.length > 0) this.handlers.onRelist?.(vanished);
    this.listedOnce = true;
    this.handlers.onListed?.();
    if (this.handlers.onListedUids) {
      const uids = items.flatMap((o) => (o.metadata?.uid ? [o.metadata.uid] : []));
      this.handlers.onListedUids({ uids, listedAt, resourceVersion });
    }
    this.log?.info('listed', {
      resource: this.resource,
      path: this.path,
      items: items.length,
      resourceVersion,
    });
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
  }

  private serverUrl(): string {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig');
    return cluster.server.replace(/\/+$/, '');
  }

  /**
   * GET as raw JSON with the kubeconfig's credentials (raw, so times stay the API's strings),
   * with the answer's `Date` header.
   */
  private async getJson(url: URL): Promise<{ body: unknown; date: string | undefined }> {
    const opts: https.RequestOptions = { method: 'GET', headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        url,
        { ...opts, headers: { ...(opts.headers as Record<string, string>), accept: 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            if (res.statusCode !== 200) {
              const e = new Error(`list ${url.pathname}: HTTP ${res.statusCode}`) as Error & {
                statusCode?: number | undefined;
              };
              e.statusCode = res.statusCode;
              return reject(e);
            }
            try {
              resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), date: res.headers.date });
            } catch (err) {
              reject(new Error(`list ${url.pathname}: bad JSON (${(err as Error).message})`));
            }
          });
        },
      );
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`list ${url.pathname}: timed out`)));
      req.end();
    });
  }
}
