/**
 * The stored items' shapes, as zod schemas: what an item read back from DynamoDB must hold.
 * An item is parsed once, where it enters the code (the store's read, or the model function that
 * turns it into a row), and a malformed one fails with a `MalformedItemError` that names the item
 * and the attribute, instead of being coerced into a null figure. The item builders are beside
 * the keys they use: pod items in pod-item.ts, alert and notice items in alerts.ts and
 * alert-groups.ts, the cluster registry entry in store/pod-store.ts; keys.ts builds every key.
 *
 * Schemas are loose (unknown attributes pass): items written by an older release carry
 * attributes nothing reads any more (identity copies), and must still parse.
 */
import { z } from 'zod';
import { describeZodError } from '../core/zod-errors.ts';

/** An attribute the item may lack; DynamoDB NULL reads back as null. */
const optionalString = z.string().nullish();
const optionalNumber = z.number().nullish();

const keyShape = { pk: z.string(), sk: z.string() };

/** Any item as written: its primary key and its attributes. */
export type KeyedItem = { pk: string; sk: string } & Record<string, unknown>;

/** What a merge reads of a pod or name-events item: its version and its facts (pod-item.ts). */
export const StoredFactsSchema = z.looseObject({
  /** Optimistic-concurrency version, 1 on the first write. */
  v: z.number().int().nonnegative(),
  /** The fact set, compressed (format in `fv`). */
  facts: z.instanceof(Uint8Array),
  /** Facts format: absent = raw deflate, 2 = brotli, 3 = raw deflate with a preset dictionary (FACTS_FORMAT). */
  fv: z.number().int().optional(),
});
export type StoredFacts = z.infer<typeof StoredFactsSchema>;

/**
 * A pod item's figure attributes, as the base table and the indexes that project them return
 * them (model/pod-rows.ts reads them; table-spec.ts says which index projects which).
 */
export const PodRowItemSchema = z.looseObject({
  ...keyShape,
  ownerKind: optionalString,
  ownerName: optionalString,
  node: optionalString,
  phase: optionalString,
  /**
   * The creationTimestamp, on a Pending or crash-looping item (its rows read it): "" = the time
   * in `createdKey`; absent = no creationTimestamp (`createdKey` holds the first-seen stand-in).
   * Items written before issue 12's compact form hold the ISO time itself, on any item.
   */
  createdAt: optionalString,
  /** Index sort key `createdIso#uid` (model/keys.ts createdKey): the creation time or its stand-in. */
  createdKey: optionalString,
  scheduledAfterSeconds: optionalNumber,
  initSeconds: optionalNumber,
  pendingSeconds: optionalNumber,
  timeToReadySeconds: optionalNumber,
  restarts: optionalNumber,
  crashLoopBackOffSeconds: optionalNumber,
  lastTerminationReason: optionalString,
  lastExitCode: optionalNumber,
  waitingReason: optionalString,
  unschedulableMessage: optionalString,
  statusReason: optionalString,
  /** A gated pod's scheduling gates (names); a list, or a string set. */
  schedulingGates: z.union([z.array(z.string()), z.set(z.string())]).nullish(),
  deleted: z.boolean().nullish(),
  /** Restart start times (epoch s); a list, or a number set as older items stored it. */
  restartTimes: z.union([z.array(z.number()), z.set(z.number())]).nullish(),
  /**
   * The startup waterfall's stages and the pod startup SLI (core/waterfall.ts), seconds, in one
   * map with short keys (STARTUP_KEYS): six long attribute names would put a typical item over
   * 1 KB, a second write unit on every write. Absent keys (and an absent map) are null.
   */
  startup: z.record(z.string(), z.number()).nullish(),
  /** Sparse index key: present while the pod crash-loops. */
  crashKey: optionalString,
  /**
   * kubectl's READY (`1/2`), only while the pod is Pending or crash-looping (the lists that show
   * it from an index): absent on other items, so it costs them no bytes.
   */
  ready: z
    .string()
    .regex(/^\d+\/\d+$/)
    .nullish(),
  /**
   * While crash-looping: when the open back-off began (the waiting container's last
   * termination), epoch ms; ISO 8601 on items written before issue 12's compact form.
   */
  backOffSince: z.union([z.number(), z.string()]).nullish(),
  /**
   * While crash-looping: what kubectl's RESTARTS "(5m ago)" counts from (the figure
   * `kubectlLastRestartAt`), epoch ms; absent on items written before it was kept.
   */
  lastRestart: optionalNumber,
  /** While crash-looping: kubectl's RESTARTS number (`kubectlRestarts`); absent on items written before it was kept. */
  kRestarts: optionalNumber,
});
export type PodRowItem = z.infer<typeof PodRowItemSchema>;

/** The pod item's `startup` map: figure → its short key there. */
export const STARTUP_KEYS = {
  sandboxReadyAfterSeconds: 'sb',
  initializedAfterSeconds: 'in',
  imagePullSeconds: 'ip',
  containersStartedAfterSeconds: 'cs',
  containersReadyAfterSeconds: 'cr',
  startupSliSeconds: 'sli',
} as const;

/** An open alert episode (alerts.ts `alertItemOf`): its key, the pod's key, the alert as opened. */
export const AlertItemSchema = z.looseObject({
  ...keyShape,
  kind: z.enum(['pending', 'crashloop']),
  podPk: z.string(),
  podSk: z.string(),
  /** The alert as the sweep opened it: the identity the sweep reads is checked, the rest kept. */
  opened: z.looseObject({
    kind: z.enum(['pending', 'crashloop']),
    cluster: z.string(),
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    openedAt: z.string(),
  }),
  /** The sort key of the notice item that announced it. */
  notice: z.string().optional(),
});

/** A notice in the outbox (alert-groups.ts `noticeItemOf`): each channel 'pending' or 'sent'. */
export const NoticeItemSchema = z.looseObject({
  ...keyShape,
  notice: z.looseObject({
    state: z.enum(['opened', 'resolved']),
    kind: z.enum(['pending', 'crashloop']),
    cluster: z.string(),
    at: z.string(),
    dedupKey: z.string(),
  }),
  sns: z.enum(['pending', 'sent']),
  events: z.enum(['pending', 'sent']),
});

/** A stored item that does not have the shape its schema says. */
export class MalformedItemError extends Error {
  override name = 'MalformedItemError';
  constructor(
    readonly kind: string,
    readonly key: string,
    /** The first offending attribute, dotted for a nested one (`opened.uid`). */
    readonly attribute: string,
    /** `attribute: what is wrong` (core/zod-errors.ts). */
    detail: string,
  ) {
    super(`malformed ${kind} item ${key}: ${detail}`);
  }
}

/**
 * `item` parsed by `schema`, or a MalformedItemError naming the item (`kind`, its key: `key`, or
 * the item's own pk/sk) and the attribute.
 */
export function parseItem<S extends z.ZodType>(
  schema: S,
  item: unknown,
  kind: string,
  key?: { pk: string; sk: string },
): z.infer<S> {
  const r = schema.safeParse(item);
  if (r.success) return r.data;
  const rec = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const id = key ?? { pk: rec.pk ?? '?', sk: rec.sk ?? '?' };
  const where = `${String(id.pk)} / ${String(id.sk)}`;
  const issue = r.error.issues[0];
  const attribute = issue?.path.map(String).join('.') || '(item)';
  throw new MalformedItemError(kind, where, attribute, describeZodError(r.error));
}
