import type { z } from 'zod';
import type { Alert } from '../alert';
import type { RuleSet } from '../compiled-rule';

/** What an extension sees at one evaluation time of a rule unit test. */
export interface RuleTestContext {
  readonly ruleSet: RuleSet;
  readonly evalTimeMs: number;
  /** Pending and firing alerts at that time. */
  readonly alerts: readonly Alert[];
}

/**
 * A seam for assertions other stages add to `warden rules test` (e.g. `exp_remediations`, issue 4):
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
