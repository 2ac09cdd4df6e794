import { compileMatcher, matchesAll, type CompiledMatcher } from '../signals/label-matchers';
import type { WindowSpec } from '../config/maintenance-schema';
import { anyIntervalContains, compileTimeInterval, nextChange, type CompiledTimeInterval } from '../config/time-interval';

/** A window as stored (API-created, in Redis) or loaded (warden.yaml). */
export interface MaintenanceWindow extends WindowSpec {
  readonly id: string;
  readonly source: 'config' | 'api';
  readonly createdBy: string;
  readonly createdAtMs: number;
  /** Ended early by DELETE /v1/maintenance/{id}. */
  readonly endedAtMs?: number;
  readonly endedBy?: string;
}

export type WindowStatus = 'active' | 'scheduled' | 'ended';

/** How far ahead a recurring window's next start or end is looked for (1,440 minute steps a day). */
const LOOK_AHEAD_MS = 24 * 3_600_000;

/** A window compiled once (pino's habit: decide at configuration time): matchers and intervals. */
export class CompiledWindow {
  readonly window: MaintenanceWindow;
  readonly #matchers: readonly CompiledMatcher[];
  readonly #intervals: readonly CompiledTimeInterval[] | undefined;

  constructor(w: MaintenanceWindow) {
    this.window = w;
    this.#matchers = w.matchers.map(compileMatcher);
    this.#intervals = w.timeIntervals?.map((spec) => {
      const c = compileTimeInterval(spec);
      // Validated at load / POST; a record edited by hand in Redis is refused loudly here.
      if (Array.isArray(c)) throw new Error(`maintenance window ${w.id}: ${c.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ')}`);
      return c;
    });
  }

  matches(labels: Readonly<Record<string, string>>): boolean {
    return matchesAll(this.#matchers, labels);
  }

  /** Past its end (or ended by hand): it never becomes active again. */
  over(nowMs: number): boolean {
    const w = this.window;
    return (w.endedAtMs !== undefined && nowMs >= w.endedAtMs) || (w.endsAtMs !== undefined && nowMs >= w.endsAtMs);
  }

  active(nowMs: number): boolean {
    if (this.over(nowMs)) return false;
    if (this.window.startsAtMs !== undefined && nowMs < this.window.startsAtMs) return false;
    return this.#intervals === undefined || anyIntervalContains(this.#intervals, nowMs);
  }

  status(nowMs: number): WindowStatus {
    if (this.over(nowMs)) return 'ended';
    return this.active(nowMs) ? 'active' : 'scheduled';
  }

  /** When an active window stops holding (within a day's look-ahead); undefined if not active or later. */
  activeUntil(nowMs: number): number | undefined {
    if (!this.active(nowMs)) return undefined;
    const ends = [this.window.endsAtMs, this.window.endedAtMs].filter((t): t is number => t !== undefined);
    if (this.#intervals) {
      const change = nextChange(this.#intervals, nowMs, LOOK_AHEAD_MS);
      if (change !== undefined) ends.push(change);
    }
    return ends.length > 0 ? Math.min(...ends) : undefined;
  }

  /** When a scheduled window next starts (within a day's look-ahead for recurring ones). */
  nextStart(nowMs: number): number | undefined {
    if (this.over(nowMs) || this.active(nowMs)) return undefined;
    const from = Math.max(nowMs, this.window.startsAtMs ?? nowMs);
    if (!this.#intervals) return from;
    if (anyIntervalContains(this.#intervals, from)) return from;
    const next = nextChange(this.#intervals, from, LOOK_AHEAD_MS);
    return next !== undefined && !this.over(next) ? next : undefined;
  }
}
