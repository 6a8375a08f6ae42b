/**
 * The forwarder's own counters and gauges, rendered in the Prometheus text exposition format
 * (version 0.0.4) for /metrics. No client library: a dozen series do not need one.
 *
 * Labels are part of the type of each metric and only ever take values written in this
 * codebase (watch types, drop reasons, resource names). No pod name, namespace, uid or
 * message can reach a label, so /metrics can never carry a secret or explode in cardinality.
 */

type LabelValues<L extends string> = { [K in L]: string };

interface Series {
  labels: string;
  value: number;
}

abstract class Metric<L extends string> {
  protected readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  protected key(labels?: LabelValues<L>): Series {
    const text = labels
      ? Object.entries<string>(labels)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(',')
      : '';
    let s = this.series.get(text);
    if (!s) {
      s = { labels: text, value: 0 };
      this.series.set(text, s);
    }
    return s;
  }

  /** Current value of one series (0 when never touched). */
  get(labels?: LabelValues<L>): number {
    return this.key(labels).value;
  }

  /** Sum over all series of this metric. */
  total(): number {
    let t = 0;
    for (const s of this.series.values()) t += s.value;
    return t;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    if (this.series.size === 0 && this.type === 'gauge') lines.push(`${this.name} 0`);
    for (const s of this.series.values()) {
      lines.push(`${this.name}${s.labels ? `{${s.labels}}` : ''} ${formatValue(s.value)}`);
    }
    return lines.join('\n');
  }
}

export class Counter<L extends string = never> extends Metric<L> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(...args: [L] extends [never] ? [n?: number] : [labels: LabelValues<L>, n?: number]): void {
    const [a, b] = args as [LabelValues<L> | number | undefined, number | undefined];
    if (typeof a === 'object') this.key(a).value += b ?? 1;
    else this.key().value += a ?? 1;
  }
}

export class Gauge<L extends string = never> extends Metric<L> {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
  set(...args: [L] extends [never] ? [value: number] : [labels: LabelValues<L>, value: number]): void {
    const [a, b] = args as [LabelValues<L> | number, number | undefined];
    if (typeof a === 'object') this.key(a).value = b ?? 0;
    else this.key().value = a;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
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

/** All of the forwarder's metrics, by name. One instance per process (or per test). */
export class ForwarderMetrics {
  readonly watchEvents = new Counter<'resource' | 'type'>(
    'podlife_forwarder_watch_events_total',
    'Objects received from the Kubernetes API (list items and watch events), by resource and type.',
  );
  readonly forwarded = new Counter<'detail_type'>(
    'podlife_forwarder_forwarded_total',
    'Entries accepted by the sink.',
  );
  readonly forwardedBytes = new Counter(
    'podlife_forwarder_forwarded_bytes_total',
    'Size of the accepted entries, computed the way EventBridge computes PutEvents entry size.',
  );
  readonly skippedNoop = new Counter<'resource'>(
    'podlife_forwarder_skipped_noop_total',
    'Updates that changed nothing lifecycle-relevant (labels, annotations, resourceVersion...) and were not sent.',
  );
  readonly skippedInvalid = new Counter<'resource'>(
    'podlife_forwarder_skipped_invalid_total',
    'Objects that could not be projected to the snapshot contract (validation failed).',
  );
  readonly failed = new Counter<'reason'>(
    'podlife_forwarder_failed_total',
    'Entry send attempts that failed: reason "entry" (FailedEntryCount in a PutEvents answer) or "call" (the whole call failed: throttling, outage).',
  );
  readonly retried = new Counter(
    'podlife_forwarder_retried_total',
    'Entries sent again after a failed attempt.',
  );
  readonly dropped = new Counter<'reason'>(
    'podlife_forwarder_dropped_total',
    'Entries given up, by reason (superseded, deferred, lost, too_large, rejected, shutdown).',
  );
  readonly coalesced = new Counter(
    'podlife_forwarder_coalesced_total',
    'Unsent Pod Facts entries merged into a newer one of the same pod (nothing lost: the merge carries both).',
  );
  readonly trimmed = new Counter(
    'podlife_forwarder_trimmed_total',
    'Snapshots whose messages were shortened to stay under 64 KB.',
  );
  readonly putCalls = new Counter<'outcome'>(
    'podlife_forwarder_put_calls_total',
    'Calls to the sink (PutEvents or local POST), by outcome (ok, partial, error).',
  );
  readonly bufferEntries = new Gauge('podlife_forwarder_buffer_entries', 'Entries waiting to be sent.');
  readonly bufferBytes = new Gauge('podlife_forwarder_buffer_bytes', 'Entry bytes waiting to be sent.');
  readonly deferredPods = new Gauge(
    'podlife_forwarder_deferred_keys',
    'Pods (and events) whose latest state was pushed out of the full buffer and awaits a re-send.',
  );
  readonly watchRestarts = new Counter<'resource' | 'reason'>(
    'podlife_forwarder_watch_restarts_total',
    'Watch restarts, by resource and reason (error: the informer failed and was restarted with back-off; gone: 410 Gone and relist; closed: the server ended the watch).',
  );
  readonly relists = new Counter<'resource'>('podlife_forwarder_relists_total', 'Full lists of a resource.');
  readonly synthesizedDeletes = new Counter(
    'podlife_forwarder_synthesized_deletes_total',
    'Pods found gone at a relist (deleted while the watch was away) and sent as DELETED.',
  );
  readonly ready = new Gauge('podlife_forwarder_ready', '1 once every pod informer has completed a list.');

  all(): { render(): string }[] {
    return [
      this.watchEvents,
      this.forwarded,
      this.forwardedBytes,
      this.skippedNoop,
      this.skippedInvalid,
      this.failed,
      this.retried,
      this.dropped,
      this.coalesced,
      this.trimmed,
      this.putCalls,
      this.bufferEntries,
      this.bufferBytes,
      this.deferredPods,
      this.watchRestarts,
      this.relists,
      this.synthesizedDeletes,
      this.ready,
    ];
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    return `${this.all()
      .map((m) => m.render())
      .join('\n')}\n`;
  }
}
