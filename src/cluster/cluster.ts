import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../errors';
import { ClusterMembers, type Member } from './cluster-members';
import { EpisodeStarts } from './episode-starts';
import { LeaderLease } from './leader-lease';
import type { LeaderGate } from './leader-gate';

export interface ClusterOptions {
  redis: Redis;
  prefix: string;
  /** Unset: hostname-pid. */
  replicaId?: string;
  leaseTtlMs: number;
  renewIntervalMs: number;
  registry: Registry;
  log: Logger;
  clock?: () => number;
}

/** GET /v1/cluster (camelCase, ISO times). */
export interface ClusterStatus {
  readonly replicaId: string;
  readonly leader: string | null;
  readonly isLeader: boolean;
  readonly fencingToken: number | null;
  readonly leaseAgeMs: number | null;
  readonly leaseTtlMs: number;
  readonly lostLeaseReason: string | null;
  readonly redisRole: string;
  readonly members: ReadonlyArray<{ replicaId: string; lastHeartbeat: string; leader: boolean }>;
  /** Set when Redis did not answer: the rest is this replica's own view. */
  readonly stale?: string;
}

/** A replica's membership: the lease, its heartbeat, and the episode starts all replicas agree. */
/**
 * Lease validity is measured on a monotonic clock: a wall-clock step (NTP, or an injected clock)
 * must neither end leadership early nor stretch it past the TTL Redis enforces.
 */
const monotonicMs = (): number => performance.now();

export class Cluster implements LeaderGate {
  readonly lease: LeaderLease;
  readonly episodes: EpisodeStarts;
  readonly #members: ClusterMembers;
  readonly #o: ClusterOptions;
  readonly #clock: () => number;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastMembers: Member[] = [];

  constructor(opts: ClusterOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.lease = new LeaderLease({ redis: opts.redis, prefix: opts.prefix, replicaId: opts.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`, ttlMs: opts.leaseTtlMs, renewIntervalMs: opts.renewIntervalMs, log: opts.log, clock: monotonicMs });
    this.#members = new ClusterMembers(opts.redis, this.lease.keys, 3 * opts.leaseTtlMs);
    // An episode's start is refreshed by every firing transition and deleted when it ends; the TTL only bounds one a dead leader left behind.
    this.episodes = new EpisodeStarts(opts.redis, this.lease.keys, 24 * 3600_000);
    const lease = this.lease;
    const members = () => this.#lastMembers.length;
    new Gauge({ name: 'warden_leader', help: 'Whether this replica holds the leader lease (1) or not (0).', registers: [opts.registry], collect() {
      this.set(lease.isLeader() ? 1 : 0);
    } });
    new Gauge({ name: 'warden_cluster_members', help: 'Replicas with a heartbeat within 3 lease TTLs, as last read from Redis.', registers: [opts.registry], collect() {
      this.set(members());
    } });
  }

  get replicaId(): string {
    return this.lease.replicaId;
  }

  isLeader(): boolean {
    return this.lease.isLeader();
  }

  token(): number | undefined {
    return this.lease.token();
  }

  async start(): Promise<void> {
    await this.#beat();
    await this.lease.start();
    this.#heartbeat = setInterval(() => void this.#beat(), this.#o.renewIntervalMs);
    this.#heartbeat.unref();
  }

  /**
   * Resolves true once this replica leads, false after `maxMs` (another, live replica leads). A
   * restarted replica waits so before replaying decisions it made as leader before a kill -9: the
   * lease its dead process held lapses within lease_ttl, and then it leads again.
   */
  async awaitLeadership(maxMs: number): Promise<boolean> {
    const deadline = monotonicMs() + maxMs;
    while (!this.isLeader() && monotonicMs() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(this.#o.renewIntervalMs, 100)));
      await this.lease.renewNow();
    }
    return this.isLeader();
  }

  async stop(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    await this.lease.stop();
  }

  /** /readyz: followers are ready (they serve reads and take pushes); the reason says who leads. */
  readiness(): { ok: true; reason?: string } {
    if (this.isLeader()) return { ok: true };
    const lost = this.lease.lostReason;
    return { ok: true, reason: lost ? `follower: lost the lease (${lost})` : 'follower' };
  }

  async status(): Promise<ClusterStatus> {
    const now = this.#clock();
    const own = {
      replicaId: this.replicaId,
      isLeader: this.isLeader(),
      fencingToken: this.token() ?? null,
      leaseAgeMs: this.lease.acquiredAtMs === undefined ? null : monotonicMs() - this.lease.acquiredAtMs,
      leaseTtlMs: this.#o.leaseTtlMs,
      lostLeaseReason: this.lease.lostReason ?? null,
    };
    try {
      const [members, leader, redisRole] = await Promise.all([this.#members.list(now), this.#members.leaderId(), this.#members.redisRole()]);
      this.#lastMembers = members;
      return { ...own, leader: leader ?? null, redisRole, members: members.map((m) => ({ replicaId: m.replicaId, lastHeartbeat: new Date(m.lastHeartbeatMs).toISOString(), leader: m.replicaId === leader })) };
    } catch (err) {
      return { ...own, leader: own.isLeader ? this.replicaId : null, redisRole: 'unknown', members: [], stale: `Redis did not answer: ${errorMessage(err)}` };
    }
  }

  async #beat(): Promise<void> {
    try {
      const now = this.#clock();
      await this.#members.heartbeat(this.replicaId, now);
      this.#lastMembers = await this.#members.list(now);
    } catch (err) {
      this.#o.log.warn({ err: errorMessage(err) }, 'cluster heartbeat failed');
    }
  }
}
