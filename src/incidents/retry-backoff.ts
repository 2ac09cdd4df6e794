/**
 * spec §3.1 / §10.1: retry intervals 100 ms, 200 ms, 400 ms, 800 ms, 1.6 s, 3.2 s, plus 0–50 ms of
 * jitter (§10.2) against thundering herds. Pure: the random source is injected.
 * (Written here because src/remediate/ had no backoff function when this was built.)
 */
export const MAX_DELIVERY_ATTEMPTS = 6;

/** Delay before the next attempt, after `attemptsMade` (1-based) attempts have failed. */
export function retryBackoffMs(attemptsMade: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attemptsMade - 1);
  return 100 * 2 ** exponent + Math.floor(random() * 51);
}
