/**
 * `podlife pending`: pods Pending now (longer than `--older-than`), oldest first, with their
 * age, whether they are stuck, why (the scheduler's message, the waiting reason) and owner.
 */
import { type PendingPod, PendingResponse } from '../model/api-schemas.ts';
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
import { pendingTable } from './format-query.ts';

const PENDING_HELP = `Usage: podlife pending [options]

Lists the pods that are Pending now (no container has started), oldest first: their age,
STUCK when older than their namespace's threshold, the reason (Unschedulable, ImagePullBackOff,
ContainerCreating, ...), owner, node and the scheduler's message.

Options:
  --older-than DUR     only pods Pending longer than this (e.g. 5m, 1h; default: all)
  -n, --namespace NS   one namespace
${API_OPTIONS_HELP}

Examples:
  podlife pending --older-than 5m
  podlife pending -n batch --cluster prod -o json | jq '.[] | select(.stuck)'`;

const PENDING_OPTIONS_OWN = {
  'older-than': { type: 'string' },
  namespace: { type: 'string', short: 'n' },
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
  const output = outputOf(values);
  const client = clientOf(values, io.env);
  return runQueryCommand('pending', io, async () => {
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
    if (output === 'json') io.out.write(`${JSON.stringify(pods, null, 2)}\n`);
    else io.out.write(pods.length ? `${pendingTable(pods)}\n` : 'No Pending pods.\n');
    return 0;
  });
}
