import { describe, expect, it } from 'vitest';
import { backoffDelay, RECONNECT_BACKOFF } from './backoff';

describe('backoffDelay', () => {
  it('doubles from 250 ms up to the 8 s cap without jitter', () => {
    const none = () => 0;
    expect([0, 1, 2, 3, 4, 5, 6, 10, 100].map((n) => backoffDelay(n, RECONNECT_BACKOFF, none))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 8000, 8000, 8000,
    ]);
  });

  it('jitter only shortens, by at most the jitter fraction', () => {
    for (const n of [0, 3, 9]) {
      const full = backoffDelay(n, RECONNECT_BACKOFF, () => 0);
      const most = backoffDelay(n, RECONNECT_BACKOFF, () => 0.999999);
      expect(most).toBeLessThanOrEqual(full);
      expect(most).toBeGreaterThanOrEqual(Math.floor(full * (1 - RECONNECT_BACKOFF.jitter)));
    }
  });

  it('gives five tries within the server’s 10 s resume grace', () => {
    let total = 0;
    for (let n = 0; n < 5; n++) total += backoffDelay(n, RECONNECT_BACKOFF, () => 0);
    expect(total).toBeLessThan(10_000);
  });

  it('treats a negative or fractional attempt as the first', () => {
    expect(backoffDelay(-3, RECONNECT_BACKOFF, () => 0)).toBe(250);
    expect(backoffDelay(0.7, RECONNECT_BACKOFF, () => 0)).toBe(250);
  });
});
