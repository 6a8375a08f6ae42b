/**
 * Stage 6, encode: a pod's facts (or a snapshot, or a Pod Event) → one PutEvents entry that
 * fits, sized the way EventBridge sizes it. The one encoder of the forwarder and of
 * `podlife local` (through payload.ts's PayloadEncoder): readable facts when the entry fits in
 * 64 KB (one billed event), DEFLATE-compressed only when it would not (`auto`); an entry still
 * over 64 KB gets its free-text messages cut to 256, then 64 characters (times, reasons and exit
 * codes are never cut); still over 256 KB (EventBridge's limit): not sent (`ok: false`).
 */
import type { Fact } from '../../core/facts.ts';
import { DETAIL_TYPE_FACTS, type PodIdentity, podFactsDetail } from '../../core/pod-facts.ts';
import { EVENT_SOURCE } from '../../core/snapshot.ts';
import type { Entry } from '../sinks.ts';

/** EventBridge: "The total entry size must be less than 256KB". */
export const MAX_ENTRY_BYTES = 256 * 1024;
/** EventBridge bills each 64 KB chunk of an event as one event. */
export const TARGET_ENTRY_BYTES = 64 * 1024;

/**
 * The size EventBridge counts for one PutEventsRequestEntry, from "Calculating Amazon
 * EventBridge PutEvents event entry size"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html):
 * Time, if specified, is 14 bytes; Source and DetailType are the bytes of their UTF-8 forms;
 * Detail, if specified, is the bytes of its UTF-8 form; each Resources entry is the bytes of its
 * UTF-8 form. EventBusName does not count. "The total entry size must be less than 256KB."
 */
export function entrySize(e: {
  Source: string;
  DetailType: string;
  Detail?: string | undefined;
  Time?: Date | string | undefined;
  Resources?: string[] | undefined;
}): number {
  let size = e.Time !== undefined ? 14 : 0;
  size += Buffer.byteLength(e.Source, 'utf8');
  size += Buffer.byteLength(e.DetailType, 'utf8');
  if (e.Detail !== undefined) size += Buffer.byteLength(e.Detail, 'utf8');
  for (const r of e.Resources ?? []) size += Buffer.byteLength(r, 'utf8');
  return size;
}

/** Returns a copy of a JSON value with every string under a `message` key cut to `max` characters. */
export function cutMessages<T>(value: T, max: number): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] =
          k === 'message' && typeof x === 'string' && x.length > max ? `${x.slice(0, max - 1)}…` : walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

export type BuiltEntry =
  | { ok: true; entry: Entry; size: number; trimmed: boolean; detail: object }
  | { ok: false; size: number };

/**
 * Serialises a detail (or a function that builds it with its messages cut to a length: a
 * compressed detail cannot be cut after the fact) into an entry that fits: as is when under
 * 64 KB; else with messages cut to 256, then 64 characters, taking the first form under 64 KB; else the first form under
 * 256 KB (sent as is, billed as several events); else not at all. With `compressed` (a
 * compressed form of the same detail), a detail over 64 KB as is goes compressed instead, by
 * the same rules: readable when it fits, compressed only when it would not.
 */
export function buildEntry(
  source: string,
  detailType: string,
  detail: object | ((cutMessagesTo?: number) => object),
  bus?: string,
  time?: string,
  compressed?: (cutMessagesTo?: number) => object,
): BuiltEntry {
  const detailOf =
    typeof detail === 'function' ? detail : (max?: number) => (max ? cutMessages(detail, max) : detail);
  const make = (d: object): Entry => {
    const e: Entry = { Source: source, DetailType: detailType, Detail: JSON.stringify(d) };
    if (bus) e.EventBusName = bus;
    if (time) e.Time = time;
    return e;
  };
  const form = (max?: number) => {
    const d = detailOf(max);
    const entry = make(d);
    return { entry, size: entrySize(entry), trimmed: max !== undefined, detail: d };
  };
  const first = form();
  if (first.size <= TARGET_ENTRY_BYTES) return { ok: true, ...first };
  if (compressed) return buildEntry(source, detailType, compressed, bus, time);
  const forms = [first];
  for (const max of [256, 64]) {
    const f = form(max);
    if (f.size <= TARGET_ENTRY_BYTES) return { ok: true, ...f };
    forms.push(f);
  }
  const fits = forms.find((f) => f.size < MAX_ENTRY_BYTES);
  return fits ? { ok: true, ...fits } : { ok: false, size: forms[forms.length - 1]?.size ?? first.size };
}

/**
 * How a pod's facts are encoded: `auto` (the forwarder's default `facts` payload) readable,
 * compressed only when the readable entry would pass 64 KB; true: compressed; false: never
 * compressed (`facts-json`).
 */
export type Compression = boolean | 'auto';

/** Where an entry goes and when what it says was observed (the event's `time` on the bus). */
export interface Envelope {
  bus?: string | undefined;
  time?: string | undefined;
  /** The entry's source: `podlife.forwarder` unless bound (`podlife.forwarder.CLUSTER`, --cluster-source). */
  source?: string | undefined;
}

/** A pod's facts as one `Pod Facts` entry (see the file comment for the size rules). */
export function factsEntry(
  id: PodIdentity,
  facts: readonly Fact[],
  compress: Compression,
  envelope: Envelope = {},
): BuiltEntry {
  const form = (compressed: boolean) => (cutTo?: number) =>
    podFactsDetail(id, cutTo ? cutMessages(facts, cutTo) : facts, { compress: compressed });
  const { bus, time, source = EVENT_SOURCE } = envelope;
  if (compress === 'auto') return buildEntry(source, DETAIL_TYPE_FACTS, form(false), bus, time, form(true));
  return buildEntry(source, DETAIL_TYPE_FACTS, form(compress), bus, time);
}

/** Any other detail (a Pod Snapshot, a Pod Event) as one entry. */
export function detailEntry(detailType: string, detail: object, envelope: Envelope = {}): BuiltEntry {
  return buildEntry(envelope.source ?? EVENT_SOURCE, detailType, detail, envelope.bus, envelope.time);
}
