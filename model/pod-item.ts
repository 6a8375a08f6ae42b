/**
 * The pod item: how one incarnation's facts are stored in DynamoDB, and the figure and index
 * attributes derived from them. Facts are the source of truth (a deflated JSON array, canonical
 * order); everything else on the item is recomputed from them on every write.
 */
import {
  brotliCompressSync,
  brotliDecompressSync,
  deflateRawSync,
  inflateRawSync,
  constants as zlibConstants,
} from 'node:zlib';
import { attachNameEvents, canonicalFacts, type Fact, type FactMap } from '../core/facts.ts';
import { lastTermination, PodView } from '../core/figures.ts';
import { compareRecords, type PodRecord, podRecordOf } from '../core/pod-record.ts';
import { toIso } from '../core/time.ts';
import { parseItem, STARTUP_KEYS, type StoredFacts, StoredFactsSchema } from './items.ts';
import {
  crashKey,
  createdKey,
  dayKey,
  dayOf,
  NAME_EVENTS_SK,
  nsKey,
  pendingKey,
  podPk,
  podSk,
  uidKey,
} from './keys.ts';
import { backOffSinceOf, createdAtOf } from './pod-rows.ts';

/** Restart start times kept on the item (epoch s, newest last) for the crash-loop window. */
const MAX_RESTART_TIMES = 50;

/**
 * The stored format of `facts`, in the item's `fv` attribute: absent (items written before it)
 * = raw deflate of the canonical JSON; 2 = brotli of the same JSON; 3 = raw deflate of the same
 * JSON with a preset dictionary (`FACTS_DICTIONARY_3`). A pod item's fact set is small (~1.2 KB
 * of JSON on the churn trace), too small for a compressor to learn its own vocabulary: the
 * dictionary gives it the fact schema's keys and common values up front, and the facts shrink
 * from ~470 to ~275 bytes (brotli: ~470), which keeps a typical item under 1 KB: one write unit
 * instead of two (docs/data-model.md, docs/cost.md). Every format is read; every write stores the
 * current one, so an old item converts on its next write. 4 (issue 12, current) = format 3 with
 * `FACTS_DICTIONARY_4`: format 3's dictionary followed by the shapes it lacked (the containers and
 * readiness facts, a run's id, OOMKilled and the back-off message): a crash-looping pod's facts
 * shrink by ~70 B, which keeps its item under 1 KB.
 */
export const FACTS_FORMAT = 4;

/**
 * The preset dictionary of facts format 3: fact shapes written from the `Fact` type
 * (core/facts.ts) with kubelet/scheduler vocabulary, no trace's names. FROZEN: an item stored in
 * format 3 can only be read with exactly these bytes (a test pins their SHA-256). A better
 * dictionary is a new format number beside this one, never an edit of it.
 */
export const FACTS_DICTIONARY_3: Buffer = Buffer.from(
  [
    '{"id":"events:","kind":"events","reason":"BackOff","type":"Warning","first":null,"last":null,"maxCount":1,"latest":{"t":',
    '{"id":"runs:c:","kind":"runs","container":"","init":false,"below":,"segs":[[,"open":[],"first":,"count":,"reasons":{"Error":',
    '{"id":"status","kind":"status","at":{"t":,"rv":""},"reason":"Evicted","message":"',
    '{"id":"unschedulable","kind":"unschedulable","t":null,"at":{"t":,"rv":""},"message":"0/3 nodes are available: ","reason":"Unschedulable","gates":[',
    '{"id":"initCount","kind":"initCount","n":1},{"id":"deleted","kind":"deleted"},',
    '{"id":"event:","kind":"event","uid":"","reason":"Failed","message":"Failed to pull image \\"","type":"Normal","container":"","count":1,"first":null,"last":null},',
    '{"id":"latest","kind":"latest","at":{"t":17,"rv":"1"},"phase":"Running","waiting":{"container":"","reason":"CrashLoopBackOff","message":"back-off 5m0s restarting failed container="},"status":"Running","restarts":0},',
    '{"id":"mark:deletedAt","kind":"mark","mark":"deletedAt","t":17},{"id":"mark:finished","kind":"mark","mark":"finished","t":17},{"id":"mark:initialized","kind":"mark","mark":"initialized","t":17},{"id":"mark:ready","kind":"mark","mark":"ready","t":17},{"id":"mark:scheduled","kind":"mark","mark":"scheduled","t":17},',
    '{"id":"node","kind":"node","node":""},{"id":"phase:Failed","kind":"phase","phase":"Failed","t":17},{"id":"phase:Pending","kind":"phase","phase":"Pending","t":17},{"id":"phase:Running","kind":"phase","phase":"Running","t":17},{"id":"phase:Succeeded","kind":"phase","phase":"Succeeded","t":17},',
    '{"id":"pod","kind":"pod","cluster":"","namespace":"","name":"","uid":"","created":17,"owner":{"kind":"ReplicaSet","name":""},"qos":"BestEffort"},',
    '{"id":"restarts:","kind":"restarts","container":"","n":0,"role":"init"},',
    '{"id":"run:c:","kind":"run","container":"","init":false,"ordinal":0,"startedAt":17,"term":{"finishedAt":17,"reason":"Completed","exitCode":0}},',
    '{"id":"waiting:c:","kind":"waiting","container":"","init":false,"reason":"ContainerCreating","t":17}]',
  ].join(''),
);

/**
 * The preset dictionary of facts format 4: format 3's bytes, then the fact shapes format 3 lacked
 * (`containers`, `ready`, a run's id as the kubelet names it, OOMKilled's exit code, the
 * kubelet's back-off message, QoS classes and owner kinds), kubelet vocabulary only, no trace's
 * names. Deflate reaches 32 KB back, so the whole dictionary is in reach; the later bytes are
 * the cheaper to refer to. FROZEN like format 3's (a test pins its SHA-256).
 */
export const FACTS_DICTIONARY_4: Buffer = Buffer.concat([
  FACTS_DICTIONARY_3,
  Buffer.from(
    [
      '{"id":"containers","kind":"containers","n":1,"sidecars":0},',
      '{"id":"ready:c:","kind":"ready","container":"","init":false,"ready":false,"at":{"t":17,"rv":""}},{"id":"ready:c:","kind":"ready","container":"","init":false,"ready":true,"at":{"t":17,"rv":""}},',
      '"qos":"Burstable"},"qos":"Guaranteed"},"owner":{"kind":"StatefulSet","name":"","owner":{"kind":"Job","name":"","owner":{"kind":"Deployment","name":"',
      '"reason":"Error","exitCode":1}},"reason":"OOMKilled","exitCode":137}},',
      '"message":"back-off 10s restarting failed container= pod="},',
      '{"id":"run:c::containerd://@17","kind":"run","container":"","init":false,"ordinal":1,"startedAt":17,"term":null},',
    ].join(''),
  ),
]);

/** The preset dictionary of a dictionary format (3 or 4). */
function dictionaryOf(format: 3 | 4): Buffer {
  return format === 4 ? FACTS_DICTIONARY_4 : FACTS_DICTIONARY_3;
}

/** The facts in the current format (FACTS_FORMAT); `format` 3 only for the tests of older items. */
export function encodeFacts(map: FactMap, format: 3 | 4 = FACTS_FORMAT): Uint8Array {
  const json = Buffer.from(JSON.stringify(canonicalFacts(map)));
  // Level 9: ~0.03 ms for a 1.2 KB fact set.
  return deflateRawSync(json, { level: 9, dictionary: dictionaryOf(format) });
}

/** The facts of `bytes` stored in format `format` (the item's `fv`; undefined: the first format). */
export function decodeFacts(bytes: Uint8Array, format?: unknown): FactMap {
  const json =
    format === 4 || format === 3
      ? inflateRawSync(bytes, { dictionary: dictionaryOf(format) })
      : format === 2
        ? brotliDecompressSync(bytes)
        : inflateRawSync(bytes);
  const facts = JSON.parse(json.toString('utf8')) as Fact[];
  return new Map(facts.map((f) => [f.id, f]));
}

/**
 * Format 2 (brotli), as items stored before format 3 hold it: for the tests that check such
 * items are still read (never written by the ingest any more).
 */
export function encodeFactsFormat2(map: FactMap): Uint8Array {
  const json = Buffer.from(JSON.stringify(canonicalFacts(map)));
  return brotliCompressSync(json, {
    params: {
      [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
      [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
}

/** The facts of a stored item, whichever format it was written in (a malformed item: MalformedItemError). */
export function factsOfItem(item: Record<string, unknown> | StoredFacts): FactMap {
  const { facts, fv } = parseItem(StoredFactsSchema, item, 'pod');
  return decodeFacts(facts, fv);
}

/**
 * The size of an item as DynamoDB counts it against its 400 KB limit: attribute names plus
 * values (strings as UTF-8, binary as bytes, numbers ~1 byte per 2 significant digits + 1,
 * booleans and nulls 1 byte, lists and maps 3 bytes plus 1 per element).
 */
export function itemSizeBytes(item: Record<string, unknown>): number {
  let size = 0;
  for (const [k, v] of Object.entries(item)) if (v !== undefined) size += Buffer.byteLength(k) + valueSize(v);
  return size;
}

function valueSize(v: unknown): number {
  if (v == null || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number') {
    const digits = String(Math.abs(v))
      .replace(/e.*$/, '')
      .replace('.', '')
      .replace(/^0+/, '')
      .replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (v instanceof Uint8Array) return v.byteLength;
  if (Array.isArray(v)) return 3 + v.reduce((sum: number, x) => sum + 1 + valueSize(x), 0);
  if (v instanceof Set) return [...v].reduce((sum: number, x) => sum + valueSize(x), 0);
  if (typeof v === 'object')
    return (
      3 +
      Object.entries(v as Record<string, unknown>).reduce(
        (sum, [k, x]) => sum + 1 + Buffer.byteLength(k) + valueSize(x),
        0,
      )
    );
  return 0;
}

/** The bound a pod item stays under however long the pod lives (docs/data-model.md, core/fold.ts). */
export const POD_ITEM_BOUND_BYTES = 64 * 1024;

interface PodItemOptions {
  retentionDays: number;
  /** Epoch ms of this write (for the TTL). */
  now: number;
}

/** The primary key of a pod item. */
export function podKeyOf(cluster: string, namespace: string, name: string, uid: string) {
  return { pk: podPk(cluster, namespace, name), sk: podSk(uid) };
}

/**
 * The whole item for a pod's facts, or undefined while no snapshot of the pod itself has been
 * seen (events only): such a fact set is stored by `eventsOnlyItemOf`, without index keys.
 */
export function podItemOf(
  facts: FactMap,
  version: number,
  opts: PodItemOptions,
): Record<string, unknown> | undefined {
  const v = new PodView(facts);
  const p = v.pod;
  if (!p) return undefined;
  const rec = podRecordOf(facts, { now: opts.now, stuckAfterSeconds: Number.POSITIVE_INFINITY })!;
  // The index keys' time: the creation time, or its first-seen stand-in (`createdAtOf`), so a pod
  // without creationTimestamp is in /stats, /pending and the dashboard as it is in replay.
  const createdIso = createdAtOf(rec)?.at ?? null;
  const created = createdIso ? Date.parse(createdIso) : null;
  const ck = createdKey(createdIso, p.uid);
  const term = lastTermination(v);
  const item: Record<string, unknown> = {
    ...podKeyOf(p.cluster, p.namespace, p.name, p.uid),
    v: version,
    facts: encodeFacts(facts),
    fv: FACTS_FORMAT,
    // No copies of cluster, namespace, name, uid: pk/sk encode them (`podIdentityOfKey`), and
    // ~90 B less keeps a typical item under 1 KB, one write unit (docs/data-model.md).
    phase: rec.phase,
    restarts: rec.restarts,
    crashLoopBackOffSeconds: rec.crashLoopBackOffSeconds,
    uidKey: uidKey(p.cluster, p.uid),
    nsKey: nsKey(p.cluster, p.namespace),
    dayKey: dayKey(p.cluster, dayOf(created)),
    createdKey: ck,
    // No `updatedAt` (issue 12): nothing read it, and its ~33 B put one write in six over 1 KB;
    // expiresAt says when the item was last written (its time + retentionDays).
    // A creation time no Date holds (an item stored before the time bounds) extends no TTL.
    expiresAt:
      Math.floor(Math.max(opts.now, createdIso ? (created ?? 0) : 0) / 1000) + opts.retentionDays * 86400,
  };
  const optional: Record<string, unknown> = {
    ownerKind: p.owner?.kind,
    ownerName: p.owner?.name,
    node: rec.node,
    // Only once deleted (the sweep's resolution reads `deleted === true`): `deleted: false` was
    // 8 B on every item.
    deleted: rec.deleted || undefined,
    scheduledAfterSeconds: rec.scheduledAfterSeconds,
    initSeconds: rec.initSeconds,
    pendingSeconds: rec.pendingSeconds,
    timeToReadySeconds: rec.timeToReadySeconds,
    lastTerminationReason: rec.lastTerminationReason,
    lastExitCode: term?.exitCode,
    waitingReason: rec.waitingReason,
    unschedulableMessage: rec.unschedulableMessage,
    // Only while the pod is gated (issue 11): the pending list and alert name the gates.
    schedulingGates: rec.schedulingGates ?? undefined,
    statusReason: rec.statusReason,
    // The startup waterfall and SLI (issue 11), for the stats route's percentiles.
    startup: startupMapOf(rec),
    // Sparse index keys: present only while the pod is in that state.
    pendingKey: v.stillPending ? pendingKey(p.cluster) : undefined,
    crashKey: isCrashLooping(rec) ? crashKey(p.cluster) : undefined,
  };
  for (const [k, val] of Object.entries(optional)) if (val != null) item[k] = val;
  const listed = item.pendingKey || item.crashKey;
  // kubectl's READY for the Pending and crash-looping lists (projected by their indexes only).
  if (listed && rec.ready) item.ready = `${rec.ready.ready}/${rec.ready.total}`;
  // The creationTimestamp, for the same two lists' rows only (ROW_BASE_ATTRIBUTES; no other
  // reader): "" when it is the time in createdKey (it nearly always is: 24 B saved), absent when
  // createdKey holds a first-seen stand-in (`rowBaseOf` reads all three forms, and old items'
  // full ISO time on any item).
  const createdAt = toIso(v.created);
  if (listed && createdAt) item.createdAt = createdAt === createdIso ? '' : createdAt;
  if (item.crashKey) {
    item.restartTimes = restartTimesOf(v);
    // Epoch ms (8 B; the ISO string was 24): the rows give it back as ISO.
    const since = backOffSinceOf(v);
    if (since != null && toIso(since)) item.backOffSince = since;
    // What kubectl's RESTARTS "(5m ago)" counts from (kubectlLastRestartAt), epoch ms: the crash
    // row's "ago" (docs/lifecycle-metrics.md). Only where it is not backOffSince (the waiting
    // container's last finish: nearly always the same time), which the row reads in its place:
    // crash-looping items are the ones near 1 KB, where 30 B more is a second write unit.
    const lastRestart = v.get<'latest'>('latest')?.lastRestart;
    if (lastRestart != null && toIso(lastRestart) && lastRestart !== item.backOffSince)
      item.lastRestart = lastRestart;
    // kubectl's RESTARTS number (kubectlRestarts), where it is not `restarts` (a finished init
    // container's restarts drop out of kubectl's): the row reads `restarts` in its place.
    if (rec.kubectlRestarts != null && rec.kubectlRestarts !== rec.restarts)
      item.kRestarts = rec.kubectlRestarts;
    // A crash-looping item's waitingReason is CrashLoopBackOff by definition (crashKey is set
    // only then): the crash row reads it from the key (`crashLoopingPodOf`). A pod also Pending
    // (an init container in CrashLoopBackOff) keeps it, for its pending row.
    if (!item.pendingKey) delete item.waitingReason;
  }
  return item;
}

/** The item's `startup` map (STARTUP_KEYS): the known stages only; undefined when none is known. */
export function startupMapOf(rec: PodRecord): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const [figure, key] of Object.entries(STARTUP_KEYS) as [keyof typeof STARTUP_KEYS, string][]) {
    const v = rec[figure];
    if (v != null) out[key] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Key of the holding item for Events that name a pod only by namespace/name (see NAME_EVENTS_SK). */
export function nameEventsKeyOf(cluster: string, namespace: string, name: string) {
  return { pk: podPk(cluster, namespace, name), sk: NAME_EVENTS_SK };
}

/** An item holding only facts (events seen before any snapshot of their pod). */
export function eventsOnlyItemOf(
  key: { pk: string; sk: string },
  facts: FactMap,
  version: number,
  opts: PodItemOptions,
): Record<string, unknown> {
  return {
    ...key,
    v: version,
    facts: encodeFacts(facts),
    fv: FACTS_FORMAT,
    updatedAt: new Date(opts.now).toISOString(),
    expiresAt: Math.floor(opts.now / 1000) + opts.retentionDays * 86400,
  };
}

/** Crash-looping now: the latest snapshot shows a container waiting in CrashLoopBackOff. */
export function isCrashLooping(rec: Pick<PodRecord, 'waitingReason' | 'deleted' | 'phase'>): boolean {
  return (
    rec.waitingReason === 'CrashLoopBackOff' &&
    !rec.deleted &&
    rec.phase !== 'Succeeded' &&
    rec.phase !== 'Failed'
  );
}

/**
 * Start times (epoch s) of container restarts (init containers and sidecars too): every run that is not a container's first,
 * by its restart number when known (a first seen run may itself be a restart), else by order.
 */
export function restartTimesOf(v: PodView): number[] {
  const times: number[] = [];
  // Every container's: an init container or a sidecar in a crash loop restarts too.
  for (const runs of v.runsByContainer().values()) {
    runs.forEach((r, i) => {
      const isRestart = r.ordinal != null ? r.ordinal > 0 : i > 0;
      if (isRestart && r.startedAt != null) times.push(Math.floor(r.startedAt / 1000));
    });
  }
  return times.sort((a, b) => a - b).slice(-MAX_RESTART_TIMES);
}

/** A stored item → the pod's record (figures at `now`, timeline), or undefined for events-only items. */
export function recordOfItem(item: Record<string, unknown>, ctx: { now: number; stuckAfterSeconds: number }) {
  return podRecordOf(factsOfItem(item), ctx);
}

type EventFact = Extract<Fact, { kind: 'event' }>;

/**
 * The records of one name's partition (all items of one `pk`, as a Query returns them): each
 * incarnation's record, with the name-only Events of the holding item attached to the
 * incarnation created latest at or before the event (else the earliest), exactly as
 * `LifecycleEngine.factMaps` attaches them for `podlife replay`. Sorted like replay's output.
 */
export function recordsOfPartition(
  items: readonly Record<string, unknown>[],
  ctx: { now: number; stuckAfterSeconds: number },
): PodRecord[] {
  const incarnations: FactMap[] = [];
  const nameEvents: EventFact[] = [];
  for (const item of items) {
    const facts = factsOfItem(item);
    if (item.sk === NAME_EVENTS_SK) {
      for (const f of facts.values()) if (f.kind === 'event') nameEvents.push(f);
    } else if (facts.has('pod')) incarnations.push(facts);
  }
  attachNameEvents(incarnations, nameEvents);
  const out: PodRecord[] = [];
  for (const m of incarnations) {
    const r = podRecordOf(m, ctx);
    if (r) out.push(r);
  }
  return out.sort(compareRecords);
}
