/**
 * The invalid-event report: what the ingest publishes when an event can never be ingested, so an
 * operator finds it (the "invalid events" SQS queue, through a rule on the bus, and the bus
 * archive) with the reason, fixes it and puts it back on the bus. Pure: names and shapes only,
 * shared by the handler and the CDK construct.
 */

/** Source and detail-type of the report on podlife's bus. */
export const INVALID_EVENT_SOURCE = 'podlife.ingest';
export const DETAIL_TYPE_INVALID = 'Invalid Pod Event';

/**
 * EventBridge's limit for one entry is 256 KB; the report keeps the original event whole when
 * it fits under this, else a summary of its envelope and the start of its detail.
 */
export const MAX_REPORT_BYTES = 240 * 1024;

export interface InvalidEventReport {
  /** Bounded kind (see InvalidKind): envelope, unknown-type, unknown-version, oversized, schema, item-too-large, store-refused, wrong-sender. */
  kind: string;
  /** One line naming the field or limit at fault. */
  reason: string;
  /** When the ingest rejected it (ISO 8601). */
  rejectedAt: string;
  /** The original EventBridge event, whole: replay it with `aws events put-events` once fixed. */
  event: unknown;
  /** True when `event` is only a summary because the original did not fit. */
  truncated?: boolean;
}

/** The report for an event, cut to fit one EventBridge entry. */
export function invalidEventReport(
  event: unknown,
  kind: string,
  reason: string,
  nowMs: number,
): InvalidEventReport {
  const report: InvalidEventReport = {
    kind,
    reason: reason.slice(0, 2000),
    rejectedAt: new Date(nowMs).toISOString(),
    event,
  };
  if (Buffer.byteLength(JSON.stringify(report)) <= MAX_REPORT_BYTES) return report;
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const detail = JSON.stringify(e.detail ?? null);
  return {
    ...report,
    truncated: true,
    event: {
      id: e.id,
      source: e.source,
      'detail-type': e['detail-type'],
      time: e.time,
      detailBytes: Buffer.byteLength(detail),
      detailStart: detail.slice(0, 16 * 1024),
    },
  };
}
