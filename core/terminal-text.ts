/**
 * Text from input files, the API or a cluster is printed to a terminal only through `safeText`:
 * control characters (C0, DEL, C1: ESC, BEL, CR, ...), Unicode line separators and bidi
 * overrides are shown escaped (`\x1b`, `\u202e`) instead of being obeyed, so no pod name,
 * message or file name can move the cursor, retitle the window, forge a line of output or hide
 * text (terminal escape injection). One function for every table, message and error podlife prints.
 */

// C0 controls, DEL, C1 controls; U+2028/2029 line/paragraph separators; bidi embeddings,
// overrides and isolates (U+202A-202E, U+2066-2069); U+200E/200F marks are left alone (harmless).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character escaped: one line, safe for a table cell or a message. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** As `safeText`, but newlines are kept (for multi-line text podlife itself lays out, such as a stack). */
export function safeLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escapeOne);
}
