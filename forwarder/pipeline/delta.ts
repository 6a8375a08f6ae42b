/**
 * Stage 5, delta against the ledger: "does this update change anything lifecycle-relevant?"
 * Two answers, one per payload:
 * - Pod Facts (the default): the forwarder keeps, per pod uid, the facts it has sent (a
 *   ledger), and sends only the facts of an update that are news to it (`newFacts`). No news:
 *   nothing is sent.
 * - Pod Snapshot: it remembers a digest of the last compact projection it sent (minus
 *   resourceVersion, which changes on every write) and skips an update whose projection is the same.
 * Either way a label or annotation edit, a resourceVersion bump, a managedFields change or a
 * probe's lastProbeTime sends nothing.
 *
 * Memory: per live pod its ledger (the facts sent, kept as one compact string, `FactCodec`:
 * ~0.8 KB for a pod with three runs) or one 20-byte digest, plus a bounded set of recently deleted
 * uids (so a DELETED seen twice, e.g. synthesized at a relist and then reported by the informer,
 * is sent once).
 */
import { createHash } from 'node:crypto';
import { readyId } from '../../core/fact-ids.ts';
import { type Fact, type FactMap, factsOfSnapshot, joinFacts } from '../../core/facts.ts';
import { KEEP_RUNS } from '../../core/fold.ts';
import type { CompactEvent, CompactPod, PodSnapshot } from '../../core/snapshot.ts';
import type { NewsClass } from './buffer.ts';

/**
 * True when two facts of one id say the same to every figure and timeline entry. The latest
 * state, a container's readiness, the status reason and the scheduler's verdict carry the order (`at`) of the snapshot
 * they came from, for the join; a newer snapshot that repeats them moves only that order, which
 * nothing reads: not news.
 */
function saysTheSame(a: Fact, b: Fact): boolean {
  if (a.kind === 'latest' && b.kind === 'latest')
    return (
      a.phase === b.phase &&
      a.status === b.status &&
      a.restarts === b.restarts &&
      JSON.stringify(a.waiting) === JSON.stringify(b.waiting)
    );
  if (a.kind === 'status' && b.kind === 'status') return a.reason === b.reason && a.message === b.message;
  // A container's readiness (kubectl's READY) repeated by a newer snapshot: not news.
  if (a.kind === 'ready' && b.kind === 'ready') return a.ready === b.ready;
  if (a.kind === 'unschedulable' && b.kind === 'unschedulable')
    return (
      a.t === b.t &&
      a.message === b.message &&
      a.reason === b.reason &&
      JSON.stringify(a.gates) === JSON.stringify(b.gates)
    );
  return false;
}

/**
 * The facts of `facts` that are news to `sent` (what was already sent for this pod), joined
 * with what was sent; `sent` is updated with them. Empty: the update changes no figure.
 */
export function newFacts(sent: FactMap, facts: readonly Fact[]): Fact[] {
  const out = new Map<string, Fact>();
  for (const f of facts) {
    const old = sent.get(f.id);
    const next = old ? joinFacts(old, f) : f;
    if (next === old || (old && saysTheSame(old, next))) continue;
    sent.set(f.id, next);
    out.set(next.id, next);
  }
  return [...out.values()];
}

/** A container's waiting reasons while it is only being created: no news either way. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);
/** The image pull's failure and its back-off: after the first, each retry is a repeat. */
const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff']);
/** Phases a pod passes on its way: its start and its running are told by other facts. */
const PASSING_PHASES = new Set(['Pending', 'Running']);

const containerOf = (f: { init: boolean; container: string }) => `${f.init ? 'init' : 'app'}/${f.container}`;

/**
 * How soon a pod's delta matters (the buffer's linger policy, buffer.ts): `urgent` when one of
 * its facts is news that matters soon, else `routine` when one is a repeat or a step whose
 * follow-up is expected, else `neutral`. `before` is what was sent for the pod before this
 * delta, `after` the same joined with it; `gone` marks the pod's DELETED.
 *
 * - urgent: Ready's first True, a scheduling that ends an unschedulable
 *   (or gated) verdict already sent, a terminal phase and the last container's finish, the pod gone (its DELETED), a container's
 *   termination for a reason it never ended with before (the first crash, an OOM kill after
 *   errors, a Job's completion), the first pull failure, any other new waiting reason
 *   (CreateContainerConfigError...), the first unschedulable verdict, the pod's status reason
 *   (Evicted...).
 * - routine: first sight (`pod`) and the steps on the way to Ready (PodScheduled,
 *   PodReadyToStartContainers, Initialized, ContainersReady turning True): the startup burst
 *   leaves as one entry with Ready, or within the routine linger if it does not come (a pod that
 *   waits for a reason, unschedulable, gated, a pull failure, a new Event, sends it at once); a container's start that is not ready yet (it waits for its
 *   readiness, or for its crash), a restart (a run numbered 1 or more starting), a termination for a reason the
 *   container already ended with, CrashLoopBackOff once its crash is known, a pull back-off
 *   retry after the first failure, a restart count going up once the container's crash is
 *   known, a new message of a pod already unschedulable, a deletion's
 *   Terminating (deletion deadline set, the pod still there: its DELETED is expected within the
 *   grace period).
 * - neutral: kubectl's columns (`latest`), readiness flags, the node, the
 *   Pending and Running phases, container counts, ContainerCreating / PodInitializing.
 *
 * Only timing depends on it: every fact is sent whatever its class.
 */
export function classifyNews(
  before: readonly Fact[],
  delta: readonly Fact[],
  after: FactMap,
  gone: boolean,
): NewsClass {
  let routine = false;
  const endedWith = new Set<string>();
  const pullFailed = new Set<string>();
  let wasUnschedulable = false;
  for (const f of before) {
    if (f.kind === 'run' && f.term) endedWith.add(`${containerOf(f)}\u0000${f.term.reason ?? ''}`);
    else if (f.kind === 'waiting' && PULL_FAILURES.has(f.reason)) pullFailed.add(containerOf(f));
    else if (f.kind === 'unschedulable') wasUnschedulable = true;
  }
  const crashed = (c: string) => {
    for (const f of after.values()) if (f.kind === 'run' && f.term && containerOf(f) === c) return true;
    return false;
  };
  for (const f of delta) {
    let cls: NewsClass;
    switch (f.kind) {
      case 'node':
      case 'initCount':
      case 'containers':
      case 'stateful':
      case 'latest':
      case 'ready':
        cls = 'neutral';
        break;
      case 'restarts':
        // A restart count going up once the container's crash is known: inside its back-off loop.
        cls = crashed(containerOf({ init: f.role !== undefined, container: f.container }))
          ? 'routine'
          : 'neutral';
        break;
      case 'phase':
        cls = PASSING_PHASES.has(f.phase) ? 'neutral' : 'urgent';
        break;
      case 'mark':
        // Ready, and the pod gone, matter soon. The steps on the way to Ready (scheduled, sandbox,
        // initialized, containers ready) are expected ones: they leave with Ready, or within the
        // routine linger if Ready does not come; except a scheduling that ends an unschedulable
        // verdict already sent (the pending view shows that reason).
        if (f.mark === 'deletedAt') cls = gone ? 'urgent' : 'routine';
        else if (f.mark === 'ready') cls = 'urgent';
        else if (f.mark === 'scheduled') cls = wasUnschedulable ? 'urgent' : 'routine';
        else cls = 'routine';
        break;
      case 'deleted':
        cls = gone ? 'urgent' : 'routine';
        break;
      case 'unschedulable':
        cls = wasUnschedulable ? 'routine' : 'urgent';
        break;
      case 'run': {
        const c = containerOf(f);
        if (f.term) {
          cls = endedWith.has(`${c}\u0000${f.term.reason ?? ''}`) ? 'routine' : 'urgent';
        } else if (f.ordinal !== null && f.ordinal > 0) {
          cls = 'routine';
        } else {
          const ready = after.get(readyId(f.init, f.container));
          cls = ready?.kind === 'ready' && ready.ready ? 'neutral' : 'routine';
        }
        break;
      }
      case 'waiting': {
        const c = containerOf(f);
        if (STARTING.has(f.reason)) cls = 'neutral';
        else if (f.reason === 'CrashLoopBackOff') cls = crashed(c) ? 'routine' : 'urgent';
        else if (PULL_FAILURES.has(f.reason)) cls = pullFailed.has(c) ? 'routine' : 'urgent';
        else cls = 'urgent';
        break;
      }
      case 'pod':
        // First sight: the startup burst that follows (scheduled, started, ready) joins it.
        cls = 'routine';
        break;
      default:
        // status, and anything else.
        cls = 'urgent';
    }
    if (cls === 'urgent') return 'urgent';
    if (cls === 'routine') routine = true;
  }
  return routine ? 'routine' : 'neutral';
}

/** Digest of the lifecycle-relevant content of a pod: its compact projection without resourceVersion. */
export function podSignature(pod: CompactPod): string {
  const { resourceVersion: _rv, ...rest } = pod;
  return createHash('sha1').update(JSON.stringify(rest)).digest('base64');
}

/** Digest of a compact core/v1 Event (count and lastTimestamp change when it repeats). */
export function eventSignature(ev: CompactEvent): string {
  return createHash('sha1').update(JSON.stringify(ev)).digest('base64');
}

export type Decision = 'send' | 'noop';

/** Insertion-ordered set that forgets its oldest members past `max`. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  add(k: string): void {
    this.items.delete(k);
    this.items.add(k);
    while (this.items.size > this.max) {
      const oldest = this.items.values().next().value as string;
      this.items.delete(oldest);
    }
  }
  has(k: string): boolean {
    return this.items.has(k);
  }
}

export interface LedgerOptions {
  /** How many deleted uids to remember (for skipping a repeated DELETED). */
  maxTombstones?: number;
}

/**
 * How a fact's `id` is had back from its other fields: `=` it is its kind (`pod`, `latest`...),
 * a key name: it is `${kind}:${fact[key]}` (`mark:ready`, `restarts:web`), undefined: it is stored.
 */
type IdRule = '=' | { key: string } | undefined;

/** The keys of a fact, in order, with its kind and how its id is made: what one element's values fill. */
interface Shape {
  kind: string;
  id: IdRule;
  keys: readonly string[];
}

/**
 * A pod's ledger as one string, not as objects: each fact becomes `[shape, ...values]`, where the
 * shape (kept once per codec) holds the fact's keys in order, its kind and how its id is derived
 * from its other fields, and the values are the rest; the array is JSON. A ledger of 13 facts
 * (three runs) is then one ~0.8 KB one-byte string instead of ~2 KB of objects, id strings and
 * boxed numbers.
 * Decoding gives back facts with the same keys, in the same order, with the same values (facts
 * are JSON-sent, so JSON holds them exactly; a key whose value is undefined is left out, as JSON
 * leaves it out). Shapes are few (the kinds and their optional keys are the code's); past
 * `maxShapes` a fact of a new shape is kept as its plain JSON object.
 */
export class FactCodec {
  private readonly shapes: Shape[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly maxShapes = 1024) {}

  get shapeCount(): number {
    return this.shapes.length;
  }

  encode(facts: readonly Fact[]): string {
    const out: unknown[] = [];
    for (const f of facts) out.push(this.element(f));
    return JSON.stringify(out);
  }

  decode(text: string): Fact[] {
    const list = JSON.parse(text) as unknown[];
    const facts: Fact[] = [];
    for (const el of list) {
      if (!Array.isArray(el)) {
        facts.push(el as Fact);
        continue;
      }
      const shape = this.shapes[el[0] as number];
      if (!shape) throw new Error(`ledger: unknown fact shape ${String(el[0])}`);
      const o: Record<string, unknown> = {};
      let i = 1;
      for (const k of shape.keys) {
        if (k === 'kind') o.kind = shape.kind;
        else if (k === 'id' && shape.id !== undefined)
          o.id = null; // filled below, in its place
        else o[k] = el[i++];
      }
      const rule = shape.id;
      if (rule === '=') o.id = shape.kind;
      else if (rule !== undefined) o.id = `${shape.kind}:${String(o[rule.key])}`;
      facts.push(o as Fact);
    }
    return facts;
  }

  private element(f: Fact): unknown {
    const rec = f as unknown as Record<string, unknown>;
    const keys = Object.keys(rec).filter((k) => rec[k] !== undefined);
    const { id, kind } = f;
    if (typeof id !== 'string' || typeof kind !== 'string') return f;
    let rule: IdRule;
    if (id === kind) rule = '=';
    else if (id.startsWith(`${kind}:`)) {
      const rest = id.slice(kind.length + 1);
      const key = keys.find((k) => k !== 'id' && k !== 'kind' && rec[k] === rest);
      if (key !== undefined) rule = { key };
    }
    const sig = `${kind}\u0000${rule === undefined ? '' : rule === '=' ? '=' : `:${rule.key}`}\u0000${keys.join('\u0000')}`;
    let n = this.index.get(sig);
    if (n === undefined) {
      if (this.shapes.length >= this.maxShapes) return f;
      n = this.shapes.length;
      this.shapes.push({ kind, id: rule, keys });
      this.index.set(sig, n);
    }
    const el: unknown[] = [n];
    for (const k of keys) {
      if (k === 'kind' || (k === 'id' && rule !== undefined)) continue;
      el.push(rec[k]);
    }
    return el;
  }
}

/** An empty ledger, encoded. */
const EMPTY = '[]';

/** Last-sent state per pod uid and per event uid: the ledger. */
export class Ledger {
  private readonly pods = new Map<string, string>();
  /**
   * Pod Facts: the facts sent, per pod uid, as one compact string (`FactCodec`; a Map is made of
   * it for the moment of an update): objects per fact cost ~3 times as much, times 150,000 pods.
   */
  private readonly ledgers = new Map<string, string>();
  private readonly codec = new FactCodec();
  private readonly events = new Map<string, string>();
  private readonly tombstones: BoundedSet;

  constructor(opts: LedgerOptions = {}) {
    this.tombstones = new BoundedSet(opts.maxTombstones ?? 50_000);
  }

  /**
   * Decides for one pod snapshot and, when it is to be sent, records it as sent.
   * DELETED is sent once per uid; an update of an already deleted uid is a no-op.
   * `force` sends an unchanged snapshot anyway (a re-send after the buffer gave it up).
   */
  pod(snap: PodSnapshot, force = false): Decision {
    const uid = snap.pod.uid;
    if (this.tombstones.has(uid)) return 'noop';
    if (snap.type === 'DELETED') {
      this.pods.delete(uid);
      this.tombstones.add(uid);
      return 'send';
    }
    const sig = podSignature(snap.pod);
    if (!force && this.pods.get(uid) === sig) return 'noop';
    this.pods.set(uid, sig);
    return 'send';
  }

  /**
   * Pod Facts: the facts of this snapshot that were not sent yet (recorded as sent), or 'noop'.
   * `force` starts the pod's ledger afresh, so every fact of the snapshot goes (a re-send after
   * the buffer gave an entry up). A DELETED ends the ledger; later updates of the uid are no-ops.
   */
  podFacts(snap: PodSnapshot, force = false): Fact[] | 'noop' {
    const news = this.podNews(snap, force);
    return news === 'noop' ? news : news.facts;
  }

  /**
   * `podFacts`, with how soon the delta matters (`classifyNews`, against what was sent before
   * it): the buffer's linger policy. A DELETED that brings no new fact is still 'noop'.
   */
  podNews(snap: PodSnapshot, force = false): { facts: Fact[]; news: NewsClass } | 'noop' {
    const uid = snap.pod.uid;
    if (this.tombstones.has(uid)) return 'noop';
    const stored = force ? undefined : this.ledgers.get(uid);
    const before = stored === undefined ? undefined : this.codec.decode(stored);
    const sent: FactMap = new Map();
    if (before) for (const f of before) sent.set(f.id, f);
    const delta = newFacts(sent, factsOfSnapshot(snap));
    const gone = snap.type === 'DELETED';
    if (gone) {
      this.ledgers.delete(uid);
      this.tombstones.add(uid);
    } else if (!before || delta.length > 0) {
      this.ledgers.set(uid, this.codec.encode(trimLedger([...sent.values()])));
    }
    if (delta.length === 0) return 'noop';
    return { facts: delta, news: classifyNews(before ?? [], delta, sent, gone) };
  }

  /**
   * What was sent for this pod may not have arrived (an entry rejected for good): forget it,
   * so the pod's next update sends all its facts again.
   */
  forgetSent(uid: string): void {
    if (this.ledgers.has(uid)) this.ledgers.set(uid, EMPTY);
    if (this.pods.has(uid)) this.pods.set(uid, '');
  }

  /** The facts sent for a live pod (its ledger, canonical order), or undefined. */
  sentFacts(uid: string): Fact[] | undefined {
    const stored = this.ledgers.get(uid);
    const sent = stored === undefined ? undefined : this.codec.decode(stored);
    return sent && sent.length > 0 ? sent : undefined;
  }

  /**
   * A pod known only by its identity is gone: ends its ledger. False when its DELETED was
   * already sent (nothing to do).
   */
  markDeleted(uid: string): boolean {
    if (this.tombstones.has(uid)) return false;
    this.ledgers.delete(uid);
    this.pods.delete(uid);
    this.tombstones.add(uid);
    return true;
  }

  /** Same for a compact core/v1 Event, keyed by the Event's uid. */
  event(ev: CompactEvent): Decision {
    const sig = eventSignature(ev);
    if (this.events.get(ev.uid) === sig) return 'noop';
    this.events.set(ev.uid, sig);
    return 'send';
  }

  /** True when an Event of this uid was sent before (a new version of it is a count bump). */
  eventKnown(uid: string): boolean {
    return this.events.has(uid);
  }

  /** The Event object was deleted (TTL): forget it. */
  forgetEvent(uid: string): void {
    this.events.delete(uid);
  }

  /** True when this uid was seen and not deleted. */
  isLive(uid: string): boolean {
    return this.pods.has(uid) || this.ledgers.has(uid);
  }

  /** True when a DELETED was already sent for this uid. */
  isDeleted(uid: string): boolean {
    return this.tombstones.has(uid);
  }

  get livePods(): number {
    return this.pods.size + this.ledgers.size;
  }
}

/**
 * A pod's ledger keeps each container's latest KEEP_RUNS numbered runs: a snapshot carries only a
 * container's current and last run, so an older run can never be news again, and a pod that
 * crash-loops for weeks keeps a bounded ledger (the ingest folds the same runs, fold.ts).
 */
export function trimLedger(facts: Fact[]): Fact[] {
  let runs = 0;
  const newest = new Map<string, number>();
  for (const f of facts) {
    if (f.kind !== 'run' || f.ordinal === null) continue;
    runs++;
    const key = `${f.init ? 'init' : 'app'}/${f.container}`;
    newest.set(key, Math.max(newest.get(key) ?? 0, f.ordinal));
  }
  if (runs <= KEEP_RUNS) return facts;
  return facts.filter(
    (f) =>
      f.kind !== 'run' ||
      f.ordinal === null ||
      f.ordinal > (newest.get(`${f.init ? 'init' : 'app'}/${f.container}`) ?? 0) - KEEP_RUNS,
  );
}
