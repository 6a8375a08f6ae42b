/**
 * What kubernetes-event-exporter's `eventbridge` receiver sends for a core/v1 Event with the
 * `details` layout of docs/forwarder.md: each template rendered the way Go renders it (every
 * value a string; a missing uid or field path is ""; `.Count` of a new-style event is "0"; a
 * zero `.LastTimestamp` formats as year 1). Used to test the ingest's support for it.
 */
import { DETAIL_TYPE_EXPORTER, EXPORTER_SOURCE } from '../core/exporter-event.ts';

type RawEvent = {
  metadata: { uid?: string; namespace?: string };
  involvedObject: { kind?: string; namespace?: string; name?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  source?: { component?: string };
};

/** Go's time.Format of an RFC 3339 instant with the given layout's precision. */
const goTime = (iso: string | null | undefined, millis: boolean): string => {
  if (!iso) return millis ? '0001-01-01T00:00:00.000Z' : '0001-01-01T00:00:00Z';
  const s = new Date(iso).toISOString();
  return millis ? s : s.replace(/\.\d{3}Z$/, 'Z');
};

/** The rendered `details` of the documented layout. */
export function exporterDetailOf(ev: RawEvent, cluster: string): Record<string, string> {
  const o = ev.involvedObject;
  return {
    cluster,
    uid: ev.metadata.uid ?? '',
    kind: o.kind ?? '',
    namespace: o.namespace ?? '',
    podName: o.name ?? '',
    podUid: o.uid ?? '',
    fieldPath: o.fieldPath ?? '',
    reason: ev.reason ?? '',
    message: ev.message ?? '',
    type: ev.type ?? '',
    count: String(ev.count ?? 0),
    // {{ .GetTimestampISO8601 }}: firstTimestamp, else eventTime, with milliseconds.
    firstTimestamp: goTime(ev.firstTimestamp || ev.eventTime, true),
    // {{ .LastTimestamp.UTC.Format "2006-01-02T15:04:05Z" }}
    lastTimestamp: goTime(ev.lastTimestamp, false),
    source: ev.source?.component ?? '',
  };
}

/** The EventBridge event the ingest receives for it. */
export function exporterBusEvent(ev: RawEvent, cluster: string, id = 'exporter-1'): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': DETAIL_TYPE_EXPORTER,
    source: EXPORTER_SOURCE,
    account: '123456789012',
    time: '2030-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: exporterDetailOf(ev, cluster),
  };
}
