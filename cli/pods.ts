/**
 * `podlife pods`: find pods by what happened to them (GET /pods): created in a time range,
 * filtered by namespace, owner, node, phase, kubectl STATUS, termination or waiting reason and
 * figure minimums, sorted by creation or any numeric figure; a kubectl-like table or JSON.
 */

import { safeText } from '../core/terminal-text.ts';
import { formatSeconds } from '../core/time.ts';
import {
  type FoundPod,
  MAX_LIMIT,
  NUMERIC_FIGURES,
  type NumericFigure,
  PodsResponse,
} from '../model/api-schemas.ts';
import { mergedTop } from '../model/pod-search.ts';
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
import { age, readyShare, readyText } from './columns.ts';
import { UsageError } from './errors.ts';
import { type Column, type Listing, renderListing } from './output.ts';
import { count, pageProgress } from './progress.ts';

const PODS_HELP = `Usage: podlife pods [options]

Finds the pods created in a time range by what happened to them, sorted by creation (newest
first) or by any numeric figure (largest first), like kubectl get pods with a memory.

Options:
  -n, --namespace NS     one namespace
  --owner KIND/NAME      one owner in that namespace (Deployment/web, Job/migrate)
  --node NAME            pods on this node
  --phase PHASE          Pending, Running, Succeeded, Failed or Unknown
  --status STATUS        kubectl's STATUS: OOMKilled, CrashLoopBackOff, Init:Error, Evicted, ...
  --reason REASON        the last container termination's reason: OOMKilled, Error, ...
  --waiting-reason R     what a container waits for now: ImagePullBackOff, ...
  --min FIGURE=N         only pods whose figure is at least N (repeatable); the Seconds
                         suffix may be left out: --min timeToReady=60
  --since WHEN           created from: a duration before now or an RFC 3339 time (default: 24h)
  --until WHEN           created before (default: now)
  --sort-by FIGURE       a numeric figure: the first N of the whole range by it (largest
                         first; the Seconds suffix may be left out): ${NUMERIC_FIGURES.join(', ')};
                         a column (AGE, NODE, ...) sorts the rows printed, as in every listing
  --order asc|desc       the API's order (default desc: newest or largest first; pods
                         without the figure last)
  --limit N              at most N pods (default: 50; with a figure sort at most 1000)

Each API request reads a bounded part of the range; the command follows the pages to the
end (sorted by creation: until N pods), showing how far it got on a terminal, and merges a
figure sort's pages into one order.
${apiOptionsHelp('pods')}

Examples:
  podlife pods --namespace payments --reason OOMKilled --since 24h
  podlife pods --sort-by timeToReadySeconds --since 1h --limit 20
  podlife pods --node ip-10-0-1-7 --min scheduledAfter=60 -o json`;

const PODS_OPTIONS_OWN = {
  namespace: { type: 'string', short: 'n' },
  owner: { type: 'string' },
  node: { type: 'string' },
  phase: { type: 'string' },
  status: { type: 'string' },
  reason: { type: 'string' },
  'waiting-reason': { type: 'string' },
  min: { type: 'string', multiple: true },
  since: { type: 'string', default: '24h' },
  until: { type: 'string' },
  order: { type: 'string', default: 'desc' },
  limit: { type: 'string', default: '50' },
} as const;

/** Every option the command takes (for "did you mean"). */
export const PODS_OPTIONS = { ...API_OPTIONS, ...PODS_OPTIONS_OWN };

/** A figure by its name, or by its name without the `Seconds` suffix (`timeToReady`). */
export function figureNamed(name: string): NumericFigure | undefined {
  const all: readonly string[] = NUMERIC_FIGURES;
  if (all.includes(name)) return name as NumericFigure;
  if (all.includes(`${name}Seconds`)) return `${name}Seconds` as NumericFigure;
  return undefined;
}

/** `--min FIGURE=N` → the query parameter `min.FIGURE=N`. */
function minimumOf(arg: string): [string, string] {
  const m = /^([A-Za-z]+)=(-?\d+(?:\.\d+)?)$/.exec(arg);
  const figure = m?.[1] ? figureNamed(m[1]) : undefined;
  if (!m || !figure)
    throw new UsageError(`--min ${arg}: use FIGURE=N with a numeric figure (${NUMERIC_FIGURES.join(', ')})`);
  return [`min.${figure}`, m[2] ?? ''];
}

/** A figure's cell: durations as kubectl ages (`1m30s`), counts as numbers, none as `-`. */
function figureCell(figure: NumericFigure, v: number | null): string {
  if (v == null) return '-';
  return figure.endsWith('Seconds') ? formatSeconds(v) : String(v);
}

/** kubectl's columns (NAMESPACE NAME READY STATUS RESTARTS AGE NODE), then the sort figure's. */
export function foundPodColumns(sortBy: string): Column<FoundPod>[] {
  const figure = sortBy === 'created' ? undefined : figureNamed(sortBy);
  return [
    { name: 'NAMESPACE', value: (p) => p.namespace },
    { name: 'NAME', value: (p) => p.name },
    { name: 'READY', value: (p) => readyText(p.ready), sort: (p) => readyShare(p.ready) },
    { name: 'STATUS', value: (p) => p.status ?? p.phase },
    { name: 'RESTARTS', value: (p) => p.restarts },
    { name: 'AGE', value: (p) => age(p.ageSeconds), sort: (p) => p.ageSeconds },
    { name: 'NODE', value: (p) => p.node },
    ...(figure
      ? [
          {
            name: figure.toUpperCase(),
            value: (p: FoundPod) => figureCell(figure, p.figures[figure]),
            sort: (p: FoundPod) => p.figures[figure],
          },
        ]
      : []),
    { name: 'OWNER', value: (p) => (p.owner ? `${p.owner.kind}/${p.owner.name}` : null), wide: true },
    { name: 'UID', value: (p) => p.uid, wide: true },
  ];
}

/** The walk's progress line: pods examined and matched, and how much of the range. */
const progressLine = (stream: NodeJS.WritableStream) =>
  pageProgress<PodsResponse>(stream, (page, requests) => {
    const { examined, matched, rangeRead } = page.progress;
    return `examined ${count(examined)} pods (${Math.floor(rangeRead * 100)}% of the range), ${count(matched)} matched, ${requests} requests`;
  });

/** `podlife pods`' rows as a listing (table, wide, csv, json, yaml: cli/output.ts). */
export function foundPodsListing(pods: readonly FoundPod[], sortBy: string): Listing<FoundPod> {
  return { command: 'pods', rows: pods, columns: foundPodColumns(sortBy), empty: 'No pods found.' };
}

export async function podsCommand(argv: string[], io: Io = defaultIo()): Promise<number> {
  const { values, positionals } = parseCommand(argv, PODS_OPTIONS_OWN);
  if (values.help) {
    io.out.write(`${PODS_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  if (values.owner && !values.namespace)
    throw new UsageError('--owner needs --namespace: owners are namespaced');
  // --sort-by a figure (or `created`) is the API's sort, over the whole range; anything else is
  // the listing's sort of the rows printed (a column or a JSON field, as every command takes).
  const asked = values['sort-by'];
  const sortBy = asked === undefined || asked === 'created' ? 'created' : figureNamed(asked);
  const rowSort = sortBy === undefined ? asked : undefined;
  if (values.order !== 'asc' && values.order !== 'desc')
    throw new UsageError(`--order ${values.order}: use asc or desc`);
  const order: 'asc' | 'desc' = values.order === 'asc' ? 'asc' : 'desc';
  const limit = Number(values.limit);
  if (!/^\d+$/.test(values.limit) || limit < 1 || limit > 100_000)
    throw new UsageError(`--limit ${values.limit}: a whole number from 1 to 100000`);
  const minimums = Object.fromEntries((values.min ?? []).map(minimumOf));
  outputOf('pods', values);
  const api = sortBy ?? 'created';
  // Sorted by a figure the API keeps the first `limit` of the range (merged over a pass of
  // pages): the top N, at most one page's worth.
  if (api !== 'created' && limit > MAX_LIMIT)
    throw new UsageError(
      `--limit ${values.limit} with --sort-by ${api}: at most ${MAX_LIMIT} (the first N by a figure); sort by creation for more`,
    );
  const client = clientOf(values, io.env);
  return runQueryCommand('pods', io, async () => {
    const cluster = await oneCluster(client, values.cluster);
    const pods: FoundPod[] = [];
    const progress = progressLine(io.err);
    let nextToken: string | undefined;
    let page: PodsResponse | undefined;
    let requests = 0;
    do {
      page = await client.get('/pods', PodsResponse, {
        cluster,
        since: values.since,
        until: values.until,
        namespace: values.namespace,
        owner: values.owner,
        node: values.node,
        phase: values.phase,
        status: values.status,
        terminationReason: values.reason,
        waitingReason: values['waiting-reason'],
        ...minimums,
        sortBy: api,
        order: values.order,
        // A figure sort's pass keeps one page size; by creation, only what is still wanted.
        limit: api === 'created' ? Math.min(MAX_LIMIT, limit - pods.length) : limit,
        nextToken,
      });
      requests++;
      pods.push(...page.pods);
      nextToken = page.nextToken;
      progress.update(page, requests);
      // A pass's pages are merged: read on to its end. Else stop once N pods are in.
    } while (nextToken && (page.mergePages || pods.length < limit));
    progress.done();
    const shown = api === 'created' ? pods.slice(0, limit) : mergedTop(pods, api, order, limit);
    const listing = foundPodsListing(shown, api);
    io.out.write(renderListing(listing, { ...values, 'sort-by': rowSort }, io.out));
    const { examined, matched } = page.progress;
    io.err.write(
      `\npods created ${safeText(`${page.since} to ${page.until}`)}${nextToken ? `; more follow (--limit ${limit})` : ''}\n` +
        `examined ${count(examined)} pods in ${requests} request${requests === 1 ? '' : 's'}, ${count(matched)} matched${
          api !== 'created' && requests > 1 ? `; the first ${limit} by ${api} of all of them` : ''
        }\n`,
    );
    return 0;
  });
}
