import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../errors';
import { clusterKeys, type ClusterKeys } from './cluster-keys';

/**
 * Acquire or renew in one step: a free lease is taken with a fresh fencing token (INCR, so tokens
 * only grow); a lease we hold is extended; anyone else's is left alone (0). The value names the
 * holder and its token so a renewal can never extend a lease a newer leader took.
 */
const ACQUIRE_OR_RENEW = `
local v = redis.call('GET', KEYS[1])
if not v then
  local t = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. t, 'PX', ARGV[2])
  return t
end
local sep = string.find(v, '|', 1, true)
if sep and string.sub(v, 1, sep - 1) == ARGV[1] and (ARGV[3] == '' or string.sub(v, sep + 1) == ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(string.sub(v, sep + 1))
end
return 0`;

/** Deletes the lease only if we still hold it with our token (a clean stop hands over at once). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface LeaderLeaseOptions {
  redis: Redis;
  prefix: string;
  replicaId: string;
  ttlMs: number;
  renewIntervalMs: number;
  log: Logger;
  clock?: () => number;
}

export interface LeaseEvents {
  elected: [token: number];
  lost: [reason: string];
}

/**
 * One fenced leader among the replicas (issue 12 §1). Leadership is judged locally: a lease is
 * trusted only until `sent + ttl` of the last renewal that succeeded (the time the request left,
 * not the reply, so a slow reply never stretches it), so a replica whose Redis froze stops acting
 * when its lease may have expired there, without asking Redis.
 */
export class LeaderLease extends EventEmitter<LeaseEvents> {
  readonly keys: ClusterKeys;
  readonly #o: LeaderLeaseOptions;
  readonly #clock: () => number;
  #token: number | undefined;
  #validUntilMs = 0;
  #acquiredAtMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #inFlight = false;
  #lostReason: string | undefined;

  constructor(opts: LeaderLeaseOptions) {
    super();
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.keys = clusterKeys(opts.prefix);
  }

  get replicaId(): string {
    return this.#o.replicaId;
  }

  /** True only while the last successful renewal still covers now. */
  isLeader(): boolean {
    return this.#token !== undefined && this.#clock() < this.#validUntilMs;
  }

  /** The fencing token while leader, else undefined. */
  token(): number | undefined {
    return this.isLeader() ? this.#token : undefined;
  }

  /** Since when this replica holds the lease (undefined while follower). */
  get acquiredAtMs(): number | undefined {
    return this.isLeader() ? this.#acquiredAtMs : undefined;
  }

  /** Why this replica last stopped being leader (undefined if it never lost the lease). */
  get lostReason(): string | undefined {
    return this.#lostReason;
  }

  async start(): Promise<void> {
    await this.renewNow();
    this.#timer = setInterval(() => void this.renewNow(), this.#o.renewIntervalMs);
    this.#timer.unref();
  }

  /** One acquire-or-renew round; never rejects (a failure only lets the local deadline run out). */
  async renewNow(): Promise<void> {
    if (this.#inFlight) return;
    this.#inFlight = true;
    const sentMs = this.#clock();
    try {
      const held = this.isLeader() ? String(this.#token) : '';
      const got = Number(await this.#o.redis.eval(ACQUIRE_OR_RENEW, 2, this.keys.lease, this.keys.token, this.#o.replicaId, String(this.#o.ttlMs), held));
      if (got > 0) this.#held(got, sentMs);
      else if (this.#token !== undefined) this.#lose('another replica holds the lease');
    } catch (err) {
      // Not fatal by itself: the lease stays ours until its local deadline (see #held's timer).
      this.#o.log.warn({ err: errorMessage(err) }, 'leader lease renewal failed');
    } finally {
      this.#inFlight = false;
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#timer = this.#expiry = undefined;
    const token = this.#token;
    this.#token = undefined;
    this.#validUntilMs = 0;
    if (token !== undefined) await this.#o.redis.eval(RELEASE, 1, this.keys.lease, `${this.#o.replicaId}|${token}`);
  }

  #held(token: number, sentMs: number): void {
    const wasLeader = this.isLeader() && this.#token === token;
    this.#token = token;
    this.#validUntilMs = sentMs + this.#o.ttlMs;
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#expiry = setTimeout(() => {
      if (!this.isLeader() && this.#token !== undefined) this.#lose(`lease not renewed within ${this.#o.ttlMs} ms (Redis unreachable or this process stalled)`);
    }, Math.max(0, this.#validUntilMs - this.#clock()) + 1);
    this.#expiry.unref();
    if (!wasLeader) {
      this.#acquiredAtMs = this.#clock();
      this.#lostReason = undefined;
      this.#o.log.info({ replicaId: this.#o.replicaId, fencingToken: token }, 'became leader');
      this.emit('elected', token);
    }
  }

  #lose(reason: string): void {
    this.#token = undefined;
    this.#validUntilMs = 0;
    this.#acquiredAtMs = undefined;
    this.#lostReason = reason;
    this.#o.log.warn({ replicaId: this.#o.replicaId, reason }, 'lost leadership: effects stop');
    this.emit('lost', reason);
  }
}
