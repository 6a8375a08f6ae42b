/**
 * The forwarder, composed: the pipeline's stages, each taking the previous one's output once.
 *
 *   watch (pipeline/watch.ts: informers, kept alive) → trim (pipeline/trim.ts, before the
 *   informer caches the object) → snapshot (pipeline/snapshot.ts: the contract, text withheld)
 *   → facts and delta against the ledger (pipeline/delta.ts, through the PayloadEncoder) →
 *   encode (pipeline/encode.ts, through the PayloadEncoder) → buffer (pipeline/buffer.ts: merge
 *   with the pod's waiting entry, linger, bound) → send (pipeline/send.ts: batches, retries,
 *   back-off) → sink (sinks.ts).
 *
 * What is left here is the composition and the two loops back: a pod the full buffer pushed out
 * is re-read from the informer cache and re-sent (`resync`), and an entry rejected for good
 * clears the pod's ledger so its next update is a full one. Everything with a side effect
 * (Kubernetes config, sink, clock, sleep, random, logger) is passed in, so tests drive it
 * against a local API server with a fake sink.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Sleep } from '../core/backoff.ts';
import { type Fact, factOfEvent } from '../core/facts.ts';
import { DETAIL_TYPE_HEARTBEAT, type ForwarderHeartbeat } from '../core/heartbeat.ts';
import type { PodIdentity } from '../core/pod-facts.ts';
import {
  DETAIL_TYPE_EVENT,
  DETAIL_TYPE_SNAPSHOT,
  EVENT_SOURCE,
  type PodEventSnapshot,
  PodSnapshot,
  SCHEMA_VERSION,
} from '../core/snapshot.ts';
import {
  DEFAULT_LINGER_MS,
  DEFAULT_ROUTINE_LINGER_MS,
  MAX_LINGER_MS,
  MAX_ROUTINE_LINGER_MS,
  type Payload,
} from './flags.ts';
import { ForwarderMetrics } from './metrics.ts';
import { PayloadEncoder } from './payload.ts';
import type { EntryMeta, LingerState, NewsClass } from './pipeline/buffer.ts';
import { type BuiltEntry, detailEntry } from './pipeline/encode.ts';
import { InventorySender } from './pipeline/inventory.ts';
import { type Log, Sender, type SenderOptions } from './pipeline/send.ts';
import {
  invalidReason,
  podEvent,
  podEventSnapshot,
  podSnapshot,
  type WatchType,
} from './pipeline/snapshot.ts';
import { isSlim } from './pipeline/trim.ts';
import { ResourceWatcher, resourcePaths, type Verb, type WatcherOptions } from './pipeline/watch.ts';
import type { Entry, Sink } from './sinks.ts';

export interface ForwarderConfig {
  /** Cluster name carried by every snapshot (1..63 characters). */
  cluster: string;
  /** EventBridge bus name or ARN (EventBridge sink only; omitted for the others). */
  bus?: string | undefined;
  /**
   * The source of every entry: default `podlife.forwarder`; a cluster bound to its sender
   * (`podlife:senders`) sends `podlife.forwarder.CLUSTER` (--cluster-source, core/sender-binding.ts).
   */
  source?: string | undefined;
  /** Watch only these namespaces (default: all). */
  namespaces?: string[] | undefined;
  /** Label selector for pods (e.g. `app=web,tier!=batch`). */
  selector?: string | undefined;
  /** Also forward core/v1 Events about pods (FailedScheduling, BackOff, Unhealthy...). */
  events?: boolean | undefined;
  /** How long a graceful shutdown may spend flushing the buffer. */
  flushDeadlineMs?: number | undefined;
  /** Pods whose latest state may wait for a re-send after a buffer overflow. */
  maxDeferred?: number | undefined;
  /**
   * What goes on the bus: `facts` (default) the facts new since the pod's last event, as
   * readable JSON (`facts`: rules can match on them), compressed (`factsDeflate`) only when the
   * readable entry would pass 64 KB (one billed event); `facts-json` the same, never
   * compressed; `snapshot` the whole compact snapshot on every change (larger; the contract of
   * the first release).
   */
  payload?: Payload | undefined;
  /**
   * Forward application-written text as it is: termination messages, probe output and hook
   * output in Event messages (core/free-text.ts). Off by default: each is replaced by
   * a marker, and only the system's messages (scheduler, kubelet, runtime) are sent.
   */
  forwardMessages?: boolean | undefined;
  /**
   * How long a pod's new facts wait before they are sent (default 2000 ms, at most
   * MAX_LINGER_MS): the pod's next deltas within that time join the same entry, so a startup
   * burst (created, scheduled, initialized, started, ready) leaves as one or two entries. An
   * entry never waits more than 4 x this since its first delta. 0 sends as soon as a batch goes.
   * This is the linger of news that matters soon (pipeline/delta.ts `classifyNews`).
   */
  lingerMs?: number | undefined;
  /**
   * How long a pod's routine news (the steps on the way to Ready: scheduled, sandbox,
   * initialized, a started container not ready yet; a restart inside a back-off loop, the same
   * crash again, a pull back-off retry, an Event's count bump, a deletion's Terminating) may wait for more (default DEFAULT_ROUTINE_LINGER_MS, at most
   * MAX_ROUTINE_LINGER_MS; 0 when `lingerMs` is 0), counted from the entry's first delta; news
   * that matters soon joining it cuts the wait to `lingerMs`.
   */
  routineLingerMs?: number | undefined;
  /**
   * Milliseconds between two `Forwarder Heartbeat` entries (core/heartbeat.ts); 0 or absent:
   * none. The first goes at start, so a restart is seen at once.
   */
  heartbeatMs?: number | undefined;
  /** This process's name in its heartbeats (the pod's name in a cluster). */
  instance?: string | undefined;
  /** The forwarder's version in its heartbeats. */
  version?: string | undefined;
  /**
   * Send a `Pod Inventory` after each complete list (default true; never with `selector`: a
   * label selector's list says nothing about the pods it leaves out). See pipeline/inventory.ts.
   */
  inventory?: boolean | undefined;
}

export const DEFAULT_BATCH_LINGER_MS = 500;
/** Routine entries fall due on whole multiples of this (buffer.ts `routineTickMs`). */
export const ROUTINE_TICK_MS = 1000;

export interface ForwarderDeps {
  kubeConfig: KubeConfig;
  sink: Sink;
  metrics?: ForwarderMetrics | undefined;
  logger?: Log | undefined;
  now?: (() => number) | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
  /** Informer tuning (back-off, page size...). */
  watch?: Omit<WatcherOptions, 'metrics' | 'logger' | 'now' | 'sleep' | 'random'> | undefined;
  /** Sender tuning (buffer bounds, linger, back-off...). */
  sender?:
    | Omit<
        SenderOptions,
        'sink' | 'metrics' | 'logger' | 'now' | 'sleep' | 'random' | 'onDeferred' | 'onRejected' | 'onRoom'
      >
    | undefined;
}

/** Kubernetes WatchType for an informer verb. */
const TYPE_OF: Record<Verb, WatchType> = {
  add: 'ADDED',
  update: 'MODIFIED',
  delete: 'DELETED',
};

export class Forwarder {
  readonly metrics: ForwarderMetrics;
  readonly sender: Sender;
  /** Snapshot → facts → delta (its ledger) → encode: the same encoder as `podlife local`'s. */
  readonly encoder: PayloadEncoder;
  private readonly podWatchers: ResourceWatcher[] = [];
  private readonly eventWatchers: ResourceWatcher[] = [];
  private readonly deferred = new Map<string, EntryMeta>();
  private readonly log: Log | undefined;
  private readonly now: () => number;
  private shuttingDown = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly sink: Sink;
  /** Pod Inventory entries after each list (pipeline/inventory.ts); undefined: none. */
  readonly inventory: InventorySender | undefined;

  constructor(
    private readonly config: ForwarderConfig,
    deps: ForwarderDeps,
  ) {
    this.metrics = deps.metrics ?? new ForwarderMetrics();
    this.log = deps.logger;
    this.now = deps.now ?? Date.now;
    this.sink = deps.sink;
    this.encoder = new PayloadEncoder({
      compress: config.payload === 'facts-json' ? false : 'auto',
      forwardMessages: Boolean(config.forwardMessages),
    });
    const linger = Math.min(MAX_LINGER_MS, Math.max(0, config.lingerMs ?? DEFAULT_LINGER_MS));
    // No linger at all (lingerMs 0) unless a routine linger is asked for.
    const routine = Math.min(
      MAX_ROUTINE_LINGER_MS,
      Math.max(0, config.routineLingerMs ?? (linger === 0 ? 0 : DEFAULT_ROUTINE_LINGER_MS)),
    );
    this.sender = new Sender({
      keyLingerMs: linger,
      routineLingerMs: routine,
      // Routine entries fall due on whole seconds, together: full PutEvents batches.
      routineTickMs: routine > 0 ? ROUTINE_TICK_MS : 0,
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
        if (meta.kind === 'pod') this.ledger.forgetSent(meta.uid);
      },
      onRoom: (free) => this.resync(Math.floor(free / 2)),
    });
    const inventory = config.inventory !== false && !config.selector;
    this.inventory = inventory
      ? new InventorySender({
          sink: deps.sink,
          bus: config.bus,
          source: config.source,
          metrics: this.metrics,
          logger: deps.logger,
          sleep: deps.sleep,
          random: deps.random,
        })
      : undefined;
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
            onListedUids: (list) => this.onListedUids(path, list),
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

  /** What was sent, per pod uid and per Event uid (the encoder's). */
  private get ledger() {
    return this.encoder.ledger;
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
    const every = this.config.heartbeatMs ?? 0;
    if (every > 0) {
      void this.sendHeartbeat();
      this.heartbeatTimer = setInterval(() => void this.sendHeartbeat(), every);
      this.heartbeatTimer.unref();
    }
  }

  /** The heartbeat's detail now (core/heartbeat.ts). */
  heartbeat(): ForwarderHeartbeat {
    return {
      schemaVersion: SCHEMA_VERSION,
      cluster: this.config.cluster,
      sentAt: this.observedAt(),
      instance: this.config.instance ?? 'forwarder',
      version: this.config.version ?? 'dev',
      ready: this.ready,
      bufferEntries: this.sender.size,
      dropped: this.metrics.dropped.total(),
      podsWatched: this.podWatchers.reduce((n, w) => n + w.cached().length, 0),
      intervalSeconds: Math.max(1, Math.round((this.config.heartbeatMs ?? 60_000) / 1000)),
    };
  }

  /**
   * Sends one heartbeat straight to the sink, beside the buffer: it says how the buffer is
   * doing, so it must not wait behind it (nor push a pod out of it). A failed one is counted and
   * not retried: the next one, an interval later, supersedes it.
   */
  async sendHeartbeat(): Promise<boolean> {
    const entry: Entry = {
      Source: this.config.source ?? EVENT_SOURCE,
      DetailType: DETAIL_TYPE_HEARTBEAT,
      Detail: JSON.stringify(this.heartbeat()),
      ...(this.config.bus ? { EventBusName: this.config.bus } : {}),
      Time: this.observedAt(),
    };
    try {
      const { failed } = await this.sink.put([entry]);
      const ok = failed.length === 0;
      this.metrics.heartbeats.inc({ outcome: ok ? 'ok' : 'failed' });
      return ok;
    } catch (err) {
      this.metrics.heartbeats.inc({ outcome: 'failed' });
      this.log?.warn('heartbeat not sent', { error: (err as Error).message });
      return false;
    }
  }

  /** Stops watching, then flushes what is buffered (bounded by flushDeadlineMs). */
  async stop(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.metrics.ready.set(0);
    this.log?.info('forwarder stopping, flushing buffer', { buffered: this.sender.size });
    await Promise.all([...this.podWatchers, ...this.eventWatchers].map((w) => w.stop()));
    // The inventory stops retrying (its back-off cut short; a call in flight may finish), then
    // the buffer flushes: both within the one deadline.
    const deadlineMs = this.config.flushDeadlineMs ?? 20_000;
    const t0 = Date.now();
    await this.inventory?.close(deadlineMs);
    await this.sender.close(Math.max(0, deadlineMs - (Date.now() - t0)));
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

  /** One trimmed pod from an informer (or the benchmark): snapshot, delta, encode, buffer. */
  onPod(type: WatchType, raw: unknown, force = false): void {
    if (isSlim(raw)) {
      // A cached identity (a pod gone while the watch was away): its facts were sent already.
      if (type === 'DELETED') this.onGone(raw as KubernetesObject);
      return;
    }
    let snap: PodSnapshot;
    try {
      snap = podSnapshot(raw, type, {
        cluster: this.config.cluster,
        observedAt: this.observedAt(),
        forwardMessages: Boolean(this.config.forwardMessages),
        onBadTime: (problem) => {
          const md = (raw as KubernetesObject | undefined)?.metadata;
          this.log?.warn('pod time out of range, sent as unknown', {
            uid: md?.uid,
            namespace: md?.namespace,
            name: md?.name,
            problem,
          });
        },
      });
    } catch (err) {
      this.metrics.skippedInvalid.inc({ resource: 'pods' });
      const md = (raw as KubernetesObject | undefined)?.metadata;
      this.log?.warn('pod does not fit the snapshot contract, skipped', {
        uid: md?.uid,
        namespace: md?.namespace,
        name: md?.name,
        error: invalidReason(err),
      });
      return;
    }
    // The first snapshot of a uid is its ADDED, whatever the informer called it (a pod
    // recreated under the same name arrives as an "update" of the old one).
    if (type === 'MODIFIED' && !this.ledger.isLive(snap.pod.uid)) snap.type = 'ADDED';
    const { uid, namespace, name } = snap.pod;
    const meta = podEntry(uid, namespace, name, snap.type === 'DELETED');
    if (this.facts) {
      const delta = this.encoder.podNews(snap, force);
      if (!delta) {
        this.metrics.skippedNoop.inc({ resource: 'pods' });
        // Gone, with every fact already told by its Terminating: the entry still waiting for
        // it (if any) now carries urgent news.
        if (snap.type === 'DELETED' && this.sender.buffer.hasWaiting(meta.key))
          this.bufferFacts(meta, [], 'urgent');
        return;
      }
      this.bufferFacts(meta, delta.facts, force ? 'urgent' : delta.news);
      return;
    }
    if (this.ledger.pod(snap, force) === 'noop') {
      this.metrics.skippedNoop.inc({ resource: 'pods' });
      return;
    }
    this.buffer(meta, detailEntry(DETAIL_TYPE_SNAPSHOT, snap, this.envelope()));
  }

  /** A pod known only by its cached identity is gone: send its deletion (once). */
  private onGone(obj: KubernetesObject): void {
    const md = obj.metadata ?? {};
    if (!md.uid || !md.namespace || !md.name) return;
    if (!this.ledger.markDeleted(md.uid)) return;
    const meta = podEntry(md.uid, md.namespace, md.name, true);
    this.bufferFacts(meta, deletionFacts(this.identity(meta)), 'urgent');
  }

  private onVanished(vanished: KubernetesObject[]): void {
    for (const obj of vanished) {
      const uid = obj.metadata?.uid;
      if (!uid || this.ledger.isDeleted(uid)) continue;
      this.metrics.synthesizedDeletes.inc();
      this.log?.info('pod vanished while the watch was away, sending DELETED', {
        uid,
        namespace: obj.metadata?.namespace,
        name: obj.metadata?.name,
      });
      this.onPod('DELETED', obj);
    }
  }

  /**
   * A complete list of one pod path: its uids go as a Pod Inventory, scoped to the namespace of
   * a namespaced path (`--namespaces`), else to the whole cluster.
   */
  private onListedUids(
    path: string,
    list: { uids: string[]; listedAt: number; resourceVersion: string },
  ): void {
    if (!this.inventory || this.shuttingDown) return;
    const ns = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path)?.[1];
    void this.inventory.send(path, {
      cluster: this.config.cluster,
      listedAt: new Date(list.listedAt).toISOString(),
      resourceVersion: list.resourceVersion.slice(0, 64),
      instance: this.config.instance ?? 'forwarder',
      namespaces: ns === undefined ? null : [decodeURIComponent(ns)],
      uids: list.uids,
    });
  }

  /** One trimmed core/v1 Event from the events informer. */
  onEvent(verb: Verb, raw: unknown): void {
    const uid = (raw as KubernetesObject | undefined)?.metadata?.uid;
    if (verb === 'delete') {
      // Events expire (TTL); an expired event says nothing new about the pod.
      if (uid) this.ledger.forgetEvent(uid);
      return;
    }
    const observedAt = this.observedAt();
    let detail: PodEventSnapshot;
    try {
      const compact = podEvent(raw, Boolean(this.config.forwardMessages));
      if (!compact) return;
      // With a label selector, only events about the selected pods.
      if (this.config.selector && compact.podUid) {
        if (!this.ledger.isLive(compact.podUid) && !this.ledger.isDeleted(compact.podUid)) return;
      }
      detail = podEventSnapshot(compact, { cluster: this.config.cluster, observedAt });
    } catch (err) {
      this.metrics.skippedInvalid.inc({ resource: 'events' });
      this.log?.warn('event does not fit the contract, skipped', { uid, error: invalidReason(err) });
      return;
    }
    const { event } = detail;
    // A new version of an Event already sent is a count bump: routine news.
    const news: NewsClass = this.ledger.eventKnown(event.uid) ? 'routine' : 'urgent';
    if (!this.encoder.eventIsNews(event)) {
      this.metrics.skippedNoop.inc({ resource: 'events' });
      return;
    }
    const podUid = event.podUid;
    if (this.facts && podUid) {
      // A pod's Event is one more fact about the pod: it joins the pod's entry if one waits.
      const meta = podEntry(podUid, event.namespace, event.podName, this.ledger.isDeleted(podUid));
      this.bufferFacts(meta, [factOfEvent(event)], news);
      return;
    }
    const md = (raw as KubernetesObject).metadata ?? {};
    this.buffer(
      {
        key: `event:${event.uid}`,
        kind: 'event',
        uid: event.uid,
        namespace: md.namespace ?? event.namespace,
        name: md.name ?? event.podName,
        deleted: false,
      },
      detailEntry(DETAIL_TYPE_EVENT, detail, this.envelope()),
    );
  }

  /** The entry's bus, and its Time: the observation time (the `time` of the event on the bus). */
  private envelope() {
    return { bus: this.config.bus, time: this.observedAt(), source: this.config.source };
  }

  private identity(meta: EntryMeta): PodIdentity {
    return { cluster: this.config.cluster, namespace: meta.namespace, name: meta.name, uid: meta.uid };
  }

  /**
   * A pod's new facts: merged with its entry still waiting in the buffer (one entry per pod per
   * linger window, nothing given up), encoded, buffered; `news` says how soon they matter (the
   * buffer's linger policy).
   */
  private bufferFacts(meta: EntryMeta, delta: readonly Fact[], news: NewsClass): void {
    const merged = this.sender.buffer.merge(meta, delta, news);
    const built = this.encoder.encode(this.identity(merged.meta), merged.facts, this.envelope());
    this.buffer(merged.meta, built, merged.facts, merged.first, merged.linger, merged.readySince);
  }

  private buffer(
    meta: EntryMeta,
    built: BuiltEntry,
    facts?: readonly Fact[],
    first?: number,
    linger?: LingerState,
    readySince?: number,
  ): void {
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
    this.sender.enqueue({ meta, entry: built.entry, size: built.size, facts, first, linger, readySince });
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
   * (same uid) is sent as it is now (with Pod Facts: every fact its ledger holds); a pod no
   * longer there is sent as DELETED (its identity and the deletion; its last statuses were in
   * the dropped entries); an event still there is sent as it is now.
   */
  resync(limit: number): number {
    let n = 0;
    for (const [key, meta] of this.deferred) {
      if (n >= limit || this.shuttingDown) break;
      this.deferred.delete(key);
      n++;
      if (meta.kind === 'event') {
        const obj = this.lookup(this.eventWatchers, meta.namespace, meta.name);
        if (obj) {
          this.ledger.forgetEvent(meta.uid);
          this.onEvent('update', obj);
        }
        continue;
      }
      const cached = meta.deleted ? undefined : this.lookup(this.podWatchers, meta.namespace, meta.name);
      const obj = cached?.metadata?.uid === meta.uid ? cached : undefined;
      const sent = this.facts ? this.ledger.sentFacts(meta.uid) : undefined;
      if (obj && isSlim(obj) && sent) {
        // Every fact the ledger holds (what the dropped entry carried, and more) goes again.
        this.bufferFacts(meta, sent, 'urgent');
      } else if (obj && !isSlim(obj)) {
        this.onPod('MODIFIED', obj, true);
      } else if (this.facts) {
        this.bufferFacts({ ...meta, deleted: true }, deletionFacts(this.identity(meta)), 'urgent');
      } else {
        this.buffer(
          meta,
          detailEntry(
            DETAIL_TYPE_SNAPSHOT,
            deletedSnapshot(this.identity(meta), this.observedAt()),
            this.envelope(),
          ),
        );
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

/** A pod gone while nothing of it is at hand: its identity and its deletion. */
function deletionFacts(id: PodIdentity): Fact[] {
  return [
    { id: 'pod', kind: 'pod', ...id, created: null, owner: null, qos: null },
    { id: 'deleted', kind: 'deleted' },
  ];
}

/** The Pod Snapshot payload's counterpart: a minimal DELETED snapshot. */
function deletedSnapshot(id: PodIdentity, observedAt: string): PodSnapshot {
  return PodSnapshot.parse({
    schemaVersion: SCHEMA_VERSION,
    cluster: id.cluster,
    observedAt,
    type: 'DELETED',
    pod: {
      uid: id.uid,
      namespace: id.namespace,
      name: id.name,
      initContainerCount: 0,
      conditions: [],
      initContainerStatuses: [],
      containerStatuses: [],
    },
  });
}
