import type Redis from 'ioredis';
import type { RemediationKeys } from './remediation-keys';

/**
 * One action at a time per target (issue 4 §2): a Redis lease with a fencing token from INCR
 * (spec §5: monotonic lease ids), handed to the executor so systems that check it can refuse a
 * stale holder. The lease expires, so a worker killed with -9 never blocks a target forever; the
 * same job recovered after a stall takes its own lease over at once.
 */
export type LeaseOutcome =
  | { readonly acquired: true; readonly fencingToken: number }
  | { readonly acquired: false; readonly holder: string; readonly retryInMs: number };

// KEYS[1] lease, KEYS[2] fence; ARGV jobId, ttlMs. The holder is "<jobId>|<token>".
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, string.len(ARGV[1]) + 1) ~= ARGV[1] .. '|' then
  return {0, cur, redis.call('PTTL', KEYS[1])}
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return {1, tostring(token), 0}
`;

// Deletes only if we still hold it with this token: an expired-and-retaken lease is not ours.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export class TargetLease {
  readonly #redis: Redis;
  readonly #keys: RemediationKeys;
  constructor(redis: Redis, keys: RemediationKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async acquire(target: string, jobId: string, ttlMs: number): Promise<LeaseOutcome> {
    const [ok, value, pttl] = (await this.#redis.eval(ACQUIRE, 2, this.#keys.lease(target), this.#keys.fence(target), jobId, String(ttlMs))) as [number, string, number];
    if (ok === 1) return { acquired: true, fencingToken: Number(value) };
    return { acquired: false, holder: value, retryInMs: pttl > 0 ? pttl : 100 };
  }

  async release(target: string, jobId: string, fencingToken: number): Promise<boolean> {
    const n = (await this.#redis.eval(RELEASE, 1, this.#keys.lease(target), `${jobId}|${fencingToken}`)) as number;
    return n === 1;
  }
}
