import { z } from 'zod';
import { duration } from '../config/schema-types';
import { formatDurationMs } from '../config/duration';
import { registerRuleTestExtension, type RuleTestContext } from '../rules/testing/rule-test-extensions';
import { remediationsFor } from './remediation-matcher';

/**
 * `exp_remediations` for `warden rules test` (issue 4 §1): at each eval_time, the remediations
 * the *firing* alerts match, with rendered targets, must equal `exp` exactly (order ignored).
 * A job is enqueued when an alert starts firing; this asserts what that job would be.
 */
const expRemediationSchema = z.strictObject({
  name: z.string().min(1),
  action: z.enum(['restart', 'reap_connections', 'archive_logs', 'halt_trading', 'failover_database']),
  target: z.string().min(1),
});

export const expRemediationsSchema = z.array(
  z.strictObject({
    eval_time: duration(),
    exp: z.array(expRemediationSchema).nullish().transform((v) => v ?? []),
  }),
);
export type ExpRemediations = z.output<typeof expRemediationsSchema>;

type Shown = { name: string; action: string; target: string };
const key = (r: Shown) => `${r.name}\u0000${r.action}\u0000${r.target}`;
const sortShown = (list: Shown[]) => list.sort((a, b) => key(a).localeCompare(key(b)));
const show = (list: Shown[]) => (list.length ? list.map((r) => `\n          ${r.name}: ${r.action} ${r.target}`).join('') : '[]');

export function checkExpRemediations(value: ExpRemediations, ctx: RuleTestContext): string[] {
  const rules = ctx.ruleSet.remediations.map((r) => r.rule);
  const firing = ctx.alerts.filter((a) => a.state === 'firing');
  const got = sortShown(firing.flatMap((a) => remediationsFor(a, rules).map((m) => ({ name: m.rule.name, action: m.rule.action, target: m.target }))));
  const out: string[] = [];
  for (const e of value) {
    if (e.eval_time !== ctx.evalTimeMs) continue;
    const exp = sortShown(e.exp.map((r) => ({ name: r.name, action: r.action, target: r.target })));
    if (JSON.stringify(exp.map(key)) !== JSON.stringify(got.map(key))) {
      out.push(`remediations at ${formatDurationMs(e.eval_time)},\n        exp: ${show(exp)}\n        got: ${show(got)}`);
    }
  }
  return out;
}

registerRuleTestExtension<ExpRemediations>({
  key: 'exp_remediations',
  schema: expRemediationsSchema as unknown as z.ZodType<ExpRemediations>,
  evalTimesMs: (value) => value.map((e) => e.eval_time),
  check: checkExpRemediations,
});
