/**
 * The page's sections as HTML/SVG strings, from the rows api.ts produced. Pure (no DOM), so
 * the escaping and the figures shown are unit-tested in Node. Everything from the API is
 * untrusted text and goes through `html`, which escapes it.
 */
import { formatSeconds } from '../../core/time.ts';
import type {
  CrashRow,
  Figure,
  FigureStats,
  Listed,
  PendingRow,
  PodDetail,
  SilenceRow,
  Silences,
  StatsGroup,
  TimelineRow,
} from './api.ts';
import { FIGURES } from './api.ts';
import {
  BREAK_AT,
  type Gantt,
  ganttOf,
  type SegmentKind,
  scaleOf,
  terminationText,
  ticksOf,
  windowOf,
} from './gantt.ts';
import { BINS, histogramOf, positionOf } from './histogram.ts';
import { type Html, html } from './html.ts';
import { linkTo, type ViewState } from './state.ts';
import { renderWaterfall } from './waterfall.ts';

// ---------------------------------------------------------------- small formats

const iso = (ms: number) => new Date(ms).toISOString();
/** 08:03:05 (UTC, like Kubernetes' own timestamps). */
export const clock = (ms: number) => iso(ms).slice(11, 19);
/** 2026-11-02 08:03:05Z */
export const stamp = (ms: number) => `${iso(ms).slice(0, 10)} ${clock(ms)}Z`;
const stampOf = (at: string | null) => {
  const t = at ? Date.parse(at) : Number.NaN;
  return Number.isFinite(t) ? stamp(t) : '—';
};
const secs = (s: number | null | undefined) => (s == null ? '—' : formatSeconds(s));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "Error (1)" from a reason and an exit code, either possibly unknown. */
export function terminationOf(reason: string | null, exitCode: number | null): string {
  if (!reason && exitCode == null) return '—';
  return `${reason ?? 'Terminated'}${exitCode == null ? '' : ` (${exitCode})`}`;
}

function podLink(s: ViewState, r: { namespace: string; name: string; uid: string | null }): Html {
  // With a uid, exactly that incarnation; without one (a link by name, before the pod is read),
  // every row of that name: the page then puts the shown incarnation's uid in the address.
  const selected = s.pod?.namespace === r.namespace && s.pod.name === r.name && (!s.uid || s.uid === r.uid);
  const href = linkTo(s, { pod: { namespace: r.namespace, name: r.name }, uid: r.uid });
  return html`<a class="pod" href="${href}" data-focus="pod:${r.namespace}/${r.name}/${r.uid ?? ''}"${
    selected ? html` aria-current="true"` : ''
  }><span class="ns">${r.namespace}/</span><wbr>${r.name}</a>`;
}

function listNote(l: Listed<unknown>): Html {
  return html`${l.truncated ? html`<p class="note">Showing the first ${l.items.length}; more pods match.</p>` : ''}${
    l.rejected ? html`<p class="note">${plural(l.rejected, 'item')} from the API could not be read.</p>` : ''
  }`;
}

/**
 * A region that may scroll sideways on a narrow screen, named as a scrollable region must be;
 * the page makes it keyboard-reachable (tabindex="0") while it does scroll (main.ts). Lists
 * never scroll vertically inside the page: every row counted in the summary is on the page.
 */
const region = (label: string, body: Html, cls = 'scroll') =>
  html`<div class="${cls}" role="region" aria-label="${label}">${body}</div>`;

// ---------------------------------------------------------------- silences

/** Where a silence holds pods (api.ts heldBy): uid → the silence. */
export type Held = ReadonlyMap<string, SilenceRow>;

/** "14:05" on now's UTC day, else "2026-11-30 14:05" (UTC, as every time on the page). */
export function untilText(endsAt: number, now: number): string {
  const day = (t: number) => iso(t).slice(0, 10);
  const hm = iso(endsAt).slice(11, 16);
  return day(endsAt) === day(now) ? hm : `${day(endsAt)} ${hm}`;
}

/** The badge on a row a silence holds: until when, and (for a screen reader and the tooltip) which. */
function silencedBadge(held: Held | undefined, uid: string | null, now: number): Html {
  const sil = uid ? held?.get(uid) : undefined;
  if (!sil) return html``;
  return html`<span class="badge silenced" data-silence="${sil.id}" title="${`Silenced by ${sil.id} until ${stamp(sil.endsAt)}: ${sil.comment}`}">silenced until ${untilText(
    sil.endsAt,
    now,
  )}<span class="sr-only"> by ${sil.id}</span></span>`;
}

/** What a silence matches: the fields it gives (every one must match), else the whole cluster. */
export function scopeOf(s: Pick<SilenceRow, 'namespace' | 'owner' | 'reason'>): string {
  const parts = [
    s.namespace ? `namespace ${s.namespace}` : '',
    s.owner ? `owner ${s.owner}` : '',
    s.reason ? `reason "${s.reason}"` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'the whole cluster';
}

/** `arn:aws:sts::1:assumed-role/Ops/alice` → `alice` (the whole ARN in the tooltip). */
const whoOf = (by: string | null) => (by ? (by.split(/[/:]/).at(-1) ?? by) : null);

/**
 * The active silences of a cluster: scope, how many pods each holds, when it ends (in …, and the
 * time), why and who. Ended ones are the API's to list (`podlife silence list`), not the page's.
 */
export function renderSilences(list: Silences, now: number): Html {
  if (!list.available) return html`<p class="empty">This API does not list silences.</p>`;
  const rows = list.items
    .filter((x) => x.active)
    .sort((a, b) => a.endsAt - b.endsAt || a.id.localeCompare(b.id));
  const at = list.now ?? now;
  if (!rows.length)
    return html`<p class="empty">No active silence: every new stuck or crash-looping pod alerts.</p>`;
  const holding = rows.reduce((n, r) => n + r.held.length, 0);
  return html`<p class="summary"><strong>${rows.length}</strong> active · holding <strong>${holding}</strong> ${
    holding === 1 ? 'alert' : 'alerts'
  }</p>
${region(
  'Active silences',
  html`<table class="list" id="silences-table">
<caption class="sr-only">Active silences, soonest end first</caption>
<thead><tr><th scope="col">Silence</th><th scope="col">Scope</th><th scope="col" class="num">Holding</th><th scope="col">Ends</th><th scope="col">Why</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr data-silence="${r.id}">
<td class="mono sid">${r.id}</td>
<td>${scopeOf(r)}</td>
<td class="num">${r.held.length}</td>
<td class="ends">in ${secs(Math.max(0, (r.endsAt - at) / 1000))}<span class="owner">${untilText(r.endsAt, at)} UTC</span></td>
<td>${r.comment}${r.createdBy ? html`<span class="owner" title="${r.createdBy}">by ${whoOf(r.createdBy)}</span>` : ''}</td></tr>`,
  )}</tbody></table>`,
)}`;
}

// ---------------------------------------------------------------- pending and crash-looping

export function renderPending(
  list: Listed<PendingRow>,
  s: ViewState,
  held?: Held,
  now: number = list.now ?? Date.now(),
): Html {
  const rows = [...list.items].sort(
    (a, b) => Number(b.stuck) - Number(a.stuck) || (b.ageSeconds ?? 0) - (a.ageSeconds ?? 0),
  );
  const stuck = rows.filter((r) => r.stuck).length;
  if (!rows.length) return html`<p class="empty">No pod is pending.</p>${listNote(list)}`;
  return html`<p class="summary"><strong>${rows.length}</strong> pending · <strong class="${
    stuck ? 'bad' : ''
  }">${stuck}</strong> stuck</p>
${region(
  'Pending pods',
  html`<table class="list" id="pending-table">
<caption class="sr-only">Pods pending now, stuck first</caption>
<thead><tr><th scope="col">Pod</th><th scope="col">Status</th><th scope="col" class="num">Age</th><th scope="col">Why</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr class="${r.stuck ? 'stuck' : ''}" data-pod="${r.namespace}/${r.name}">
<td>${podLink(s, r)}${r.owner ? html`<span class="owner">${r.owner}</span>` : ''}${silencedBadge(held, r.uid, now)}</td>
<td class="status"${r.ready ? html` title="READY ${r.ready}"` : ''}>${r.status}</td>
<td class="num"><span class="age">${secs(r.ageSeconds)}</span>${r.stuck ? html`<span class="badge bad">stuck</span>` : ''}</td>
<td class="why">${
      r.schedulingGates
        ? html`<strong>SchedulingGated</strong> <span class="msg gates">gates: ${r.schedulingGates.join(', ') || '(not named)'}</span>`
        : r.unschedulableMessage
          ? html`<strong>Unschedulable</strong> <span class="msg" title="${r.unschedulableMessage}">${r.unschedulableMessage}</span>`
          : r.waitingReason
            ? html`<strong>${r.waitingReason}</strong>${r.node ? html` <span class="msg">on ${r.node}</span>` : ''}`
            : html`<span class="msg">${r.node ? `scheduled on ${r.node}` : 'no reason reported yet'}</span>`
    }</td></tr>`,
  )}</tbody></table>`,
)}${listNote(list)}`;
}

export function renderCrashloops(
  list: Listed<CrashRow>,
  s: ViewState,
  held?: Held,
  now: number = list.now ?? Date.now(),
): Html {
  const rows = [...list.items].sort((a, b) => b.restarts - a.restarts || a.name.localeCompare(b.name));
  if (!rows.length) return html`<p class="empty">No pod is crash-looping.</p>${listNote(list)}`;
  return html`<p class="summary"><strong>${rows.length}</strong> restarting · <strong>${rows.reduce(
    (n, r) => n + r.restarts,
    0,
  )}</strong> restarts</p>
${region(
  'Crash-looping pods',
  html`<table class="list" id="crash-table">
<caption class="sr-only">Crash-looping pods, most restarts first</caption>
<thead><tr><th scope="col">Pod</th><th scope="col" class="num">Restarts</th><th scope="col">Last termination</th><th scope="col">Status</th><th scope="col" class="num">Back-off</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr data-pod="${r.namespace}/${r.name}">
<td>${podLink(s, r)}${r.owner ? html`<span class="owner">${r.owner}</span>` : ''}${silencedBadge(held, r.uid, now)}</td>
<td class="num restarts"><span class="val">${r.restarts}</span>${
      r.restartsInWindow && r.restartsInWindow !== r.restarts
        ? html`<span class="n" title="restarts in the API's recent window (default: the last hour)">${r.restartsInWindow} recent</span>`
        : ''
    }</td>
<td class="term">${terminationOf(r.lastTerminationReason, r.lastExitCode)}</td>
<td class="status"${r.ready ? html` title="READY ${r.ready}"` : ''}><strong>${r.status}</strong></td>
<td class="num">${r.crashLoopBackOffSeconds ? secs(r.crashLoopBackOffSeconds) : '—'}</td></tr>`,
  )}</tbody></table>`,
)}${listNote(list)}`;
}

// ---------------------------------------------------------------- the Gantt chart

const KIND_TEXT: Record<SegmentKind, string> = {
  scheduling: 'scheduling',
  initializing: 'initializing',
  creating: 'pulling / creating',
  running: 'running',
  'not-ready': 'not ready',
  'back-off': 'back-off',
  terminated: 'terminated',
};

const G = { width: 1160, labelW: 200, padR: 56, axisH: 24, laneH: 24, barH: 15 };

function clip(text: string, px: number, charPx = 6.4): string | null {
  const n = Math.floor(px / charPx);
  if (n >= text.length) return text;
  return n >= 6 ? `${text.slice(0, n - 1)}…` : null;
}

/** Bar text at 10.5 px: a generous width per character, so what is drawn fits its bar. */
const BAR_CHAR_PX = 6.6;
/** The narrowest bar drawn: a run of 0 s (a container that died at once) is still a visible mark. */
export const MIN_BAR_W = 5;

/**
 * The longest of a bar's texts that fits whole in `room` px, never a word cut with "…":
 * "CrashLoopBackOff after Error (1) · 16h", else "CrashLoopBackOff · 16h", "CrashLoopBackOff",
 * "16h"; null when none fits (the tooltip and the chart's aria-label still say it all).
 */
export function barText(label: string, dur: string, room: number): string | null {
  const short = label.split(/ after | \(|: /)[0] ?? label;
  const candidates = [`${label} · ${dur}`, `${short} · ${dur}`, label, short, dur];
  return candidates.find((t) => t.length * BAR_CHAR_PX <= room) ?? null;
}

/** One pod incarnation as an SVG Gantt chart; `aria-label` summarises it for screen readers. */
export function renderGantt(g: Gantt, title: string): Html {
  const w = windowOf(g);
  const chartW = G.width - G.labelW - G.padR;
  const x0 = G.labelW;
  const sx = scaleOf(w, chartW);
  const X = (t: number) => x0 + sx(t);
  const height = G.axisH + g.lanes.length * G.laneH + 4;
  const laneY = new Map(g.lanes.map((l, i) => [l.id, G.axisH + i * G.laneH]));
  const summary = g.segments
    .filter((seg) => seg.kind !== 'running' || seg.lane === 'pod')
    .map(
      (seg) =>
        `${seg.lane} ${seg.label} ${formatSeconds((seg.to - seg.from) / 1000)}${seg.open ? ' until now' : ''}`,
    )
    .join('; ');

  // Ticks on the linear part only, clear of the break's and now's labels.
  const bx = x0 + chartW * BREAK_AT;
  const clear = (t: number) => (!w.broken || X(t) < bx - 52) && X(t) < X(g.now) - 36;
  const ticks = ticksOf(w)
    .filter((t, i) => i === 0 || clear(t))
    .map((t, i) => {
      const x = X(t);
      const label = i === 0 ? clock(t) : `+${formatSeconds((t - w.start) / 1000)}`;
      return html`<line class="grid" x1="${x}" x2="${x}" y1="${G.axisH - 4}" y2="${height}"/><text class="tick" x="${x}" y="${
        G.axisH - 8
      }" text-anchor="${i === 0 ? 'start' : 'middle'}">${label}</text>`;
    });
  // The axis break: a gap cut through every lane, labelled with the time it leaves out.
  const brk = w.broken
    ? html`<g class="break"><title>${formatSeconds((w.end - w.cut) / 1000)} left out of the axis</title><rect x="${bx - 3}" y="${
        G.axisH - 2
      }" width="6" height="${height - G.axisH + 2}"/><line x1="${bx - 6}" x2="${bx}" y1="${height}" y2="${G.axisH - 2}"/><line x1="${bx}" x2="${
        bx + 6
      }" y1="${height}" y2="${G.axisH - 2}"/></g><text class="tick" x="${bx}" y="${G.axisH - 8}" text-anchor="middle">⋯ ${formatSeconds(
        (w.end - w.cut) / 1000,
      )} ⋯</text>`
    : '';
  const nowX = X(g.now);
  const now = html`<line class="now" x1="${nowX}" x2="${nowX}" y1="${G.axisH - 4}" y2="${height}"/><text class="tick now-label" x="${
    nowX + 4
  }" y="${G.axisH - 8}">now</text>`;

  const lanes = g.lanes.map((l, i) => {
    const y = G.axisH + i * G.laneH;
    return html`<rect class="lane${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${G.width}" height="${G.laneH}"/><text class="lane-label${
      l.id === 'pod' ? ' pod-lane' : ''
    }" x="8" y="${y + G.laneH / 2 + 4}">${clip(l.label, G.labelW - 14) ?? l.label.slice(0, 4)}<title>${l.label}</title></text>`;
  });

  // Runs on top: a crash-looping container's runs last a second or less, mere ticks between back-offs.
  const ordered = [
    ...g.segments.filter((x) => x.kind !== 'running'),
    ...g.segments.filter((x) => x.kind === 'running'),
  ];
  const bars = ordered.map((seg) => {
    const y = (laneY.get(seg.lane) ?? 0) + (G.laneH - G.barH) / 2;
    const x = X(seg.from);
    const width = Math.max(X(seg.to) - x, MIN_BAR_W);
    const dur = formatSeconds((seg.to - seg.from) / 1000);
    // Text stays left of the axis break, so the break never cuts through a label.
    const room = (w.broken && x < bx - 8 ? Math.min(x + width, bx - 6) : x + width) - x;
    const text = barText(seg.label, dur, room - 8);
    const tip = `${seg.lane === 'pod' ? 'pod' : seg.lane}: ${seg.label} — ${dur} (${clock(seg.from)} → ${
      seg.open ? 'now' : clock(seg.to)
    })${seg.detail ? `\n${seg.detail.slice(0, 600)}` : ''}`;
    return html`<g class="seg k-${seg.kind}${seg.open ? ' open' : ''}" data-kind="${seg.kind}" data-lane="${seg.lane}" data-seconds="${
      (seg.to - seg.from) / 1000
    }"><title>${tip}</title><rect x="${x}" y="${y}" width="${width}" height="${G.barH}" rx="2"/>${
      text ? html`<text x="${x + 4}" y="${y + G.barH - 4}">${text}</text>` : ''
    }</g>`;
  });

  return html`<svg class="gantt" viewBox="0 0 ${G.width} ${height}" role="img" aria-label="${`Timeline of ${title}: ${summary}`}">
${lanes}${ticks}${bars}${brk}${now}</svg>`;
}

function legend(): Html {
  return html`<ul class="legend" aria-label="Legend">${(Object.keys(KIND_TEXT) as SegmentKind[]).map(
    (k) => html`<li><span class="swatch k-${k}"></span>${KIND_TEXT[k]}</li>`,
  )}</ul>`;
}

// ---------------------------------------------------------------- one pod

function statusOf(p: PodDetail): string | null {
  if (p.deleted && p.phase !== 'Succeeded' && p.phase !== 'Failed') return 'Deleted';
  if (p.waitingReason) return p.waitingReason;
  if (p.statusReason) return p.statusReason;
  if (p.unschedulableMessage && p.phase === 'Pending' && p.scheduledAfterSeconds == null)
    return 'Unschedulable';
  if (p.phase === 'Running' && p.timeToReadySeconds == null) return 'NotReady';
  return null;
}

function what(e: TimelineRow): string {
  switch (e.type) {
    case 'ContainerTerminated':
      return `terminated: ${terminationText(e)}`;
    case 'ContainerRestarted':
      return `restart ${e.count ?? ''}`;
    case 'ContainerWaiting':
      return `waiting: ${e.reason ?? ''}`;
    case 'Phase':
      return `phase ${e.reason ?? ''}`;
    case 'Event':
      return `event ${e.reason ?? ''}${e.count && e.count > 1 ? ` ×${e.count}` : ''}`;
    default:
      return e.type;
  }
}

function messageCell(m: string | undefined): Html {
  if (!m) return html``;
  const first = m.split('\n')[0] ?? '';
  if (first.length <= 160 && first === m) return html`<span class="msg">${m}</span>`;
  return html`<details><summary class="msg">${first.slice(0, 160)}…</summary><pre>${m}</pre></details>`;
}

const createdOf = (p: PodDetail): number => {
  const at = p.timeline.find((e) => e.type === 'Created')?.at ?? p.timeline[0]?.at ?? null;
  const t = at ? Date.parse(at) : Number.NaN;
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
};

/**
 * The incarnation of a pod name the page shows: the one with `uid`, else the newest (the one
 * kubectl would show by that name; ties by uid, so the API's order never matters).
 */
export function pickIncarnation(items: readonly PodDetail[], uid: string | null): PodDetail | undefined {
  const exact = uid ? items.find((i) => i.uid === uid) : undefined;
  if (exact) return exact;
  return [...items].sort(
    (a, b) => createdOf(b) - createdOf(a) || (b.uid ?? '').localeCompare(a.uid ?? ''),
  )[0];
}

export function renderPodHint(): Html {
  return html`<p class="empty">Select a pod above, or open one by <em>namespace/name</em>, to see its timeline.</p>`;
}

export function renderPod(
  items: readonly PodDetail[],
  s: ViewState,
  now: number,
  asked: { namespace: string; name: string },
): Html {
  const p = pickIncarnation(items, s.uid);
  if (!p) {
    return html`<p class="empty">No pod <strong>${asked.namespace}/${asked.name}</strong> in this cluster.</p>`;
  }
  const status = statusOf(p);
  const gantt = ganttOf(p, now);
  const terms = p.timeline.filter((e) => e.type === 'ContainerTerminated');
  const lastTerm = terms.at(-1);
  const title = `${p.namespace}/${p.name}`;
  const gaps = p.restartGapsSeconds.length
    ? `${p.restartGapsSeconds.map(formatSeconds).join(' + ')}${
        p.restartGapsSeconds.length > 1 ? ` = ${secs(p.crashLoopBackOffSeconds)}` : ''
      }`
    : secs(p.crashLoopBackOffSeconds || null);
  const fig = (label: string, value: string | Html, key: string, text = false) =>
    html`<div${text ? html` class="txt"` : ''}><dt>${label}</dt><dd data-figure="${key}">${value}</dd></div>`;

  return html`<article class="pod-detail" data-uid="${p.uid ?? ''}">
<header class="pod-head"><h3>${title}</h3>
<span class="badge phase-${p.phase}">${p.phase}</span>${status ? html` <span class="badge warn">${status}</span>` : ''}${
    p.stuckPending ? html` <span class="badge bad">stuck</span>` : ''
  }</header>
${
  items.length > 1
    ? html`<nav class="incarnations" aria-label="Incarnations of ${title}">${plural(items.length, 'incarnation')}: ${items.map(
        (i) =>
          html`<a href="${linkTo(s, { uid: i.uid })}" data-focus="inc:${i.uid ?? ''}"${
            i === p ? html` aria-current="true"` : ''
          }>${stampOf(i.timeline.find((e) => e.type === 'Created')?.at ?? i.timeline[0]?.at ?? null)} · ${i.phase}${
            i.restarts ? ` · ${plural(i.restarts, 'restart')}` : ''
          }</a>`,
      )}</nav>`
    : ''
}
${p.unschedulableMessage ? html`<p class="callout"><strong>Scheduler:</strong> ${p.unschedulableMessage}</p>` : ''}
<dl class="figures">${[
    fig('Scheduled after', secs(p.scheduledAfterSeconds), 'scheduledAfterSeconds'),
    fig('Init', secs(p.initSeconds), 'initSeconds'),
    fig('Pending', secs(p.pendingSeconds), 'pendingSeconds'),
    fig('Ready after', secs(p.timeToReadySeconds), 'timeToReadySeconds'),
    // kubectl's READY (issue 14): containers ready of the spec's containers and sidecars.
    fig('Ready', p.ready ? `${p.ready.ready}/${p.ready.total}` : '—', 'ready'),
    fig('Restarts', String(p.restarts), 'restarts'),
    fig('Crash-loop back-off', gaps, 'crashLoopBackOffSeconds'),
    fig(
      'Last termination',
      lastTerm ? terminationText(lastTerm) : (p.lastTerminationReason ?? '—'),
      'lastTerminationReason',
    ),
    fig('Node', p.node ?? '—', 'node', true),
    fig('Owner', p.owner ?? '—', 'owner', true),
  ]}</dl>
${renderWaterfall(p, title)}
${region(`Timeline chart of ${title}`, renderGantt(gantt, title), 'gantt-wrap')}
${legend()}
${
  terms.length
    ? html`<h4>Terminations</h4>${region(
        `Terminations of ${title}`,
        html`<table class="list terms"><thead><tr><th scope="col">At</th><th scope="col">Container</th><th scope="col">Reason</th><th scope="col">Message</th></tr></thead><tbody>${terms.map(
          (e) =>
            html`<tr><td class="mono">${stampOf(e.at)}</td><td>${e.container ?? ''}${e.init ? ' (init)' : ''}</td><td class="term">${terminationText(
              e,
            )}</td><td>${messageCell(e.message)}</td></tr>`,
        )}</tbody></table>`,
      )}`
    : ''
}
<details class="timeline" data-key="timeline"><summary>Timeline: ${plural(p.timeline.length, 'entry', 'entries')}</summary>
${region(
  `Timeline of ${title}`,
  html`<table class="list"><thead><tr><th scope="col">At</th><th scope="col">What</th><th scope="col">Container</th><th scope="col">Detail</th></tr></thead><tbody>${p.timeline.map(
    (e) =>
      html`<tr><td class="mono">${stampOf(e.at)}</td><td>${what(e)}</td><td>${e.container ?? ''}${
        e.init ? ' (init)' : ''
      }</td><td>${messageCell(e.message)}</td></tr>`,
  )}</tbody></table>`,
)}</details>
<p class="uid">uid ${p.uid ?? '—'} · cluster ${p.cluster}</p>
</article>`;
}

// ---------------------------------------------------------------- statistics

export const FIGURE_TEXT: Record<Figure, string> = {
  scheduledAfterSeconds: 'Scheduled after',
  pendingSeconds: 'Pending',
  timeToReadySeconds: 'Time to ready',
  crashLoopBackOffSeconds: 'Crash-loop back-off',
};

/** "0s / 2s / 3h": p50 / p90 / p99 as the CLI prints them. */
export function triple(f: FigureStats): string {
  if (!f.count) return '—';
  return `${secs(f.p50)} / ${secs(f.p90)} / ${secs(f.p99)}`;
}

/**
 * Whether a histogram says more than its numbers: at least two bins hold pods. One bar (all
 * values 0 s, say) is noise: the text "all n in <1s" says it better.
 */
export function worthAHistogram(values: readonly number[]): boolean {
  return histogramOf(values).filter((c) => c > 0).length > 1;
}

/** "all 5 in 0-1s": where every value fell, when they share one bin. */
function oneBinText(values: readonly number[]): string {
  const i = histogramOf(values).findIndex((c) => c > 0);
  return `all ${values.length} in ${BINS[i]?.label ?? '?'}`;
}

function sparkline(f: FigureStats): Html {
  if (!worthAHistogram(f.values)) return html``;
  const counts = histogramOf(f.values);
  const max = Math.max(1, ...counts);
  return html`<svg class="spark" viewBox="0 0 80 14" aria-hidden="true">${counts.map(
    (c, i) => html`<rect x="${i * 8}" y="${14 - (c / max) * 14}" width="7" height="${(c / max) * 14}"/>`,
  )}</svg>`;
}

/** A histogram of one figure with p50/p90/p99 marked (from the API's statistics). */
export function renderHistogram(title: string, f: FigureStats): Html {
  const W = 320;
  const H = 134;
  const left = 10;
  const top = 30; // room above the bars: percentile labels (y 10), then bar counts
  const plotW = W - left - 10;
  const plotH = 84;
  const counts = histogramOf(f.values);
  const max = Math.max(1, ...counts);
  const bw = plotW / BINS.length;
  const bars = counts.map((c, i) => {
    const h = (c / max) * plotH;
    const x = left + i * bw;
    return html`<g class="bin"><title>${BINS[i]?.label}: ${plural(c, 'pod')}</title><rect x="${x + 1}" y="${
      top + plotH - h
    }" width="${bw - 2}" height="${Math.max(h, c ? 1 : 0)}"/>${
      c
        ? html`<text class="count" x="${x + bw / 2}" y="${top + plotH - h - 3}" text-anchor="middle">${c}</text>`
        : ''
    }</g>`;
  });
  const edges = ['0', '1s', '2s', '5s', '10s', '30s', '1m', '2m', '5m', '10m'].map(
    (t, i) =>
      html`<text class="tick" x="${left + i * bw}" y="${top + plotH + 12}" text-anchor="${i ? 'middle' : 'start'}">${t}</text>`,
  );
  // Percentile markers; markers at the same place share one label ("p90 p99").
  const marks: { x: number; names: string[] }[] = [];
  for (const [name, v] of [
    ['p50', f.p50],
    ['p90', f.p90],
    ['p99', f.p99],
  ] as const) {
    if (v == null) continue;
    const x = left + positionOf(v) * plotW;
    const near = marks.find((m) => Math.abs(m.x - x) < 22);
    if (near) near.names.push(name);
    else marks.push({ x, names: [name] });
  }
  const markers = marks.map((m) => {
    const anchor = m.x < left + 30 ? 'start' : m.x > left + plotW - 30 ? 'end' : 'middle';
    return html`<line class="pmark" x1="${m.x}" x2="${m.x}" y1="${13}" y2="${top + plotH}"/><text class="plabel" x="${
      anchor === 'start' ? m.x + 2 : anchor === 'end' ? m.x - 2 : m.x
    }" y="10" text-anchor="${anchor}">${m.names.join(' ')}</text>`;
  });
  const label = `Histogram of ${title}: ${BINS.map((b, i) => `${b.label} ${counts[i]}`).join(', ')}`;
  return html`<svg class="hist" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}"><line class="axis" x1="${left}" x2="${
    left + plotW
  }" y1="${top + plotH}" y2="${top + plotH}"/>${bars}${edges}${markers}</svg>`;
}

export function renderStats(groups: readonly StatsGroup[], s: ViewState): Html {
  const toggle = html`<div class="toggle" role="group" aria-label="Group statistics by">${(
    ['namespace', 'owner'] as const
  ).map(
    (by) =>
      html`<a href="${linkTo(s, { by, group: null })}" data-focus="by:${by}"${s.by === by ? html` aria-current="true"` : ''}>${by}</a>`,
  )}</div>`;
  const selected = groups.find((g) => g.key === s.group) ?? groups[0];
  if (!selected) return html`${toggle}<p class="empty">No statistics yet.</p>`;
  const figures = FIGURES;
  return html`${toggle}
<div class="scroll wide" role="region" aria-label="Statistics per ${s.by}"><table class="list stats" id="stats-table">
<caption class="sr-only">p50 / p90 / p99 per ${s.by}</caption>
<thead><tr><th scope="col">${s.by === 'owner' ? 'Owner' : 'Namespace'}</th><th scope="col" class="num">Pods</th>${figures.map(
    (f) => html`<th scope="col">${FIGURE_TEXT[f]}<span class="sub">p50 / p90 / p99</span></th>`,
  )}<th scope="col" class="num">Restarts</th><th scope="col">Terminations</th></tr></thead>
<tbody>${groups.map(
    (g) => html`<tr data-group="${g.key}"${g === selected ? html` class="sel"` : ''}>
<th scope="row"><a href="${linkTo(s, { group: g.key })}" data-focus="group:${g.key}"${
      g === selected ? html` aria-current="true"` : ''
    } title="${g.key}">${g.key}</a></th>
<td class="num">${g.pods}</td>
${figures.map(
  (f) =>
    html`<td data-figure="${f}"><span class="pct">${triple(g.figures[f])}</span>${
      g.figures[f].count ? html`<span class="n">n=${g.figures[f].count}</span>${sparkline(g.figures[f])}` : ''
    }</td>`,
)}
<td class="num">${g.restarts}</td>
<td>${Object.entries(g.terminationsByReason)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}</td></tr>`,
  )}</tbody></table></div>
<section class="hists" aria-label="Histograms for ${selected.key}">
<h3>Histograms · ${s.by} <span class="key">${selected.key}</span></h3>
<div class="hist-grid">${figures.map(
    (f) =>
      html`<figure data-figure="${f}"><figcaption><strong>${FIGURE_TEXT[f]}</strong> <span class="n">n=${
        selected.figures[f].count
      }</span><span class="pct">${
        selected.figures[f].count
          ? `p50 ${secs(selected.figures[f].p50)} · p90 ${secs(selected.figures[f].p90)} · p99 ${secs(selected.figures[f].p99)}`
          : 'no pods with this figure'
      }</span></figcaption>${
        !selected.figures[f].count
          ? ''
          : !selected.figures[f].values.length
            ? html`<p class="note">The API sent no per-pod values for a histogram.</p>`
            : !worthAHistogram(selected.figures[f].values)
              ? html`<p class="note one-bin">${oneBinText(selected.figures[f].values)}: no histogram.</p>`
              : renderHistogram(`${FIGURE_TEXT[f]} seconds for ${selected.key}`, selected.figures[f])
      }</figure>`,
  )}</div></section>`;
}
