/**
 * Settings parsers: one set for every place podlife reads a setting from text, the Lambdas'
 * environment variables (functions/env.ts, model/alerts.ts) and the CDK context (infra/context.ts).
 * Each takes the setting's label (`environment variable TABLE_NAME`, `context podlife:retentionDays`)
 * and its raw value, and fails fast with an error that names it. Absent means `undefined` or
 * ''; command-line context values arrive as strings, cdk.json's as JSON values: both are read.
 * Pure: the caller looks the value up. (The forwarder's flags have their own table.)
 */

export class SettingError extends Error {
  override name = 'SettingError';
}

export const envLabel = (name: string) => `environment variable ${name}`;
export const contextLabel = (key: string) => `context ${key}`;

const shown = (v: unknown) => JSON.stringify(v) ?? String(v);
const absent = (v: unknown) => v === undefined || v === '';

/** A string, '' and absent refused. */
export function requiredText(label: string, v: unknown): string {
  if (absent(v)) throw new SettingError(`${label} is required`);
  return textSetting(label, v) as string;
}

/** A string, or undefined when absent ('' included). */
export function textSetting(label: string, v: unknown): string | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== 'string') throw new SettingError(`${label} must be a string, got ${shown(v)}`);
  return v;
}

/**
 * A number ≥ `min` (a whole one with `integer`), from a number or its decimal text; `undefined`
 * when absent. `positive: true` is "> 0".
 */
export function numberSetting(
  label: string,
  v: unknown,
  { min, positive = false, integer = false }: { min?: number; positive?: boolean; integer?: boolean },
): number | undefined {
  if (absent(v)) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  const ok =
    typeof n === 'number' &&
    Number.isFinite(n) &&
    (!integer || Number.isInteger(n)) &&
    (min === undefined || n >= min) &&
    (!positive || n > 0);
  if (!ok) {
    const kind = integer ? 'whole number' : 'number';
    const what = positive ? `a positive ${kind}` : min !== undefined ? `a ${kind} ≥ ${min}` : `a ${kind}`;
    throw new SettingError(`${label} must be ${what}, got ${shown(v)}`);
  }
  return n as number;
}

/** true/false, or their text; `undefined` when absent. */
export function boolSetting(label: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new SettingError(`${label} must be true or false, got ${shown(v)}`);
}

/**
 * A list of strings: a JSON array, or its text, or comma-separated text; each item trimmed and
 * accepted by `item` (default: non-empty). `undefined` when absent.
 */
export function listSetting(
  label: string,
  v: unknown,
  {
    item = (s: string) => s.length > 0,
    what = 'a list of strings',
  }: { item?: (s: string) => boolean; what?: string } = {},
): string[] | undefined {
  if (v === undefined) return undefined;
  let value: unknown = v;
  if (typeof value === 'string') {
    value = value.trim().startsWith('[') ? jsonSetting(label, value, what) : value.split(',').filter(Boolean);
  }
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'string' && item(x)))
    throw new SettingError(`${label} must be ${what}, got ${shown(v)}`);
  return value.map((s: string) => s.trim());
}

/** JSON text (a value that is not a string passes as it is); `what` says what is expected ("JSON like {...}"). */
export function jsonSetting(label: string, v: unknown, what: string): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new SettingError(`${label} must be ${what}, got ${shown(v)}`);
  }
}
