/** Zod errors as one readable line, naming the field: what every rejection in podlife says. */
import type { z } from 'zod';

/** One line of a zod error: `path.to[0].field: message` for the first issues. */
export function describeZodError(err: z.ZodError, max = 2): string {
  const parts = err.issues.slice(0, max).map((i) => {
    const path = i.path
      .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return path ? `${path}: ${i.message}` : i.message;
  });
  if (err.issues.length > max) parts.push(`(+${err.issues.length - max} more)`);
  return parts.join('; ');
}
