/**
 * The forwarder's own counters and gauges, served on /metrics by `prom-client` (the Prometheus
 * text exposition format), each ForwarderMetrics with its own Registry (tests create several
 * forwarders), plus, for the process (`processMetrics`), prom-client's default metrics: CPU,
 * memory, heap, GC, file descriptors and the event loop's lag.
 *
 * Labels are part of the type of each metric and only ever take values written in this
 * codebase (watch types, drop reasons, resource names). No pod name, namespace, uid or
 * message can reach a label, so /metrics can never carry a secret or explode in cardinality.
 *
 * Each metric also keeps its values where the code can read them synchronously (`get`,
 * `total`): the forwarder's logs and the tests read them; prom-client's own reads are async.
 */
import { collectDefaultMetrics, Counter as PromCounter, Gauge as PromGauge, Registry } from 'prom-client';

type LabelValues<L extends string> = { [K in L]: string };

/** Labels in name order: one series per set, whatever order the caller wrote them in. */
function sorted<L extends string>(labels: LabelValues<L>): LabelValues<L> {
  return Object.fromEntries(
    Object.entries<string>(labels).sort(([a], [b]) => (a < b ? -1 : 1)),
  ) as LabelValues<L>;
}

abstract class Metric<L extends string> {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    private readonly registry: Registry,
  ) {}

  protected key(labels?: LabelValues<L>): string {
    return labels ? JSON.stringify(labels) : '';
  }

  protected add(key: string, n: number): void {
    this.values.set(key, (this.values.get(key) ?? 0) + n);
  }

  protected put(key: string, n: number): void {
    this.values.set(key, n);
  }

  /** Current value of one series (0 when never touched). */
  get(labels?: LabelValues<L>): number {
    return this.values.get(this.key(labels && sorted(labels))) ?? 0;
  }

  /** Sum over all series of this metric. */
  total(): number {
    let t = 0;
    for (const v of this.values.values()) t += v;
    return t;
  }

  /** This metric in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.getSingleMetricAsString(this.name);
  }
}

export class Counter<L extends string = never> extends Metric<L> {
  private readonly prom: PromCounter<L>;
  constructor(name: string, help: string, labelNames: readonly L[] = [], registry = new Registry()) {
    super(name, registry);
    this.prom = new PromCounter({ name, help, labelNames, registers: [registry] });
  }
  inc(...args: [L] extends [never] ? [n?: number] : [labels: LabelValues<L>, n?: number]): void {
    const [a, b] = args as [LabelValues<L> | number | undefined, number | undefined];
    if (typeof a === 'object') {
      const labels = sorted(a);
      this.prom.inc(labels, b ?? 1);
      this.add(this.key(labels), b ?? 1);
    } else {
      this.prom.inc(a ?? 1);
      this.add('', a ?? 1);
    }
  }
}

export class Gauge<L extends string = never> extends Metric<L> {
  private readonly prom: PromGauge<L>;
  constructor(name: string, help: string, labelNames: readonly L[] = [], registry = new Registry()) {
    super(name, registry);
    this.prom = new PromGauge({ name, help, labelNames, registers: [registry] });
  }
  set(...args: [L] extends [never] ? [value: number] : [labels: LabelValues<L>, value: number]): void {
    const [a, b] = args as [LabelValues<L> | number, number | undefined];
    if (typeof a === 'object') {
      const labels = sorted(a);
      this.prom.set(labels, b ?? 0);
      this.put(this.key(labels), b ?? 0);
    } else {
      this.prom.set(a);
      this.put('', a);
    }
  }
}

/** Why a buffered entry was given up. Every drop is counted under exactly one reason. */
export type DropReason =
  /** An older snapshot of a pod whose newer snapshot is still buffered (the policy's first choice). */
  | 'superseded'
  /**
   * The oldest latest snapshot of a pod, when the buffer holds nothing superseded. Not lost:
   * the pod is marked and its current state is re-read from the informer cache and re-sent
   * once the buffer has room (see Forwarder.resync).
   */
  | 'deferred'
  /** A deferred pod that could not be re-sent (the deferred set itself is full). */
  | 'lost'
  /** Larger than EventBridge accepts (256 KB) even after trimming messages. */
  | 'too_large'
  /** Rejected by the bus for a reason retrying cannot fix, or failed too many times. */
  | 'rejected'
  /** Still buffered when the shutdown flush deadline passed. */
  | 'shutdown';

export interface MetricsOptions {
  /** Also prom-client's default metrics (process and event loop): the forwarder process's. */
  processMetrics?: boolean | undefined;
}

/** All of the forwarder's metrics, by name, in one Registry. One instance per Forwarder. */
export class ForwarderMetrics {
  readonly registry = new Registry();
  readonly watchEvents = new Counter(
    'podlife_forwarder_watch_events_total',
    'Objects received from the Kubernetes API (list items and watch events), by resource and type.',
    ['resource', 'type'],
    this.registry,
  );
  readonly forwarded = new Counter(
    'podlife_forwarder_forwarded_total',
    'Entries accepted by the sink.',
    ['detail_type'],
    this.registry,
  );
  readonly forwardedBytes = new Counter(
    'podlife_forwarder_forwarded_bytes_total',
    'Size of the accepted entries, computed the way EventBridge computes PutEvents entry size.',
    [],
    this.registry,
  );
  readonly skippedNoop = new Counter(
    'podlife_forwarder_skipped_noop_total',
    'Updates that changed nothing lifecycle-relevant (labels, annotations, resourceVersion...) and were not sent.',
    ['resource'],
    this.registry,
  );
  readonly skippedInvalid = new Counter(
    'podlife_forwarder_skipped_invalid_total',
    'Objects that could not be projected to the snapshot contract (validation failed).',
    ['resource'],
    this.registry,
  );
  readonly failed = new Counter(
    'podlife_forwarder_failed_total',
    'Entry send attempts that failed: reason "entry" (FailedEntryCount in a PutEvents answer) or "call" (the whole call failed: throttling, outage).',
    ['reason'],
    this.registry,
  );
  readonly retried = new Counter(
    'podlife_forwarder_retried_total',
    'Entries sent again after a failed attempt.',
    [],
    this.registry,
  );
  readonly dropped = new Counter(
    'podlife_forwarder_dropped_total',
    'Entries given up, by reason (superseded, deferred, lost, too_large, rejected, shutdown).',
    ['reason'],
    this.registry,
  );
  readonly coalesced = new Counter(
    'podlife_forwarder_coalesced_total',
    'Unsent Pod Facts entries merged into a newer one of the same pod (nothing lost: the merge carries both).',
    [],
    this.registry,
  );
  readonly trimmed = new Counter(
    'podlife_forwarder_trimmed_total',
    'Snapshots whose messages were shortened to stay under 64 KB.',
    [],
    this.registry,
  );
  readonly putCalls = new Counter(
    'podlife_forwarder_put_calls_total',
    'Calls to the sink (PutEvents or local POST), by outcome (ok, partial, error).',
    ['outcome'],
    this.registry,
  );
  readonly bufferEntries = new Gauge(
    'podlife_forwarder_buffer_entries',
    'Entries waiting to be sent.',
    [],
    this.registry,
  );
  readonly bufferBytes = new Gauge(
    'podlife_forwarder_buffer_bytes',
    'Entry bytes waiting to be sent.',
    [],
    this.registry,
  );
  readonly deferredPods = new Gauge(
    'podlife_forwarder_deferred_keys',
    'Pods (and events) whose latest state was pushed out of the full buffer and awaits a re-send.',
    [],
    this.registry,
  );
  readonly watchRestarts = new Counter(
    'podlife_forwarder_watch_restarts_total',
    'Watch restarts, by resource and reason (error: the informer failed and was restarted with back-off; gone: 410 Gone and relist; closed: the server ended the watch).',
    ['resource', 'reason'],
    this.registry,
  );
  readonly relists = new Counter(
    'podlife_forwarder_relists_total',
    'Full lists of a resource.',
    ['resource'],
    this.registry,
  );
  readonly synthesizedDeletes = new Counter(
    'podlife_forwarder_synthesized_deletes_total',
    'Pods found gone at a relist (deleted while the watch was away) and sent as DELETED.',
    [],
    this.registry,
  );
  readonly heartbeats = new Counter(
    'podlife_forwarder_heartbeats_total',
    'Forwarder Heartbeat entries sent, by outcome (ok, failed).',
    ['outcome'],
    this.registry,
  );
  readonly inventories = new Counter(
    'podlife_forwarder_inventories_total',
    'Pod Inventory lists sent after a list (ok), given up after retries (failed), or superseded by a newer list.',
    ['outcome'],
    this.registry,
  );
  readonly inventoryEntries = new Counter(
    'podlife_forwarder_inventory_entries_total',
    'Pod Inventory entries accepted by the sink.',
    [],
    this.registry,
  );
  readonly ready = new Gauge(
    'podlife_forwarder_ready',
    '1 once every pod informer has completed a list.',
    [],
    this.registry,
  );

  constructor(opts: MetricsOptions = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The content type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
