/**
 * `podlife pending`: pods Pending now (longer than `--older-than`), oldest first, with their
 * age, whether they are stuck, why (the scheduler's message, the waiting reason) and owner.
 */

import { type PendingPod, PendingResponse } from '../model/api-schemas.ts';
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
import { pendingSignature } from './columns.ts';
import { UsageError } from './errors.ts';
import { pendingListing } from './format-query.ts';
import { intervalMsOf, printOrWatch, WATCH_HELP, WATCH_OPTIONS } from './watch.ts';

const PENDING_HELP = `Usage: podlife pending [options]

Lists the pods that are Pending now (no container has started), oldest first: their age,
STUCK (yes when older than their namespace's threshold), the reason (Unschedulable,
ImagePullBackOff, ContainerCreating, SchedulingGated, ...), owner and the scheduler's message
(whole into a pipe or with -o wide; cut to the terminal's table otherwise). -o wide adds NODE,
STUCK-AFTER (the threshold) and UID. Empty cells print <none>.

Options:
  --older-than DUR     only pods Pending longer than this (e.g. 5m, 1h; default: all)
  -n, --namespace NS   one namespace
${WATCH_HELP}
${apiOptionsHelp('pending')}

Examples:
  podlife pending --older-than 5m
  podlife pending -w --interval 5s
  podlife pending -o wide --sort-by AGE
  podlife pending -o csv --no-headers > pending.csv
  podlife pending -n batch --cluster prod -o json | jq '.[] | select(.stuck)'`;

const PENDING_OPTIONS_OWN = {
  'older-than': { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  ...WATCH_OPTIONS,
} as const;

/** Every option the command takes (for "did you mean"). */
export const PENDING_OPTIONS = { ...API_OPTIONS, ...PENDING_OPTIONS_OWN };

export async function pendingCommand(argv: string[], io: Io = defaultIo()): Promise<number> {
  const { values, positionals } = parseCommand(argv, PENDING_OPTIONS_OWN);
  if (values.help) {
    io.out.write(`${PENDING_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  outputOf('pending', values);
  const intervalMs = intervalMsOf(values);
  const client = clientOf(values, io.env);
  const fetch = async () => {
    const pods: PendingPod[] = [];
    for (const cluster of await clustersOf(client, values.cluster)) {
      pods.push(
        ...(await client.getAll('/pending', PendingResponse, {
          cluster,
          olderThan: values['older-than'],
          namespace: values.namespace,
          limit: 1000,
        })),
      );
    }
    return pendingListing(pods);
  };
  return runQueryCommand('pending', io, () =>
    printOrWatch(
      {
        command: 'pending',
        fetch,
        key: (p: PendingPod) => `${p.cluster}/${p.uid}`,
        signature: pendingSignature,
        intervalMs,
      },
      values,
      io,
    ),
  );
}
