/**
 * A pod's timeline as Gantt segments: one lane for the pod's phases, one lane per container
 * (init containers first), each segment a state between two timeline entries. Pure: the same
 * timeline and `now` always give the same segments, so it is tested on real records.
 *
 * Only what the timeline says is drawn. A gap podlife cannot account for (a container's first
 * run seen as "restart 3", a run skipped by the watch) stays a gap, never a guessed bar.
 */

import type { TimelineEntryBody } from '../../model/api-schemas.ts';

/** A timeline entry as the API sends it, read leniently: a type this page does not know yet is kept. */
export type GanttEntry = Omit<TimelineEntryBody, 'type'> & {
  type: TimelineEntryBody['type'] | (string & {});
};

export type SegmentKind =
  | 'scheduling'
  | 'initializing'
  | 'creating'
  | 'running'
  | 'not-ready'
  | 'back-off'
  | 'terminated';

export interface Segment {
  /** Lane id: 'pod', or the container's lane id (`init:NAME` / `NAME`). */
  lane: string;
  kind: SegmentKind;
  /** Epoch ms. */
  from: number;
  to: number;
  /** Short text for the bar: the reason when there is one. */
  label: string;
  /** Longer text for the tooltip: a scheduler or kubelet message. */
  detail?: string;
  /** True when the state still holds: the segment ends at "now". */
  open?: boolean;
}

export interface Lane {
  id: string;
  label: string;
  init?: boolean;
}

export interface Gantt {
  lanes: Lane[];
  segments: Segment[];
  /** Epoch ms of the latest timeline entry (what happened last), or null for an empty timeline. */
  lastEvent: number | null;
  /**
   * "Now" as given. Open states end at the later of now and the last entry: a deletionTimestamp
   * is set a grace period ahead, so a pod's story can run a little past now.
   */
  now: number;
}

/** Waiting reasons that mean "the container is being pulled or created", not crash-looping. */
const BACK_OFF_REASONS = new Set(['CrashLoopBackOff', 'RunContainerError']);

const ms = (at: string | null): number | null => {
  if (at == null) return null;
  const t = Date.parse(at);
  return Number.isFinite(t) ? t : null;
};

/** "Error (1)", "OOMKilled (137, signal 9)": a termination as people read it. */
export function terminationText(e: Pick<GanttEntry, 'reason' | 'exitCode' | 'signal'>): string {
  const code = e.exitCode == null ? '' : String(e.exitCode);
  const sig = e.signal == null ? '' : `signal ${e.signal}`;
  const inner = [code, sig].filter(Boolean).join(', ');
  return `${e.reason ?? 'Terminated'}${inner ? ` (${inner})` : ''}`;
}

/**
 * When containers' last states stop: the pod's deletion or the end of its phase, else now.
 * A deletion Kubernetes gave no time for stops them at the last thing seen.
 */
function stopOf(
  entries: readonly GanttEntry[],
  now: number,
  lastEvent: number,
): { stop: number; open: boolean } {
  const ends = entries.filter((e) => e.type === 'Deleted' || e.type === 'Finished');
  if (!ends.length) return { stop: now, open: true };
  const times = ends.map((e) => ms(e.at) ?? lastEvent);
  return { stop: Math.min(...times), open: false };
}

/** The pod lane: scheduling, initializing, creating, not ready, ready (running), terminated. */
function podLane(
  entries: readonly GanttEntry[],
  now: number,
  lastEvent: number,
  hasInit: boolean,
): Segment[] {
  const first = (type: string) => entries.find((e) => e.type === type);
  const unsched = first('Unschedulable');
  const terminal = [...entries]
    .reverse()
    .find((e) => e.type === 'Phase' && (e.reason === 'Succeeded' || e.reason === 'Failed'));
  // Without a Scheduled mark the scheduler's part is unknown: "pending" says only what is known.
  const waitLabel = unsched ? 'Unschedulable' : first('Scheduled') ? 'scheduling' : 'pending';
  // Marks in life order; each starts the state named beside it.
  const marks: { type: string; kind: SegmentKind | null; label: string; detail?: string | undefined }[] = [
    {
      type: 'Created',
      kind: 'scheduling',
      label: waitLabel,
      detail: unsched?.message,
    },
    { type: 'Scheduled', kind: hasInit ? 'initializing' : 'creating', label: hasInit ? 'init' : 'starting' },
    ...(hasInit ? [{ type: 'Initialized', kind: 'creating' as const, label: 'starting' }] : []),
    { type: 'Running', kind: 'not-ready', label: 'not ready' },
    { type: 'Ready', kind: 'running', label: 'ready' },
    { type: 'Finished', kind: 'terminated', label: terminal?.reason ?? 'finished' },
    { type: 'Deleted', kind: null, label: 'deleted' },
  ];
  const seen = marks
    .map((m, order) => {
      // A pod seen only after it ended (Evicted) has its terminal phase but no Finished time.
      const e = first(m.type) ?? (m.type === 'Finished' ? terminal : undefined);
      return { ...m, order, t: ms(e?.at ?? null) };
    })
    .filter((m): m is typeof m & { t: number } => m.t != null)
    .sort((a, b) => a.t - b.t || a.order - b.order);
  // Deleted without a time: the story stops at the last thing seen.
  const deleted = entries.some((e) => e.type === 'Deleted');
  const out: Segment[] = [];
  seen.forEach((m, i) => {
    if (!m.kind) return;
    // A missing mark extends a state to the next known one; the last state lasts until now.
    const next = seen[i + 1];
    const to = next ? next.t : deleted ? lastEvent : now;
    if (to <= m.t) return;
    const seg: Segment = { lane: 'pod', kind: m.kind, from: m.t, to, label: m.label };
    if (m.detail) seg.detail = m.detail;
    if (!next && !deleted) seg.open = true;
    out.push(seg);
  });
  return out;
}

/** One container's lane: creating / running / back-off / terminated, run by run. */
function containerLane(
  lane: string,
  init: boolean,
  entries: readonly GanttEntry[],
  stop: { stop: number; open: boolean },
): Segment[] {
  const out: Segment[] = [];
  let cur: Omit<Segment, 'to'> | null = null;
  let lastTerm: GanttEntry | null = null;
  const close = (to: number) => {
    if (!cur) return;
    // A termination followed by a start: the gap between them was back-off.
    const c: Omit<Segment, 'to'> =
      cur.kind === 'terminated' ? { ...cur, kind: 'back-off', label: `back-off after ${cur.label}` } : cur;
    if (to > c.from || c.kind === 'running') out.push({ ...c, to: Math.max(to, c.from) });
    cur = null;
  };
  for (const e of entries) {
    const t = ms(e.at);
    if (t == null) continue;
    if (e.type === 'ContainerStarted' || e.type === 'ContainerRestarted') {
      close(t);
      const label = e.type === 'ContainerRestarted' ? `restart ${e.count ?? ''}`.trim() : 'running';
      cur = { lane, kind: 'running', from: t, label };
      lastTerm = null;
    } else if (e.type === 'ContainerTerminated') {
      close(t);
      lastTerm = e;
      // Back-off if a start follows; terminated if nothing does.
      cur = { lane, kind: 'terminated', from: t, label: terminationText(e) };
      if (e.message) cur.detail = e.message;
    } else if (e.type === 'ContainerWaiting') {
      const reason = e.reason ?? 'Waiting';
      const detail = e.message ? { detail: e.message } : {};
      if (cur?.kind === 'terminated' && lastTerm) {
        // The kubelet waits before the next attempt: back-off from the termination on.
        cur = {
          lane,
          kind: 'back-off',
          from: cur.from,
          label: `${reason} after ${terminationText(lastTerm)}`,
          ...detail,
        };
        continue;
      }
      if (cur && cur.kind !== 'running' && cur.label.startsWith(reason)) continue;
      close(t);
      cur = {
        lane,
        kind: BACK_OFF_REASONS.has(reason) ? 'back-off' : 'creating',
        from: t,
        label: reason,
        ...detail,
      };
    }
  }
  const last: Omit<Segment, 'to'> | null = cur;
  // A completed init container hands over to the next one: nothing to draw after it.
  if (last && !(init && last.kind === 'terminated' && lastTerm?.exitCode === 0)) {
    if (stop.stop > last.from || last.kind === 'running') {
      const seg: Segment = { ...last, to: Math.max(stop.stop, last.from) };
      if (stop.open) seg.open = true;
      out.push(seg);
    }
  }
  return out;
}

/** The Gantt chart of one pod incarnation at `now` (epoch ms; open states end there). */
export function ganttOf(record: { timeline: readonly GanttEntry[] }, now: number): Gantt {
  const entries = record.timeline;
  const times = entries.map((e) => ms(e.at)).filter((t): t is number => t != null);
  const lastEvent = times.length ? Math.max(...times) : null;
  const end = Math.max(now, lastEvent ?? now);
  const stop = stopOf(entries, end, lastEvent ?? end);

  const lanes: Lane[] = [{ id: 'pod', label: 'pod' }];
  const byLane = new Map<string, GanttEntry[]>();
  const containerEntries = entries.filter((e) => e.container != null && e.type.startsWith('Container'));
  // Init containers first, then app containers, each in order of first appearance.
  for (const init of [true, false]) {
    for (const e of containerEntries) {
      if (Boolean(e.init) !== init) continue;
      const id = `${init ? 'init:' : ''}${e.container}`;
      if (!byLane.has(id)) {
        byLane.set(id, []);
        lanes.push(
          init ? { id, label: `init: ${e.container}`, init: true } : { id, label: String(e.container) },
        );
      }
      byLane.get(id)!.push(e);
    }
  }
  const hasInit = lanes.some((l) => l.init);
  const segments = podLane(entries, end, lastEvent ?? end, hasInit);
  for (const lane of lanes.slice(1)) {
    segments.push(...containerLane(lane.id, Boolean(lane.init), byLane.get(lane.id)!, stop));
  }
  return { lanes, segments, lastEvent, now };
}

/**
 * The time window a chart shows. When a pod's story is short and "now" is far away (a pod
 * that crash-looped for 49 s, seen 15 hours ago), the axis is linear up to a little after the
 * last event and then breaks: open bars run through a narrow break zone to "now".
 */
export interface TimeWindow {
  start: number;
  /** End of the linear part (epoch ms); equals `end` when there is no break. */
  cut: number;
  end: number;
  broken: boolean;
}

export function windowOf(g: Gantt): TimeWindow {
  const froms = g.segments.map((s) => s.from);
  const start = froms.length ? Math.min(...froms) : (g.lastEvent ?? g.now);
  const end = Math.max(g.now, ...g.segments.map((s) => s.to), start);
  const last = Math.max(g.lastEvent ?? start, start);
  const span = last - start;
  const tail = end - last;
  if (span <= 0 || tail <= 1.5 * span) return { start, cut: end, end, broken: false };
  const cut = Math.min(end, last + Math.max(0.12 * span, 1000));
  return { start, cut, end, broken: cut < end };
}

/** Share of the width given to the linear part of a broken axis. */
export const BREAK_AT = 0.86;

/** Maps a time to [0, width] for a window: linear, then compressed after the break. */
export function scaleOf(w: TimeWindow, width: number): (t: number) => number {
  const linear = w.broken ? width * BREAK_AT : width;
  const lin = Math.max(w.cut - w.start, 1);
  return (t: number) => {
    if (t <= w.cut || !w.broken) return ((Math.min(Math.max(t, w.start), w.end) - w.start) / lin) * linear;
    const rest = Math.max(w.end - w.cut, 1);
    return linear + ((Math.min(t, w.end) - w.cut) / rest) * (width - linear);
  };
}

const TICK_STEPS_S = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400,
];

/** Axis ticks (epoch ms) over the linear part: at most `max` round steps after the start. */
export function ticksOf(w: TimeWindow, max = 8): number[] {
  const spanS = (w.cut - w.start) / 1000;
  const step = TICK_STEPS_S.find((s) => spanS / s <= max) ?? Math.ceil(spanS / max / 86400) * 86400;
  const out: number[] = [];
  for (let s = 0; s <= spanS + 1e-9; s += step) out.push(w.start + s * 1000);
  return out;
}
