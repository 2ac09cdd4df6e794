import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../errors';

export interface RedisHealthOptions {
  redis: Redis;
  /** How often to PING. @defaultValue 500 */
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

interface RedisHealthEvents {
  up: [RedisHealthState];
  down: [RedisHealthState];
}

/**
 * Whether Redis answers right now, from a periodic PING on the connection Warden writes through
 * (the idea of close-bullmq's shutdown watchdog, kept running). `redis.status === 'ready'` is not
 * enough: a frozen (SIGSTOP) or partitioned Redis keeps the socket open and 'ready' while nothing
 * answers. A PING every interval, each with its own timeout timer (500 + 1000 ms by default), keeps
 * a silent Redis reported within 1.5 s (issue 9: /readyz 503 within 2 s); a dropped connection is
 * reported at once from its 'close' event. Two timer wake-ups a second, none while waiting (a quiet
 * Warden's CPU, issue 10 §4). At most one PING is in flight, so a long freeze does not pile them up.
 */
export class RedisHealth extends EventEmitter<RedisHealthEvents> {
  readonly #redis: Redis;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #clock: () => number;
  #state: RedisHealthState;
  #timer: NodeJS.Timeout | undefined;
  /** Armed while a PING is in flight; fires when it is overdue. */
  #pingTimeout: NodeJS.Timeout | undefined;
  readonly #onClose = () => {
    // A PING lost with the connection is no longer the one we wait for: the next check sends anew.
    clearTimeout(this.#pingTimeout);
    this.#pingTimeout = undefined;
    this.#set(false, `connection ${this.#redis.status}`);
  };
  readonly #onReady = () => this.check();

  constructor(opts: RedisHealthOptions) {
    super();
    this.#redis = opts.redis;
    this.#intervalMs = opts.intervalMs ?? 500;
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
    this.#redis.on('close', this.#onClose);
    this.#redis.on('ready', this.#onReady);
    this.#timer = setInterval(() => this.check(), this.#intervalMs);
    this.#timer.unref();
    this.check();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    clearTimeout(this.#pingTimeout);
    this.#timer = undefined;
    this.#pingTimeout = undefined;
    this.#redis.off('close', this.#onClose);
    this.#redis.off('ready', this.#onReady);
  }

  /** One probe: down at once for a connection that is not ready; else a PING unless one is in flight. */
  check(): void {
    if (this.#redis.status !== 'ready') {
      this.#set(false, `connection ${this.#redis.status}`);
      return;
    }
    if (this.#pingTimeout !== undefined) return;
    const sentAtMs = this.#clock();
    const timeout = setTimeout(() => this.#set(false, `PING unanswered for ${this.#clock() - sentAtMs} ms`), this.#timeoutMs);
    timeout.unref();
    this.#pingTimeout = timeout;
    const settled = (up: boolean, reason?: string) => {
      clearTimeout(timeout);
      if (this.#pingTimeout !== timeout) return; // superseded: the connection closed meanwhile
      this.#pingTimeout = undefined;
      this.#set(up, reason);
    };
    this.#redis.ping().then(
      () => settled(true),
      (err: unknown) => settled(false, `PING failed: ${errorMessage(err)}`),
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
