import type Redis from 'ioredis';
import type { RemediationKeys } from './remediation-keys';

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

  /** Milliseconds left, or 0 when not cooling down. */
  async remainingMs(rule: string, target: string): Promise<number> {
    const pttl = await this.#redis.pttl(this.#keys.cooldown(rule, target));
    return pttl > 0 ? pttl : 0;
  }

  async start(rule: string, target: string, cooldownMs: number, jobId: string): Promise<void> {
    if (cooldownMs <= 0) return;
    await this.#redis.set(this.#keys.cooldown(rule, target), jobId, 'PX', cooldownMs);
  }
}
