import type Redis from 'ioredis';
import type { ClusterKeys } from './cluster-keys';

export interface Member {
  readonly replicaId: string;
  readonly lastHeartbeatMs: number;
}

/**
 * Replicas announce themselves in one hash every renewal. A member silent for `forgetAfterMs` is
 * not listed (and its field is dropped), so a replica that died leaves the list by itself.
 */
export class ClusterMembers {
  readonly #redis: Redis;
  readonly #keys: ClusterKeys;
  readonly #forgetAfterMs: number;

  constructor(redis: Redis, keys: ClusterKeys, forgetAfterMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#forgetAfterMs = forgetAfterMs;
  }

  async heartbeat(replicaId: string, nowMs: number): Promise<void> {
    await this.#redis.hset(this.#keys.members, replicaId, String(nowMs));
  }

  /** Live members, oldest id first; the dead are pruned on the way. */
  async list(nowMs: number): Promise<Member[]> {
    const all = await this.#redis.hgetall(this.#keys.members);
    const live: Member[] = [];
    const dead: string[] = [];
    for (const [replicaId, raw] of Object.entries(all)) {
      const at = Number(raw);
      if (Number.isFinite(at) && nowMs - at <= this.#forgetAfterMs) live.push({ replicaId, lastHeartbeatMs: at });
      else dead.push(replicaId);
    }
    if (dead.length > 0) await this.#redis.hdel(this.#keys.members, ...dead);
    return live.sort((a, b) => (a.replicaId < b.replicaId ? -1 : 1));
  }

  async leaderId(): Promise<string | undefined> {
    const v = await this.#redis.get(this.#keys.lease);
    return v === null ? undefined : v.slice(0, v.lastIndexOf('|'));
  }

  /** master / slave / sentinel-less unknown, from INFO replication. */
  async redisRole(): Promise<string> {
    const info = await this.#redis.info('replication');
    return /^role:(\w+)/m.exec(info)?.[1] ?? 'unknown';
  }
}
