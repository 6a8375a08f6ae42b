/**
 * EventBridge event-pattern matching, for local mode: the rules of the synthesised stack decide
 * which handler an event reaches, exactly as on AWS, so a pattern mistake shows up locally.
 *
 * Implements the content-filter semantics of Amazon EventBridge event patterns: every key of
 * the pattern must match (AND); a key's array of matchers matches if any matcher matches any of
 * the event's values at that key (OR; an event array matches element-wise); nested objects
 * recurse. Matchers: literal string / number / boolean / null, `prefix`, `suffix`,
 * `equals-ignore-case`, `anything-but` (value, list, or `{prefix}` / `{suffix}`), `numeric`
 * (comparison pairs), `exists`, `wildcard`, and `$or` at any level.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type EventPattern = { [key: string]: Json };

export class EventPatternError extends Error {
  override name = 'EventPatternError';
}

const MISSING = Symbol('missing');
type Value = Json | typeof MISSING;

function isObject(x: unknown): x is Record<string, Json> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function wildcardToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function numericMatches(spec: Json[], v: number): boolean {
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const bound = spec[i + 1];
    if (typeof bound !== 'number')
      throw new EventPatternError(`numeric: ${JSON.stringify(spec)} needs numbers`);
    const ok =
      op === '='
        ? v === bound
        : op === '<'
          ? v < bound
          : op === '<='
            ? v <= bound
            : op === '>'
              ? v > bound
              : op === '>='
                ? v >= bound
                : null;
    if (ok === null) throw new EventPatternError(`numeric: unknown operator ${JSON.stringify(op)}`);
    if (!ok) return false;
  }
  return true;
}

/** One matcher against one scalar value (or MISSING). */
function matcherMatches(m: Json, v: Value): boolean {
  if (!isObject(m)) return v !== MISSING && m === v;
  const [op, arg] = Object.entries(m)[0] ?? [];
  switch (op) {
    case 'exists':
      return arg === true ? v !== MISSING : v === MISSING;
    case 'prefix':
      if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
        return typeof v === 'string' && v.toLowerCase().startsWith(arg['equals-ignore-case'].toLowerCase());
      }
      return typeof v === 'string' && typeof arg === 'string' && v.startsWith(arg);
    case 'suffix':
      if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
        return typeof v === 'string' && v.toLowerCase().endsWith(arg['equals-ignore-case'].toLowerCase());
      }
      return typeof v === 'string' && typeof arg === 'string' && v.endsWith(arg);
    case 'equals-ignore-case':
      return typeof v === 'string' && typeof arg === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && typeof arg === 'string' && wildcardToRegExp(arg).test(v);
    case 'numeric':
      return typeof v === 'number' && Array.isArray(arg) && numericMatches(arg, v);
    case 'anything-but': {
      if (v === MISSING) return false;
      if (isObject(arg)) return !matcherMatches(arg, v);
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.some((x) => x === v);
    }
    default:
      throw new EventPatternError(`unsupported matcher ${JSON.stringify(m)}`);
  }
}

function fieldMatches(matchers: Json, value: Value): boolean {
  if (!Array.isArray(matchers))
    throw new EventPatternError(`a pattern leaf must be an array: ${JSON.stringify(matchers)}`);
  const values: Value[] = Array.isArray(value) ? (value.length ? value : [MISSING]) : [value];
  return matchers.some((m) => values.some((v) => matcherMatches(m, v)));
}

/** True when `event` matches `pattern` under EventBridge's rules. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub)) throw new EventPatternError('$or needs an array of patterns');
      if (!sub.some((p) => isObject(p) && matchesPattern(p, event))) return false;
      continue;
    }
    const value: Value = isObject(event) && key in event ? (event[key] as Json) : MISSING;
    if (isObject(sub)) {
      // A nested pattern: the event must have an object there (or, for exists:false leaves, nothing).
      if (!matchesPattern(sub, isObject(value) ? value : {})) return false;
      continue;
    }
    if (!fieldMatches(sub, value)) return false;
  }
  return true;
}
