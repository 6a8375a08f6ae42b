/**
 * The page's sections from the API's answers, in one place for both sides: the browser draws
 * them on every poll (main.ts), and a server that has the data at hand (local mode) draws the
 * first view into index.html itself, so the first response already shows the lists: no
 * "Loading…" screen, no render and layout of the whole page after the first paint (what
 * Lighthouse's phone run counts as blocking time). Each section carries a short key of its
 * markup (`data-h`); the page redraws a section only when its key changes, so a server-drawn
 * section the page would draw the same is never drawn twice. Pure: no DOM.
 */
import {
  type Api,
  ApiError,
  type CrashRow,
  heldBy,
  type Listed,
  type PendingRow,
  type PodDetail,
  type Silences,
  type StatsGroup,
  serverNowOf,
} from './api.ts';
import { esc, type Html } from './html.ts';
import {
  renderCrashloops,
  renderPending,
  renderPod,
  renderPodHint,
  renderSilences,
  renderStats,
} from './render.ts';
import { parseHash, type ViewState } from './state.ts';

/** The elements the sections are drawn into (index.html). */
export type SectionId = 'pending-body' | 'crash-body' | 'silences-body' | 'stats-body' | 'pod-body';

export interface Answers {
  pending: PromiseSettledResult<Listed<PendingRow>>;
  crash: PromiseSettledResult<Listed<CrashRow>>;
  stats: PromiseSettledResult<StatsGroup[]>;
  pod: PromiseSettledResult<Listed<PodDetail> | null>;
  silences: PromiseSettledResult<Silences>;
}

/** "Now" for a view: the API's (a replay's is the trace's end), else the wall clock. */
export const nowOf = (a: Pick<Answers, 'pending'>): number =>
  (a.pending.status === 'fulfilled' ? serverNowOf(a.pending.value) : null) ?? Date.now();

/** The sections, in the order the page draws them. */
export const SECTION_IDS: readonly SectionId[] = [
  'pending-body',
  'crash-body',
  'silences-body',
  'pod-body',
  'stats-body',
];

/** One section the answers draw, or null (a failed answer draws nothing: the last good stays). */
export function sectionOf(id: SectionId, a: Answers, s: ViewState, now: number): Html | null {
  // The rows a silence holds carry its badge; the silences' own list is a section.
  const held = a.silences.status === 'fulfilled' ? heldBy(a.silences.value.items) : undefined;
  switch (id) {
    case 'silences-body':
      return a.silences.status === 'fulfilled' ? renderSilences(a.silences.value, now) : null;
    case 'pending-body':
      return a.pending.status === 'fulfilled' ? renderPending(a.pending.value, s, held, now) : null;
    case 'crash-body':
      return a.crash.status === 'fulfilled' ? renderCrashloops(a.crash.value, s, held, now) : null;
    case 'stats-body':
      return a.stats.status === 'fulfilled' ? renderStats(a.stats.value, s) : null;
    case 'pod-body': {
      if (!s.pod) return renderPodHint();
      // A pod that does not exist is an answer, not an API failure.
      if (a.pod.status === 'rejected' && a.pod.reason instanceof ApiError && a.pod.reason.status === 404)
        return renderPod([], s, now, s.pod);
      return a.pod.status === 'fulfilled' && a.pod.value ? renderPod(a.pod.value.items, s, now, s.pod) : null;
    }
  }
}

/** Every section the answers draw. */
export function sectionsOf(a: Answers, s: ViewState, now: number): Partial<Record<SectionId, Html>> {
  const out: Partial<Record<SectionId, Html>> = {};
  for (const id of SECTION_IDS) {
    const markup = sectionOf(id, a, s, now);
    if (markup) out[id] = markup;
  }
  return out;
}

/** A short key of a section's markup (FNV-1a, 32 bits, and the length): equal markup, equal key. */
export function markupKey(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${(h >>> 0).toString(36)}.${text.length.toString(36)}`;
}

export interface FirstView {
  cluster: string;
  clusters: string[];
  sections: Partial<Record<SectionId, Html>>;
}

/**
 * The view a page opened without a hash shows (the first cluster, no pod selected), read through
 * the page's own API client; null when the API knows no cluster yet.
 */
export async function firstViewOf(api: Api, since?: string): Promise<FirstView | null> {
  const clusters = await api.clusters();
  const cluster = clusters[0];
  if (cluster === undefined) return null;
  const s = parseHash(`#cluster=${encodeURIComponent(cluster)}`);
  const [pending, crash, stats, silences] = await Promise.allSettled([
    api.pending(cluster),
    api.crashloops(cluster),
    api.stats(cluster, s.by, since),
    api.silences(cluster),
  ]);
  const a: Answers = { pending, crash, stats, silences, pod: { status: 'fulfilled', value: null } };
  return { cluster, clusters, sections: sectionsOf(a, s, nowOf(a)) };
}

/**
 * index.html with the first view drawn in: each section's markup and key, the cluster list, and
 * the page out of its "booting" state (every section shown at once, as after the first poll).
 */
export function withFirstView(index: string, v: FirstView): string {
  let out = index.replace('<body class="booting">', '<body>');
  for (const [id, markup] of Object.entries(v.sections) as [SectionId, Html][]) {
    out = out.replace(
      new RegExp(`<div id="${id}">[\\s\\S]*?</div>(?=\\s*</section>)`),
      () => `<div id="${id}" data-h="${markupKey(markup.text)}">${markup.text}</div>`,
    );
  }
  const options = v.clusters.map((c) => `<option value="${esc(c)}">${esc(c)}</option>`).join('');
  return out.replace('<select id="cluster"></select>', () => `<select id="cluster">${options}</select>`);
}
