/**
 * The timeline: a pod's story as ordered (time, what) entries, built from its facts only, so it
 * is the same for any delivery order and any duplicates.
 */

import type { FactMap } from './facts.ts';
import { PodView } from './figures.ts';
import { toIso } from './time.ts';

/** The reason of the Deleted entry of a pod an inventory found gone (core/inventory.ts). */
export const VANISHED_REASON = 'Vanished (inventory)';

type TimelineType =
  | 'Created'
  | 'Unschedulable'
  | 'Scheduled'
  | 'Initialized'
  | 'ContainerWaiting'
  | 'ContainerStarted'
  | 'ContainerTerminated'
  | 'ContainerRestarted'
  | 'Running'
  | 'Ready'
  | 'Phase'
  | 'Event'
  | 'Finished'
  | 'Deleted'
  /** Old runs of a container, or old Events of a reason, folded into one entry (core/fold.ts). */
  | 'Folded';

export interface TimelineEntry {
  /** ISO 8601; null when Kubernetes gave no time (a DELETED event without deletionTimestamp). */
  at: string | null;
  type: TimelineType;
  container?: string;
  init?: boolean;
  /** Phase name, waiting/termination/event reason. */
  reason?: string;
  exitCode?: number;
  signal?: number;
  message?: string;
  /** Restart ordinal for ContainerRestarted; occurrences for Event; for Folded, runs folded (or an Event's highest count). */
  count?: number;
}

/**
 * Order of entries at the same instant: the order in which they happen in a pod's life.
 * Container entries share one slot and are then ordered per container by run: a run's start,
 * its termination, the next run's start; a waiting state last (it is what follows).
 */
const TYPE_ORDER: Record<TimelineType, number> = {
  Created: 0,
  Unschedulable: 1,
  Scheduled: 2,
  Initialized: 3,
  ContainerStarted: 4,
  ContainerRestarted: 4,
  ContainerTerminated: 4,
  ContainerWaiting: 4,
  Folded: 4,
  Running: 8,
  Phase: 9,
  Ready: 10,
  Event: 11,
  Finished: 12,
  Deleted: 13,
};

type Sortable = TimelineEntry & { t: number | null; seq: number };

function compareEntries(a: Sortable, b: Sortable): number {
  const ta = a.t ?? Number.POSITIVE_INFINITY;
  const tb = b.t ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta - tb;
  const d = TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  if (d !== 0) return d;
  if (TYPE_ORDER[a.type] === TYPE_ORDER.ContainerStarted) {
    const ka = `${a.init ? 0 : 1}${a.container}`;
    const kb = `${b.init ? 0 : 1}${b.container}`;
    if (ka !== kb) return ka < kb ? -1 : 1;
    if (a.seq !== b.seq) return a.seq - b.seq;
  }
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The ordered timeline of one pod. */
export function timelineOf(facts: FactMap | PodView): TimelineEntry[] {
  const v = facts instanceof PodView ? facts : new PodView(facts);
  const out: Sortable[] = [];
  const push = (t: number | null, e: TimelineEntry, seq = 0) => out.push({ t, seq, ...e, at: toIso(t) });

  if (v.created != null) push(v.created, { at: null, type: 'Created' });
  const unsched = v.get<'unschedulable'>('unschedulable');
  if (unsched) {
    const e: TimelineEntry = { at: null, type: 'Unschedulable' };
    // The reason only when it is not the usual one, so the scheduler's entries read as before.
    if (unsched.reason && unsched.reason !== 'Unschedulable') e.reason = unsched.reason;
    const gates = unsched.gates?.length ? `gates: ${unsched.gates.join(', ')}` : undefined;
    const message = unsched.message && gates ? `${unsched.message} (${gates})` : (unsched.message ?? gates);
    if (message !== undefined) e.message = message;
    push(unsched.t, e);
  }
  for (const [mark, type] of [
    ['scheduled', 'Scheduled'],
    ['initialized', 'Initialized'],
    ['ready', 'Ready'],
  ] as const) {
    const t = v.mark(mark);
    if (t != null) push(t, { at: null, type });
  }
  const running = v.running;
  if (running != null) push(running, { at: null, type: 'Running' });
  const finished = v.mark('finished');
  if (finished != null) push(finished, { at: null, type: 'Finished' });
  const vanished = v.facts.has('deleted') ? null : v.vanishedAt;
  if (vanished != null)
    push(vanished, {
      at: null,
      type: 'Deleted',
      reason: VANISHED_REASON,
      message: "not in the forwarder's list of the cluster's pods: gone by then",
    });
  else if (v.deleted) push(v.mark('deletionRequested') ?? v.mark('deletedAt'), { at: null, type: 'Deleted' });

  for (const p of v.phases) {
    let t = p.t;
    if (p.phase === 'Pending') t = v.created ?? t;
    else if (p.phase === 'Running') t = running ?? t;
    else if (p.phase === 'Succeeded' || p.phase === 'Failed') t = finished ?? t;
    push(t, { at: null, type: 'Phase', reason: p.phase });
  }

  for (const w of v.waitings) {
    const e: TimelineEntry = { at: null, type: 'ContainerWaiting', container: w.container, reason: w.reason };
    if (w.init) e.init = true;
    if (w.message) e.message = w.message;
    push(w.t, e, Number.MAX_SAFE_INTEGER);
  }

  // Runs per container (init and app), ordered by start: the first is a start, the rest restarts.
  const byContainer = new Map<string, typeof v.runs>();
  for (const r of v.runs) {
    const key = `${r.init ? 'i' : 'c'}:${r.container}`;
    const list = byContainer.get(key) ?? [];
    list.push(r);
    byContainer.set(key, list);
  }
  for (const runs of byContainer.values()) {
    runs.sort((a, b) => {
      const sa = a.startedAt ?? a.term?.finishedAt ?? Number.POSITIVE_INFINITY;
      const sb = b.startedAt ?? b.term?.finishedAt ?? Number.POSITIVE_INFINITY;
      return sa !== sb ? sa - sb : a.id < b.id ? -1 : 1;
    });
    runs.forEach((r, i) => {
      const base: TimelineEntry = { at: null, type: 'ContainerStarted', container: r.container };
      if (r.init) base.init = true;
      if (r.startedAt != null) {
        // The restart number comes from restartCount when known, so it stays true when
        // earlier runs were never seen.
        const n = r.ordinal ?? i;
        push(
          r.startedAt,
          n === 0 ? base : { ...base, type: 'ContainerRestarted', count: n },
          2 * (r.ordinal ?? i),
        );
      }
      if (r.term) {
        const e: TimelineEntry = { ...base, type: 'ContainerTerminated', exitCode: r.term.exitCode };
        if (r.term.reason) e.reason = r.term.reason;
        if (r.term.signal !== undefined) e.signal = r.term.signal;
        if (r.term.message) e.message = r.term.message;
        push(r.term.finishedAt, e, 2 * (r.ordinal ?? i) + 1);
      }
    });
  }

  for (const f of v.runFolds) {
    const first = f.segs[0]?.[0];
    const last = f.segs.at(-1)?.[1];
    const reasons = Object.entries(f.reasons)
      .map(([r, n]) => `${r || 'no reason'} ×${n}`)
      .join(', ');
    const backoff = f.segs.reduce((sum, s) => sum + s[4], 0) / 1000;
    const e: TimelineEntry = {
      at: null,
      type: 'Folded',
      container: f.container,
      count: f.count,
      message: `runs ${first}–${last} folded: ${f.count} runs, back-off ${backoff} s${reasons ? `; ${reasons}` : ''}`,
    };
    if (f.init) e.init = true;
    push(f.first, e, -1);
  }
  for (const f of v.eventFolds) {
    const e: TimelineEntry = { at: null, type: 'Folded', reason: f.reason, count: f.maxCount };
    if (f.container) e.container = f.container;
    const span = `${toIso(f.first) ?? '?'} – ${toIso(f.last) ?? '?'}`;
    e.message = `older ${f.reason} events folded (${span})${f.latest.message ? `; latest: ${f.latest.message}` : ''}`;
    push(f.first ?? f.last, e, -1);
  }

  for (const ev of v.events) {
    const e: TimelineEntry = { at: null, type: 'Event', reason: ev.reason, count: ev.count };
    if (ev.container) e.container = ev.container;
    if (ev.message) e.message = ev.message;
    push(ev.first ?? ev.last, e);
  }

  out.sort(compareEntries);
  return out.map(({ t: _t, seq: _seq, ...e }) => e);
}
