/**
 * The forwarder, assembled: informers on Pods (and optionally core/v1 Events about pods) →
 * compact snapshot (the contract in core/snapshot.ts) → no-op filter → bounded
 * sender → sink. Everything with a side effect (Kubernetes config, sink, clock, sleep, random,
 * logger) is passed in, so tests drive it against a local API server with a fake sink.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { canonicalFacts, type Fact, factOfEvent, mergeFactMaps } from '../core/facts.ts';
import { withholdEventText, withholdSnapshotText } from '../core/free-text.ts';
import { DETAIL_TYPE_FACTS, type PodIdentity, podFactsDetail } from '../core/pod-facts.ts';
import {
  compactEventOf,
  DETAIL_TYPE_EVENT,
  DETAIL_TYPE_SNAPSHOT,
  EVENT_SOURCE,
  PodEventSnapshot,
  PodSnapshot,
  SCHEMA_VERSION,
  snapshotOf,
} from '../core/snapshot.ts';
import { describeZodError } from '../core/zod-errors.ts';
import { Deduper } from './dedupe.ts';
import { ForwarderMetrics } from './metrics.ts';
import {
  buildEntry,
  cutMessages,
  type EntryMeta,
  type Log,
  Sender,
  type SenderOptions,
  type Sleep,
} from './sender.ts';
import type { Sink } from './sinks.ts';
import { isSlim, ResourceWatcher, resourcePaths, type Verb, type WatcherOptions } from './watcher.ts';

export interface ForwarderConfig {
  /** Cluster name carried by every snapshot (1..63 characters). */
  cluster: string;
  /** EventBridge bus name or ARN (EventBridge sink only; omitted for the others). */
  bus?: string;
  /** Watch only these namespaces (default: all). */
  namespaces?: string[];
  /** Label selector for pods (e.g. `app=web,tier!=batch`). */
  selector?: string;
  /** Also forward core/v1 Events about pods (FailedScheduling, BackOff, Unhealthy...). */
  events?: boolean;
  /** How long a graceful shutdown may spend flushing the buffer. */
  flushDeadlineMs?: number;
  /** Pods whose latest state may wait for a re-send after a buffer overflow. */
  maxDeferred?: number;
  /**
   * What goes on the bus: `facts` (default) the facts new since the pod's last event, as
   * readable JSON (`facts`: rules can match on them), compressed (`factsDeflate`) only when the
   * readable entry would pass 64 KB (one billed event); `facts-json` the same, never
   * compressed; `snapshot` the whole compact snapshot on every change (larger; the contract of
   * the first release).
   */
  payload?: Payload;
  /**
   * Forward application-written text as it is: termination messages, probe output and hook
   * output in Event messages (core/free-text.ts). Off by default: each is replaced by
   * a marker, and only the system's messages (scheduler, kubelet, runtime) are sent.
   */
  forwardMessages?: boolean;
  /**
   * How long a pod's new facts wait before they are sent (default 1500 ms, at most
   * MAX_LINGER_MS): the pod's next deltas within that time join the same entry, so a startup
   * burst (created, scheduled, initialized, started, ready) leaves as one or two entries. An
   * entry never waits more than 4 x this since its first delta. 0 sends as soon as a batch goes.
   */
  lingerMs?: number;
}

export const DEFAULT_LINGER_MS = 1500;
export const MAX_LINGER_MS = 10_000;
export const DEFAULT_BATCH_LINGER_MS = 500;

export const PAYLOADS = ['facts', 'facts-json', 'snapshot'] as const;
export type Payload = (typeof PAYLOADS)[number];

export interface ForwarderDeps {
  kubeConfig: KubeConfig;
  sink: Sink;
  metrics?: ForwarderMetrics;
  logger?: Log;
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
  /** Informer tuning (back-off, page size...). */
  watch?: Omit<WatcherOptions, 'metrics' | 'logger' | 'now' | 'sleep' | 'random'>;
  /** Sender tuning (buffer bounds, linger, back-off...). */
  sender?: Omit<
    SenderOptions,
    'sink' | 'metrics' | 'logger' | 'now' | 'sleep' | 'random' | 'onDeferred' | 'onRejected' | 'onRoom'
  >;
}

/** Kubernetes WatchType for an informer verb. */
const TYPE_OF: Record<Verb, 'ADDED' | 'MODIFIED' | 'DELETED'> = {
  add: 'ADDED',
  update: 'MODIFIED',
  delete: 'DELETED',
};

export class Forwarder {
  readonly metrics: ForwarderMetrics;
  readonly sender: Sender;
  readonly dedupe = new Deduper();
  private readonly podWatchers: ResourceWatcher[] = [];
  private readonly eventWatchers: ResourceWatcher[] = [];
  private readonly deferred = new Map<string, EntryMeta>();
  private readonly log?: Log;
  private readonly now: () => number;
  private shuttingDown = false;

  constructor(
    private readonly config: ForwarderConfig,
    deps: ForwarderDeps,
  ) {
    this.metrics = deps.metrics ?? new ForwarderMetrics();
    this.log = deps.logger;
    this.now = deps.now ?? Date.now;
    const linger = Math.min(MAX_LINGER_MS, Math.max(0, config.lingerMs ?? DEFAULT_LINGER_MS));
    this.sender = new Sender({
      keyLingerMs: linger,
      // Lingered entries then wait up to this for a fuller PutEvents call.
      lingerMs: DEFAULT_BATCH_LINGER_MS,
      ...deps.sender,
      sink: deps.sink,
      metrics: this.metrics,
      logger: deps.logger,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      onDeferred: (meta) => this.defer(meta),
      onRejected: (meta) => {
        if (meta.kind === 'pod') this.dedupe.forgetSent(meta.uid);
      },
      onRoom: (free) => this.resync(Math.floor(free / 2)),
    });
    const wopts: WatcherOptions = {
      ...deps.watch,
      withholdMessages: !config.forwardMessages,
      // Pod Facts: the ledger holds what was sent; the cache keeps identities only.
      slimCache: config.payload !== 'snapshot',
      metrics: this.metrics,
      logger: deps.logger,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
    };
    for (const path of resourcePaths('pods', config.namespaces)) {
      this.podWatchers.push(
        new ResourceWatcher(
          deps.kubeConfig,
          'pods',
          path,
          {
            onObject: (verb, obj) => this.onPod(TYPE_OF[verb], obj),
            onRelist: (vanished) => this.onVanished(vanished),
            onListed: () => this.metrics.ready.set(this.ready ? 1 : 0),
          },
          { ...wopts, labelSelector: config.selector },
        ),
      );
    }
    if (config.events) {
      for (const path of resourcePaths('events', config.namespaces)) {
        this.eventWatchers.push(
          new ResourceWatcher(
            deps.kubeConfig,
            'events',
            path,
            { onObject: (verb, obj) => this.onEvent(verb, obj) },
            { ...wopts, fieldSelector: 'involvedObject.kind=Pod' },
          ),
        );
      }
    }
  }

  /** Ready once every pod informer has listed, until shutdown starts. */
  get ready(): boolean {
    return !this.shuttingDown && this.podWatchers.every((w) => w.listed);
  }

  async start(): Promise<void> {
    this.sender.start();
    this.log?.info('forwarder starting', {
      cluster: this.config.cluster,
      namespaces: this.config.namespaces ?? 'all',
      selector: this.config.selector,
      events: Boolean(this.config.events),
      forwardMessages: Boolean(this.config.forwardMessages),
    });
    // Informers run in the background; errors are handled (and retried) by each watcher.
    for (const w of [...this.podWatchers, ...this.eventWatchers]) void w.start();
  }

  /** Stops watching, then flushes what is buffered (bounded by flushDeadlineMs). */
  async stop(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.metrics.ready.set(0);
    this.log?.info('forwarder stopping, flushing buffer', { buffered: this.sender.size });
    await Promise.all([...this.podWatchers, ...this.eventWatchers].map((w) => w.stop()));
    await this.sender.close(this.config.flushDeadlineMs ?? 20_000);
    this.log?.info('forwarder stopped', {
      forwarded: this.metrics.forwarded.total(),
      dropped: this.metrics.dropped.total(),
    });
  }

  private get facts(): boolean {
    return this.config.payload !== 'snapshot';
  }

  private observedAt(): string {
    return new Date(this.now()).toISOString();
  }

  /** One pod from an informer (or the benchmark): project, filter no-ops, enqueue. */
  onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', raw: unknown, force = false): void {
    if (isSlim(raw)) {
      // A cached identity (a pod gone while the watch was away): its facts were sent already.
      if (type === 'DELETED') this.onGone(raw as KubernetesObject);
      return;
    }
    let snap: PodSnapshot;
    try {
      snap = snapshotOf(raw, { cluster: this.config.cluster, type, observedAt: this.observedAt() });
      // Before the ledger and every payload: what is withheld is never compared, kept or sent.
      if (!this.config.forwardMessages) snap = withholdSnapshotText(snap);
    } catch (err) {
      this.metrics.skippedInvalid.inc({ resource: 'pods' });
      const md = (raw as KubernetesObject | undefined)?.metadata;
      this.log?.warn('pod does not fit the snapshot contract, skipped', {
        uid: md?.uid,
        namespace: md?.namespace,
        name: md?.name,
        error:
          err instanceof Error && 'issues' in err
            ? describeZodError(err as never)
            : String(err).slice(0, 200),
      });
      return;
    }
    // The first snapshot of a uid is its ADDED, whatever the informer called it (a pod
    // recreated under the same name arrives as an "update" of the old one).
    if (type === 'MODIFIED' && !this.dedupe.isLive(snap.pod.uid)) snap.type = 'ADDED';
    const meta = podEntry(snap.pod.uid, snap.pod.namespace, snap.pod.name, snap.type === 'DELETED');
    if (this.facts) {
      const delta = this.dedupe.podFacts(snap, force);
      if (delta === 'noop') {
        this.metrics.skippedNoop.inc({ resource: 'pods' });
        return;
      }
      this.enqueueFacts(meta, { cluster: snap.cluster, ...meta }, delta);
      return;
    }
    if (this.dedupe.pod(snap, force) === 'noop') {
      this.metrics.skippedNoop.inc({ resource: 'pods' });
      return;
    }
    this.enqueue(meta, DETAIL_TYPE_SNAPSHOT, snap);
  }

  /** A pod known only by its cached identity is gone: send its deletion (once). */
  private onGone(obj: KubernetesObject): void {
    const md = obj.metadata ?? {};
    if (!md.uid || !md.namespace || !md.name) return;
    if (!this.dedupe.markDeleted(md.uid)) return;
    const meta = podEntry(md.uid, md.namespace, md.name, true);
    const id = { cluster: this.config.cluster, namespace: md.namespace, name: md.name, uid: md.uid };
    this.enqueueFacts(meta, id, [
      { id: 'pod', kind: 'pod', ...id, created: null, owner: null, qos: null },
      { id: 'deleted', kind: 'deleted' },
    ]);
  }

  private onVanished(vanished: KubernetesObject[]): void {
    for (const obj of vanished) {
      const uid = obj.metadata?.uid;
      if (!uid || this.dedupe.isDeleted(uid)) continue;
      this.metrics.synthesizedDeletes.inc();
      this.log?.info('pod vanished while the watch was away, sending DELETED', {
        uid,
        namespace: obj.metadata?.namespace,
        name: obj.metadata?.name,
      });
      this.onPod('DELETED', obj);
    }
  }

  /** One core/v1 Event from the events informer. */
  onEvent(verb: Verb, raw: unknown): void {
    const uid = (raw as KubernetesObject | undefined)?.metadata?.uid;
    if (verb === 'delete') {
      // Events expire (TTL); an expired event says nothing new about the pod.
      if (uid) this.dedupe.forgetEvent(uid);
      return;
    }
    let detail: PodEventSnapshot;
    try {
      const compact = compactEventOf(raw);
      if (!compact) return;
      const event = this.config.forwardMessages ? compact : withholdEventText(compact);
      // With a label selector, only events about the selected pods.
      if (this.config.selector && event.podUid) {
        if (!this.dedupe.isLive(event.podUid) && !this.dedupe.isDeleted(event.podUid)) return;
      }
      detail = PodEventSnapshot.parse({
        schemaVersion: SCHEMA_VERSION,
        cluster: this.config.cluster,
        observedAt: this.observedAt(),
        event,
      });
    } catch (err) {
      this.metrics.skippedInvalid.inc({ resource: 'events' });
      this.log?.warn('event does not fit the contract, skipped', {
        uid,
        error:
          err instanceof Error && 'issues' in err
            ? describeZodError(err as never)
            : String(err).slice(0, 200),
      });
      return;
    }
    if (this.dedupe.event(detail.event) === 'noop') {
      this.metrics.skippedNoop.inc({ resource: 'events' });
      return;
    }
    const podUid = detail.event.podUid;
    if (this.facts && podUid) {
      // A pod's Event is one more fact about the pod: it joins the pod's entry if one waits.
      const meta = podEntry(
        podUid,
        detail.event.namespace,
        detail.event.podName,
        this.dedupe.isDeleted(podUid),
      );
      this.enqueueFacts(meta, { cluster: this.config.cluster, ...meta }, [factOfEvent(detail.event)]);
      return;
    }
    const md = (raw as KubernetesObject).metadata ?? {};
    this.enqueue(
      {
        key: `event:${detail.event.uid}`,
        kind: 'event',
        uid: detail.event.uid,
        namespace: md.namespace ?? detail.event.namespace,
        name: md.name ?? detail.event.podName,
        deleted: false,
      },
      DETAIL_TYPE_EVENT,
      detail,
    );
  }

  /**
   * Enqueues a pod's new facts as a `Pod Facts` entry. If an entry of the pod still waits in
   * the buffer, it is taken back and merged in (the join of both deltas): one entry per pod per
   * batch window, and nothing given up.
   */
  private enqueueFacts(meta: EntryMeta, id: PodIdentity, delta: readonly Fact[]): void {
    let facts = delta;
    const waiting = this.sender.takeUnsent(meta.key);
    if (waiting?.facts) {
      const byId = (list: readonly Fact[]) => new Map(list.map((f) => [f.id, f]));
      facts = canonicalFacts(mergeFactMaps(byId(waiting.facts), byId(delta)));
      meta = { ...meta, deleted: meta.deleted || waiting.meta.deleted };
    }
    const first = waiting?.first;
    const detail = (compress: boolean) => (cutTo?: number) =>
      podFactsDetail(id, cutTo ? cutMessages(facts, cutTo) : facts, { compress });
    // Readable facts; compressed only when the readable entry would pass 64 KB (`facts`).
    const compressed = this.config.payload === 'facts-json' ? undefined : detail(true);
    this.enqueue(meta, DETAIL_TYPE_FACTS, detail(false), facts, first, compressed);
  }

  private enqueue(
    meta: EntryMeta,
    detailType: string,
    detail: object | ((cutMessagesTo?: number) => object),
    facts?: readonly Fact[],
    first?: number,
    compressed?: (cutMessagesTo?: number) => object,
  ): void {
    // The entry's Time is the observation time: the `time` of the event on the bus.
    const built = buildEntry(
      EVENT_SOURCE,
      detailType,
      detail,
      this.config.bus,
      this.observedAt(),
      compressed,
    );
    if (!built.ok) {
      this.metrics.dropped.inc({ reason: 'too_large' });
      this.log?.error('entry larger than 256 KB even with messages cut, dropped', {
        kind: meta.kind,
        uid: meta.uid,
        namespace: meta.namespace,
        name: meta.name,
        bytes: built.size,
      });
      return;
    }
    if (built.trimmed) this.metrics.trimmed.inc();
    // A newer entry for this key is going in: any deferred re-send of it is obsolete.
    if (this.deferred.delete(meta.key)) this.metrics.deferredPods.set(this.deferred.size);
    this.sender.enqueue({ meta, entry: built.entry, size: built.size, facts, first });
  }

  /** The buffer pushed out a latest entry: remember the key, re-send its current state later. */
  private defer(meta: EntryMeta): void {
    if (!this.deferred.has(meta.key) && this.deferred.size >= (this.config.maxDeferred ?? 200_000)) {
      this.metrics.dropped.inc({ reason: 'lost' });
      return;
    }
    this.deferred.set(meta.key, meta);
    this.metrics.deferredPods.set(this.deferred.size);
  }

  /**
   * Re-sends up to `limit` deferred keys from the informers' current state: a pod still there
   * (same uid) is sent as it is now; a pod no longer there is sent as DELETED (a minimal
   * snapshot: identity and the deletion; its last statuses were in the dropped entries); an
   * event still there is sent as it is now.
   */
  resync(limit: number): number {
    let n = 0;
    for (const [key, meta] of this.deferred) {
      if (n >= limit || this.shuttingDown) break;
      this.deferred.delete(key);
      n++;
      if (meta.kind === 'pod') {
        const obj = meta.deleted ? undefined : this.lookup(this.podWatchers, meta.namespace, meta.name);
        const sent = this.facts ? this.dedupe.sentFacts(meta.uid) : undefined;
        if (obj && obj.metadata?.uid === meta.uid && isSlim(obj) && sent) {
          // Every fact the ledger holds (what the dropped entry carried, and more) goes again.
          const id = {
            cluster: this.config.cluster,
            namespace: meta.namespace,
            name: meta.name,
            uid: meta.uid,
          };
          this.enqueueFacts(meta, id, sent);
        } else if (obj && obj.metadata?.uid === meta.uid && !isSlim(obj)) {
          this.onPod('MODIFIED', obj, true);
        } else if (this.facts) {
          // Gone: its identity and the deletion (its last statuses were in the dropped entries).
          const id = {
            cluster: this.config.cluster,
            namespace: meta.namespace,
            name: meta.name,
            uid: meta.uid,
          };
          this.enqueueFacts({ ...meta, deleted: true }, id, [
            { id: 'pod', kind: 'pod', ...id, created: null, owner: null, qos: null },
            { id: 'deleted', kind: 'deleted' },
          ]);
        } else {
          const snap = PodSnapshot.parse({
            schemaVersion: SCHEMA_VERSION,
            cluster: this.config.cluster,
            observedAt: this.observedAt(),
            type: 'DELETED',
            pod: {
              uid: meta.uid,
              namespace: meta.namespace,
              name: meta.name,
              initContainerCount: 0,
              conditions: [],
              initContainerStatuses: [],
              containerStatuses: [],
            },
          });
          this.enqueue(meta, DETAIL_TYPE_SNAPSHOT, snap);
        }
      } else {
        const obj = this.lookup(this.eventWatchers, meta.namespace, meta.name);
        if (obj) {
          this.dedupe.forgetEvent(meta.uid);
          this.onEvent('update', obj);
        }
      }
    }
    this.metrics.deferredPods.set(this.deferred.size);
    return n;
  }

  /** What the informers hold in memory (trimmed objects): for diagnostics and tests. */
  cachedObjects(): KubernetesObject[] {
    return [...this.podWatchers, ...this.eventWatchers].flatMap((w) => [...w.cached()]);
  }

  private lookup(watchers: ResourceWatcher[], namespace: string, name: string): KubernetesObject | undefined {
    for (const w of watchers) {
      const o = w.lookup(namespace, name);
      if (o) return o;
    }
    return undefined;
  }
}

/** A pod's buffer entry: one key per uid, so the pod's deltas (and its Events) merge in the buffer. */
function podEntry(uid: string, namespace: string, name: string, deleted: boolean): EntryMeta {
  return { key: `pod:${uid}`, kind: 'pod', uid, namespace, name, deleted };
}
