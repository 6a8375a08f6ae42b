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
  API_OPTIONS_HELP,
  clientOf,
  defaultIo,
  type Io,
  oneCluster,
  outputOf,
  parseCommand,
  runQueryCommand,
} from './api-options.ts';
import { UsageError } from './errors.ts';
import { renderTable } from './table.ts';

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
  --sort-by FIGURE       created (default) or a numeric figure: ${NUMERIC_FIGURES.join(', ')}
  --order asc|desc       default desc: newest or largest first (pods without the figure last)
  --limit N              at most N pods (default: 50)
${API_OPTIONS_HELP}

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
  'sort-by': { type: 'string', default: 'created' },
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

/** kubectl's columns (NAMESPACE NAME STATUS RESTARTS AGE NODE), and the sort figure's. */
export function foundPodsTable(pods: readonly FoundPod[], sortBy: string): string {
  const figure = sortBy === 'created' ? undefined : figureNamed(sortBy);
  return renderTable(
    ['NAMESPACE', 'NAME', 'STATUS', 'RESTARTS', 'AGE', 'NODE', ...(figure ? [figure.toUpperCase()] : [])],
    pods.map((p) => [
      p.namespace,
      p.name,
      p.status ?? p.phase,
      String(p.restarts),
      p.ageSeconds == null ? '-' : formatSeconds(p.ageSeconds),
      p.node ?? '<none>',
      ...(figure ? [figureCell(figure, p.figures[figure])] : []),
    ]),
  );
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
  const sortBy = values['sort-by'] === 'created' ? 'created' : figureNamed(values['sort-by']);
  if (!sortBy)
    throw new UsageError(
      `--sort-by ${values['sort-by']}: use created or one of ${NUMERIC_FIGURES.join(', ')}`,
    );
  if (values.order !== 'asc' && values.order !== 'desc')
    throw new UsageError(`--order ${values.order}: use asc or desc`);
  const limit = Number(values.limit);
  if (!/^\d+$/.test(values.limit) || limit < 1 || limit > 100_000)
    throw new UsageError(`--limit ${values.limit}: a whole number from 1 to 100000`);
  const minimums = Object.fromEntries((values.min ?? []).map(minimumOf));
  const output = outputOf(values);
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
        sortBy,
        order: values.order,
        limit: Math.min(1000, limit - pods.length),
        nextToken,
      });
      pods.push(...page.pods);
      if (page.capped && sortBy !== 'created') windowed = true;
      range = `${page.since} to ${page.until}`;
      nextToken = page.nextToken;
    } while (nextToken && pods.length < limit);
    if (output === 'json') io.out.write(`${JSON.stringify(pods, null, 2)}\n`);
    else io.out.write(pods.length ? `${foundPodsTable(pods, sortBy)}\n` : 'No pods found.\n');
    io.err.write(`\npods created ${safeText(range)}${nextToken ? `; more follow (--limit ${limit})` : ''}\n`);
    if (windowed)
      io.err.write(
        'the range holds more pods than one request reads: sorted within each window of pods read; narrow the range for one order\n',
      );
    return 0;
  });
}
