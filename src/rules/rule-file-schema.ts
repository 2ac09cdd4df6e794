import { z } from 'zod';
import { parseDurationMs } from '../config/duration';
import { LABEL_NAME_RE } from '../signals/sample';

/** Prometheus alerting-rule files (rules/rulefmt), strict like promtool: unknown keys are errors. */

const durationMs = () =>
  z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `invalid duration "${text}" (use e.g. 30s, 5m, 1h)` });
      return z.NEVER;
    }
    return ms;
  });

const labelMap = z.record(z.string().regex(LABEL_NAME_RE, 'invalid label name'), z.union([z.string(), z.number(), z.boolean()]).transform(String));

export const alertingRuleSchema = z.strictObject({
  // Prometheus takes any non-empty string as an alert name ("Host out of memory"): it is a label value
  alert: z.string().min(1, 'alert name must not be empty'),
  expr: z.union([z.string().min(1, 'expr must not be empty'), z.number()]).transform(String),
  for: durationMs().optional(),
  keep_firing_for: durationMs().optional(),
  labels: labelMap.default({}),
  annotations: labelMap.default({}),
});

export const ruleGroupSchema = z.strictObject({
  name: z.string().min(1, 'group name must not be empty'),
  interval: durationMs().optional(),
  /** Checked rule by rule with alertingRuleSchema, so one bad rule does not hide the others' errors. */
  rules: z.array(z.unknown()).default([]),
});

export const ruleFileSchema = z.strictObject({
  groups: z.array(ruleGroupSchema).default([]),
  /** Checked entry by entry with remediationRuleSchema (issue 4), so each keeps its own line. */
  remediations: z.array(z.unknown()).default([]),
});

export type AlertingRuleInput = z.output<typeof alertingRuleSchema>;
export type RuleGroupInput = z.output<typeof ruleGroupSchema>;
