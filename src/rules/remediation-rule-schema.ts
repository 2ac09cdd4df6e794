import { z } from 'zod';
import { duration, labelName } from '../config/schema-types';
import { parseMatcher, regexError } from '../signals/label-matchers';
import { approvalSchema } from './approval-rule';
import { parseTargetTemplate } from './target-template';
import { compileVerifyTemplate } from './verify-template';

/**
 * One entry of a rule file's `remediations:` section (issue 4). Validated by the rule loader with
 * the same file:line error reporting as alerting rules. Durations are Prometheus strings in YAML
 * and milliseconds once parsed.
 */

const ACTIONS = ['restart', 'reap_connections', 'archive_logs', 'halt_trading', 'failover_database'] as const;

const matcherString = z.string().superRefine((text, ctx) => {
  const parsed = parseMatcher(text);
  const bad = typeof parsed === 'string' ? parsed : parsed.isRegex ? regexError(parsed.value) : undefined;
  if (bad !== undefined) ctx.addIssue({ code: 'custom', message: bad });
});

const onSchema = z
  .strictObject({
    /** The alert's name (the rule's `alert:`). */
    alert: z.string().min(1).optional(),
    /** Label equality matchers on the firing alert, e.g. {severity: critical}. */
    labels: z.record(labelName(), z.string()).optional(),
    /** Alertmanager-style matchers: 'component=~"db.*"', 'severity!="info"'. */
    matchers: z.array(matcherString).optional(),
  })
  .refine((on) => on.alert !== undefined || Object.keys(on.labels ?? {}).length > 0 || (on.matchers ?? []).length > 0, {
    message: 'needs an alert name, labels or matchers: a remediation must never match every alert (spec §2.1 fail safe)',
  });

const targetTemplate = z.string().min(1).superRefine((text, ctx) => {
  const parsed = parseTargetTemplate(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** A regular expression a rendered target must match, whole (anchored like a Prometheus matcher). */
const targetPattern = z.string().min(1).superRefine((text, ctx) => {
  const bad = regexError(text);
  if (bad !== undefined) ctx.addIssue({ code: 'custom', message: bad });
});

/**
 * A PromQL condition that may name the alert's labels, parsed at load; `{{ $labels.x }}` may only
 * stand in the quoted value of an = or != matcher, and is filled in as a value (verify-template.ts).
 */
const verifyExpr = z.string().min(1).superRefine((text, ctx) => {
  const t = compileVerifyTemplate(text);
  if (typeof t === 'string') ctx.addIssue({ code: 'custom', message: t });
});

export const remediationRuleSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, _ . or - (it is part of job ids)'),
  on: onSchema,
  action: z.enum(ACTIONS),
  /** Template over the alert's labels, e.g. "{{ $labels.component }}". */
  target: targetTemplate,
  /**
   * Targets this rule may act on besides the configured components (warden.yaml components[].name):
   * one anchored regex or a list of them (issue 9). Any other rendered target is refused, audited
   * and paged; see TargetPolicy.
   */
  targets: z.union([targetPattern, z.array(targetPattern).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v)).optional(),
  /** Passed to the executor as is; each executor validates its own (a bad one fails permanently). */
  params: z.record(z.string(), z.unknown()).default({}),
  /** After a success, further jobs for the same rule and target are skipped for this long. */
  cooldown: duration().default(5 * 60_000),
  /** Budget: at most `count` actions per rule and target in `window`; then stop and page (P0). */
  max_per_window: z.strictObject({ count: z.number().int().min(1), window: duration() }).optional(),
  dry_run: z.boolean().default(false),
  /** After acting, `expr` (a PromQL condition; `{{ $labels.x }}` filled in as matcher values) must hold within `within`, else `on_failure`. */
  verify: z.strictObject({ expr: verifyExpr, within: duration() }).optional(),
  on_failure: z.enum(['escalate', 'ignore']).default('escalate'),
  /** Per-attempt deadline; defaults per action (see attempt-timeouts.ts, spec §10.3). */
  timeout: duration().optional(),
  /** Wait for a human before acting (issue 13 §2); see approval-rule.ts. Refused on halt_trading. */
  approval: approvalSchema.optional(),
}).superRefine((r, ctx) => {
  // spec §8.2: an invariant violation halts trading at once; a halt never waits for a human.
  if (r.action === 'halt_trading' && r.approval !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['approval'], message: 'halt_trading never waits for approval (spec §8.2: halt at once); remove approval' });
  }
});
export type RemediationRuleInput = z.input<typeof remediationRuleSchema>;
export type RemediationRule = z.output<typeof remediationRuleSchema>;

/** A whole `remediations:` section: names must be unique (they key cooldowns and budgets). */
export const remediationRulesSchema = z.array(remediationRuleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate remediation name "${r.name}"` });
    seen.add(r.name);
  });
});
