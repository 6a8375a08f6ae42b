/**
 * Bounded fact sets: a pod that crash-loops for weeks keeps a fact set, and a stored item, of
 * fixed size (docs/data-model.md, "Bounded items").
 *
 * Two kinds of facts grow with a pod's age: runs (one per restart) and Events (a new Event
 * object each time the API server's event TTL expires). `foldFacts` keeps the latest of each in
 * full and folds the rest into per-container (`runs`) and per-key (`events`) summaries:
 *
 * - **Runs** of a container are numbered by restart. With `max` the highest restart number of
 *   the container's runs, runs numbered below `max + 1 − KEEP_RUNS` fold. The fold holds the
 *   folded restart numbers as maximal segments of consecutive numbers; each segment keeps its
 *   first run's start, its last run's finish and the back-off between its runs. A run whose
 *   number a segment covers is a duplicate and changes nothing; a run that falls in a hole joins
 *   the segments around it with the exact back-off on both sides; a run folded before its
 *   termination was seen is listed in `open` with the start of the run after it, so the
 *   termination, when it comes, adds exactly the back-off it would have. The fold is thus a
 *   function of the *set* of runs ever added, whatever the order, grouping or duplication, and
 *   restarts, crash-loop back-off, termination counts and the latest runs stay exact.
 * - Full runs older than the latest KEEP_MESSAGES lose their termination message (free text,
 *   up to 1 KB each: the part of a run that does not compress).
 * - **Events**: the latest KEEP_EVENTS by (first time, uid) stay in full; an Event that is not
 *   among them can never be again (that order only gains members), so folding it is final. The
 *   fold keeps only idempotent parts (earliest first, latest last, highest count, the latest
 *   message: what `unschedulableMessage` reads), so an Event folded twice changes nothing.
 *
 * Limits of exactness (documented, not hidden):
 * - a container's fold keeps at most MAX_SEGMENTS segments (holes: restart numbers not seen, or
 *   not delivered yet); past that the two oldest are sealed across their hole, and a run that
 *   later arrives for a number in a sealed hole is ignored;
 * - Runs without a restart number (never produced from a real Pod) are kept in full; two
 *   different runs claiming one restart number (Kubernetes never does this) count once;
 * - the per-gap list `restartGapsSeconds` lists the gaps of the runs kept in full; its sum,
 *   `crashLoopBackOffSeconds`, counts every run.
 *
 * Folding is a normalisation applied after every join (`addFactsBounded`): the state after any
 * sequence of deliveries is fold(set of facts delivered). Two folded states are never joined
 * with each other (the store and replay join full facts into one state); `joinFacts` still
 * defines that join (the fold covering more runs wins), but it is exact only for deltas.
 */
import { eventsFoldId, runsFoldId } from './fact-ids.ts';
import {
  addFacts,
  type Fact,
  type FactMap,
  type FoldSegment,
  factOfKind,
  laterFolded,
  sameContent,
} from './facts.ts';

/** Runs per container kept in full (the latest restart numbers). */
export const KEEP_RUNS = 100;
/** Of those, how many keep their termination message. */
export const KEEP_MESSAGES = 10;
/** Segments per container fold before the oldest hole is sealed. */
const MAX_SEGMENTS = 1000;
/** Events kept in full (the latest by first time, then uid). */
export const KEEP_EVENTS = 64;

type RunFact = Extract<Fact, { kind: 'run' }>;
type RunsFact = Extract<Fact, { kind: 'runs' }>;
type EventFact = Extract<Fact, { kind: 'event' }>;
type EventsFact = Extract<Fact, { kind: 'events' }>;

/** Back-off between a finish and the next start, ms (0 when either is unknown; clamped like secondsBetween). */
export function backoffMs(
  finishedAt: number | null | undefined,
  startedAt: number | null | undefined,
): number {
  if (finishedAt == null || startedAt == null) return 0;
  return Math.max(0, startedAt - finishedAt);
}

/** Folds one run into a container's fold (a new object; the input is not modified). */
function foldRun(fold: RunsFact, r: RunFact): RunsFact {
  const n = r.ordinal!;
  const start = r.startedAt;
  const end = r.term?.finishedAt ?? null;
  const segs = fold.segs;
  const reasons = { ...fold.reasons };
  if (r.term) {
    const reason = r.term.reason ?? '';
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  // The first segment that does not end below n.
  let i = segs.findIndex((s) => s[1] >= n);
  if (i < 0) i = segs.length;
  const s = segs[i];
  if (s && s[0] <= n) {
    // Folded already: a duplicate, unless it brings the termination of a run folded without one.
    const o = fold.open.findIndex(([m]) => m === n);
    const opened = fold.open[o];
    if (!opened || !r.term) return fold;
    const seg: FoldSegment = [s[0], s[1], s[2], s[1] === n ? end : s[3], s[4] + backoffMs(end, opened[1])];
    return {
      ...fold,
      segs: [...segs.slice(0, i), seg, ...segs.slice(i + 1)],
      open: fold.open.filter((_, k) => k !== o),
      reasons: sortedKeys(reasons),
    };
  }
  let seg: FoldSegment = [n, n, start, end, 0];
  let from = i;
  let to = i; // segs[from, to) are replaced by seg
  let open = fold.open;
  const left = i > 0 ? segs[i - 1] : undefined;
  if (left && left[1] === n - 1) {
    seg = [left[0], n, left[2], end, left[4] + backoffMs(left[3], start)];
    from = i - 1;
    // The run before, if folded without a termination, now knows the start that follows it.
    open = open.map((e) => (e[0] === n - 1 ? [e[0], start] : e));
  }
  const right = i < segs.length ? segs[i] : undefined;
  const joinsRight = right !== undefined && right[0] === n + 1;
  if (joinsRight) {
    seg = [seg[0], right[1], seg[2], right[3], seg[4] + backoffMs(end, right[2]) + right[4]];
    to = i + 1;
  }
  if (!r.term)
    open = [...open, [n, joinsRight ? right[2] : null] as [number, number | null]].sort(
      (a, b) => a[0] - b[0],
    );
  let next = [...segs.slice(0, from), seg, ...segs.slice(to)];
  while (next.length > MAX_SEGMENTS) {
    const [a, b, ...rest] = next;
    if (!a || !b) break;
    next = [[a[0], b[1], a[2], b[3], a[4] + b[4]], ...rest];
  }
  const first = start == null ? fold.first : fold.first == null ? start : Math.min(fold.first, start);
  return { ...fold, segs: next, open, first, count: fold.count + 1, reasons: sortedKeys(reasons) };
}

function sortedKeys(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

function eventKey(e: EventFact): number {
  return e.first ?? e.last ?? -1;
}

/** Descending (first, uid): the order in which Events are kept. */
function newerEvent(a: EventFact, b: EventFact): number {
  const d = eventKey(b) - eventKey(a);
  if (d !== 0) return d;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function foldEvent(fold: EventsFact | undefined, e: EventFact): EventsFact {
  const t = e.last ?? e.first ?? -1;
  const latest = e.message !== undefined ? { t, id: e.id, message: e.message } : { t, id: e.id };
  const base: EventsFact = {
    id: eventsFoldId(e),
    kind: 'events',
    reason: e.reason,
    first: e.first,
    last: e.last,
    maxCount: e.count,
    latest,
  };
  if (e.type !== undefined) base.type = e.type;
  if (e.container !== undefined) base.container = e.container;
  if (!fold) return base;
  const better = laterFolded(latest, fold.latest) > 0;
  return {
    ...fold,
    first: fold.first == null ? e.first : e.first == null ? fold.first : Math.min(fold.first, e.first),
    last: fold.last == null ? e.last : e.last == null ? fold.last : Math.max(fold.last, e.last),
    maxCount: Math.max(fold.maxCount, e.count),
    latest: better ? latest : fold.latest,
  };
}

/**
 * Folds a pod's fact map in place to its bounded form. Returns the facts it set (new or
 * changed folds, runs that lost a message); facts it removed are folded into one of those.
 */
function foldFacts(map: FactMap, prior?: Map<string, Fact | undefined>): Fact[] {
  const set: Fact[] = [];
  const put = (f: Fact) => {
    const old = map.get(f.id);
    if (prior && !prior.has(f.id)) prior.set(f.id, old);
    if (old && sameContent(old, f)) return;
    map.set(f.id, f);
    set.push(f);
  };

  // Runs, per container.
  const byContainer = new Map<`runs:${string}`, RunFact[]>();
  const events: EventFact[] = [];
  for (const f of map.values()) {
    if (f.kind === 'run') {
      if (f.ordinal == null) continue;
      const key = runsFoldId(f.init, f.container);
      const list = byContainer.get(key);
      if (list) list.push(f);
      else byContainer.set(key, [f]);
    } else if (f.kind === 'event') events.push(f);
  }
  for (const [foldId, runs] of byContainer) {
    const old = factOfKind(map, foldId, 'runs');
    if (runs.length <= KEEP_MESSAGES && !old) continue;
    let max = -1;
    for (const r of runs) if (r.ordinal! > max) max = r.ordinal!;
    const below = Math.max(old?.below ?? 0, max + 1 - KEEP_RUNS);
    const keepMessage = max + 1 - KEEP_MESSAGES;
    let fold = old;
    // Runs are folded in a fixed order (restart number, then id), so ties resolve the same way.
    const older = runs
      .filter((r) => r.ordinal! < below)
      .sort((a, b) => a.ordinal! - b.ordinal! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const r of older) {
      fold ??= {
        id: foldId,
        kind: 'runs',
        container: r.container,
        init: r.init,
        below,
        segs: [],
        open: [],
        first: null,
        count: 0,
        reasons: {},
      };
      fold = foldRun(fold, r);
      map.delete(r.id);
    }
    if (fold) put({ ...fold, below });
    for (const r of runs) {
      if (!map.has(r.id) || r.ordinal! >= keepMessage || r.term?.message === undefined) continue;
      const { message: _m, ...term } = r.term;
      put({ ...r, term });
    }
  }

  // Events.
  if (events.length > KEEP_EVENTS) {
    events.sort(newerEvent);
    const folds = new Map<string, EventsFact>();
    for (const e of events.slice(KEEP_EVENTS)) {
      const id = eventsFoldId(e);
      folds.set(id, foldEvent(folds.get(id) ?? factOfKind(map, id, 'events'), e));
      map.delete(e.id);
    }
    for (const f of folds.values()) put(f);
  }
  return set;
}

/** Whether an added fact can make the map need folding. */
function mayGrow(f: Fact): boolean {
  return f.kind === 'run' || f.kind === 'event';
}

/** Whether `foldFacts` could change the map: a cheap count, so small pods pay next to nothing. */
function needsFold(map: FactMap): boolean {
  if (map.size <= KEEP_MESSAGES) return false;
  let runs = 0;
  let events = 0;
  for (const f of map.values()) {
    if (f.kind === 'run') runs++;
    else if (f.kind === 'event') events++;
    else if (f.kind === 'runs' || f.kind === 'events') return true;
  }
  return runs > KEEP_MESSAGES || events > KEEP_EVENTS;
}

/**
 * `addFacts` then `foldFacts`: the bounded join. Returns the facts that changed the map (empty
 * for a duplicate, including a run or Event already folded).
 */
export function addFactsBounded(map: FactMap, facts: readonly Fact[]): Fact[] {
  if (!facts.some(mayGrow)) return addFacts(map, facts);
  const olds = facts.map((f) => map.get(f.id));
  const changed = addFacts(map, facts);
  if (changed.length === 0 || !needsFold(map)) return changed;
  // What the map held before, for every id this call may touch (the delta's, then the fold's).
  const prior = new Map<string, Fact | undefined>();
  facts.forEach((f, i) => {
    if (!prior.has(f.id)) prior.set(f.id, olds[i]);
  });
  const set = foldFacts(map, prior);
  const out = new Map<string, Fact>();
  for (const f of [...changed, ...set]) {
    const now = map.get(f.id);
    if (now && !out.has(f.id) && !sameContent(now, prior.get(f.id))) out.set(f.id, now);
  }
  return [...out.values()];
}
