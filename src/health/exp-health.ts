import { z } from 'zod';
import { formatDurationMs } from '../config/duration';
import { duration } from '../config/schema-types';
import { registerRuleTestExtension, type RuleTestContext } from '../rules/testing/rule-test-extensions';
import { computeHealth } from './compute-health';

/**
 * `exp_health` for `warden rules test`: at each eval_time, the spec §11.1 rollup (the same pure
 * function the server uses) of the test's components and alerts must be what is expected.
 * Registered from here, so the rule test runner imports nothing of health/.
 */
const healthStatus = z.enum(['green', 'yellow', 'red']);

export const expHealthSchema = z.array(
  z.strictObject({
    eval_time: duration(),
    status: healthStatus.optional(),
    /** Expected status per component; components not listed are not checked. */
    components: z.record(z.string(), healthStatus).default({}),
  }),
);
export type ExpHealth = z.output<typeof expHealthSchema>;

export function checkExpHealth(value: ExpHealth, ctx: RuleTestContext): string[] {
  const due = value.filter((e) => e.eval_time === ctx.evalTimeMs);
  if (due.length === 0) return [];
  const snapshot = computeHealth({
    components: ctx.components,
    alerts: ctx.alerts,
    lastSeenMs: (c) => ctx.store.lastSeenForComponent(c),
    stalenessMs: ctx.store.options.stalenessMs,
    nowMs: ctx.evalTimeMs,
  });
  const why = (reasons: ReadonlyArray<{ summary: string }>) => (reasons.length ? ` (${reasons.map((r) => r.summary).join('; ')})` : '');
  const out: string[] = [];
  for (const exp of due) {
    const at = formatDurationMs(exp.eval_time);
    if (exp.status !== undefined && snapshot.status !== exp.status) {
      out.push(`health at ${at}: expected overall ${exp.status}, got ${snapshot.status}${why(snapshot.reasons)}`);
    }
    for (const [name, expected] of Object.entries(exp.components)) {
      const c = snapshot.components.find((x) => x.name === name);
      if (!c) out.push(`health at ${at}: component ${name} is not in the test's components`);
      else if (c.status !== expected) out.push(`health at ${at}: expected component ${name} ${expected}, got ${c.status}${why(c.reasons)}`);
    }
  }
  return out;
}

registerRuleTestExtension<ExpHealth>({
  key: 'exp_health',
  schema: expHealthSchema as unknown as z.ZodType<ExpHealth>,
  evalTimesMs: (value) => value.map((e) => e.eval_time),
  check: checkExpHealth,
});
