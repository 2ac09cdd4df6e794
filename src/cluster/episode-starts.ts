import type Redis from 'ioredis';
import type { ClusterKeys } from './cluster-keys';

/**
 * One start per firing episode, agreed through Redis (issue 12 §3): the first replica to see an
 * episode writes its start with SET NX and every other adopts it, so incident ids, PagerDuty
 * dedup keys and remediation job ids never depend on which replica's clock saw it first. The key
 * is deleted when the episode ends and expires after `ttlMs` without a refresh, so a leader that
 * died before ending it cannot make a later episode reuse an old start.
 */
export class EpisodeStarts {
  readonly #redis: Redis;
  readonly #keys: ClusterKeys;
  readonly #ttlMs: number;
  /** The agreed start of each episode open in this process (for comparisons that must be synchronous). */
  readonly #known = new Map<string, number>();
  /** An agreement in flight: the stages that ask for the same episode at once share one round trip. */
  readonly #inflight = new Map<string, Promise<number>>();

  constructor(redis: Redis, keys: ClusterKeys, ttlMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#ttlMs = ttlMs;
  }

  /** The episode's agreed start: ours if we are first, else the one already written. */
  agree(kind: string, key: string, localStartMs: number): Promise<number> {
    const k = this.#keys.episode(kind, key);
    let p = this.#inflight.get(k);
    if (!p) {
      p = this.#agree(k, localStartMs).finally(() => this.#inflight.delete(k));
      this.#inflight.set(k, p);
    }
    return p;
  }

  async #agree(k: string, localStartMs: number): Promise<number> {
    const [[, set], [, got]] = (await this.#redis.multi().set(k, String(localStartMs), 'PX', this.#ttlMs, 'NX').get(k).pexpire(k, this.#ttlMs).exec()) as [[unknown, unknown], [unknown, unknown], unknown];
    const agreed = set === 'OK' ? localStartMs : Number(got);
    const start = Number.isFinite(agreed) ? agreed : localStartMs;
    this.#known.set(k, start);
    return start;
  }

  /** The start agreed last in this process, if any. */
  known(kind: string, key: string): number | undefined {
    return this.#known.get(this.#keys.episode(kind, key));
  }

  /** The episode is over: the next one agrees a new start. */
  async end(kind: string, key: string): Promise<void> {
    const k = this.#keys.episode(kind, key);
    this.#known.delete(k);
    await this.#redis.del(k);
  }

  /** The episode is over here (a follower): dropped from memory only; the leader deletes the key. */
  forget(kind: string, key: string): void {
    this.#known.delete(this.#keys.episode(kind, key));
  }
}
