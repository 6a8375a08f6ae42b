/**
 * The pod view's startup waterfall (issue 11): the pod's startup stages on one time axis from
 * its creation, each a bar from where the stage began to where it ended, with its figures as
 * text in a table (the table is the accessible form; the bars are decoration, aria-hidden).
 *
 * Stages are the record's own figures (core/waterfall.ts), offsets from creation in seconds:
 * scheduled, sandbox ready, initialized, containers started, containers ready. A stage begins
 * where the latest earlier known stage ended (at or before its own end), else at creation.
 * Each container's image pull is a bar of its pull (and queue wait) ending at the container's
 * first start: the kubelet pulls, then creates and starts the container, so the pull ended by
 * then; without a start it is listed, not drawn. A figure the record lacks is "—", never drawn.
 */
import { STARTUP_SLO_P99_SECONDS } from '../../core/waterfall.ts';
import type { PodDetail } from './api.ts';
import { type Html, html } from './html.ts';

export type WaterfallKind = 'stage' | 'pull' | 'total';

export interface WaterfallRow {
  /** The figure the row shows (`data-figure`), or `pull:<container>`. */
  key: string;
  label: string;
  kind: WaterfallKind;
  /** Seconds after creation the row's bar begins and ends; null: not drawn. */
  from: number | null;
  to: number | null;
  /** The row's own figure: a stage's offset from creation, a pull's seconds; null: unknown. */
  seconds: number | null;
  /** Extra text: queue wait, image size, "already present". */
  note: string | null;
}

const STAGES: [keyof PodDetail & string, string][] = [
  ['scheduledAfterSeconds', 'Scheduled'],
  ['sandboxReadyAfterSeconds', 'Sandbox ready'],
  ['initializedAfterSeconds', 'Initialized'],
  ['containersStartedAfterSeconds', 'Containers started'],
  ['containersReadyAfterSeconds', 'Containers ready'],
];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** "116976307" bytes → "117.0 MB" (decimal units, as the kubelet's sizes are bytes). */
export function bytesText(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Seconds as the API gave them (up to ms), e.g. "1.617 s", "0 s"; "—" when unknown. */
export function exactSeconds(s: number | null): string {
  return s == null ? '—' : `${Math.round(s * 1000) / 1000} s`;
}

/** The rows of a pod's waterfall, in stage order, the pulls before "Containers started". */
export function waterfallOf(p: PodDetail): WaterfallRow[] {
  const stages = STAGES.map(([key, label]) => ({ key, label, at: num(p[key]) }));
  const ends: number[] = [];
  const rows: WaterfallRow[] = [];
  const stageRow = (s: (typeof stages)[number]): WaterfallRow => {
    let from = 0;
    if (s.at != null) {
      for (const e of ends) if (e <= s.at && e > from) from = e;
      ends.push(s.at);
    }
    return {
      key: s.key,
      label: s.label,
      kind: 'stage',
      from: s.at == null ? null : from,
      to: s.at,
      seconds: s.at,
      note: null,
    };
  };
  for (const s of stages.slice(0, 3)) rows.push(stageRow(s));
  for (const c of p.containerStartups) {
    const pull = num(c.pullSeconds);
    const wait = num(c.pullWaitSeconds) ?? 0;
    const start = num(c.startedAfterSeconds);
    const drawn = pull != null && start != null;
    const notes: string[] = [];
    if (pull === 0) notes.push('already present');
    if (pull != null && wait > 0) notes.push(`waited ${exactSeconds(wait)}`);
    if (c.imageSizeBytes != null) notes.push(bytesText(c.imageSizeBytes));
    rows.push({
      key: `pull:${c.container}`,
      label: `Image pull: ${c.container}${c.role === 'app' ? '' : ` (${c.role})`}`,
      kind: 'pull',
      from: drawn ? Math.max(0, start - pull - wait) : null,
      to: drawn ? start : null,
      seconds: pull,
      note: notes.length ? notes.join(' · ') : null,
    });
  }
  rows.push({
    key: 'imagePullSeconds',
    label: 'Images pulled (sum)',
    kind: 'total',
    from: null,
    to: null,
    seconds: num(p.imagePullSeconds),
    note: null,
  });
  for (const s of stages.slice(3)) rows.push(stageRow(s));
  return rows;
}

/** The axis: the latest end drawn (at least 1 s, so a pod that started at once still has one). */
function axisOf(rows: readonly WaterfallRow[]): number {
  let max = 1;
  for (const r of rows) if (r.to != null && r.to > max) max = r.to;
  return max;
}

function bar(r: WaterfallRow, axis: number): Html {
  if (r.from == null || r.to == null) return html`<span class="wf-none">—</span>`;
  const x = (r.from / axis) * 1000;
  // A zero-length stage still shows as a tick.
  const w = Math.max(((r.to - r.from) / axis) * 1000, 4);
  return html`<svg class="wf-bar wf-${r.kind}" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="wf-track" x="0" y="0" width="1000" height="10"></rect><rect x="${x.toFixed(1)}" y="0" width="${Math.min(w, 1000 - x).toFixed(1)}" height="10"></rect></svg>`;
}

/** The startup SLI: its value and whether it meets the SLO, or why the pod has none. */
export function sliText(p: PodDetail, objectiveSeconds = STARTUP_SLO_P99_SECONDS): string {
  if (p.startupSliSeconds != null)
    return `${exactSeconds(p.startupSliSeconds)} (${p.startupSliSeconds <= objectiveSeconds ? 'within' : 'over'} the ${objectiveSeconds} s objective)`;
  return p.startupSliExcludedReason ? `— (${EXCLUSION_TEXT[p.startupSliExcludedReason]})` : '—';
}

export const EXCLUSION_TEXT: Record<NonNullable<PodDetail['startupSliExcludedReason']>, string> = {
  initContainers: 'not measured: the pod has init containers',
  stateful: 'not measured: the pod mounts a persistent volume',
  unschedulable: 'not measured: the pod was not schedulable at once',
  schedulingGated: 'not measured: the pod was held by scheduling gates',
  notStarted: 'not yet: not every container has started',
  pullUnknown: 'unknown: an image pull is not known (no kubelet Pulled Event)',
};

export function renderWaterfall(p: PodDetail, title: string): Html {
  const rows = waterfallOf(p);
  const axis = axisOf(rows);
  return html`<section class="waterfall" aria-label="Startup of ${title}">
<h4>Startup waterfall <span class="note">seconds after creation; axis 0–${exactSeconds(axis)}</span></h4>
<table class="list wf"><thead><tr><th scope="col">Stage</th><th scope="col" class="wf-axis">0 → ${exactSeconds(
    axis,
  )}</th><th scope="col" class="num">Seconds</th><th scope="col">Detail</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr data-row="${r.key}" class="wf-${r.kind}"><th scope="row">${r.label}</th><td class="wf-cell">${bar(
        r,
        axis,
      )}</td><td class="num" data-figure="${r.kind === 'pull' ? 'pullSeconds' : r.key}" data-seconds="${
        r.seconds ?? ''
      }">${exactSeconds(r.seconds)}</td><td>${
        r.kind === 'pull'
          ? (r.note ?? '')
          : r.kind === 'total'
            ? 'every container’s pull, summed'
            : r.seconds != null && r.from != null && r.to != null
              ? `took ${exactSeconds(Math.round((r.to - r.from) * 1000) / 1000)}`
              : ''
      }</td></tr>`,
  )}</tbody></table>
<p class="sli" data-figure="startupSliSeconds" data-seconds="${p.startupSliSeconds ?? ''}"><strong>Startup SLI</strong> (creation → all containers started, minus image pulls): ${sliText(
    p,
  )}</p>
</section>`;
}
