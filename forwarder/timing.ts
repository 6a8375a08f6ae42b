/**
 * The forwarder's one timing module: the sleep every loop waits with (an AbortSignal ends it
 * early, resolving) and the one back-off formula of its retry loops (the informers' restarts
 * and re-watches, the sender's failed calls): exponential back-off with full jitter (AWS
 * Architecture Blog, "Exponential Backoff And Jitter"):
 *
 *   delay = floor(random() · min(capMs, baseMs · 2^attempt))
 *
 * Same signature as the store's `core/backoff.ts` (not on main when this was written), so the
 * forwarder can switch to it by changing one import.
 */

export interface Backoff {
  /** The first step: attempt 0 waits in [0, baseMs). */
  baseMs: number;
  /** No delay exceeds this. */
  capMs: number;
}

/** The exponent is clamped so that a long outage never overflows to Infinity. */
const MAX_EXPONENT = 30;

/** The jittered delay before retry number `attempt` (0-based), an integer in [0, step). */
export function backoffDelayMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const step = Math.min(b.capMs, b.baseMs * 2 ** Math.min(Math.max(0, attempt), MAX_EXPONENT));
  return Math.floor(random() * step);
}

/** Waits `ms` (at least 0); resolves early, without error, when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout as a promise that an AbortSignal ends early (resolving, not rejecting). */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
