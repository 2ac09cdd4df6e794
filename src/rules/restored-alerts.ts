import type { Alert, AlertTransition } from './alert';

/**
 * Alerts that were active before a restart (RuleEngine.restore), waiting for their rule to take
 * them back. One whose condition holds again resumes with its original activeAt/firedAt; one that
 * doesn't is resolved at `untilMs`, so nothing downstream waits forever for an alert that is gone.
 * Except: an alert whose rule reads a range (`increase(x[5m])`) cannot be judged until
 * post-restart data covers that range (the samples before the restart are gone), so it stays
 * firing, and counts for health, until `restoredAtMs` + the range (fail fast, §11.1: a restart
 * must not clear an integrity violation).
 */
export class RestoredAlerts {
  #alerts = new Map<string, Alert>();
  #untilMs = -Infinity;
  #restoredAtMs = -Infinity;
  /** The longest range the alert's rule reads (0: none, or the rule is not loaded). */
  readonly #rangeOf: (a: Alert) => number;

  constructor(rangeOf: (a: Alert) => number) {
    this.#rangeOf = rangeOf;
  }

  get size(): number {
    return this.#alerts.size;
  }

  set(alerts: readonly Alert[], untilMs: number, restoredAtMs: number): void {
    this.#alerts = new Map(alerts.filter((a) => a.state !== 'inactive').map((a) => [a.fingerprint, a]));
    this.#untilMs = untilMs;
    this.#restoredAtMs = restoredAtMs;
  }

  /** The restored alert of this fingerprint no evaluation has taken back or resolved yet. */
  get(fp: string): Alert | undefined {
    return this.#alerts.get(fp);
  }

  /** The rule took the alert back (its condition holds again): handed over once. */
  readonly take = (fp: string): Alert | undefined => {
    const a = this.#alerts.get(fp);
    if (a) this.#alerts.delete(fp);
    return a;
  };

  /** Restored alerts held firing because their rule's range is not yet covered. */
  held(): Alert[] {
    const out: Alert[] = [];
    for (const a of this.#alerts.values()) if (a.state === 'firing' && this.#rangeOf(a) > 0) out.push(a);
    return out;
  }

  /** Resolves those whose time is up (undefined: nothing to do yet). */
  expire(nowMs: number): AlertTransition[] | undefined {
    if (this.#alerts.size === 0 || nowMs < this.#untilMs) return undefined;
    const out: AlertTransition[] = [];
    let nextMs = Infinity;
    for (const a of this.#alerts.values()) {
      const heldUntilMs = a.state === 'firing' ? this.#restoredAtMs + this.#rangeOf(a) : -Infinity;
      if (nowMs < heldUntilMs) {
        nextMs = Math.min(nextMs, heldUntilMs);
        continue;
      }
      this.#alerts.delete(a.fingerprint);
      out.push({ alert: Object.freeze({ ...a, state: 'inactive', resolvedAtMs: nowMs }), from: a.state, to: 'inactive', atMs: nowMs });
    }
    this.#untilMs = nextMs;
    return out.length > 0 ? out : undefined;
  }
}
