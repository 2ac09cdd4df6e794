import type Redis from 'ioredis';
import { GET_WITH_PTTL } from './cooldown';
import type { RemediationKeys } from './remediation-keys';

/**
 * What Warden's own action disturbs must not be taken for a new fault: a restart takes the service
 * down for a moment, its probes fail, and a "component down" rule would restart it again. After a
 * successful action on a target, other jobs on it wait out this settle period and then act only if
 * their alert still fires (RemediationProcessor). Per target, across rules; in Redis for replicas.
 */
export class TargetSettle {
  readonly #redis: Redis;
  readonly #keys: RemediationKeys;
  constructor(redis: Redis, keys: RemediationKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Milliseconds the target still settles after `exceptJob`'s success (0 for that job itself). */
  async remainingMs(target: string, exceptJob: string): Promise<number> {
    const key = this.#keys.settle(target);
    const [by, pttl] = (await this.#redis.eval(GET_WITH_PTTL, 1, key)) as [string | null, number];
    return pttl > 0 && by !== exceptJob ? pttl : 0;
  }

  async start(target: string, settleMs: number, jobId: string): Promise<void> {
    if (settleMs <= 0) return;
    await this.#redis.set(this.#keys.settle(target), jobId, 'PX', settleMs);
  }
}
