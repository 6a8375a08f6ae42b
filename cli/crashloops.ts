/**
 * `podlife crashloops`: pods in CrashLoopBackOff now, with their restarts (all and within the
 * window), when they last restarted, the last termination's reason and exit code.
 */

import { parseDuration } from '../core/time.ts';
import { type CrashLoopingPod, CrashLoopsResponse } from '../model/api-schemas.ts';
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
import { crashLoopSignature } from './columns.ts';
import { UsageError } from './errors.ts';
import { crashLoopListing } from './format-query.ts';
import { intervalMsOf, printOrWatch, WATCH_HELP, WATCH_OPTIONS } from './watch.ts';

const CRASHLOOPS_HELP = `Usage: podlife crashloops [options]

Lists the pods whose containers are in CrashLoopBackOff now: RESTARTS as kubectl prints it
(kubectl's count and "(5m ago)", the age of the last termination kubectl counts), restarts
within the window (IN-1H), the
last termination's reason and exit code (OOMKilled (137), Error (1), ...), the time spent down
in back-off, AGE and owner. -o wide adds NODE, WAITING and UID. Empty cells print <none>.

Options:
  --window DUR         count restarts within this window before now (default: 1h)
  --min-restarts N     only pods with at least N restarts in the window (default: 0)
  -n, --namespace NS   one namespace
${WATCH_HELP}
${apiOptionsHelp('crashloops')}

Examples:
  podlife crashloops
  podlife crashloops --window 15m --min-restarts 3 --cluster prod
  podlife crashloops -w --sort-by RESTARTS
  podlife crashloops -o csv > crashloops.csv
  podlife crashloops -o json | jq -r '.[] | "\\(.namespace)/\\(.name) \\(.lastTerminationReason)"'`;

const CRASHLOOPS_OPTIONS_OWN = {
  window: { type: 'string', default: '1h' },
  'min-restarts': { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  ...WATCH_OPTIONS,
} as const;

/** Every option the command takes (for "did you mean"). */
export const CRASHLOOPS_OPTIONS = { ...API_OPTIONS, ...CRASHLOOPS_OPTIONS_OWN };

export async function crashloopsCommand(argv: string[], io: Io = defaultIo()): Promise<number> {
  const { values, positionals } = parseCommand(argv, CRASHLOOPS_OPTIONS_OWN);
  if (values.help) {
    io.out.write(`${CRASHLOOPS_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  outputOf('crashloops', values);
  const windowSeconds = parseDuration(values.window);
  const intervalMs = intervalMsOf(values);
  const client = clientOf(values, io.env);
  const fetch = async () => {
    const pods: CrashLoopingPod[] = [];
    let now = Date.now();
    for (const cluster of await clustersOf(client, values.cluster)) {
      let nextToken: string | undefined;
      do {
        const page: CrashLoopsResponse = await client.get('/crashloops', CrashLoopsResponse, {
          cluster,
          window: values.window,
          minRestarts: values['min-restarts'],
          namespace: values.namespace,
          limit: 1000,
          nextToken,
        });
        // The API's "now": restarts are counted, and shown as "ago", from the same instant.
        now = Date.parse(page.now);
        pods.push(...page.pods);
        nextToken = page.nextToken;
      } while (nextToken);
    }
    return crashLoopListing(pods, windowSeconds, now);
  };
  return runQueryCommand('crashloops', io, () =>
    printOrWatch(
      {
        command: 'crashloops',
        fetch,
        key: (p: CrashLoopingPod) => `${p.cluster}/${p.uid}`,
        signature: crashLoopSignature,
        intervalMs,
      },
      values,
      io,
    ),
  );
}
