/**
 * The CLI's usage errors and its "did you mean": kept in a module of its own, with no imports,
 * so that `podlife --help` and a misspelled command load nothing else.
 */

/** A mistake in the command line: main prints it with a `--help` hint, exit status 1. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** An unknown option that no option of the command is close to (main looks in the others). */
  unknownOption?: string;
  /** The exit status (2 for an unknown command or option: nothing was started). */
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Levenshtein distance, with an adjacent swap counting as one edit (Damerau, restricted). */
function editDistance(a: string, b: string): number {
  // One flat table of (a.length + 1) × (b.length + 1) cells; `at` reads a cell already filled.
  const w = b.length + 1;
  const d: number[] = Array.from({ length: (a.length + 1) * w }, (_, k) =>
    k < w ? k : k % w === 0 ? k / w : 0,
  );
  const at = (i: number, j: number): number => d[i * w + j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * w + j] = v;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidates close to `word`, closest first: within a third of its length (at least 2
 * edits for short words), or of which it is a prefix / which is a prefix of it.
 */
export function closest(word: string, candidates: readonly string[]): string[] {
  const w = word.toLowerCase();
  const scored = candidates
    .map((c) => {
      const lc = c.toLowerCase();
      const dist = editDistance(w, lc);
      const prefix = w.length >= 2 && (lc.startsWith(w) || w.startsWith(lc));
      return { c, dist: prefix ? Math.min(dist, 1) : dist };
    })
    .filter(({ dist }) => dist <= Math.max(2, Math.floor(word.length / 3)));
  scored.sort((x, y) => x.dist - y.dist || (x.c < y.c ? -1 : 1));
  return scored.map(({ c }) => c);
}

/** "did you mean X?" / "did you mean X or Y?", or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const near = closest(word, candidates).slice(0, 2);
  return near.length ? `did you mean ${near.join(' or ')}?` : '';
}
