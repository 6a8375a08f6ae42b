/**
 * `podlife stats`: count and p50/p90/p99 of scheduling, pending, time-to-ready and crash-loop
 * seconds, restarts and terminations by reason, over the pods of a cluster, namespace or owner
 * created in a time range, per namespace or per owner: `podlife replay`'s statistics table,
 * computed by the API with the same function.
 */

import { type GroupStats, statsOfParts } from '../core/stats.ts';
import { safeText } from '../core/terminal-text.ts';
import { formatSeconds } from '../core/time.ts';
import { StatsResponse } from '../model/api-schemas.ts';
import {
  API_OPTIONS,
  apiOptionsHelp,
  clientOf,
  defaultIo,
  type Io,
  oneCluster,
  outputOf,
  parseCommand,
  runQueryCommand,
} from './api-options.ts';
import { UsageError } from './errors.ts';
import { statsListing } from './format-query.ts';
import { renderListing } from './output.ts';
import { count, pageProgress } from './progress.ts';
import { renderTable } from './table.ts';

const STATS_HELP = `Usage: podlife stats [options]

Statistics over the pods created in a time range: count, p50/p90/p99 (nearest rank) of
scheduling, pending, time-to-ready and crash-loop back-off seconds, restarts and terminations
by reason. A cluster's pods are grouped per namespace, a namespace's per owner.

Options:
  -n, --namespace NS   one namespace
  --owner KIND/NAME    one owner in that namespace (Deployment/web, StatefulSet/db, Job/migrate)
  --since WHEN         start of the range: a duration before now or an RFC 3339 time (default: 24h)
  --until WHEN         end of the range (default: now)
  --by namespace|owner|node  how to group (default: namespace for a cluster, owner for a namespace;
                       node: slow pulls and sandboxes are often one node's fault)
${apiOptionsHelp('stats')}

A range larger than one API request reads (QUERY_BOUNDS.statsBudget) is read in several
requests, their exact parts merged; on a terminal a line shows how far it got.

Columns: TO-SCHEDULE, PENDING-FOR, TO-READY, BACK-OFF as p50/p90/p99 (podlife's durations,
docs/lifecycle-metrics.md); -o json is the API's answer; -o csv the table; --sort-by PODS or
RESTARTS sorts the groups (the total stays first).

Examples:
  podlife stats --since 24h
  podlife stats --namespace payments --since 7d --sort-by RESTARTS
  podlife stats -o csv > stats.csv
  podlife stats -n payments --owner Deployment/api --since 2026-11-01T00:00:00Z -o json`;

const STATS_OPTIONS_OWN = {
  namespace: { type: 'string', short: 'n' },
  owner: { type: 'string' },
  since: { type: 'string', default: '24h' },
  until: { type: 'string' },
  by: { type: 'string' },
} as const;

/** Every option the command takes (for "did you mean"). */
export const STATS_OPTIONS = { ...API_OPTIONS, ...STATS_OPTIONS_OWN };

export async function statsCommand(argv: string[], io: Io = defaultIo()): Promise<number> {
  const { values, positionals } = parseCommand(argv, STATS_OPTIONS_OWN);
  if (values.help) {
    io.out.write(`${STATS_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  if (values.owner && !values.namespace)
    throw new UsageError('--owner needs --namespace: owners are namespaced');
  if (values.by && values.by !== 'namespace' && values.by !== 'owner' && values.by !== 'node')
    throw new UsageError(`--by ${values.by}: use namespace, owner or node`);
  outputOf('stats', values);
  const client = clientOf(values, io.env);
  return runQueryCommand('stats', io, async () => {
    const cluster = await oneCluster(client, values.cluster);
    const groupBy = values.by ?? (values.owner ? undefined : values.namespace ? 'owner' : 'namespace');
    // A range larger than one request reads is a pass of pages: follow them, merge their parts.
    const pages: StatsResponse[] = [];
    const progress = passProgress(io.err);
    let nextToken: string | undefined;
    do {
      const page = await client.get('/stats', StatsResponse, {
        cluster,
        namespace: values.namespace,
        owner: values.owner,
        since: values.since,
        until: values.until,
        groupBy,
        nextToken,
      });
      pages.push(page);
      nextToken = page.nextToken;
      progress.update(page, pages.length);
    } while (nextToken);
    progress.done();
    const s = mergedStats(pages);
    const scope = [cluster, s.namespace, s.owner].filter(Boolean).join('/');
    const rows = [{ key: `${scope} (all)`, stats: s.stats }, ...(s.groups ?? [])];
    const title = groupBy === 'owner' ? 'OWNER' : groupBy === 'node' ? 'NODE' : 'NAMESPACE';
    io.out.write(renderListing(statsListing('stats', title, rows, { pinned: 1, data: s }), values, io.out));
    if (values.output === 'json' || values.output === 'yaml') return 0;
    // Issue 11: the startup waterfall's stages and the pod startup SLI, with its SLO (a second
    // table on a terminal's output only: csv stays one table; json and yaml carry them already).
    if (values.output === 'table' || values.output === 'wide')
      io.out.write(`\n${startupTable(title, rows)}\n`);
    io.err.write(
      `\npods created ${safeText(String(s.since))} to ${safeText(String(s.until))}${
        pages.length > 1 ? `; ${count(s.progress?.pods ?? 0)} pods read in ${pages.length} requests` : ''
      }\n`,
    );
    return 0;
  });
}

/**
 * The answer of a pass's pages: one page that read the whole range is the answer itself;
 * the pages of a pass (`mergePages`) have their parts merged (core/stats.ts statsOfParts),
 * which is exactly what one request over the whole range answers, and say so no more
 * (`-o json` prints the same document either way, with the last page's progress).
 */
export function mergedStats(pages: readonly StatsResponse[]): StatsResponse {
  const last = pages.at(-1);
  if (!last) throw new Error('no page of /stats');
  if (!last.mergePages) return last;
  const { stats, groups } = statsOfParts(pages.flatMap((p) => p.parts ?? []));
  const { parts: _parts, capped: _capped, nextToken: _token, groupBy, ...rest } = last;
  return {
    ...rest,
    stats,
    mergePages: false,
    ...(groupBy ? { groupBy, groups } : {}),
  };
}

/** The pass's progress line: pods read, and how much of the range. */
const passProgress = (stream: NodeJS.WritableStream) =>
  pageProgress<StatsResponse>(
    stream,
    (page, requests) =>
      `read ${count(page.progress?.pods ?? 0)} pods (${Math.floor((page.progress?.rangeRead ?? 0) * 100)}% of the range), ${requests} requests`,
  );

function triple(d: GroupStats['startupSliSeconds']): string {
  if (d.count === 0) return '-';
  return `${formatSeconds(d.p50)}/${formatSeconds(d.p90)}/${formatSeconds(d.p99)}`;
}

/** The startup waterfall's stages and the pod startup SLI, p50/p90/p99 per group, with the SLO met or not. */
export function startupTable(title: string, groups: readonly { key: string; stats: GroupStats }[]): string {
  const rows = groups.map(({ key, stats: st }) => [
    key,
    triple(st.sandboxReadyAfterSeconds),
    triple(st.initializedAfterSeconds),
    triple(st.imagePullSeconds),
    triple(st.containersStartedAfterSeconds),
    triple(st.containersReadyAfterSeconds),
    `${triple(st.startupSliSeconds)} (${st.startupSliSeconds.count})`,
    st.startupSlo.met == null ? '-' : st.startupSlo.met ? 'met' : 'NOT MET',
  ]);
  return renderTable(
    [
      title,
      'SANDBOX p50/90/99',
      'INITIALIZED p50/90/99',
      'PULL p50/90/99',
      'STARTED p50/90/99',
      'CONTAINERS-READY p50/90/99',
      'SLI p50/90/99 (PODS)',
      'SLO p99<=5s',
    ],
    rows,
  );
}
