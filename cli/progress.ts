/**
 * A progress bar on stderr for long inputs, drawn only when stderr is a terminal so pipes and
 * CI logs stay clean. Redraws at most ten times a second.
 */
interface Progress {
  update(done: number, total: number | null): void;
  done(): void;
}

const NONE: Progress = { update() {}, done() {} };

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  minTotal = 4 << 20,
): Progress {
  if (!stream.isTTY) return NONE;
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 || (total != null && total < minTotal)) return;
      last = now;
      drawn = true;
      const rate = done / Math.max(0.001, (now - started) / 1000);
      const width = 30;
      let text: string;
      if (total) {
        const f = Math.min(1, done / total);
        const bar = '█'.repeat(Math.round(f * width)).padEnd(width, '░');
        text = `${label} ${bar} ${(f * 100).toFixed(0).padStart(3)}%  ${mb(done)}/${mb(total)}  ${mb(rate)}/s`;
      } else text = `${label} ${mb(done)}  ${mb(rate)}/s`;
      stream.write(`\r${text}\x1b[K`);
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

export const count = (n: number) => n.toLocaleString('en-US');

/**
 * A paged walk's progress on stderr (`podlife pods`, `podlife stats`): one line redrawn after each
 * page, only on a terminal (pipes and logs get the summary line alone), drawn once a page says
 * more follow; `text` says what the page read.
 */
export function pageProgress<P extends { nextToken?: string | undefined }>(
  stream: NodeJS.WritableStream,
  text: (page: P, requests: number) => string,
): { update(page: P, requests: number): void; done(): void } {
  if ((stream as { isTTY?: boolean }).isTTY !== true) return { update() {}, done() {} };
  let drawn = false;
  return {
    update(page, requests) {
      if (!page.nextToken && !drawn) return;
      drawn = true;
      stream.write(`\r${text(page, requests)}\x1b[K`);
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
