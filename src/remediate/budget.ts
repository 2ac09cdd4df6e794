import type Redis from 'ioredis';
import type { RemediationKeys } from './remediation-keys';

/**
 * The remediation budget (`max_per_window`, issue 4 §2): at most `count` actions per rule and
 * target in a sliding window, counted in a Redis sorted set of job ids scored by time. A job
 * consumes budget once, however many attempts it takes (the member is its id). Once exhausted,
 * Warden stops acting and pages: repeated repairs mean the repair is not the fix.
 */
export type BudgetOutcome =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly remaining: 0; readonly used: number };

// KEYS[1] set; ARGV nowMs, windowMs, count, jobId.
const CONSUME = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local count = tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  return {1, count - redis.call('ZCARD', KEYS[1])}
end
local used = redis.call('ZCARD', KEYS[1])
if used >= count then return {0, used} end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, count - used - 1}
`;

export class Budget {
  readonly #redis: Redis;
  readonly #keys: RemediationKeys;
  constructor(redis: Redis, keys: RemediationKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async consume(rule: string, target: string, limit: { count: number; windowMs: number }, jobId: string, nowMs: number): Promise<BudgetOutcome> {
    const [ok, n] = (await this.#redis.eval(CONSUME, 1, this.#keys.budget(rule, target), String(nowMs), String(limit.windowMs), String(limit.count), jobId)) as [number, number];
    return ok === 1 ? { allowed: true, remaining: Math.max(0, n) } : { allowed: false, remaining: 0, used: n };
  }

  /** Actions still allowed now (for the budget-remaining gauge). */
  async remaining(rule: string, target: string, limit: { count: number; windowMs: number }, nowMs: number): Promise<number> {
    const used = await this.#redis.zcount(this.#keys.budget(rule, target), nowMs - limit.windowMs + 1, '+inf');
    return Math.max(0, limit.count - used);
  }
}
