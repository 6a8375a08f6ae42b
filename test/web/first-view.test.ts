/**
 * The first view drawn by the server (web/src/first-view.ts): index.html as built, with every
 * section's markup and key in place, the cluster list, and the page out of its booting state; the
 * key the page compares before redrawing a section.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markupKey, type SectionId, withFirstView } from '../../web/src/first-view.ts';
import { html } from '../../web/src/html.ts';

const INDEX = readFileSync(join(import.meta.dirname, '..', '..', 'web', 'static', 'index.html'), 'utf8');
const IDS: SectionId[] = ['pending-body', 'crash-body', 'silences-body', 'stats-body', 'pod-body'];

describe('the first view in index.html', () => {
  it('each section drawn with its key, the clusters listed (escaped), no booting state', () => {
    const sections = Object.fromEntries(
      IDS.map((id) => [id, html`<p class="x">${id} $& $1 </div></section></p>`]),
    );
    const page = withFirstView(INDEX, { cluster: 'a', clusters: ['a', '<b>'], sections });
    for (const id of IDS) {
      const text = sections[id]!.text;
      expect(page).toContain(`<div id="${id}" data-h="${markupKey(text)}">${text}</div>`);
    }
    expect(page).not.toContain('<body class="booting">');
    expect(page).toContain(
      '<select id="cluster"><option value="a">a</option><option value="&lt;b&gt;">&lt;b&gt;</option></select>',
    );
    // Nothing else moved: the rest of the page is the built one.
    expect(page.replace(/<main>[\s\S]*<\/main>/, '').replace(/<select[\s\S]*?<\/select>/, '')).toBe(
      INDEX.replace('<body class="booting">', '<body>')
        .replace(/<main>[\s\S]*<\/main>/, '')
        .replace(/<select[\s\S]*?<\/select>/, ''),
    );
  });

  it('a section the server did not draw keeps its placeholder', () => {
    const page = withFirstView(INDEX, {
      cluster: 'a',
      clusters: ['a'],
      sections: { 'pending-body': html`<p>7</p>` },
    });
    expect(page).toContain('<div id="crash-body"><p class="empty">Loading…</p></div>');
  });

  it('the key: equal markup, equal key; different markup, different key (here)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(markupKey(a)).toBe(markupKey(`${a}`));
        if (a !== b && a.length === b.length && a.length < 40) expect(markupKey(a)).not.toBe(markupKey(b));
      }),
    );
  });
});
