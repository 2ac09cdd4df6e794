/**
 * When a component's next probe is due (issue 14 §2). Spec §4.1 says down after 3 consecutive
 * failed checks; it does not say to wait a whole interval between them. So a first failure switches
 * to `confirmIntervalMs` until `failureThreshold` consecutive failures (down) or one success (up);
 * a target a remediation is verifying is probed at that pace too. A failed scrape of the same
 * component only brings the next probe forward: it never counts as a failure itself.
 * Pure: time comes in as arguments, so tests drive it without sleeping.
 */
export interface ProbeConfirmationConfig {
  readonly intervalMs: number;
  readonly confirmIntervalMs: number;
  readonly failureThreshold: number;
}

/** What Warden believes of a component from its probes; `undefined` up means not known yet. */
export interface ProbeState {
  readonly up: 0 | 1 | undefined;
  readonly consecutiveFailures: number;
}

export const INITIAL_PROBE_STATE: ProbeState = { up: undefined, consecutiveFailures: 0 };

/**
 * spec §4.1: a service is down after `failureThreshold` consecutive failures, and one success brings
 * it back. Before either, up stays unknown: Warden never pretends a component is up.
 */
export function nextProbeState(state: ProbeState, success: boolean, failureThreshold: number): ProbeState {
  if (success) return { up: 1, consecutiveFailures: 0 };
  const consecutiveFailures = state.consecutiveFailures + 1;
  return { up: consecutiveFailures >= failureThreshold ? 0 : state.up, consecutiveFailures };
}

/** Why the next probe runs when it does (for logs and tests). */
export type ProbePace = 'steady' | 'confirming' | 'verifying';

export class ProbeConfirmation {
  readonly #c: ProbeConfirmationConfig;
  #state: ProbeState = INITIAL_PROBE_STATE;
  #lastProbeAtMs = Number.NEGATIVE_INFINITY;
  #dueAtMs: number;
  #verifyUntilMs = Number.NEGATIVE_INFINITY;

  constructor(config: ProbeConfirmationConfig, startAtMs: number) {
    if (!(config.confirmIntervalMs > 0)) throw new RangeError('confirmIntervalMs must be positive');
    // A confirm pace slower than the steady one would slow confirmation down: never.
    this.#c = { ...config, confirmIntervalMs: Math.min(config.confirmIntervalMs, config.intervalMs) };
    this.#dueAtMs = startAtMs;
  }

  get state(): ProbeState {
    return this.#state;
  }

  /** When the next probe should start (ms since the epoch). */
  get dueAtMs(): number {
    return this.#dueAtMs;
  }

  /** True between a first failure and the verdict (down, or a success). */
  get confirming(): boolean {
    return this.#state.consecutiveFailures > 0 && this.#state.up !== 0;
  }

  pace(nowMs: number): ProbePace {
    if (this.confirming) return 'confirming';
    return nowMs < this.#verifyUntilMs ? 'verifying' : 'steady';
  }

  /** A probe started at `startedAtMs` ended; returns the new state. */
  recordProbe(success: boolean, startedAtMs: number, endedAtMs: number): ProbeState {
    this.#state = nextProbeState(this.#state, success, this.#c.failureThreshold);
    this.#lastProbeAtMs = startedAtMs;
    const fast = this.pace(endedAtMs) !== 'steady';
    this.#dueAtMs = startedAtMs + (fast ? this.#c.confirmIntervalMs : this.#c.intervalMs);
    return this.#state;
  }

  /**
   * The same component's scrape failed to connect: probe as soon as the confirm pace allows, unless
   * the component is already known down (then its steady probes say when it is back). Returns
   * whether the next probe moved earlier.
   */
  corroborateFailure(nowMs: number): boolean {
    if (this.#state.up === 0) return false;
    return this.#bringForward(nowMs);
  }

  /** A remediation acted on this target and verifies it until `untilMs`: probe at the confirm pace. */
  verifyUntil(untilMs: number, nowMs: number): boolean {
    this.#verifyUntilMs = Math.max(this.#verifyUntilMs, untilMs);
    return this.#bringForward(nowMs);
  }

  /** Verification ended (held, failed or gave up): back to the steady interval after the next probe. */
  endVerify(): void {
    this.#verifyUntilMs = Number.NEGATIVE_INFINITY;
  }

  #bringForward(nowMs: number): boolean {
    const earliest = Math.max(nowMs, this.#lastProbeAtMs + this.#c.confirmIntervalMs);
    if (earliest >= this.#dueAtMs) return false;
    this.#dueAtMs = earliest;
    return true;
  }
}
