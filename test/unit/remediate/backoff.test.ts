import { BASE_DELAY_MS, MAX_ATTEMPTS, MAX_JITTER_MS, retryDelayMs } from '../../../src/backoff';

describe('retry backoff (spec §3.1, §10)', () => {
  it('waits 100, 200, 400, 800, 1600, 3200 ms with no jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, () => 0))).toEqual([100, 200, 400, 800, 1600, 3200]);
  });

  it('adds at most 50 ms of jitter, never less than the base delay', () => {
    expect(retryDelayMs(1, () => 0.999999)).toBe(149);
    expect(retryDelayMs(3, () => 0.5)).toBe(425);
    for (let i = 0; i < 1000; i++) {
      const d = retryDelayMs(2);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThan(200 + MAX_JITTER_MS);
    }
  });

  it('clamps a jitter source that strays outside [0, 1)', () => {
    expect(retryDelayMs(1, () => -3)).toBe(BASE_DELAY_MS);
    expect(retryDelayMs(1, () => 7)).toBe(BASE_DELAY_MS + MAX_JITTER_MS - 1);
  });

  it('allows at most 6 attempts, about 6.3 s of waiting in all', () => {
    expect(MAX_ATTEMPTS).toBe(6);
    const total = [1, 2, 3, 4, 5].reduce((s, n) => s + retryDelayMs(n, () => 0), 0);
    expect(total).toBe(3100); // the 6th attempt is the last: no wait after it
  });

  it('rejects a failed-attempt count below 1', () => {
    expect(() => retryDelayMs(0)).toThrow(RangeError);
    expect(() => retryDelayMs(1.5)).toThrow(RangeError);
  });
});
