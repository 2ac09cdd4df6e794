import type Redis from 'ioredis';
import type { MaintenanceWindow } from './maintenance-window';

/**
 * API-created maintenance windows in Redis (one hash, id -> JSON), durable across restarts and
 * shared by replicas, plus the set of windows some replica has seen active: SADD / SREM answer 1 to
 * exactly one replica, which then audits the start or end and wakes held jobs.
 */
export class MaintenanceStore {
  readonly #redis: Redis;
  readonly #windows: string;
  readonly #active: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#windows = `${prefix}:maintenance:windows`;
    this.#active = `${prefix}:maintenance:active`;
  }

  /** Every stored window with its JSON text (callers recompile only what changed). */
  async load(): Promise<Map<string, { text: string; window: MaintenanceWindow }>> {
    const out = new Map<string, { text: string; window: MaintenanceWindow }>();
    for (const [id, text] of Object.entries(await this.#redis.hgetall(this.#windows))) out.set(id, { text, window: JSON.parse(text) as MaintenanceWindow });
    return out;
  }

  async save(w: MaintenanceWindow): Promise<void> {
    await this.#redis.hset(this.#windows, w.id, JSON.stringify(w));
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#redis.hdel(this.#windows, ...ids);
  }

  activeIds(): Promise<string[]> {
    return this.#redis.smembers(this.#active);
  }

  /** True for the one caller that marked it active. */
  async markActive(id: string): Promise<boolean> {
    return (await this.#redis.sadd(this.#active, id)) === 1;
  }

  /** True for the one caller that marked it inactive. */
  async markInactive(id: string): Promise<boolean> {
    return (await this.#redis.srem(this.#active, id)) === 1;
  }
}
