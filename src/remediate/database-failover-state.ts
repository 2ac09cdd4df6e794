import type Redis from 'ioredis';
import { IDEMPOTENCY_TTL_SECONDS } from './trading-state';

/**
 * What Warden knows of each database cluster, in Redis so every replica and a restarted Warden
 * agree (issue 14 §3): the primary it believes in (and that primary's timeline), the failover epoch
 * (a fencing generation: +1 per failover, sent to the exchange, which refuses a lower one, spec
 * §5), and the failover in flight. A claim is taken with a compare-and-set before anything is
 * promoted, so two jobs or two Wardens never promote two replicas; the same idempotency key
 * resumes its own claim after a crash.
 */
export type ClaimState = 'promoting' | 'done' | 'released';

/** A 'promoting' claim older than this is abandoned (longer than every attempt of a job with its backoff). */
export const STALE_CLAIM_MS = 15 * 60_000;

export interface FailoverClaim {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly atMs: number;
  readonly state: ClaimState;
}

export interface ClusterRecord {
  readonly primary: string | undefined;
  readonly timeline: number | undefined;
  readonly epoch: number;
  readonly claim: FailoverClaim | undefined;
}

export type ClaimOutcome =
  | { readonly kind: 'claimed' | 'resumed'; readonly epoch: number; readonly claim: FailoverClaim }
  /** Another key's failover is in flight. */
  | { readonly kind: 'busy'; readonly epoch: number; readonly claim: FailoverClaim }
  /** The primary is no longer the one this failover was to replace. */
  | { readonly kind: 'moved'; readonly epoch: number; readonly primary: string };

/** What one idempotency key carried out (kept 24 h, spec §9.1). */
export interface FailoverDone {
  readonly cluster: string;
  readonly from: string;
  readonly to: string;
  readonly epoch: number;
  readonly exchangeStatus: number;
  readonly atMs: number;
}

// KEYS[1] cluster hash; ARGV key, from, to, nowMs, staleMs. A claim left 'promoting' longer than
// staleMs (its job gave up or died for good) may be taken over: the new job looks at the nodes first,
// so a replica the old claim did promote is found as the primary, not promoted twice.
const CLAIM = `
local h = redis.call('HMGET', KEYS[1], 'primary', 'epoch', 'claim_key', 'claim_state', 'claim_at')
local epoch = tonumber(h[2] or '0')
if h[3] == ARGV[1] and h[4] == 'promoting' then return {'resumed', tostring(epoch)} end
if h[4] == 'promoting' and tonumber(ARGV[4]) - tonumber(h[5] or '0') < tonumber(ARGV[5]) then return {'busy', tostring(epoch)} end
if h[1] and h[1] ~= ARGV[2] then return {'moved', tostring(epoch), h[1]} end
epoch = epoch + 1
redis.call('HSET', KEYS[1], 'epoch', epoch, 'claim_key', ARGV[1], 'claim_from', ARGV[2], 'claim_to', ARGV[3], 'claim_at', ARGV[4], 'claim_state', 'promoting')
return {'claimed', tostring(epoch)}
`;

// KEYS[1] cluster hash; ARGV key. Nothing was promoted (a permanent refusal): let the next failover claim.
const RELEASE = `
if redis.call('HGET', KEYS[1], 'claim_key') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'claim_state') ~= 'promoting' then return 0 end
redis.call('HSET', KEYS[1], 'claim_state', 'released')
return 1
`;

// KEYS[1] cluster hash; ARGV key, to, timeline, nowMs. Only the claim's own key completes it.
const COMPLETE = `
if redis.call('HGET', KEYS[1], 'claim_key') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'primary', ARGV[2], 'timeline', ARGV[3], 'since', ARGV[4], 'claim_state', 'done')
return 1
`;

// KEYS[1] cluster hash; ARGV primary, timeline, nowMs. An observed primary is believed only when no
// failover is in flight and it is on a newer timeline than the one believed (a primary that comes
// back from before a failover is on the old timeline: it is never believed again, never failed back to).
const ADOPT = `
local h = redis.call('HMGET', KEYS[1], 'primary', 'timeline', 'claim_state')
if h[3] == 'promoting' then return {-1, h[1] or ''} end
if h[1] == ARGV[1] then
  if tonumber(ARGV[2]) > tonumber(h[2] or '0') then redis.call('HSET', KEYS[1], 'timeline', ARGV[2]) end
  return {0, h[1]}
end
if h[1] and tonumber(ARGV[2]) <= tonumber(h[2] or '0') then return {-2, h[1]} end
redis.call('HSET', KEYS[1], 'primary', ARGV[1], 'timeline', ARGV[2], 'since', ARGV[3])
return {1, h[1] or ''}
`;

export type AdoptOutcome =
  | { readonly kind: 'adopted'; readonly previous: string | undefined }
  | { readonly kind: 'unchanged' | 'failover_in_flight' | 'older_timeline'; readonly believed: string | undefined };

export class DatabaseFailoverState {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}:database`;
  }

  async read(cluster: string): Promise<ClusterRecord> {
    const h = await this.#redis.hgetall(this.#clusterKey(cluster));
    const claim: FailoverClaim | undefined = h.claim_key
      ? { key: h.claim_key, from: h.claim_from ?? '', to: h.claim_to ?? '', atMs: Number(h.claim_at ?? 0), state: (h.claim_state ?? 'promoting') as ClaimState }
      : undefined;
    return { primary: h.primary || undefined, timeline: h.timeline ? Number(h.timeline) : undefined, epoch: Number(h.epoch ?? 0), claim };
  }

  async claim(cluster: string, key: string, from: string, to: string, nowMs: number, staleMs = STALE_CLAIM_MS): Promise<ClaimOutcome> {
    const [kind, epochText, primary] = (await this.#redis.eval(CLAIM, 1, this.#clusterKey(cluster), key, from, to, String(nowMs), String(staleMs))) as [string, string, string?];
    const epoch = Number(epochText);
    if (kind === 'moved') return { kind, epoch, primary: primary ?? '' };
    const record = await this.read(cluster);
    const claim = record.claim ?? { key, from, to, atMs: nowMs, state: 'promoting' as const };
    return { kind: kind as 'claimed' | 'resumed' | 'busy', epoch, claim };
  }

  async release(cluster: string, key: string): Promise<boolean> {
    return (await this.#redis.eval(RELEASE, 1, this.#clusterKey(cluster), key)) === 1;
  }

  async complete(cluster: string, key: string, to: string, timeline: number, nowMs: number): Promise<boolean> {
    return (await this.#redis.eval(COMPLETE, 1, this.#clusterKey(cluster), key, to, String(timeline), String(nowMs))) === 1;
  }

  async adopt(cluster: string, primary: string, timeline: number, nowMs: number): Promise<AdoptOutcome> {
    const [code, other] = (await this.#redis.eval(ADOPT, 1, this.#clusterKey(cluster), primary, String(timeline), String(nowMs))) as [number, string];
    const believed = other || undefined;
    if (code === 1) return { kind: 'adopted', previous: believed };
    if (code === 0) return { kind: 'unchanged', believed };
    return { kind: code === -1 ? 'failover_in_flight' : 'older_timeline', believed };
  }

  async done(key: string): Promise<FailoverDone | undefined> {
    const text = await this.#redis.get(this.#doneKey(key));
    return text ? (JSON.parse(text) as FailoverDone) : undefined;
  }

  async markDone(key: string, done: FailoverDone): Promise<void> {
    await this.#redis.set(this.#doneKey(key), JSON.stringify(done), 'EX', IDEMPOTENCY_TTL_SECONDS);
  }

  #clusterKey(cluster: string): string {
    return `${this.#prefix}:cluster:${cluster}`;
  }

  #doneKey(key: string): string {
    return `${this.#prefix}:failover-done:${key}`;
  }
}
