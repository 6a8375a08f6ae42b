/**
 * `podlife replay`: recorded watch streams, Pod Lists and Pods in; per-pod lifecycle figures
 * and per-namespace / per-owner percentiles out. No AWS, no cluster: the pure engine.
 */
import { LifecycleEngine } from '../core/engine.ts';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../core/figures.ts';
import type { PodRecord } from '../core/pod-record.ts';
import { statsBy } from '../core/stats.ts';
import { formatSeconds, parseDuration, toMillis } from '../core/time.ts';
import {
  formatProblem,
  type InputProblem,
  type ReadOptions,
  type ReadStats,
  readInput,
} from '../local/read-inputs.ts';
import { parseCliArgs } from './args.ts';
import { clusterOption } from './cluster-option.ts';
import { podListing, statusOf } from './columns.ts';
import { UsageError } from './errors.ts';
import { statsListing } from './format-query.ts';
import {
  type Listing,
  OUTPUT_FORMATS,
  OUTPUT_OPTIONS,
  outputFormatOf,
  outputOptionsHelp,
  renderListing,
} from './output.ts';
import { progressBar } from './progress.ts';

const REPLAY_HELP = `Usage: podlife replay [options] FILE... | -

Replays recorded pod watch streams and prints each pod's lifecycle figures, then p50/p90/p99
per namespace and per owner. Reads, in any mix and any order:
  - watch streams, one JSON event a line: kubectl get pods -A --watch --output-watch-events -o json
    (or the raw API: curl .../api/v1/pods?watch=1)
  - Pod Lists and single Pods, JSON or YAML: kubectl get pods -A -o yaml
  - core/v1 Events and Event Lists (FailedScheduling, BackOff, ...): kubectl get events -A -o json
  - EventBridge events captured from the podlife bus, one a line (Pod Facts, Pod Snapshot, Pod
    Event, kubernetes-event-exporter's): each carries its own cluster. Pin --now for these: the
    forwarder sends no event for an update that changes no figure, so the input's end may be earlier
  - '-' reads standard input

The pods' table has kubectl's STATUS, RESTARTS (with "(5m ago)") and AGE (to the input's
"now"), then podlife's durations: TO-SCHEDULE, PENDING-FOR, TO-READY, BACK-OFF; STUCK is yes
only for a pod Pending now past --stuck-after. Empty cells print <none>.

Options:
  --json               one JSON array, one object per pod (uid): the figures of
                       docs/lifecycle-metrics.md, cluster, namespace, name, uid, owner, node,
                       timeline (the same as -o json)
${outputOptionsHelp('replay')}
  --cluster NAME       cluster name to record (default: replay)
  --stuck-after DUR    Pending longer than this is stuck (default: 5m; 300, 90s, 1h30m)
  --now TIME           "now" for pods still Pending: an RFC 3339 time, or "wall" for the clock
                       (default: the latest Kubernetes timestamp in the input, the trace's end)
  --no-stats           skip the percentile tables
  --no-progress        no progress bar (it shows only on a terminal, for inputs over 4 MB)
  -h, --help           this help

Exit status: 0 all input used; 2 some objects were rejected, or an input was empty (reported on stderr as
FILE:LINE: reason, the rest still counted); 1 usage error, or a file that cannot be read
(the other files are still replayed and printed).

Examples:
  podlife replay demo/trace.jsonl
  podlife replay demo/trace.jsonl -o wide --sort-by RESTARTS --no-stats
  podlife replay demo/trace.jsonl -o csv > pods.csv
  kubectl get pods -A --watch --output-watch-events -o json | podlife replay --cluster prod -
  kubectl get pods -A -o yaml > pods.yaml && kubectl get events -A -o json > events.json
  podlife replay --json pods.yaml events.json | jq '.[] | select(.stuckPending)'
  podlife replay --now 2026-11-25T12:00:00Z captured-bus-events.jsonl`;

interface ReplayResult {
  records: PodRecord[];
  problems: InputProblem[];
  stats: ReadStats;
  now: number;
  engine: LifecycleEngine;
  /** Files that could not be read at all (missing, a directory, no permission). */
  unreadable: number;
}

export interface ReplayOptions {
  cluster: string;
  stuckAfterSeconds: number;
  /** Epoch ms, 'wall', or undefined for the trace's end. */
  now?: number | 'wall';
  /** Epoch ms the inputs are received at: no time in them may be later, give or take 24 h (default: the wall clock). */
  receivedAt?: number;
  progress?: boolean;
  stdin?: NodeJS.ReadableStream;
  onProblem?: (p: InputProblem) => void;
  /** The reader's caps on one line / one JSON / one YAML document (defaults: 16 / 128 / 8 MiB). */
  limits?: Pick<ReadOptions, 'maxLineChars' | 'maxDocumentChars' | 'maxYamlDocumentChars'>;
}

/** The warning for an input that holds no object at all. */
export const EMPTY_INPUT = 'empty: no Pod, Event or watch event in it (nothing replayed from this input)';

/** Replays files into a fresh engine; the library face of the command. */
export async function replayFiles(files: readonly string[], opts: ReplayOptions): Promise<ReplayResult> {
  const engine = new LifecycleEngine();
  const problems: InputProblem[] = [];
  const stats: ReadStats = { lines: 0, objects: 0, rejected: 0, bytes: 0 };
  const bar = opts.progress ? progressBar('replaying') : undefined;
  const receivedAt = opts.receivedAt ?? Date.now();
  let unreadable = 0;
  for (const file of files) {
    const seenBefore = stats.objects + stats.rejected;
    let readable = true;
    await readInput(
      file,
      {
        ...opts.limits,
        cluster: opts.cluster,
        now: receivedAt,
        stdin: opts.stdin as never,
        onDecoded: (d) => {
          if (d.kind === 'snapshot') engine.applySnapshot(d.snapshot);
          else if (d.kind === 'facts') engine.applyFacts(d.detail, d.facts);
          else engine.applyEvent(d.cluster, d.event);
        },
        onProblem: (p) => {
          problems.push(p);
          opts.onProblem?.(p);
        },
        ...(bar ? { onBytes: (done: number, total: number | null) => bar.update(done, total) } : {}),
      },
      stats,
    ).catch((err: Error & { code?: string }) => {
      // A file that cannot be read is one problem; the files before and after it still count.
      if (!err.code) throw err;
      readable = false;
      unreadable++;
      const p = { file, line: 0, reason: `cannot read: ${err.message}` };
      problems.push(p);
      opts.onProblem?.(p);
    });
    // An input with nothing in it (an empty file, an empty stdin, only blank lines or `---`) is
    // most often the wrong file or a command that printed nothing: said, and exit status 2.
    if (readable && stats.objects + stats.rejected === seenBefore) {
      const p = { file, line: 0, reason: EMPTY_INPUT };
      problems.push(p);
      opts.onProblem?.(p);
    }
  }
  bar?.done();
  const now = opts.now === 'wall' ? Date.now() : (opts.now ?? engine.latestTime ?? Date.now());
  const records = engine.records({ now, stuckAfterSeconds: opts.stuckAfterSeconds });
  return { records, problems, stats, now, engine, unreadable };
}

/** The pods' table as the command prints it into a pipe (at `nowMs`: the trace's end). */
export function podTable(records: readonly PodRecord[], nowMs = Date.now()): string {
  return OUTPUT_FORMATS.table?.render(podListing('replay', records, nowMs) as Listing<unknown>, PIPE) ?? '';
}

const PIPE = { headers: true, truncate: false };

export function ownerKeyOf(r: PodRecord): string | null {
  return r.owner ? `${r.namespace}/${r.owner.kind}/${r.owner.name}` : null;
}

export const REPLAY_OPTIONS = {
  json: { type: 'boolean', default: false },
  ...OUTPUT_OPTIONS,
  cluster: { type: 'string', default: 'replay' },
  'stuck-after': { type: 'string', default: `${DEFAULT_STUCK_AFTER_SECONDS}` },
  now: { type: 'string' },
  'no-stats': { type: 'boolean', default: false },
  'no-progress': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Runs the command; returns the exit code. */
export async function replayCommand(
  argv: string[],
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  const { values, positionals } = parseCliArgs({
    args: argv,
    allowPositionals: true,
    options: REPLAY_OPTIONS,
  });
  if (values.help) {
    out.write(`${REPLAY_HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    err.write(`podlife replay: no input files (use - for stdin)\n\n${REPLAY_HELP}\n`);
    return 1;
  }
  clusterOption(values.cluster);
  const stuckAfterSeconds = parseDuration(values['stuck-after']);
  let now: number | 'wall' | undefined;
  if (values.now === 'wall') now = 'wall';
  else if (values.now) {
    const ms = toMillis(values.now);
    if (ms == null) throw new UsageError(`--now: not an RFC 3339 time or "wall": ${values.now}`);
    now = ms;
  }
  const format = values.json ? 'json' : outputFormatOf('replay', values.output);
  const data = format === 'json' || format === 'yaml';
  const started = Date.now();
  const result = await replayFiles(positionals, {
    cluster: values.cluster,
    stuckAfterSeconds,
    ...(now === undefined ? {} : { now }),
    progress: !values['no-progress'] && !data && format !== 'csv',
    onProblem: (p) => err.write(`${formatProblem(p)}\n`),
  });
  const listing: Listing<PodRecord> = podListing('replay', result.records, result.now);
  if (format === 'table' || format === 'wide') {
    // The statistics follow the pods' table: per namespace, then per owner.
    listing.after = (opts) => {
      if (values['no-stats'] || result.records.length === 0) return [];
      const render = OUTPUT_FORMATS[format]?.render ?? (() => '');
      const table = (title: string, rows: ReturnType<typeof statsBy>) =>
        render(
          statsListing(
            'replay',
            title,
            rows.map(([key, stats]) => ({ key, stats })),
          ) as Listing<unknown>,
          opts,
        );
      const owners = statsBy(result.records, ownerKeyOf);
      return [
        table(
          'NAMESPACE',
          statsBy(result.records, (r) => r.namespace),
        ),
        ...(owners.length ? [table('OWNER', owners)] : []),
      ];
    };
  }
  // --json (and -o json) print exactly what they always have: the records, in the engine's order.
  if (values.json) out.write(`${JSON.stringify(result.records, null, 2)}\n`);
  else out.write(renderListing(listing, { ...values, output: format }, out));
  if (!data) {
    const e = result.engine;
    err.write(
      `\nreplayed ${e.snapshots} snapshots and ${e.events} events of ${result.records.length} pods ` +
        `(${result.stats.rejected} rejected) in ${((Date.now() - started) / 1000).toFixed(2)}s; ` +
        `now = ${new Date(result.now).toISOString()}, stuck after ${formatSeconds(stuckAfterSeconds)}\n`,
    );
  }
  return result.unreadable > 0 ? 1 : result.problems.length > 0 ? 2 : 0;
}

export { statusOf, UsageError };
