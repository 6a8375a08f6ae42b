/**
 * `podlife silence create|list|delete`: silences of new pod alerts, with an expiry
 * (docs/alerts.md#silences), through the API's /silences routes.
 */
import { parseDuration } from '../core/time.ts';
import { SilenceResponse, SilencesResponse } from '../model/silences.ts';
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
import { ellipsis, renderTable } from './table.ts';

const SILENCE_HELP = `Usage: podlife silence create --cluster C [--namespace N] [--owner O] [--reason R] --for DUR --comment TEXT
       podlife silence list [--cluster C]
       podlife silence delete ID

A silence holds the new pod alerts it matches (every field given must match) until it ends:
the sweep records them as silenced and sends nothing; when the silence ends (expires or is
deleted) and the pod is still stuck or crash-looping, the alert goes out, naming the silence.

Options:
  -n, --namespace NS   only pods of this namespace
  --owner O            only pods of this owner: Kind/name (Deployment/web) or a name
  --reason R           only alerts whose kind (pending, crashloop) or cause contains R
                       (Unschedulable, ImagePullBackOff, OOMKilled, "Insufficient cpu", ...)
  --for DUR            how long (1m to 30d: 90m, 2h, 1d)
  --comment TEXT       why (a change ticket, an incident): shown with the silence
${API_OPTIONS_HELP}

Examples:
  podlife silence create --cluster prod -n batch --for 2h --comment "node pool upgrade CHG-1234"
  podlife silence list --cluster prod
  podlife silence delete s-20261129T204000-3fa9c1d2`;

const SILENCE_OPTIONS_OWN = {
  namespace: { type: 'string', short: 'n' },
  owner: { type: 'string' },
  reason: { type: 'string' },
  for: { type: 'string' },
  comment: { type: 'string' },
} as const;

export const SILENCE_OPTIONS = { ...API_OPTIONS, ...SILENCE_OPTIONS_OWN };

export async function silenceCommand(argv: string[], io: Io = defaultIo()): Promise<number> {
  const { values, positionals } = parseCommand(argv, SILENCE_OPTIONS_OWN);
  if (values.help) {
    io.out.write(`${SILENCE_HELP}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  const output = outputOf('silence', values);
  if (action === 'create') {
    if (rest.length) throw new UsageError(`unexpected argument: ${rest[0]}`);
    if (!values.cluster) throw new UsageError('--cluster is required');
    if (!values.for) throw new UsageError('--for is required (e.g. --for 2h)');
    if (!values.comment) throw new UsageError('--comment is required: say why');
    const durationSeconds = Math.round(parseDuration(values.for));
    const client = clientOf(values, io.env);
    return runQueryCommand('silence', io, async () => {
      const { silence } = await client.send(
        'POST',
        '/silences',
        SilenceResponse,
        {},
        {
          cluster: values.cluster,
          ...(values.namespace ? { namespace: values.namespace } : {}),
          ...(values.owner ? { owner: values.owner } : {}),
          ...(values.reason ? { reason: values.reason } : {}),
          durationSeconds,
          comment: values.comment,
        },
      );
      if (output === 'json') io.out.write(`${JSON.stringify(silence, null, 2)}\n`);
      else io.out.write(`silence ${silence.id} created: until ${silence.endsAt}\n`);
      return 0;
    });
  }
  if (action === 'list') {
    if (rest.length) throw new UsageError(`unexpected argument: ${rest[0]}`);
    const client = clientOf(values, io.env);
    return runQueryCommand('silence', io, async () => {
      const r = await client.get('/silences', SilencesResponse, { cluster: values.cluster });
      if (output === 'json') {
        io.out.write(`${JSON.stringify(r.silences, null, 2)}\n`);
        return 0;
      }
      if (r.silences.length === 0) {
        io.out.write('No silences.\n');
        return 0;
      }
      const rows = r.silences.map((s) => [
        s.id,
        s.active ? 'active' : 'ended',
        s.cluster,
        s.namespace ?? '*',
        s.owner ?? '*',
        s.reason ?? '*',
        s.endsAt,
        String(s.silenced.length),
        ellipsis(s.comment, 60),
      ]);
      io.out.write(
        `${renderTable(['ID', 'STATE', 'CLUSTER', 'NAMESPACE', 'OWNER', 'REASON', 'ENDS', 'HOLDING', 'COMMENT'], rows)}\n`,
      );
      return 0;
    });
  }
  if (action === 'delete') {
    const [id, ...more] = rest;
    if (!id || more.length) throw new UsageError('give one silence id: podlife silence delete ID');
    const client = clientOf(values, io.env);
    return runQueryCommand('silence', io, async () => {
      const { z } = await import('zod');
      await client.send('DELETE', `/silences/${encodeURIComponent(id)}`, z.looseObject({}));
      io.out.write(`silence ${id} deleted: what it held is announced by the next sweep\n`);
      return 0;
    });
  }
  throw new UsageError(
    action ? `unknown action "${action}": create, list or delete` : 'give an action: create, list or delete',
  );
}
