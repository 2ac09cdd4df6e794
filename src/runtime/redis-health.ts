import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../errors';

export interface RedisHealthOptions {
  redis: Redis;
  /** How often to PING (the status is looked at every CHECK_MS). */
  intervalMs?: number;
  /** A PING unanswered this long means Redis is not answering (frozen, partitioned, dead). */
  timeoutMs?: number;
  registry?: Registry;
  clock?: () => number;
}

export interface RedisHealthState {
  readonly up: boolean;
  /** Why Redis counts as down; undefined while up. */
  readonly reason?: string;
  readonly sinceMs: number;
}

const CHECK_MS = 100;

interface RedisHealthEvents {
  up: [RedisHealthState];
  down: [RedisHealthState];
}

/**
 * Whether Redis answers right now, from a periodic PING on the connection Warden writes through
 * (the idea of close-bullmq's shutdown watchdog, kept running). `redis.status === 'ready'` is not
 * enough: a frozen (SIGSTOP) or partitioned Redis keeps the socket open and 'ready' while nothing
 * answers. Interval + timeout + CHECK_MS (250 + 1000 + 100 ms by default) keep a silent Redis
 * reported within 2 s (issue 9: /readyz 503 within 2 s).
 * At most one PING is in flight, so a long freeze does not pile them up on the socket.
 */
export class RedisHealth extends EventEmitter<RedisHealthEvents> {
  readonly #redis: Redis;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #clock: () => number;
  #state: RedisHealthState;
  #timer: NodeJS.Timeout | undefined;
  /** When the PING in flight was sent, if one is. */
  #pingSentAtMs: number | undefined;
  #lastPingMs = -Infinity;

  constructor(opts: RedisHealthOptions) {
    super();
    this.#redis = opts.redis;
    this.#intervalMs = opts.intervalMs ?? 250;
    this.#timeoutMs = opts.timeoutMs ?? 1_000;
    this.#clock = opts.clock ?? Date.now;
    this.#state = { up: opts.redis.status === 'ready', reason: opts.redis.status === 'ready' ? undefined : `connection ${opts.redis.status}`, sinceMs: this.#clock() };
    if (opts.registry) {
      const self = this;
      new Gauge({ name: 'warden_redis_up', help: '1 while Redis answers PING within the timeout, else 0 (what /readyz reports).', registers: [opts.registry], collect() { this.set(self.#state.up ? 1 : 0); } });
    }
  }

  get state(): RedisHealthState {
    return this.#state;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.check(), CHECK_MS);
    this.#timer.unref();
    this.check();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One probe: reports down at once for a closed connection, or when the PING in flight is overdue. */
  check(): void {
    const now = this.#clock();
    if (this.#redis.status !== 'ready') {
      this.#set(false, `connection ${this.#redis.status}`);
      return;
    }
    if (this.#pingSentAtMs !== undefined) {
      if (now - this.#pingSentAtMs >= this.#timeoutMs) this.#set(false, `PING unanswered for ${now - this.#pingSentAtMs} ms`);
      return;
    }
    if (now - this.#lastPingMs < this.#intervalMs) return;
    this.#lastPingMs = now;
    this.#pingSentAtMs = now;
    this.#redis.ping().then(
      () => {
        this.#pingSentAtMs = undefined;
        this.#set(true);
      },
      (err: unknown) => {
        this.#pingSentAtMs = undefined;
        this.#set(false, `PING failed: ${errorMessage(err)}`);
      },
    );
  }

  #set(up: boolean, reason?: string): void {
    if (up === this.#state.up) {
      if (!up && reason !== this.#state.reason) this.#state = { ...this.#state, reason };
      return;
    }
    this.#state = { up, reason, sinceMs: this.#clock() };
    this.emit(up ? 'up' : 'down', this.#state);
  }
}
