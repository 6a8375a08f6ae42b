/**
 * The dashboard's views as a CloudWatch custom widget (issue 15's "what is stuck, inside the AWS
 * console"): the same renderers as the page (render.ts), fed by the same API client (api.ts),
 * returned as one HTML string. CloudWatch runs no JavaScript in a widget, so the page's hash links
 * become `<cwdb-action>` calls back into the widget's Lambda: a click on a pod replaces the list
 * with that pod's timeline, and "back" returns to the list. Pure: the caller gives the API (in the
 * Lambda, the query handler in process) and the stylesheet.
 */
import * as z from 'zod/mini';
import type { Api } from './api.ts';
import { ApiError, heldBy, serverNowOf } from './api.ts';
import { esc, type Html, html, raw } from './html.ts';
import { renderCrashloops, renderPending, renderPod, renderSilences } from './render.ts';
import { parseHash, type ViewState } from './state.ts';

/** Kubernetes' own limits for what a parameter may name (cluster names as the API's). */
const Name = z.string().check(z.minLength(1), z.maxLength(253));

/**
 * What the widget shows: `pending` or `crashloops` (every cluster the API knows, or one), or one
 * pod's timeline. The dashboard's widget definition gives `view` (and `cluster`); a click on a pod
 * sends the `pod` view's parameters.
 */
export const WidgetParamsSchema = z.object({
  view: z.optional(z.enum(['pending', 'crashloops', 'pod'])),
  cluster: z.optional(Name),
  namespace: z.optional(Name),
  name: z.optional(Name),
  uid: z.optional(z.string().check(z.maxLength(128))),
  /** The list the pod was opened from ("back" returns to it). */
  from: z.optional(z.enum(['pending', 'crashloops'])),
});
export type WidgetParams = z.infer<typeof WidgetParamsSchema>;

export interface WidgetOptions {
  /** The widget Lambda's own ARN: the endpoint of every `<cwdb-action>`. */
  endpoint: string;
  /** The page's stylesheet (web/static/style.css), scoped to the widget. */
  css: string;
  /** The console's theme (widgetContext.theme). */
  theme?: 'light' | 'dark' | undefined;
}

/** Custom parameters come at the top level of the event and again in widgetContext.params. */
export function widgetParamsOf(event: unknown): WidgetParams | { error: string } {
  const e = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
  const ctx = e.widgetContext as { params?: unknown } | undefined;
  const fromCtx = ctx?.params && typeof ctx.params === 'object' ? ctx.params : {};
  const { widgetContext: _ignored, ...top } = e;
  const parsed = WidgetParamsSchema.safeParse({ ...fromCtx, ...top });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `widget parameter ${issue?.path.join('.') || '?'}: ${issue?.message ?? 'invalid'}` };
  }
  return parsed.data;
}

/** The page's stylesheet for a widget: its `:root` variables on the widget's own element. */
export function scopedCss(css: string, theme: 'light' | 'dark' | undefined): string {
  const scoped = css.replaceAll(':root', '.podlife-widget');
  // The console says its theme; the page's dark palette applies under prefers-color-scheme only.
  return theme ? `${scoped}\n.podlife-widget{color-scheme:${theme}}` : scoped;
}

function action(endpoint: string, params: Record<string, string | undefined>): Html {
  const body = JSON.stringify(Object.fromEntries(Object.entries(params).filter(([, v]) => v)));
  return raw(
    `<cwdb-action action="call" endpoint="${esc(endpoint)}" display="widget">${esc(body)}</cwdb-action>`,
  );
}

/**
 * Every page link (`<a ... href="#cluster=..&pod=ns/name&uid=..">`) as a widget call: the link
 * keeps its text and class, loses its href, and is followed by the `<cwdb-action>` that opens
 * the pod in the widget.
 */
export function linksAsActions(markup: string, endpoint: string, from: WidgetParams['from']): string {
  return markup.replace(/<a ([^>]*?)href="(#[^"]*)"([^>]*)>([\s\S]*?)<\/a>/g, (_m, pre, href, post, text) => {
    const s = parseHash(unescapeAttr(href));
    const attrs = `${pre}${post}`.trim();
    const link = `<a${attrs ? ` ${attrs}` : ''} role="button">${text}</a>`;
    if (!s.pod) return link;
    return `${link}${
      action(endpoint, {
        view: 'pod',
        cluster: s.cluster ?? undefined,
        namespace: s.pod.namespace,
        name: s.pod.name,
        uid: s.uid ?? undefined,
        from,
      }).text
    }`;
  });
}

function unescapeAttr(v: string): string {
  return v
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

const stateOf = (cluster: string, pod: ViewState['pod'] = null, uid: string | null = null): ViewState => ({
  cluster,
  pod,
  uid,
  by: 'namespace',
  group: null,
});

/**
 * One cluster's list, as on the page: the rows a silence holds carry its badge, and the cluster's
 * active silences follow the list (nothing when there is none).
 */
async function listSection(api: Api, view: 'pending' | 'crashloops', cluster: string): Promise<Html> {
  const s = stateOf(cluster);
  const asked = api.silences(cluster);
  let silences: Awaited<typeof asked>;
  let body: Html;
  if (view === 'pending') {
    const [sil, list] = await Promise.all([asked, api.pending(cluster)]);
    silences = sil;
    body = renderPending(list, s, heldBy(sil.items), serverNowOf(list) ?? sil.now ?? Date.now());
  } else {
    const [sil, list] = await Promise.all([asked, api.crashloops(cluster)]);
    silences = sil;
    body = renderCrashloops(list, s, heldBy(sil.items), list.now ?? sil.now ?? Date.now());
  }
  const now = silences.now ?? Date.now();
  const active = silences.items.some((x) => x.active);
  return html`<section class="card" data-cluster="${cluster}"><h3>${cluster}</h3>${body}${
    active ? html`<h4>Silences</h4><div class="silences">${renderSilences(silences, now)}</div>` : ''
  }</section>`;
}

/** The widget's HTML for `params`; an API failure is shown in the widget, never thrown. */
export async function renderWidget(api: Api, params: WidgetParams, opts: WidgetOptions): Promise<string> {
  const view = params.view ?? 'pending';
  let body: Html;
  try {
    if (view === 'pod') {
      if (!params.cluster || !params.namespace || !params.name) {
        body = html`<p class="empty">The pod view needs cluster, namespace and name.</p>`;
      } else {
        const cluster = params.cluster;
        const asked = { namespace: params.namespace, name: params.name };
        const [pod, pending] = await Promise.all([
          // A pod the API does not know (404) is shown as such, as on the page.
          api.pod(cluster, asked.namespace, asked.name).catch((err: unknown) => {
            if (err instanceof ApiError && err.status === 404) return { items: [], now: null };
            throw err;
          }),
          api.pending(cluster),
        ]);
        const now = serverNowOf(pending) ?? pod.now ?? Date.now();
        const back = params.from ?? 'pending';
        body = html`<p><a class="back" role="button">← ${back === 'pending' ? 'Pending pods' : 'Crash-looping pods'}</a>${action(
          opts.endpoint,
          { view: back, cluster },
        )}</p>${renderPod(pod.items, stateOf(cluster, asked, params.uid ?? null), now, asked)}`;
      }
    } else {
      const clusters = params.cluster ? [params.cluster] : await api.clusters();
      const sections = await Promise.all(clusters.map((c) => listSection(api, view, c)));
      body = clusters.length ? html`${sections}` : html`<p class="empty">No cluster has sent data yet.</p>`;
    }
  } catch (err) {
    const message = err instanceof ApiError ? err.message : (err as Error).message;
    body = html`<p class="callout">podlife: ${message}</p>`;
  }
  const markup = linksAsActions(body.text, opts.endpoint, view === 'pod' ? params.from : view);
  return `<div class="cwdb-no-default-styles"></div><style>${scopedCss(opts.css, opts.theme)}</style><div class="podlife-widget" data-view="${view}">${markup}</div>`;
}
