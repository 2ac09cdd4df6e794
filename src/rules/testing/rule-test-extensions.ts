import type { z } from 'zod';
import type { SignalStore } from '../../signals/signal-store';
import type { Alert } from '../alert';
import type { RuleSet } from '../compiled-rule';

/** What an extension sees at one evaluation time of a rule unit test. */
export interface RuleTestContext {
  readonly ruleSet: RuleSet;
  readonly evalTimeMs: number;
  /** Pending and firing alerts at that time. */
  readonly alerts: readonly Alert[];
  /** The test case's `components` (name, critical). */
  readonly components: ReadonlyArray<{ name: string; critical: boolean }>;
  /** The series fed so far (staleness and last-seen per component). */
  readonly store: SignalStore;
}

/**
 * A seam for assertions other stages add to `warden rules test` (`exp_health` from health/, `exp_remediations`
 * from remediate/, so this runner imports neither stage):
 * a test-case key, its schema, the evaluation times it needs, and a check returning failure lines.
 */
export interface RuleTestExtension<T = unknown> {
  readonly key: string;
  readonly schema: z.ZodType<T>;
  evalTimesMs(value: T): number[];
  check(value: T, ctx: RuleTestContext): string[];
}

const registered: RuleTestExtension[] = [];

export function registerRuleTestExtension<T>(ext: RuleTestExtension<T>): void {
  if (registered.some((e) => e.key === ext.key)) return;
  registered.push(ext as unknown as RuleTestExtension);
}

export function ruleTestExtensions(): readonly RuleTestExtension[] {
  return registered;
}
