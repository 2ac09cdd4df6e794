import { EventEmitter } from 'node:events';
import { TransientError, isTransient } from '../errors';

/**
 * One breaker per notification channel (spec §3.2, issue 5 §4).
 *
 * Written here rather than taken from a library because neither fits spec §3.2's numbers exactly:
 * opossum and cockatiel's SamplingBreaker open on a failure *percentage* (cockatiel's CountBreaker
 * on the last N calls, not a time window), and both close a half-open breaker on the *first*
 * success, where the spec asks for 3.
 */

export type BreakerState = 'closed' | 'half-open' | 'open';

/** Numeric form for the warden_notify_breaker_state gauge. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface BreakerStateChange {
  name: string;
  from: BreakerState;
  to: BreakerState;
  atMs: number;
  /** Why: "5 failures in 10000 ms", "open for 30000 ms", "3 successes in half-open", "failure in half-open". */
  reason: string;
}

export interface CircuitBreakerOptions {
  /** Names the breaker in events and errors (the channel). */
  name: string;
  clock?: () => number;
  /** @defaultValue 5 — spec §3.2: OPEN after 5 failures in a 10 s window */
  failureThreshold?: number;
  /** @defaultValue 10_000 */
  windowMs?: number;
  /** @defaultValue 30_000 — spec §3.2: half-open after 30 s */
  openMs?: number;
  /** @defaultValue 3 — spec §3.2: close after 3 successes */
  halfOpenSuccesses?: number;
}

/**
 * Thrown instead of calling the channel while the breaker is open. Transient: retry after
 * `retryAfterMs`. Keeps `name` 'TransientError' so name-based retry checks (isTransient) hold;
 * tell it apart with `isBreakerOpen(err)`.
 */
export class BreakerOpenError extends TransientError {
  readonly code = 'BREAKER_OPEN';
  readonly breaker: string;
  readonly retryAfterMs: number;
  constructor(breaker: string, retryAfterMs: number) {
    super(`circuit breaker '${breaker}' is open; next trial in ${retryAfterMs} ms`);
    this.breaker = breaker;
    this.retryAfterMs = retryAfterMs;
  }
}

export function isBreakerOpen(err: unknown): err is BreakerOpenError {
  return err instanceof BreakerOpenError || (err instanceof Error && (err as { code?: unknown }).code === 'BREAKER_OPEN');
}

export class CircuitBreaker extends EventEmitter<{ stateChange: [BreakerStateChange] }> {
  readonly name: string;
  readonly #clock: () => number;
  readonly #failureThreshold: number;
  readonly #windowMs: number;
  readonly #openMs: number;
  readonly #halfOpenSuccesses: number;
  #state: BreakerState = 'closed';
  #failureTimesMs: number[] = [];
  #openedAtMs = 0;
  #halfOpenSuccessCount = 0;
  #halfOpenTrialInFlight = false;
  /** Bumped on every state change, so an outcome of a call started in an older state is ignored. */
  #generation = 0;

  constructor(opts: CircuitBreakerOptions) {
    super();
    this.name = opts.name;
    this.#clock = opts.clock ?? Date.now;
    this.#failureThreshold = opts.failureThreshold ?? 5;
    this.#windowMs = opts.windowMs ?? 10_000;
    this.#openMs = opts.openMs ?? 30_000;
    this.#halfOpenSuccesses = opts.halfOpenSuccesses ?? 3;
  }

  /** The current state; an open breaker whose 30 s have passed reports (and becomes) half-open. */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#clock() - this.#openedAtMs >= this.#openMs) {
      this.#transition('half-open', `open for ${this.#openMs} ms`);
    }
    return this.#state;
  }

  /**
   * Runs `fn` unless the breaker is open. In half-open, one trial runs at a time (others get
   * BreakerOpenError), so a still-broken channel sees one request, not a burst.
   * `isFailure` decides which errors count: by default only transient ones; a PermanentError means
   * the channel answered (a bad payload is not an outage) and counts neither way.
   */
  async execute<T>(fn: () => Promise<T>, isFailure: (err: unknown) => boolean = isTransient): Promise<T> {
    const admitted = this.#admit();
    const generation = this.#generation;
    try {
      const result = await fn();
      if (generation === this.#generation) this.#recordSuccess();
      return result;
    } catch (err) {
      if (generation === this.#generation && isFailure(err)) this.#recordFailure();
      throw err;
    } finally {
      if (admitted === 'trial' && generation === this.#generation) this.#halfOpenTrialInFlight = false;
    }
  }

  /** Milliseconds until an open breaker lets a trial through (0 when not open). */
  retryAfterMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.#openedAtMs + this.#openMs - this.#clock());
  }

  #admit(): 'normal' | 'trial' {
    const state = this.state;
    if (state === 'closed') return 'normal';
    if (state === 'half-open' && !this.#halfOpenTrialInFlight) {
      this.#halfOpenTrialInFlight = true;
      return 'trial';
    }
    throw new BreakerOpenError(this.name, Math.max(this.retryAfterMs(), state === 'half-open' ? 1 : 0));
  }

  #recordSuccess(): void {
    if (this.#state !== 'half-open') return;
    this.#halfOpenSuccessCount += 1;
    if (this.#halfOpenSuccessCount >= this.#halfOpenSuccesses) {
      this.#transition('closed', `${this.#halfOpenSuccesses} successes in half-open`);
    }
  }

  #recordFailure(): void {
    const nowMs = this.#clock();
    if (this.#state === 'half-open') {
      this.#open(nowMs, 'failure in half-open');
      return;
    }
    if (this.#state !== 'closed') return;
    // Sliding window, inclusive at the edge: failures exactly windowMs apart still count together.
    this.#failureTimesMs = this.#failureTimesMs.filter((t) => nowMs - t <= this.#windowMs);
    this.#failureTimesMs.push(nowMs);
    if (this.#failureTimesMs.length >= this.#failureThreshold) {
      this.#open(nowMs, `${this.#failureThreshold} failures in ${this.#windowMs} ms`);
    }
  }

  #open(nowMs: number, reason: string): void {
    this.#openedAtMs = nowMs;
    this.#transition('open', reason);
  }

  #transition(to: BreakerState, reason: string): void {
    const from = this.#state;
    this.#state = to;
    this.#generation += 1;
    this.#failureTimesMs = [];
    this.#halfOpenSuccessCount = 0;
    this.#halfOpenTrialInFlight = false;
    this.emit('stateChange', { name: this.name, from, to, atMs: this.#clock(), reason });
  }
}
