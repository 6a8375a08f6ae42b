/**
 * Kubernetes timestamps → epoch milliseconds.
 *
 * Kubernetes writes RFC 3339 times (`2024-11-22T11:55:07Z`, events' `eventTime` with
 * microseconds). Two real-world quirks are treated as "no time": `null`, and the zero times
 * that the kubelet writes when it has none (`1970-01-01T00:00:00Z` on a StartError, Go's
 * `0001-01-01T00:00:00Z`). A figure built on them would be decades long.
 */

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A time before this is a zero value written by a component, not a real event (2000-01-01). */
export const EARLIEST_REAL_TIME_MS = Date.UTC(2000, 0, 1);

/** True for a string Kubernetes could have written as a time (zero times included). */
export function isRfc3339(value: string): boolean {
  return RFC3339.test(value) && Number.isFinite(Date.parse(value));
}

/** Epoch ms of a Kubernetes time, or null for absent and zero times. */
export function toMillis(value: string | null | undefined): number | null {
  if (value == null) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < EARLIEST_REAL_TIME_MS) return null;
  return ms;
}

/** The largest |epoch ms| a JS Date holds (±100,000,000 days from 1970). */
const MAX_DATE_MS = 8.64e15;

/**
 * ISO 8601 text of epoch ms, or null: also for a time no Date can hold, so that a figure or a
 * timeline never throws on data (inputs are bounded at the boundary; an item stored before the
 * bounds existed may still carry one).
 */
export function toIso(ms: number | null | undefined): string | null {
  return ms == null || !(Math.abs(ms) <= MAX_DATE_MS) ? null : new Date(ms).toISOString();
}

/**
 * Seconds from `from` to `to`, or null when either is unknown.
 *
 * Negative results are clamped to 0: the API server stamps creation and conditions with its
 * own clock while the kubelet stamps container starts with the node's, both at one-second
 * precision, so a start can appear to precede the creation by up to a second or by the skew.
 * (clusterloader2's pod-startup measurement clamps for the same reason.)
 */
export function secondsBetween(from: number | null, to: number | null): number | null {
  if (from == null || to == null) return null;
  return Math.max(0, (to - from) / 1000);
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses a duration like `300`, `90s`, `5m`, `1h30m`, `2d` into seconds; throws on anything else. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new Error(`not a duration: "${text}" (use e.g. 300, 90s, 5m, 1h30m, 2d)`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_SECONDS[p[2] ?? ''] ?? Number.NaN), 0);
}

/** Human form of seconds, kubectl style: 45s, 3m12s, 2h5m, 3d4h. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds == null) return '-';
  if (seconds < 10 && !Number.isInteger(seconds)) return `${seconds.toFixed(1)}s`;
  let s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return h > 0 ? `${d}d${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h${m}m` : `${h}h`;
  return s > 0 ? `${m}m${s}s` : `${m}m`;
}
