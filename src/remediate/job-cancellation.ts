import type Redis from 'ioredis';
import type { Logger } from '../telemetry/logger';
import type { RemediationKeys } from './remediation-keys';
import { closeRedisClient } from '../runtime/close-bullmq';

/**
 * Cancelling a running job (POST /v1/remediations/:id/cancel): the job may be running on another
 * replica, so the request is published on a Redis channel and every replica aborts its own
 * controller for that job id. A marker key also stops later attempts of the job from starting.
 */
export class JobCancellation {
  readonly #running = new Map<string, AbortController>();
  readonly #redis: Redis;
  readonly #keys: RemediationKeys;
  readonly #log: Logger;
  #subscriber: Redis | undefined;

  constructor(redis: Redis, keys: RemediationKeys, log: Logger) {
    this.#redis = redis;
    this.#keys = keys;
    this.#log = log;
  }

  async start(): Promise<void> {
    const sub = this.#redis.duplicate();
    this.#subscriber = sub;
    sub.on('error', (err) => this.#log.warn({ err: err.message }, 'remediation cancel subscriber error'));
    await sub.subscribe(this.#keys.cancelChannel());
    sub.on('message', (_channel, jobId: string) => this.#abortLocal(jobId));
  }

  async stop(): Promise<void> {
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    if (sub) await closeRedisClient(sub);
  }

  /** A controller for one running attempt; call the returned function when it ends. */
  register(jobId: string): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    return { signal: controller.signal, done: () => this.#running.get(jobId) === controller && this.#running.delete(jobId) };
  }

  async isCancelled(jobId: string): Promise<boolean> {
    return (await this.#redis.exists(this.#keys.cancelled(jobId))) === 1;
  }

  /** Marks the job cancelled (kept 24 h) and aborts it wherever it runs. */
  async cancel(jobId: string, by: string): Promise<void> {
    await this.#redis.set(this.#keys.cancelled(jobId), by, 'EX', 86_400);
    await this.#redis.publish(this.#keys.cancelChannel(), jobId);
    this.#abortLocal(jobId);
  }

  #abortLocal(jobId: string): void {
    this.#running.get(jobId)?.abort(new Error(`remediation job ${jobId} cancelled`));
  }
}
