/**
 * `podlife crashloops`: pods in CrashLoopBackOff now, with their restarts (all and within the
 * window), when they last restarted, the last termination's reason and exit code.
 */

import { parseDuration } from '../core/time.ts';
import { type CrashLoopingPod, CrashLoopsResponse } from '../model/api-schemas.ts';
import {
  API_OPTIONS,
  API_OPTIONS_HELP,
  clientOf,
  clustersOf,
  defaultIo,
  type Io,
  outputOf,
  parseCommand,
  runQueryCommand,
} from './api-options.ts';
import { UsageError } from './errors.ts';
import { crashLoopTable } from './format-query.ts';

const CRASHLOOPS_HELP = `Usage: podlife crashloops [options]

Lists the pods whose containers are in CrashLoopBackOff now: restarts in all and within the
window, the last restart, the last termination's reason and exit code (OOMKilled (137),
Error (1), ...), the time spent down in back-off, owner and node.

Options:
  --window DUR         count restarts within this window before now (default: 1h)
  --min-restarts N     only pods with at least N restarts in the window (default: 0)
  -n, --namespace NS   one namespace
${API_OPTIONS_HELP}

Examples:
  podlife crashloops
  podlife crashloops --window 15m --min-restarts 3 --cluster prod
  podlife crashloops -o json | jq -r '.[] | "\\(.namespace)/\\(.name) \\(.lastTerminationReason)"'`;

const CRASHLOOPS_OPTIONS_OWN = {
  window: { type: 'string', default: '1h' },
  'min-restarts': { type: 'string' },
  namespace: { type: 'string', short: 'n' },
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
  const output = outputOf(values);
  const windowSeconds = parseDuration(values.window);
  const client = clientOf(values, io.env);
  return runQueryCommand('crashloops', io, async () => {
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
    if (output === 'json') io.out.write(`${JSON.stringify(pods, null, 2)}\n`);
    else
      io.out.write(
        pods.length ? `${crashLoopTable(pods, windowSeconds, now)}\n` : 'No crash-looping pods.\n',
      );
    return 0;
  });
}
