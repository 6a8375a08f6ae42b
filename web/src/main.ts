/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The page's wiring: find the API, poll it every 2 s while the tab is visible, draw each
 * section when its content changed, keep the view in the location hash.
 */
import {
  type Api,
  ApiError,
  apiBaseFrom,
  createApi,
  type Listed,
  type PendingRow,
  serverNowOf,
} from './api.ts';
import { markupKey, nowOf, SECTION_IDS, sectionOf } from './first-view.ts';
import type { Html } from './html.ts';
import { clock, pickIncarnation, stamp } from './render.ts';
import { hashOf, parseHash, type ViewState } from './state.ts';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const params = new URL(location.href).searchParams;
const POLL_MS = Math.max(500, Number(params.get('poll') ?? 2) * 1000 || 2000);
/** Clusters change rarely: asked on the first poll and then every CLUSTERS_EVERY polls. */
const CLUSTERS_EVERY = 15;

let api: Api;
let state: ViewState = parseHash(location.hash);
let clusters: string[] = [];
let polls = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let running = false;
let again = false;
let lastOk: number | null = null;
/** The API's "now" when it is not the wall clock (a replay of a recorded trace). */
let apiNow: number | null = null;

/**
 * Replaces a section's markup only when it changed, keeping what the reader was doing:
 * keyboard focus (by `data-focus`), open <details> (by `data-key`) and scroll position.
 */
function patch(el: HTMLElement, markup: Html): void {
  const text = markup.text;
  // A section is redrawn only when its markup changed (a server-drawn one carries its key too).
  const key = markupKey(text);
  if (el.dataset.h === key) return;
  const focused = el.contains(document.activeElement)
    ? (document.activeElement as HTMLElement).dataset.focus
    : undefined;
  const open = new Set(
    [...el.querySelectorAll<HTMLDetailsElement>('details[data-key][open]')].map((d) => d.dataset.key),
  );
  const scrolls = [...el.querySelectorAll<HTMLElement>('.scroll')].map((s) => s.scrollTop);
  el.innerHTML = text;
  el.dataset.h = key;
  for (const d of el.querySelectorAll<HTMLDetailsElement>('details[data-key]'))
    if (open.has(d.dataset.key)) d.open = true;
  el.querySelectorAll<HTMLElement>('.scroll').forEach((s, i) => {
    s.scrollTop = scrolls[i] ?? 0;
  });
  if (focused)
    [...el.querySelectorAll<HTMLElement>('[data-focus]')].find((n) => n.dataset.focus === focused)?.focus();
}

/**
 * A region that scrolls sideways (a wide table or the Gantt on a phone) is reachable by keyboard,
 * so it can be scrolled without a mouse; one that fits is no extra Tab stop.
 */
function syncScrollFocus(): void {
  for (const el of document.querySelectorAll<HTMLElement>(
    '[role="region"].scroll, [role="region"].gantt-wrap',
  )) {
    // A region the browser skips (in #stats, `content-visibility: auto`, off screen) is not laid
    // out: reading its width would lay the whole section out, the very work the skip saves (it
    // was most of the first render's main-thread time). It is checked when it comes into view.
    if (!el.checkVisibility({ contentVisibilityAuto: true })) continue;
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && el.tabIndex !== 0) el.tabIndex = 0;
    else if (!scrolls && el.hasAttribute('tabindex')) el.removeAttribute('tabindex');
  }
}
window.addEventListener('resize', syncScrollFocus);

// An opened <details> (the timeline table) may bring a wide table; a skipped section (#stats)
// coming into view brings its own.
document.addEventListener('toggle', syncScrollFocus, true);
document.addEventListener('contentvisibilityautostatechange', syncScrollFocus, true);

function setStatus(error: string | null): void {
  const banner = $('banner');
  banner.hidden = !error;
  if (error) {
    banner.textContent = `${error} — retrying every ${POLL_MS / 1000} s${
      lastOk ? `; showing data from ${clock(lastOk)} UTC` : ''
    }.`;
  }
  $('updated').textContent = lastOk
    ? `Updated ${clock(lastOk)} UTC${apiNow ? ` · API time ${stamp(apiNow)}` : ''}`
    : 'Loading…';
  document.body.classList.toggle('stale', Boolean(error));
  // The sections appear together, drawn, never as "Loading…" placeholders that grow and push
  // what is below them down (layout shift).
  document.body.classList.remove('booting');
  syncScrollFocus(); // after the sections are laid out
}

function setState(next: ViewState, replace = false): void {
  state = next;
  const h = hashOf(next);
  if (h !== location.hash) {
    if (replace) history.replaceState(null, '', h);
    else location.hash = h;
  }
}

function renderClusters(): void {
  const sel = $('cluster') as HTMLSelectElement;
  const want = clusters.join('\n');
  if (sel.dataset.rendered !== want) {
    sel.replaceChildren(...clusters.map((c) => new Option(c, c)));
    sel.dataset.rendered = want;
  }
  sel.value = state.cluster ?? '';
}

/** A /stats pass read over several requests: how far it got, while the card still waits for it. */
function statsProgress(rangeRead: number): void {
  const note = $('stats-body').querySelector('p.empty');
  if (note) note.textContent = `Loading… ${Math.floor(rangeRead * 100)}% of the range read`;
}

/** Lets the browser run what waits (input, a frame) before going on. */
const yieldToMain = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const message = (r: PromiseSettledResult<unknown>) =>
  r.status === 'rejected' ? (r.reason instanceof Error ? r.reason.message : String(r.reason)) : null;

async function refresh(): Promise<void> {
  const askClusters = !clusters.length || polls % CLUSTERS_EVERY === 0;
  polls++;
  // A cluster in the address (a link, a reload): its data is asked at once, beside the cluster
  // list, not after it; one round trip before the first data instead of two.
  const guess = state.cluster;
  const fetchAll = (s: ViewState, cluster: string) =>
    Promise.allSettled([
      api.pending(cluster),
      api.crashloops(cluster),
      api.stats(cluster, s.by, params.get('since') ?? undefined, statsProgress),
      s.pod ? api.pod(cluster, s.pod.namespace, s.pod.name) : Promise.resolve(null),
      api.silences(cluster),
    ]);
  const early = guess ? fetchAll(state, guess) : null;
  const guessed = state;
  if (askClusters) clusters = await api.clusters();
  if (!state.cluster || !clusters.includes(state.cluster)) {
    if (!clusters.length) throw new Error('the API knows no cluster yet');
    setState({ ...state, cluster: clusters[0] ?? null }, true);
  }
  renderClusters();
  let s = state;
  const cluster = s.cluster!;
  const [pending, crash, stats, pod, silences] = await (early && guessed === s
    ? early
    : fetchAll(s, cluster));
  if (s !== state) return; // the view changed while we waited; the next refresh draws it
  // A pod asked by name only: the incarnation shown is the one highlighted in the lists and named
  // in the address (the newest, as kubectl shows a name).
  if (s.pod && !s.uid && pod.status === 'fulfilled' && pod.value) {
    const shown = pickIncarnation(pod.value.items, null);
    if (shown?.uid) {
      setState({ ...s, uid: shown.uid }, true);
      s = state;
    }
  }
  const answers = { pending, crash, stats, pod, silences };
  const fromApi = pending.status === 'fulfilled' ? serverNowOf(pending.value as Listed<PendingRow>) : null;
  const now = nowOf(answers);
  apiNow = fromApi != null && Math.abs(fromApi - Date.now()) > 60_000 ? fromApi : null;
  if (pending.status === 'fulfilled') {
    const stuck = pending.value.items.filter((r) => r.stuck).length;
    document.title = stuck ? `(${stuck} stuck) podlife` : 'podlife';
  }
  // One section a task, the browser free in between: on a phone, drawing (or, for a view the
  // server drew, re-rendering to compare) every section at once was one long main-thread task.
  for (const id of SECTION_IDS) {
    const markup = sectionOf(id, answers, s, now);
    if (markup) patch($(id), markup);
    await yieldToMain();
    if (s !== state) return; // the view changed meanwhile; the next refresh draws it
  }
  const podMissing = pod.status === 'rejected' && pod.reason instanceof ApiError && pod.reason.status === 404;
  const errors = [pending, crash, stats, silences, ...(podMissing ? [] : [pod])]
    .map(message)
    .filter((m): m is string => m != null);
  if (errors.length < 3) lastOk = Date.now();
  setStatus(errors.length ? [...new Set(errors)].join('; ') : null);
}

/** One poll, never two at once; a request for another while one runs is queued. */
async function poll(): Promise<void> {
  clearTimeout(timer);
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    if (document.visibilityState === 'visible') await refresh();
  } catch (err) {
    setStatus(err instanceof Error ? err.message : String(err));
  } finally {
    running = false;
    if (again) {
      again = false;
      void poll();
    } else if (document.visibilityState === 'visible') {
      timer = setTimeout(poll, POLL_MS);
    }
  }
}

async function loadConfig(): Promise<unknown> {
  if (params.get('api')) return null;
  // Inlined by the server that serves the page (local mode): no config.json round trip.
  const inline = document.querySelector<HTMLMetaElement>('meta[name="podlife-api"]')?.content;
  if (inline) return { apiBaseUrl: inline };
  try {
    const res = await fetch(new URL('config.json', location.href), { cache: 'no-cache' });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

async function boot(): Promise<void> {
  api = createApi(apiBaseFrom(location.href, await loadConfig()));
  $('api-base').textContent = api.base;
  window.addEventListener('hashchange', () => {
    const next = parseHash(location.hash);
    const podChanged =
      next.pod?.namespace !== state.pod?.namespace ||
      next.pod?.name !== state.pod?.name ||
      next.cluster !== state.cluster;
    state = next;
    if (podChanged) {
      $('pod-body').dataset.h = '';
      $('pod-body').innerHTML = '<p class="empty">Loading…</p>';
    }
    void poll();
    if (podChanged && next.pod) $('pod').scrollIntoView({ block: 'nearest' });
  });
  ($('cluster') as HTMLSelectElement).addEventListener('change', (e) => {
    setState({ ...state, cluster: (e.target as HTMLSelectElement).value, pod: null, uid: null, group: null });
  });
  $('open-pod').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('open-pod-name') as HTMLInputElement;
    const [namespace, ...rest] = input.value.trim().split('/');
    if (namespace && rest.length) setState({ ...state, pod: { namespace, name: rest.join('/') }, uid: null });
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void poll();
  });
  await poll();
}

void boot();

// For tests and the curious: what the page believes, and the time of the last good poll.
(window as unknown as { podlife: unknown }).podlife = {
  get state() {
    return state;
  },
  get lastOk() {
    return lastOk == null ? null : clock(lastOk);
  },
  poll,
};
