/**
 * EventBridge event-pattern matching, for local mode: the rules of the synthesised stack decide
 * which handler an event reaches, exactly as on AWS, so a pattern mistake shows up locally.
 *
 * Two steps, as in EventBridge itself (and aws/event-ruler, the library behind it):
 * `compilePattern` validates a pattern and refuses, with the place and the reason, every pattern
 * EventBridge refuses and every operator it does not implement (`PatternError`); the `Matcher` it
 * returns then never throws on any event.
 *
 * Semantics (EventBridge user guide, "Content filtering" and "Arrays in event patterns";
 * aws/event-ruler README):
 * - every key of a pattern object must match (AND); a leaf is a non-empty list of matchers, and
 *   matches when any matcher matches any of the event's values at that path (OR);
 * - `$or` (2+ branches) is expanded as event-ruler does into OR-free sub-patterns, each matched
 *   on its own; a field set again by a later key or branch replaces the earlier one;
 * - event arrays are flattened: a leaf sees every scalar of a (nested) array; a nested pattern
 *   object is matched against each object of an array, and must match inside ONE element (array
 *   consistency, as event-ruler's `rulesForJSONEvent`): `{"d":{"a":["x"],"b":["y"]}}` does not
 *   match `{"d":[{"a":"x"},{"b":"y"}]}`;
 * - `exists` looks at leaves only: a field holding an object or an empty array does not exist;
 * - numbers compare as event-ruler's ComparableNumber: values in [-5e9, 5e9], six decimal
 *   digits (`[5]` matches `5.0`); a pattern number outside that range still matches the same
 *   number literally; `numeric` and number lists of `anything-but` must lie in it;
 * - strings that are IP addresses compare as addresses (`cidr`, and exact IP strings);
 * - `anything-but` matches any leaf (of any type) that none of its exclusions match; it never
 *   matches a missing field.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type EventPattern = { [key: string]: Json };

/** A pattern EventBridge would refuse, with where (a JSON path in the pattern) and why. */
export class PatternError extends Error {
  override name = 'PatternError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`event pattern refused at ${path}: ${reason}`);
  }
}
/** The name this error had before validation moved into `compilePattern`. */
export const EventPatternError = PatternError;

/** A compiled pattern. `matches` is total: any value, never a throw. */
export interface Matcher {
  readonly pattern: EventPattern;
  matches(event: unknown): boolean;
}

// ---------------------------------------------------------------------------------------------
// Values

/** event-ruler's numeric range (Constants.FIVE_BILLION) and its six-decimal comparable form. */
const FIVE_BILLION = 5e9;
const inRange = (f: number) => f >= -FIVE_BILLION && f <= FIVE_BILLION;
/** ComparableNumber.generate: (long) (1e6 * (5e9 + f)), computed in doubles as in Java. */
const comparable = (f: number) => Math.trunc(1e6 * (FIVE_BILLION + f));

type Scalar = null | boolean | number | string;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isScalar(x: unknown): x is Scalar {
  return x === null || typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number';
}

/** The leaf values at a field: the scalar itself, or every scalar of a (nested) array. */
function leavesOf(v: unknown, out: Scalar[] = [], depth = 0): Scalar[] {
  if (isScalar(v)) out.push(v);
  else if (Array.isArray(v) && depth < 64) for (const x of v) leavesOf(x, out, depth + 1);
  return out;
}

/** The objects at a field: the object itself, or every object of a (nested) array. */
function objectsOf(v: unknown, out: Record<string, unknown>[] = [], depth = 0): Record<string, unknown>[] {
  if (isObject(v)) out.push(v);
  else if (Array.isArray(v) && depth < 64) for (const x of v) objectsOf(x, out, depth + 1);
  return out;
}

const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

// ---------------------------------------------------------------------------------------------
// IP addresses (event-ruler CIDR: IPv4 and IPv6, compared as numbers)

function parseIPv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseIPv6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(Number.parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const [before = '', after] = halves;
  const head = groups(before);
  const tail = after === undefined ? [] : groups(after);
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  let n = 0n;
  for (const g of [...head, ...Array<number>(fill).fill(0), ...tail]) n = (n << 16n) | BigInt(g);
  return n;
}

interface Ip {
  v6: boolean;
  n: bigint;
}

function parseIp(s: string): Ip | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return { v6: false, n: v4 };
  const v6 = s.includes(':') ? parseIPv6(s) : null;
  return v6 === null ? null : { v6: true, n: v6 };
}

interface IpRange {
  v6: boolean;
  lo: bigint;
  hi: bigint;
}

const inIpRange = (r: IpRange, s: string) => {
  const ip = parseIp(s);
  return ip !== null && ip.v6 === r.v6 && ip.n >= r.lo && ip.n <= r.hi;
};

// ---------------------------------------------------------------------------------------------
// Wildcards: `*` any run of characters, `\*` a star, `\\` a backslash; `**` and other escapes
// are refused (event-ruler WildcardParser).

function parseWildcard(glob: string, path: string): string[] {
  // The last segment is `current`, kept apart so appending to it needs no index.
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '\\') {
      const next = glob.charAt(i + 1);
      if (next !== '*' && next !== '\\')
        throw new PatternError(path, 'a backslash in a wildcard may only escape * or \\');
      current += next;
      i++;
    } else if (c === '*') {
      if (glob.charAt(i + 1) === '*')
        throw new PatternError(path, 'consecutive wildcard characters are not allowed');
      segments.push(current);
      current = '';
    } else current += c;
  }
  segments.push(current);
  return segments;
}

/** Linear-time glob match over literal segments (no regular expression, no backtracking). */
function wildcardMatches(segments: readonly string[], s: string): boolean {
  const [first = '', ...rest] = segments;
  const last = rest.pop();
  if (last === undefined) return s === first;
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  let at = first.length;
  const end = s.length - last.length;
  for (const middle of rest) {
    const found = s.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Compiled form

/** One matcher of a leaf list, as a predicate on one scalar (exists is handled per field). */
type ValueTest = (v: Scalar) => boolean;
type LeafMatcher = { kind: 'exists'; present: boolean } | { kind: 'value'; test: ValueTest };

/** A pattern object's fields, in document order (order matters when `$or` is expanded). */
type Item =
  | { kind: 'leaf'; key: string; matchers: LeafMatcher[] }
  | { kind: 'child'; key: string; node: Node }
  | { kind: 'or'; branches: Node[] };
interface Node {
  items: Item[];
}

const lower = (s: string) => s.toLowerCase();
const upper = (s: string) => s.toUpperCase();
const equalsIgnoringCase = (a: string, b: string) => lower(a) === lower(b) || upper(a) === upper(b);

/** The names EventBridge gives operators; not field names inside `$or` (event-ruler Constants). */
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);
/** Operators event-ruler knows but EventBridge does not offer, refused by name. */
const NOT_IN_EVENTBRIDGE: Record<string, string> = {
  exactly: 'event-ruler only',
  $and: 'event-ruler only',
  $not: 'not an EventBridge operator',
  contains: 'not an EventBridge operator',
  regex: 'not an EventBridge operator',
};

const at = (path: string, key: string) =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
const describe = (x: unknown) =>
  Array.isArray(x)
    ? 'a list'
    : x === null
      ? 'null'
      : typeof x === 'object'
        ? 'an object'
        : `${typeof x} ${JSON.stringify(x)}`;

function numberInRange(x: unknown, path: string, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x))
    throw new PatternError(path, `${what} must be a number, not ${describe(x)}`);
  if (!inRange(x))
    throw new PatternError(
      path,
      `${what} ${x} is outside [-5e9, 5e9], the range EventBridge compares numbers in`,
    );
  return x;
}

function nonEmptyList(x: unknown[], path: string): void {
  if (x.length === 0) throw new PatternError(path, 'an empty list is not allowed');
}

function compileNumeric(spec: unknown, path: string): ValueTest {
  if (!Array.isArray(spec))
    throw new PatternError(path, `numeric needs a list like [">", 0, "<=", 5], not ${describe(spec)}`);
  const op = (i: number, allowed: string[]) => {
    const o = spec[i];
    if (typeof o !== 'string' || !allowed.includes(o))
      throw new PatternError(
        `${path}[${i}]`,
        `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, not ${describe(o)}`,
      );
    return o;
  };
  if (spec.length !== 2 && spec.length !== 4)
    throw new PatternError(
      path,
      `numeric takes one comparison or a range (2 or 4 elements), not ${spec.length}`,
    );
  const first = op(0, spec.length === 2 ? ['=', '<', '<=', '>', '>='] : ['>', '>=']);
  const a = comparable(numberInRange(spec[1], `${path}[1]`, `the value of ${first}`));
  const cmp = (o: string, b: number): ((c: number) => boolean) =>
    o === '='
      ? (c) => c === b
      : o === '<'
        ? (c) => c < b
        : o === '<='
          ? (c) => c <= b
          : o === '>'
            ? (c) => c > b
            : (c) => c >= b;
  let test = cmp(first, a);
  if (spec.length === 4) {
    const second = op(2, ['<', '<=']);
    const b = comparable(numberInRange(spec[3], `${path}[3]`, `the value of ${second}`));
    if (a >= b) throw new PatternError(path, 'the bottom of a numeric range must be less than its top');
    const low = test;
    const high = cmp(second, b);
    test = (c) => low(c) && high(c);
  }
  const t = test;
  return (v) => typeof v === 'number' && inRange(v) && t(comparable(v));
}

function onlyKey(obj: Record<string, unknown>, path: string, what: string): [string, unknown] {
  const keys = Object.keys(obj);
  const [key] = keys;
  if (key === undefined) throw new PatternError(path, `${what} is empty`);
  if (keys.length > 1)
    throw new PatternError(
      path,
      `${what} must have exactly one key, not ${keys.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  return [key, obj[key]];
}

/** `{"prefix": "x"}` / `{"prefix": {"equals-ignore-case": "x"}}`, and the same for suffix. */
function compileAffix(kind: 'prefix' | 'suffix', arg: unknown, path: string): ValueTest {
  const has =
    kind === 'prefix' ? (s: string, a: string) => s.startsWith(a) : (s: string, a: string) => s.endsWith(a);
  if (typeof arg === 'string') return (v) => typeof v === 'string' && has(v, arg);
  if (isObject(arg)) {
    const [k, x] = onlyKey(arg, at(path, kind), `the ${kind} object`);
    if (k !== 'equals-ignore-case')
      throw new PatternError(
        at(path, kind),
        `${kind} takes a string or {"equals-ignore-case": string}, not ${JSON.stringify(k)}`,
      );
    if (typeof x !== 'string')
      throw new PatternError(at(at(path, kind), k), `must be a string, not ${describe(x)}`);
    const l = lower(x);
    return (v) => typeof v === 'string' && has(lower(v), l);
  }
  throw new PatternError(at(path, kind), `${kind} must be a string, not ${describe(arg)}`);
}

/** `anything-but`: the exclusions, as one predicate on a present leaf (true = excluded). */
function compileExclusion(arg: unknown, path: string): ValueTest {
  if (typeof arg === 'string') return (v) => v === arg;
  if (typeof arg === 'number') {
    const c = comparable(numberInRange(arg, path, 'an anything-but number'));
    return (v) => typeof v === 'number' && inRange(v) && comparable(v) === c;
  }
  if (Array.isArray(arg)) {
    nonEmptyList(arg, path);
    if (arg.every((x) => typeof x === 'string')) {
      const set = new Set(arg as string[]);
      return (v) => typeof v === 'string' && set.has(v);
    }
    if (arg.every((x) => typeof x === 'number')) {
      const set = new Set(
        arg.map((x, i) => comparable(numberInRange(x, `${path}[${i}]`, 'an anything-but number'))),
      );
      return (v) => typeof v === 'number' && inRange(v) && set.has(comparable(v));
    }
    throw new PatternError(
      path,
      'an anything-but list holds only strings or only numbers (no null, boolean, object or mixed types)',
    );
  }
  if (isObject(arg)) {
    const [op, x] = onlyKey(arg, path, 'the anything-but object');
    const p = at(path, op);
    const strings = (allowEmpty: boolean): string[] => {
      const list = Array.isArray(x) ? x : [x];
      if (Array.isArray(x)) nonEmptyList(x, p);
      list.forEach((s, i) => {
        const where = Array.isArray(x) ? `${p}[${i}]` : p;
        if (typeof s !== 'string') throw new PatternError(where, `must be a string, not ${describe(s)}`);
        if (!allowEmpty && s === '')
          throw new PatternError(where, `an empty ${op} is not allowed in anything-but`);
      });
      return list as string[];
    };
    switch (op) {
      case 'prefix': {
        const xs = strings(false);
        return (v) => typeof v === 'string' && xs.some((a) => v.startsWith(a));
      }
      case 'suffix': {
        const xs = strings(false);
        return (v) => typeof v === 'string' && xs.some((a) => v.endsWith(a));
      }
      case 'equals-ignore-case': {
        const xs = strings(true);
        return (v) => typeof v === 'string' && xs.some((a) => equalsIgnoringCase(v, a));
      }
      case 'wildcard': {
        const globs = strings(true).map((g, i) => parseWildcard(g, Array.isArray(x) ? `${p}[${i}]` : p));
        return (v) => typeof v === 'string' && globs.some((g) => wildcardMatches(g, v));
      }
      default:
        throw new PatternError(
          p,
          `anything-but takes prefix, suffix, equals-ignore-case or wildcard, not ${JSON.stringify(op)}`,
        );
    }
  }
  throw new PatternError(
    path,
    `anything-but takes a string, a number, a list or an object, not ${describe(arg)}`,
  );
}

function compileCidr(arg: unknown, path: string): ValueTest {
  if (typeof arg !== 'string') throw new PatternError(path, `cidr must be a string, not ${describe(arg)}`);
  const [, address, length] = /^([^/]+)\/(\d{1,3})$/.exec(arg) ?? [];
  const ip = address === undefined ? null : parseIp(address);
  const bits = ip?.v6 ? 128 : 32;
  if (!ip || length === undefined || Number(length) > bits)
    throw new PatternError(path, `${JSON.stringify(arg)} is not a CIDR block (address/prefix-length)`);
  const host = (1n << BigInt(bits - Number(length))) - 1n;
  const range: IpRange = { v6: ip.v6, lo: ip.n & ~host, hi: (ip.n & ~host) | host };
  return (v) => typeof v === 'string' && inIpRange(range, v);
}

function compileMatcher(m: unknown, path: string): LeafMatcher {
  if (typeof m === 'string') {
    const ip = parseIp(m);
    if (ip)
      return {
        kind: 'value',
        test: (v) => typeof v === 'string' && inIpRange({ v6: ip.v6, lo: ip.n, hi: ip.n }, v),
      };
    return { kind: 'value', test: (v) => v === m };
  }
  if (typeof m === 'number') {
    const c = inRange(m) ? comparable(m) : null;
    return {
      kind: 'value',
      test: (v) => typeof v === 'number' && (v === m || (c !== null && inRange(v) && comparable(v) === c)),
    };
  }
  if (m === null || typeof m === 'boolean') return { kind: 'value', test: (v) => v === m };
  if (Array.isArray(m))
    throw new PatternError(
      path,
      'a match value is a string, number, true, false, null or an operator object, not a list',
    );
  if (!isObject(m)) throw new PatternError(path, `unsupported match value ${describe(m)}`);
  const [op, arg] = onlyKey(m, path, 'a match expression');
  const p = at(path, op);
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean')
        throw new PatternError(p, `exists must be true or false, not ${describe(arg)}`);
      return { kind: 'exists', present: arg };
    case 'prefix':
    case 'suffix':
      return { kind: 'value', test: compileAffix(op, arg, path) };
    case 'equals-ignore-case': {
      if (typeof arg !== 'string')
        throw new PatternError(p, `equals-ignore-case must be a string, not ${describe(arg)}`);
      return { kind: 'value', test: (v) => typeof v === 'string' && equalsIgnoringCase(v, arg) };
    }
    case 'wildcard': {
      if (typeof arg !== 'string')
        throw new PatternError(p, `wildcard must be a string, not ${describe(arg)}`);
      const segments = parseWildcard(arg, p);
      return { kind: 'value', test: (v) => typeof v === 'string' && wildcardMatches(segments, v) };
    }
    case 'anything-but': {
      const excluded = compileExclusion(arg, p);
      return { kind: 'value', test: (v) => !excluded(v) };
    }
    case 'numeric':
      return { kind: 'value', test: compileNumeric(arg, p) };
    case 'cidr':
      return { kind: 'value', test: compileCidr(arg, p) };
    default:
      throw new PatternError(
        p,
        op in NOT_IN_EVENTBRIDGE
          ? `${JSON.stringify(op)} is not an operator EventBridge implements (${NOT_IN_EVENTBRIDGE[op]})`
          : `unknown operator ${JSON.stringify(op)}`,
      );
  }
}

function compileNode(obj: unknown, path: string, insideOr: boolean, depth: number): Node {
  if (!isObject(obj)) throw new PatternError(path, `a pattern must be a JSON object, not ${describe(obj)}`);
  // The size quota bounds the depth (a level costs at least 6 characters); this only guards callers
  // that raise the quota far beyond EventBridge's 4096.
  if (depth > 1000) throw new PatternError(path, 'the pattern is nested too deeply');
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new PatternError(path, 'empty objects are not allowed');
  const node: Node = { items: [] };
  for (const key of keys) {
    const v = obj[key];
    const p = at(path, key);
    if (key === '$or') {
      if (!Array.isArray(v))
        throw new PatternError(p, `$or must be a list of pattern objects, not ${describe(v)}`);
      if (v.length < 2) throw new PatternError(p, `$or needs at least 2 patterns, not ${v.length}`);
      node.items.push({
        kind: 'or',
        branches: v.map((b, i) => compileNode(b, `${p}[${i}]`, true, depth + 1)),
      });
      continue;
    }
    if (insideOr && OPERATORS.has(key))
      throw new PatternError(
        p,
        `${JSON.stringify(key)} is an operator name and cannot be a field name inside $or`,
      );
    if (Array.isArray(v)) {
      nonEmptyList(v, p);
      node.items.push({ kind: 'leaf', key, matchers: v.map((m, i) => compileMatcher(m, `${p}[${i}]`)) });
    } else if (isObject(v))
      node.items.push({ kind: 'child', key, node: compileNode(v, p, insideOr, depth + 1) });
    else
      throw new PatternError(
        p,
        `a pattern field must be a list of match values or an object, not ${describe(v)}`,
      );
  }
  return node;
}

/**
 * `$or`, as event-ruler's JsonRuleCompiler reads it: the pattern becomes a list of OR-free
 * sub-patterns (one per combination of branches), each a map of field path to matchers, filled
 * in document order, so a path set again by a later field or branch replaces the earlier one.
 */
type SubPattern = Map<string, { path: string[]; matchers: LeafMatcher[] }>;

/** Sub-patterns local mode expands at most (a local bound, said when reached). */
const MAX_OR_COMBINATIONS = 1000;

function expand(node: Node, prefix: string[], rules: SubPattern[]): SubPattern[] {
  let out = rules;
  for (const item of node.items) {
    if (item.kind === 'leaf') {
      if (out.length === 0) out = [new Map()];
      const path = [...prefix, item.key];
      for (const r of out) r.set(JSON.stringify(path), { path, matchers: item.matchers });
    } else if (item.kind === 'child') out = expand(item.node, [...prefix, item.key], out);
    else {
      const next: SubPattern[] = [];
      for (const b of item.branches) {
        const copies = out.length ? out.map((r) => new Map(r)) : [new Map()];
        next.push(...expand(b, prefix, copies));
        if (next.length > MAX_OR_COMBINATIONS)
          throw new PatternError(
            '$',
            `$or expands to more than ${MAX_OR_COMBINATIONS} combinations; local mode does not evaluate patterns this complex`,
          );
      }
      out = next;
    }
  }
  return out;
}

/** An OR-free sub-pattern back as a tree, so that fields under one array element stay together. */
function treeOf(rule: SubPattern): Node {
  const root: Node = { items: [] };
  for (const { path, matchers } of rule.values()) {
    const leaf = path.at(-1);
    if (leaf === undefined) throw new Error('event pattern: a matcher without a field path');
    let node = root;
    for (const key of path.slice(0, -1)) {
      let child = node.items.find(
        (i): i is Extract<Item, { kind: 'child' }> => i.kind === 'child' && i.key === key,
      );
      if (!child) {
        child = { kind: 'child', key, node: { items: [] } };
        node.items.push(child);
      }
      node = child.node;
    }
    node.items.push({ kind: 'leaf', key: leaf, matchers });
  }
  return root;
}

function leafMatches(matchers: LeafMatcher[], value: unknown): boolean {
  const leaves = leavesOf(value);
  return matchers.some((m) =>
    m.kind === 'exists' ? m.present === leaves.length > 0 : leaves.some((v) => m.test(v)),
  );
}

/**
 * Every field of an OR-free node matches `obj`. A nested node is matched against each object at
 * its key (arrays flattened) and must hold within one of them: event-ruler's array consistency.
 */
function nodeMatches(node: Node, obj: Record<string, unknown>): boolean {
  for (const item of node.items) {
    if (item.kind === 'leaf') {
      if (!leafMatches(item.matchers, own(obj, item.key))) return false;
    } else if (item.kind === 'child') {
      const objects = objectsOf(own(obj, item.key));
      // No object there: the child's fields are all absent (so only exists:false can match).
      if (
        objects.length === 0 ? !nodeMatches(item.node, {}) : !objects.some((o) => nodeMatches(item.node, o))
      )
        return false;
    } else if (!item.branches.some((b) => nodeMatches(b, obj))) return false;
  }
  return true;
}

/** EventBridge's default quota for an event pattern's size, in characters (raisable to 4096). */
const DEFAULT_MAX_PATTERN_CHARS = 2048;

/**
 * Validates `pattern` as EventBridge does; throws `PatternError(path, reason)` when it would
 * refuse it. `maxChars` is the account's event-pattern size quota, counted on compact JSON.
 */
export function compilePattern(pattern: unknown, opts: { maxChars?: number } = {}): Matcher {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_PATTERN_CHARS;
  let size: number;
  try {
    size = JSON.stringify(pattern)?.length ?? 0;
  } catch {
    throw new PatternError('$', 'the pattern is not serialisable JSON (a cycle, or nested too deeply)');
  }
  if (size > maxChars)
    throw new PatternError(
      '$',
      `the pattern is ${size} characters, over EventBridge's event-pattern size quota of ${maxChars}`,
    );
  const trees = expand(compileNode(pattern, '$', false, 0), [], []).map(treeOf);
  return {
    pattern: pattern as EventPattern,
    matches: (event) => {
      const obj = isObject(event) ? event : {};
      return trees.some((t) => nodeMatches(t, obj));
    },
  };
}

const compiled = new WeakMap<object, Matcher>();

/** True when `event` matches `pattern` under EventBridge's rules (compiled once per pattern object). */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  let m = compiled.get(pattern);
  if (!m) {
    m = compilePattern(pattern);
    compiled.set(pattern, m);
  }
  return m.matches(event);
}
