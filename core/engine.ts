/**
 * The in-memory lifecycle engine: snapshots and events in, per-pod facts kept, records out.
 * `podlife replay` runs on it; the ingest Lambda uses the same fact functions against DynamoDB.
 * Memory grows with the number of distinct pods, never with the number of snapshots (a
 * snapshot that adds nothing leaves the state unchanged) nor with a pod's age: old runs and
 * Events fold (core/fold.ts), exactly as in the stored item.
 */
import {
  addFacts,
  attachNameEvents,
  bestTimeOf,
  type Fact,
  type FactMap,
  factOfEvent,
  factOfKind,
  factsOfSnapshot,
  latestTimeOf,
} from './facts.ts';
import type { FigureContext } from './figures.ts';
import { addFactsBounded } from './fold.ts';
import type { PodIdentity } from './pod-facts.ts';
import { compareRecords, type PodRecord, podRecordOf } from './pod-record.ts';
import type { CompactEvent, PodSnapshot } from './snapshot.ts';
import { toMillis } from './time.ts';

const SEP = '\u0000';

export class LifecycleEngine {
  private readonly pods = new Map<string, FactMap>();
  /** Events that name a pod only by namespace/name, resolved to an incarnation at report time. */
  private readonly unattached = new Map<string, Map<string, Fact & { kind: 'event' }>>();
  /** The latest Kubernetes time seen in any input: "now" for a replay of a recorded trace. */
  latestTime: number | null = null;
  snapshots = 0;
  events = 0;

  get podCount(): number {
    return this.pods.size;
  }

  /**
   * A pod's facts, keyed as the store keys its item: cluster, namespace, name and uid. A uid alone
   * is not an identity: a recording (or a hostile sender) can carry one uid in two namespaces or
   * under two names, and the store keeps those apart, so replay does too (never joining two pods).
   */
  private factsFor(cluster: string, namespace: string, name: string, uid: string): FactMap {
    const key = [cluster, namespace, name, uid].join(SEP);
    let map = this.pods.get(key);
    if (!map) {
      map = new Map();
      this.pods.set(key, map);
    }
    return map;
  }

  private seeTime(t: number | null): void {
    if (t != null && (this.latestTime == null || t > this.latestTime)) this.latestTime = t;
  }

  /** Applies one snapshot; returns the facts it changed (empty for a duplicate). */
  applySnapshot(snap: PodSnapshot): Fact[] {
    this.snapshots++;
    this.seeTime(bestTimeOf(snap.pod));
    this.seeTime(toMillis(snap.observedAt));
    const p = snap.pod;
    return addFactsBounded(this.factsFor(snap.cluster, p.namespace, p.name, p.uid), factsOfSnapshot(snap));
  }

  /**
   * Applies facts about one pod directly (a `Pod Facts` delta, decoded): the same join as a
   * snapshot's facts, so deltas and snapshots can be mixed in any order.
   */
  applyFacts(id: PodIdentity, facts: readonly Fact[]): Fact[] {
    this.snapshots++;
    this.seeTime(latestTimeOf(facts));
    return addFactsBounded(this.factsFor(id.cluster, id.namespace, id.name, id.uid), facts);
  }

  /** Applies one core/v1 Event about a pod. */
  applyEvent(cluster: string, ev: CompactEvent): Fact[] {
    this.events++;
    const fact = factOfEvent(ev);
    this.seeTime(latestTimeOf([fact]));
    if (ev.podUid)
      return addFactsBounded(this.factsFor(cluster, ev.namespace, ev.podName, ev.podUid), [fact]);
    const key = [cluster, ev.namespace, ev.podName].join(SEP);
    const map = this.unattached.get(key) ?? new Map();
    this.unattached.set(key, map);
    const old = map.get(fact.id);
    const tmp: FactMap = new Map(old ? [[fact.id, old]] : []);
    const changed = addFacts(tmp, [fact]);
    const joined = factOfKind(tmp, fact.id, 'event');
    if (joined) map.set(fact.id, joined);
    return changed;
  }

  /** The facts of every pod, attaching name-only events to the incarnation they fall in. */
  factMaps(): FactMap[] {
    const maps = [...this.pods.values()].filter((m) => m.has('pod'));
    if (this.unattached.size === 0) return maps;
    const byName = new Map<string, FactMap[]>();
    for (const m of maps) {
      const p = factOfKind(m, 'pod', 'pod');
      if (!p) continue;
      const key = [p.cluster, p.namespace, p.name].join(SEP);
      const list = byName.get(key) ?? [];
      list.push(m);
      byName.set(key, list);
    }
    const out: FactMap[] = [];
    for (const [key, list] of byName) {
      const events = this.unattached.get(key);
      // Copies, so that reporting twice never attaches twice.
      const copies = events ? list.map((m) => new Map(m)) : list;
      if (events) attachNameEvents(copies, events.values());
      out.push(...copies);
    }
    return out;
  }

  /** Every pod's record, sorted by cluster, namespace, name, creation. */
  records(ctx: FigureContext): PodRecord[] {
    const out: PodRecord[] = [];
    for (const m of this.factMaps()) {
      const r = podRecordOf(m, ctx);
      if (r) out.push(r);
    }
    return out.sort(compareRecords);
  }
}
