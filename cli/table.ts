import { safeText } from '../core/terminal-text.ts';

/**
 * kubectl-style plain tables: upper-case headers, columns padded with three spaces, no borders,
 * so output stays greppable and `column`/`awk` friendly. Every cell goes through `safeText`:
 * control characters from the data are shown escaped, never sent to the terminal.
 */
export function renderTable(rawHeaders: readonly string[], rawRows: readonly (readonly string[])[]): string {
  const headers = rawHeaders.map((h) => safeText(h ?? ''));
  const rows = rawRows.map((r) => r.map((c) => safeText(c ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : (c ?? '').padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Cuts text to `max` characters with an ellipsis, for message columns. */
export function ellipsis(text: string | null | undefined, max: number): string {
  if (!text) return '';
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
