/**
 * The silence routes (docs/alerts.md#silences). The writes are served by the operations function
 * (functions/query/ops.ts), never by the read-only query function; the read is a query route, so
 * whoever may read the query API (the dashboard, the console widget) sees the silences:
 *   POST   /silences        {cluster, namespace?, owner?, reason?, durationSeconds, comment} → 201  (ops)
 *   GET    /silences[?cluster=C]  every stored silence, whether it holds now, and the episodes it holds  (query)
 *   DELETE /silences/{id}   ends a silence now: what it held is announced by the next sweep  (ops)
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BadParameterError, NotFoundError, parseParams, SilencesParams } from '../../../model/api-schemas.ts';
import { alertPk, SILENCES_PK } from '../../../model/keys.ts';
import {
  CreateSilenceBody,
  isActive,
  isSilencedItem,
  type ListedSilence,
  type Silence,
  type SilencesResponse,
  silencedOfItem,
  silenceIdOf,
  silenceItemOf,
  silenceOf,
  silenceOfItem,
} from '../../../model/silences.ts';
import { partitionQuery } from '../../../store/dynamo.ts';
import type { PodReader } from '../../../store/pod-queries.ts';
import type { OpsRoute } from '../ops.ts';
import type { Route } from '../route.ts';

const IdParam = z.strictObject({ id: z.string().regex(/^s-[0-9TZ]+-[0-9a-f]+$/, 'not a silence id') });

function parsed<S extends z.ZodType>(schema: S, v: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.map(String).join('.') || where;
  throw new BadParameterError(field, issue?.message ?? 'invalid');
}

export const createSilenceRoute: OpsRoute = {
  method: 'POST',
  path: '/silences',
  async run({ body, now, caller, store }) {
    const b = parsed(CreateSilenceBody, body, 'body');
    const silence = silenceOf(b, {
      id: silenceIdOf(now, randomBytes(4).toString('hex')),
      nowMs: now,
      createdBy: caller,
    });
    await store.create(silenceItemOf(silence));
    return { status: 201, body: { silence } };
  },
};

async function allSilences(reader: PodReader): Promise<Silence[]> {
  const items = await reader.queryAll(partitionQuery(reader.tableName, SILENCES_PK, { consistent: true }));
  return items.map(silenceOfItem);
}

/** GET /silences: a query route (read-only: Query on the table, as every query route may). */
export const silencesRoute: Route = {
  path: '/silences',
  async run({ params, now, reader }): Promise<SilencesResponse> {
    const { cluster } = parseParams(SilencesParams, params);
    const silences = (await allSilences(reader)).filter(
      (s) => cluster === undefined || s.cluster === cluster,
    );
    // The episodes each holds: the silenced records of the clusters named (one Query each).
    const held = new Map<string, ListedSilence['silenced']>();
    for (const c of new Set(silences.map((s) => s.cluster))) {
      const items = await reader.queryAll(partitionQuery(reader.tableName, alertPk(c), { consistent: true }));
      for (const i of items.filter(isSilencedItem)) {
        const r = silencedOfItem(i);
        const list = held.get(r.silenceId) ?? [];
        list.push({ kind: r.kind, namespace: r.namespace, name: r.name, uid: r.uid, since: r.since });
        held.set(r.silenceId, list);
      }
    }
    return {
      now: new Date(now).toISOString(),
      silences: silences
        .map((s) => ({ ...s, active: isActive(s, now), silenced: held.get(s.id) ?? [] }))
        .sort((a, b) => Number(b.active) - Number(a.active) || (a.endsAt < b.endsAt ? -1 : 1)),
    };
  },
};

export const deleteSilenceRoute: OpsRoute = {
  method: 'DELETE',
  path: '/silences/{id}',
  async run({ pathParams, store }) {
    const { id } = parsed(IdParam, pathParams, 'id');
    if (!(await store.remove({ pk: SILENCES_PK, sk: id }))) throw new NotFoundError(`no silence ${id}`);
    return { body: { deleted: id } };
  },
};

/** The operations function's silence routes: the writes. */
export const SILENCE_ROUTES: readonly OpsRoute[] = [createSilenceRoute, deleteSilenceRoute];
