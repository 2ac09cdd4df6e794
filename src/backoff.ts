/**
 * Retry timing, spec §3.1 / §10: intervals 100 ms, 200 ms, 400 ms, 800 ms, 1.6 s, 3.2 s plus
 * random 0–50 ms jitter (§10.2), at most 6 attempts (§10.1 max_attempts=6). Pure: the jitter
 * source is injected so tests can pin it.
 */
export const MAX_ATTEMPTS = 6;
export const BASE_DELAY_MS = 100;
export const MAX_JITTER_MS = 50;

/** BullMQ's name for Warden's custom strategy (job option `backoff: { type }`). */
export const BACKOFF_TYPE = 'warden-spec-3.1';

/**
 * Delay before the next attempt, given how many attempts have failed so far (BullMQ's
 * `attemptsMade`, 1 after the first failure). `jitter` returns a number in [0, 1).
 */
export function retryDelayMs(failedAttempts: number, jitter: () => number = Math.random): number {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) throw new RangeError(`failedAttempts must be an integer >= 1, got ${failedAttempts}`);
  const j = Math.min(Math.max(jitter(), 0), 0.999999);
  return BASE_DELAY_MS * 2 ** (failedAttempts - 1) + Math.floor(j * MAX_JITTER_MS);
}
