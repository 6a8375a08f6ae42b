/**
 * Silences: "no new pod alerts for these pods until then", as Alertmanager's, with an expiry.
 * A silence names a cluster and, optionally, a namespace, an owner (`Kind/name` or a name) and a
 * reason (the alert kind, `pending` / `crashloop`, or a word of the pod's cause: `Unschedulable`,
 * `ImagePullBackOff`, `OOMKilled`, a piece of the scheduler's message); every field given must
 * match. The sweep records a matching new episode as silenced (not dropped): while the silence
 * lasts nothing is sent; once it ends (expired or deleted) and the pod is still in the state,
 * the alert goes out, saying which silence held it. Episodes already announced are not silenced
 * (their resolution still goes out). Pure: the store writes the items, the sweep matches them.
 *
 * Stored in the table: one partition (`SILENCES`, sort key the silence id), with the table's TTL
 * (`expiresAt`) at the silence's end plus a day, so an ended silence disappears on its own.
 */
import { z } from 'zod';
import type { OpenedAlert } from './alerts.ts';
import { type KeyedItem, parseItem } from './items.ts';
import { SILENCES_PK, silencedSk } from './keys.ts';

/** A silence lasts 1 minute at least, 30 days at most (a longer one is a rule: `podlife:alerts`). */
export const SILENCE_BOUNDS = { minSeconds: 60, maxSeconds: 30 * 86_400, commentMax: 500 } as const;

const Dns = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a Kubernetes namespace');

/** POST /silences: what to silence, for how long, and why. */
export const CreateSilenceBody = z
  .strictObject({
    cluster: z.string().min(1).max(63),
    namespace: Dns.optional(),
    owner: z
      .string()
      .min(1)
      .max(317)
      .regex(/^([A-Za-z][A-Za-z0-9]*\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'Kind/name or name')
      .optional(),
    reason: z.string().min(1).max(200).optional(),
    /** Seconds from now. */
    durationSeconds: z.number().int().min(SILENCE_BOUNDS.minSeconds).max(SILENCE_BOUNDS.maxSeconds),
    comment: z.string().trim().min(1, 'say why').max(SILENCE_BOUNDS.commentMax),
  })
  .meta({ id: 'CreateSilence' });
export type CreateSilenceBody = z.infer<typeof CreateSilenceBody>;

export const Silence = z
  .strictObject({
    id: z.string(),
    cluster: z.string(),
    namespace: z.string().nullable(),
    owner: z.string().nullable(),
    reason: z.string().nullable(),
    comment: z.string(),
    /** Who created it: the caller's IAM ARN (deployed), `local` in local mode. */
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    endsAt: z.string(),
  })
  .meta({ id: 'Silence' });
export type Silence = z.infer<typeof Silence>;

/** A silence as listed: whether it holds now, and the episodes it holds (silenced pods). */
export const ListedSilence = Silence.extend({
  active: z.boolean(),
  silenced: z.array(
    z.strictObject({
      kind: z.enum(['pending', 'crashloop']),
      namespace: z.string(),
      name: z.string(),
      uid: z.string(),
      since: z.string(),
    }),
  ),
}).meta({ id: 'ListedSilence' });
export type ListedSilence = z.infer<typeof ListedSilence>;

export const SilencesResponse = z
  .strictObject({ now: z.string(), silences: z.array(ListedSilence) })
  .meta({ id: 'SilencesResponse' });
export type SilencesResponse = z.infer<typeof SilencesResponse>;

export const SilenceResponse = z.strictObject({ silence: Silence }).meta({ id: 'SilenceResponse' });

/** A new silence's id: its creation time (sortable) and random hex. */
export function silenceIdOf(nowMs: number, random: string): string {
  const t = new Date(nowMs).toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `s-${t}-${random}`;
}

export function silenceOf(
  body: CreateSilenceBody,
  opts: { id: string; nowMs: number; createdBy: string | null },
): Silence {
  return {
    id: opts.id,
    cluster: body.cluster,
    namespace: body.namespace ?? null,
    owner: body.owner ?? null,
    reason: body.reason ?? null,
    comment: body.comment,
    createdBy: opts.createdBy,
    createdAt: new Date(opts.nowMs).toISOString(),
    endsAt: new Date(opts.nowMs + body.durationSeconds * 1000).toISOString(),
  };
}

export const isActive = (s: Silence, nowMs: number) => Date.parse(s.endsAt) > nowMs;

/** The texts a silence's `reason` is looked for in: the alert kind and the pod's causes. */
function reasonTexts(a: OpenedAlert): string[] {
  const out: (string | null | undefined)[] = [a.kind, a.waitingReason];
  if (a.kind === 'pending') {
    out.push(a.unschedulableMessage, a.statusReason, a.schedulingGates ? 'SchedulingGated' : null);
  } else out.push(a.lastTerminationReason, 'CrashLoopBackOff');
  return out.filter((x): x is string => typeof x === 'string' && x !== '');
}

/** Whether `s` matches the alert (every field it gives); activity is the caller's to check. */
export function silenceMatches(s: Silence, a: OpenedAlert): boolean {
  if (s.cluster !== a.cluster) return false;
  if (s.namespace !== null && s.namespace !== a.namespace) return false;
  if (s.owner !== null) {
    const o = a.owner;
    if (!o) return false;
    if (s.owner !== `${o.kind}/${o.name}` && s.owner !== o.name) return false;
  }
  if (s.reason !== null) {
    const want = s.reason.toLowerCase();
    if (!reasonTexts(a).some((t) => t.toLowerCase().includes(want))) return false;
  }
  return true;
}

/**
 * The active silence that holds an alert, or undefined: of those that match, the one that ends
 * last (then the smallest id), so the answer does not depend on the order silences are read in.
 */
export function silenceFor(silences: readonly Silence[], a: OpenedAlert, nowMs: number): Silence | undefined {
  let best: Silence | undefined;
  for (const s of silences) {
    if (!isActive(s, nowMs) || !silenceMatches(s, a)) continue;
    if (!best || s.endsAt > best.endsAt || (s.endsAt === best.endsAt && s.id < best.id)) best = s;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Items

const DAY_S = 86_400;

export function silenceItemOf(s: Silence): KeyedItem {
  return {
    pk: SILENCES_PK,
    sk: s.id,
    silence: s,
    expiresAt: Math.floor(Date.parse(s.endsAt) / 1000) + DAY_S,
  };
}

const SilenceItemSchema = z.looseObject({ pk: z.string(), sk: z.string(), silence: Silence });

export function silenceOfItem(item: Record<string, unknown>): Silence {
  return parseItem(SilenceItemSchema, item, 'silence').silence;
}

/**
 * The record of an episode a silence holds (in the cluster's alert partition, sort key
 * `silenced#kind#uid`): which silence, since when, and the alert as it would have been sent.
 */
export function silencedItemOf(a: OpenedAlert, s: Silence, pk: string): KeyedItem {
  return {
    pk,
    sk: silencedSk(a.kind, a.uid),
    kind: a.kind,
    silenceId: s.id,
    silenceEndsAt: s.endsAt,
    since: a.openedAt,
    namespace: a.namespace,
    name: a.name,
    uid: a.uid,
    // Gone by itself a day after the silence ends, if no sweep has removed it by then.
    expiresAt: Math.floor(Date.parse(s.endsAt) / 1000) + DAY_S,
  };
}

const SilencedItemSchema = z.looseObject({
  pk: z.string(),
  sk: z.string(),
  kind: z.enum(['pending', 'crashloop']),
  silenceId: z.string(),
  silenceEndsAt: z.string(),
  since: z.string(),
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
});
export type SilencedRecord = z.infer<typeof SilencedItemSchema>;

export function silencedOfItem(item: Record<string, unknown>): SilencedRecord {
  return parseItem(SilencedItemSchema, item, 'silenced episode');
}

export const isSilencedItem = (item: Record<string, unknown>) =>
  typeof item.sk === 'string' && item.sk.startsWith('silenced#');

/** What an alert that a silence held says once it goes out. */
export interface SilencedBefore {
  silenceId: string;
  /** Silenced from (the sweep that first held it) until the silence ended. */
  since: string;
  until: string;
}

export function silencedBeforeOf(r: SilencedRecord, nowMs: number): SilencedBefore {
  const ends = Date.parse(r.silenceEndsAt);
  return {
    silenceId: r.silenceId,
    since: r.since,
    until: new Date(Math.min(ends, nowMs)).toISOString(),
  };
}
