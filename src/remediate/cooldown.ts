import type Redis from 'ioredis';
import type { RemediationKeys } from './remediation-keys';

// KEYS[1]: the value (nil when absent) and PTTL in one atomic read. Not MULTI: ioredis's multi()
// copies every script defined on the connection (BullMQ's ~40) into each pipeline, which made this
// read ~15% of the worker's CPU per job.
export const GET_WITH_PTTL = `return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}`;

/**
 * Cooldown per rule and target (issue 4 §2): after a success, further jobs for the same pair are
 * skipped until it expires, so a flapping alert cannot restart a service in a loop. Kept in
 * Redis so it holds across restarts and replicas.
 */
export class Cooldown {
  readonly #redis: Redis;
  readonly #keys: RemediationKeys;
  constructor(redis: Redis, keys: RemediationKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Milliseconds left (0 when not cooling down) and the job whose success started it. */
  async state(rule: string, target: string): Promise<{ remainingMs: number; startedBy: string | undefined }> {
    const key = this.#keys.cooldown(rule, target);
    const [startedBy, pttl] = (await this.#redis.eval(GET_WITH_PTTL, 1, key)) as [string | null, number];
    return pttl > 0 ? { remainingMs: pttl, startedBy: startedBy ?? undefined } : { remainingMs: 0, startedBy: undefined };
  }

  async start(rule: string, target: string, cooldownMs: number, jobId: string): Promise<void> {
    if (cooldownMs <= 0) return;
    await this.#redis.set(this.#keys.cooldown(rule, target), jobId, 'PX', cooldownMs);
  }
}
