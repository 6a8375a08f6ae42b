/**
 * `podlife purge --cluster C --namespace N [--yes]`: deletes a namespace's history through the
 * API's DELETE /namespaces/{ns} route (calling it again until it answers done: the purge is
 * resumable and idempotent), then says which copies remain and when they expire.
 */
import { z } from 'zod';
import {
  API_OPTIONS,
  API_OPTIONS_HELP,
  clientOf,
  defaultIo,
  type Io,
  outputOf,
  parseCommand,
  runQueryCommand,
} from './api-options.ts';
import { UsageError } from './errors.ts';
import { renderTable } from './table.ts';

const PURGE_HELP = `Usage: podlife purge --cluster C --namespace N [--yes]

Deletes every pod history of one namespace of one cluster (all incarnations, their events and
the namespace's alert records) from podlife's table, then lists the copies podlife cannot
delete (event archives, queues, logs, point-in-time backups) and when each expires.
Without --yes it only says what it would do. Interrupted, it can be run again: it resumes.

Options:
  -n, --namespace NS   the namespace (required)
  --yes                really delete
${API_OPTIONS_HELP}

Example:
  podlife purge --cluster prod -n tenant-a --yes`;

const PURGE_OPTIONS_OWN = {
  namespace: { type: 'string', short: 'n' },
  yes: { type: 'boolean', default: false },
} as const;

export const PURGE_OPTIONS = { ...API_OPTIONS, ...PURGE_OPTIONS_OWN };

const PurgeAnswer = z.looseObject({
  cluster: z.string(),
  namespace: z.string(),
  deleted: z.number(),
  done: z.boolean(),
  remaining: z.array(z.looseObject({ copy: z.string(), expiresBy: z.string(), note: z.string() })),
});

export async function purgeCommand(argv: string[], io: Io = defaultIo()): Promise<number> {
  const { values, positionals } = parseCommand(argv, PURGE_OPTIONS_OWN);
  if (values.help) {
    io.out.write(`${PURGE_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  if (!values.cluster) throw new UsageError('--cluster is required');
  if (!values.namespace) throw new UsageError('--namespace is required');
  const where = `namespace ${values.namespace} of cluster ${values.cluster}`;
  if (!values.yes) {
    io.out.write(`would delete every pod history of ${where}; run again with --yes to do it\n`);
    return 0;
  }
  const client = clientOf(values, io.env);
  return runQueryCommand('purge', io, async () => {
    let deleted = 0;
    let last: z.infer<typeof PurgeAnswer>;
    do {
      last = await client.send(
        'DELETE',
        `/namespaces/${encodeURIComponent(values.namespace ?? '')}`,
        PurgeAnswer,
        {
          cluster: values.cluster,
        },
      );
      deleted += last.deleted;
    } while (!last.done);
    if (outputOf('purge', values) === 'json') {
      io.out.write(`${JSON.stringify({ ...last, deleted }, null, 2)}\n`);
      return 0;
    }
    io.out.write(`deleted ${deleted} items of ${where}\n\nCopies that remain, and when they expire:\n`);
    io.out.write(
      `${renderTable(
        ['COPY', 'EXPIRES BY', 'NOTE'],
        last.remaining.map((r) => [r.copy, r.expiresBy, r.note]),
      )}\n`,
    );
    return 0;
  });
}
