/**
 * Back-off timing, one formula for every retry loop in podlife: exponential back-off with full
 * jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 *
 *   delay = floor(random() · min(capMs, baseMs · 2^attempt))
 *
 * `attempt` counts from 0 (the first retry waits at most `baseMs`); the exponent is clamped at 30
 * so a long outage never overflows to Infinity. Pure: the caller passes the random source, so
 * tests pin delays exactly.
 */

export interface Backoff {
  /** The first step: attempt 0 waits in [0, baseMs). */
  baseMs: number;
  /** No delay exceeds this (use `Number.POSITIVE_INFINITY` for an uncapped back-off). */
  capMs: number;
}

const MAX_EXPONENT = 30;

/** The jittered delay before retry number `attempt` (0-based), an integer in [0, step). */
export function backoffDelayMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const step = Math.min(b.capMs, b.baseMs * 2 ** Math.min(Math.max(0, attempt), MAX_EXPONENT));
  return Math.floor(random() * step);
}

/** Waits `ms` (at least 0); resolves early, without error, when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
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
