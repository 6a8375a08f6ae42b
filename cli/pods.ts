/**
 * `podlife pods`: find pods by what happened to them (GET /pods): created in a time range,
 * filtered by namespace, owner, node, phase, kubectl STATUS, termination or waiting reason and
 * figure minimums, sorted by creation or any numeric figure; a kubectl-like table or JSON.
 */

import { safeText } from '../core/terminal-text.ts';
import { formatSeconds } from '../core/time.ts';
import { type FoundPod, NUMERIC_FIGURES, type NumericFigure, PodsResponse } from '../model/api-schemas.ts';
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
import { age } from './columns.ts';
import { UsageError } from './errors.ts';
import { type Column, type Listing, renderListing } from './output.ts';

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
  --sort-by FIGURE       a numeric figure, sorted by the API over the whole range (largest
                         first; the Seconds suffix may be left out): ${NUMERIC_FIGURES.join(', ')};
                         a column (AGE, NODE, ...) sorts the rows printed, as in every listing
  --order asc|desc       the API's order (default desc: newest or largest first; pods
                         without the figure last)
  --limit N              at most N pods (default: 50)
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

/** kubectl's columns (NAMESPACE NAME STATUS RESTARTS AGE NODE), then the sort figure's. */
export function foundPodColumns(sortBy: string): Column<FoundPod>[] {
  const figure = sortBy === 'created' ? undefined : figureNamed(sortBy);
  return [
    { name: 'NAMESPACE', value: (p) => p.namespace },
    { name: 'NAME', value: (p) => p.name },
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
  const limit = Number(values.limit);
  if (!/^\d+$/.test(values.limit) || limit < 1 || limit > 100_000)
    throw new UsageError(`--limit ${values.limit}: a whole number from 1 to 100000`);
  const minimums = Object.fromEntries((values.min ?? []).map(minimumOf));
  outputOf('pods', values);
  const client = clientOf(values, io.env);
  return runQueryCommand('pods', io, async () => {
    const cluster = await oneCluster(client, values.cluster);
    const pods: FoundPod[] = [];
    let nextToken: string | undefined;
    let windowed = false;
    let range = '';
    do {
      const page: PodsResponse = await client.get('/pods', PodsResponse, {
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
        sortBy: sortBy ?? 'created',
        order: values.order,
        limit: Math.min(1000, limit - pods.length),
        nextToken,
      });
      pods.push(...page.pods);
      if (page.capped && sortBy !== undefined && sortBy !== 'created') windowed = true;
      range = `${page.since} to ${page.until}`;
      nextToken = page.nextToken;
    } while (nextToken && pods.length < limit);
    const listing = foundPodsListing(pods, sortBy ?? 'created');
    io.out.write(renderListing(listing, { ...values, 'sort-by': rowSort }, io.out));
    io.err.write(`\npods created ${safeText(range)}${nextToken ? `; more follow (--limit ${limit})` : ''}\n`);
    if (windowed)
      io.err.write(
        'the range holds more pods than one request reads: sorted within each window of pods read; narrow the range for one order\n',
      );
    return 0;
  });
}
