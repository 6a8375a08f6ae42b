/** The one back-off formula (core/backoff.ts): full jitter on min(cap, base·2^attempt). */
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, sleep } from '../../core/backoff.ts';

describe('backoffDelayMs', () => {
  const b = { baseMs: 100, capMs: 1_000 };

  it('doubles the step per attempt until the cap', () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, b, top))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('is full jitter: random 0 waits nothing, random 0.5 waits half the step, floored', () => {
    expect(backoffDelayMs(3, b, () => 0)).toBe(0);
    expect(backoffDelayMs(2, b, () => 0.5)).toBe(200);
    expect(backoffDelayMs(0, { baseMs: 3, capMs: 10 }, () => 0.5)).toBe(1);
  });

  it('never overflows on a long outage, and treats a negative attempt as the first', () => {
    expect(backoffDelayMs(10_000, { baseMs: 1, capMs: Number.POSITIVE_INFINITY }, () => 0.5)).toBe(2 ** 29);
    expect(backoffDelayMs(-3, b, () => 0.5)).toBe(50);
  });
});

describe('sleep', () => {
  it('resolves at once when the signal is already aborted, and early when it aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    const t0 = Date.now();
    await sleep(10_000, ac.signal);
    const ac2 = new AbortController();
    const p = sleep(10_000, ac2.signal);
    ac2.abort();
    await p;
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('waits about the given time', async () => {
    const t0 = Date.now();
    await sleep(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
  });
});
