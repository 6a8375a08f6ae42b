/**
 * The kubelet's image-pull Events, read: what `Pulled` says about one container's image pull.
 * The kubelet (kubernetes/kubernetes pkg/kubelet/images/image_manager.go) writes, by version:
 *
 *   Successfully pulled image %q in %v (%v including waiting). Image size: %v bytes.   (1.30+)
 *   Successfully pulled image %q in %v (%v including waiting)                         (1.28, 1.29)
 *   Successfully pulled image %q in %v                                                (older)
 *   Container image %q already present on machine                                     (no pull)
 *   Container image %q already present on machine and can be accessed by the pod      (1.33+)
 *
 * `%q` is Go's quoted string and `%v` of a duration is Go's `time.Duration` text ("717ms",
 * "1.234s", "2m3.5s", "1h0m2s"). Anything else, a cut message included, is not evidence: null.
 */

/** One Pulled Event, read. */
export interface ImagePull {
  image: string;
  /** The pull itself, seconds (the first `%v`); 0 when the image was already present. */
  pullSeconds: number;
  /** The pull including its wait in the kubelet's pull queue, seconds; null when the message does not say. */
  totalSeconds: number | null;
  /** The image's size as the runtime reports it, bytes; null when the message does not say. */
  imageSizeBytes: number | null;
  /** "already present on machine": no pull happened. */
  alreadyPresent: boolean;
}

/** Go's quoted string: `"`, then characters other than `"` and `\`, or a backslash escape. */
const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
/** A Go duration's text: number-unit pairs, nothing else (no spaces, no sign). */
const DURATION = String.raw`((?:\d+(?:\.\d+)?(?:ns|us|µs|μs|ms|s|m|h))+)`;

const PULLED = new RegExp(
  `^Successfully pulled image ${QUOTED} in ${DURATION}(?: \\(${DURATION} including waiting\\)(?:\\. Image size: (\\d{1,20}) bytes\\.)?)?$`,
);
const PRESENT = new RegExp(
  `^Container image ${QUOTED} already present on machine(?: and can be accessed by the pod)?$`,
);

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** No pull takes a week: a longer duration is not the kubelet's. */
const MAX_PULL_SECONDS = 7 * 86400;

/**
 * A Go `time.Duration` text in seconds (rounded to the millisecond, the kubelet's own
 * truncation), or null when it is not one.
 */
export function goDurationSeconds(text: string): number | null {
  if (!new RegExp(`^${DURATION}$`).test(text)) return null;
  let s = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g)) {
    s += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? Number.NaN);
  }
  if (!Number.isFinite(s) || s > MAX_PULL_SECONDS) return null;
  return Math.round(s * 1000) / 1000;
}

/** Go's quoted string's content, unescaped (the escapes an image reference can carry). */
function unquote(body: string): string | null {
  let bad = false;
  const out = body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e === '"' || e === '\\') return e;
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e[0] === 'x' || e[0] === 'u') return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    bad = true;
    return '';
  });
  return bad || out === '' ? null : out;
}

/** A `Pulled` Event's message, read; null when it is none of the kubelet's wordings. */
export function parsePulledMessage(message: string | undefined): ImagePull | null {
  if (!message) return null;
  const present = PRESENT.exec(message);
  if (present) {
    const image = unquote(present[1] ?? '');
    return image === null
      ? null
      : { image, pullSeconds: 0, totalSeconds: 0, imageSizeBytes: null, alreadyPresent: true };
  }
  const m = PULLED.exec(message);
  if (!m) return null;
  const image = unquote(m[1] ?? '');
  const pullSeconds = goDurationSeconds(m[2] ?? '');
  if (image === null || pullSeconds === null) return null;
  let totalSeconds: number | null = null;
  if (m[3] !== undefined) {
    totalSeconds = goDurationSeconds(m[3]);
    // The wait is part of the total: a total below the pull is not the kubelet's.
    if (totalSeconds === null || totalSeconds < pullSeconds) return null;
  }
  const size = m[4] !== undefined ? Number(m[4]) : null;
  if (size !== null && !Number.isSafeInteger(size)) return null;
  return { image, pullSeconds, totalSeconds, imageSizeBytes: size, alreadyPresent: false };
}
