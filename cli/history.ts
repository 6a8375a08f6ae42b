/**
 * `podlife history NAMESPACE/NAME`: every incarnation of a pod, newest first, with its figures
 * and timeline, from the query API (`--uid` for one incarnation). `-o json` prints the records
 * exactly as `podlife replay --json` does.
 */

import type { PodRecord } from '../core/pod-record.ts';
import { HistoryResponse, PodResponse } from '../model/api-schemas.ts';
import { ApiError } from './api-client.ts';
import {
  API_OPTIONS,
  apiOptionsHelp,
  clientOf,
  clustersOf,
  defaultIo,
  type Io,
  outputOf,
  parseCommand,
  runQueryCommand,
} from './api-options.ts';
import { UsageError } from './errors.ts';
import { historyListing } from './format-query.ts';
// Registers `-o otlp` (history only) in the output formats.
import './otlp-output.ts';
import { renderListing } from './output.ts';

const HISTORY_HELP = `Usage: podlife history [NAMESPACE/]NAME [options]
       podlife history --uid UID [options]

Shows every incarnation of a pod (a StatefulSet pod's name comes back with a new uid each
time), newest first: its lifecycle figures in replay's columns (STATUS, RESTARTS and AGE as
kubectl prints them; TO-SCHEDULE, PENDING-FOR, TO-READY, BACK-OFF as podlife measures them),
then its timeline (scheduling, pulls, starts, terminations with exit codes and the run they
end, restarts, readiness, events, deletion). -o json prints the records exactly as
'podlife replay --json' does; -o csv the figures' table; -o wide adds PHASE, INIT-FOR,
ALL-RESTARTS, NODE, OWNER and UID.

Options:
  -n, --namespace NS   the pod's namespace (default: default, or NAMESPACE/ in the name)
  --uid UID            one incarnation, by its uid
${apiOptionsHelp('history')}

Examples:
  podlife history default/redis-1
  podlife history -n argocd my-pod --cluster prod -o wide
  podlife history --uid 63674389-1c9a-4c8e-9c1e-2f1f2f0a2b3c --cluster prod -o json
  podlife history default/web-0 -o yaml
  podlife history web-0 --local http://127.0.0.1:4000
  podlife history argocd/my-pod -o otlp > trace.json`;

/** NAMESPACE/NAME or NAME with -n. */
function podArg(arg: string | undefined, namespace: string | undefined): { namespace: string; name: string } {
  if (!arg) throw new UsageError('which pod? Give NAMESPACE/NAME (or --uid UID)');
  const [first, second, ...rest] = arg.split('/');
  if (first === undefined || first === '' || second === '' || rest.length > 0)
    throw new UsageError(`not a pod: ${arg} (use NAMESPACE/NAME)`);
  if (second !== undefined) {
    if (namespace && namespace !== first) throw new UsageError(`-n ${namespace} contradicts ${arg}`);
    return { namespace: first, name: second };
  }
  return { namespace: namespace ?? 'default', name: first };
}

const HISTORY_OPTIONS_OWN = {
  namespace: { type: 'string', short: 'n' },
  uid: { type: 'string' },
} as const;

/** Every option the command takes (for "did you mean"). */
export const HISTORY_OPTIONS = { ...API_OPTIONS, ...HISTORY_OPTIONS_OWN };

export async function historyCommand(argv: string[], io: Io = defaultIo()): Promise<number> {
  const { values, positionals } = parseCommand(argv, HISTORY_OPTIONS_OWN);
  if (values.help) {
    io.out.write(`${HISTORY_HELP}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`one pod at a time (got ${positionals.join(' ')})`);
  outputOf('history', values);
  const pod = values.uid ? undefined : podArg(positionals[0], values.namespace);
  const client = clientOf(values, io.env);
  return runQueryCommand('history', io, async () => {
    const clusters = await clustersOf(client, values.cluster);
    const records: PodRecord[] = [];
    for (const cluster of clusters) {
      try {
        if (values.uid) {
          const r = await client.get(
            `/pods/by-uid/${encodeURIComponent(cluster)}/${encodeURIComponent(values.uid)}`,
            PodResponse,
          );
          records.push(r.pod);
        } else {
          const path = `/pods/${[cluster, pod!.namespace, pod!.name].map(encodeURIComponent).join('/')}`;
          // The route answers a page at a time (newest first): follow every page.
          records.push(...(await client.getAll(path, HistoryResponse, {})));
        }
      } catch (err) {
        // Asked across clusters, a cluster without the pod is no error.
        if (!(err instanceof ApiError && err.status === 404 && !values.cluster)) throw err;
      }
    }
    if (records.length === 0) {
      const what = values.uid ? `uid ${values.uid}` : `${pod!.namespace}/${pod!.name}`;
      throw new ApiError(
        `no pod ${what} in ${values.cluster ? `cluster ${values.cluster}` : `any cluster (${clusters.join(', ')})`}`,
      );
    }
    io.out.write(renderListing(historyListing(records, Date.now()), values, io.out));
    return 0;
  });
}
