/** Zod errors as one readable line, naming the field: what every rejection in podlife says. */
import type { z } from 'zod';

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One line of a zod error: `path.to[0].field: message` for the first issues. */
export function describeZodError(err: z.ZodError, max = 2): string {
  const parts = err.issues.slice(0, max).map((i) => {
    // Keys and messages quote the input (a strict object's unknown key, a record's key): cut, so
    // a 50 KB key makes a short reason.
    const path = i.path
      .map((p, n) =>
        typeof p === 'number' ? `[${p}]` : n === 0 ? cut(String(p), 64) : `.${cut(String(p), 64)}`,
      )
      .join('');
    const message = cut(i.message, 200);
    return path ? `${path}: ${message}` : message;
  });
  if (err.issues.length > max) parts.push(`(+${err.issues.length - max} more)`);
  return parts.join('; ');
}

/**
 * A value from the input as a rejection quotes it: a string as it is, anything else as JSON, cut
 * to `max` characters (an input's own text is never echoed whole: a 5 MB `kind` makes a short
 * reason), and never a throw (`{"toString": 1}`, a cycle, a BigInt all have a text).
 */
export function shown(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return cut(text, max);
}
