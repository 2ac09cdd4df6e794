import { z } from 'zod';

/**
 * One entry of a rule file's `remediations:` section (issue 4). Validated by the rule loader with
 * the same file:line error reporting as alerting rules. Owned by the remediation pipeline; this is
 * the starting shape and may grow.
 */
export const remediationRuleSchema = z.strictObject({
  name: z.string().min(1),
  on: z.strictObject({
    alert: z.string().optional(),
    /** Label equality matchers on the firing alert. */
    labels: z.record(z.string(), z.string()).optional(),
  }),
  action: z.enum(['restart', 'reap_connections', 'archive_logs', 'halt_trading']),
  /** Template over the alert's labels, e.g. "{{ $labels.component }}". */
  target: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  cooldown: z.string().optional(),
  max_per_window: z.strictObject({ count: z.number().int().min(1), window: z.string() }).optional(),
  dry_run: z.boolean().default(false),
  verify: z.strictObject({ expr: z.string().min(1), within: z.string() }).optional(),
  on_failure: z.enum(['escalate', 'ignore']).default('escalate'),
});
export type RemediationRuleInput = z.input<typeof remediationRuleSchema>;
export type RemediationRule = z.output<typeof remediationRuleSchema>;
