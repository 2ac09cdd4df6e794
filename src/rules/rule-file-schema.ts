import { z } from 'zod';
import { parseDurationMs } from '../config/duration';

/**
 * Prometheus rule files (model/rulefmt), strict like promtool: unknown keys are errors. Names follow
 * Prometheus 3's UTF-8 validation scheme: any non-empty UTF-8 label name (but `__name__`), any
 * UTF-8 recording rule name without braces.
 */

const durationMs = () =>
  z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `invalid duration "${text}" (use e.g. 30s, 5m, 1h)` });
      return z.NEVER;
    }
    return ms;
  });

/** A JS string holds valid UTF-8 unless it carries a lone surrogate (what an escape can write). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const isValidUtf8 = (s: string): boolean => !LONE_SURROGATE.test(s);

const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform(String).refine(isValidUtf8, { message: 'invalid label value: not valid UTF-8' });

/** `labels:` / `annotations:`; an empty key (`labels:` alone) is an empty map, as in Go's YAML. */
const nameMap = (what: 'label' | 'annotation') =>
  z
    .record(z.string(), labelValue)
    .nullish()
    .transform((m) => m ?? {})
    .superRefine((m, ctx) => {
      for (const k of Object.keys(m)) {
        if (k.length === 0 || !isValidUtf8(k) || (what === 'label' && k === '__name__')) ctx.addIssue({ code: 'custom', path: [k], message: `invalid ${what} name` });
      }
    });

const labelMap = nameMap('label');
const exprText = z.union([z.string().min(1, "field 'expr' must be set in rule"), z.number()]).transform(String);

export const alertingRuleSchema = z.strictObject({
  // Prometheus takes any non-empty string as an alert name ("Host out of memory"): it is a label value
  alert: z.string().min(1, "one of 'record' or 'alert' must be set").refine(isValidUtf8, { message: 'alert name is not valid UTF-8' }),
  expr: exprText,
  for: durationMs().optional(),
  keep_firing_for: durationMs().optional(),
  labels: labelMap,
  annotations: nameMap('annotation'),
});

/** Prometheus' own messages for what a recording rule must not have (rulefmt Rule.Validate). */
export const recordingRuleSchema = z
  .strictObject({
    record: z.string().min(1, "one of 'record' or 'alert' must be set"),
    expr: exprText,
    labels: labelMap,
    for: durationMs().optional(),
    keep_firing_for: durationMs().optional(),
    annotations: nameMap('annotation').optional(),
  })
  .superRefine((r, ctx) => {
    const at = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (r.annotations && Object.keys(r.annotations).length > 0) at('annotations', "invalid field 'annotations' in recording rule");
    if (r.for !== undefined && r.for !== 0) at('for', "invalid field 'for' in recording rule");
    if (r.keep_firing_for !== undefined && r.keep_firing_for !== 0) at('keep_firing_for', "invalid field 'keep_firing_for' in recording rule");
    if (!isValidUtf8(r.record)) at('record', `invalid recording rule name: ${r.record}`);
    // valid UTF-8, but a PromQL selector pasted into the name is a common mistake (Prometheus 3)
    if (r.record.includes('{') || r.record.includes('}')) at('record', `braces present in the recording rule name; should it be in expr?: ${r.record}`);
  });

export const ruleGroupSchema = z.strictObject({
  name: z.string().min(1, 'group name must not be empty'),
  interval: durationMs().optional(),
  /** Prometheus 2.53+: the group's expressions are evaluated this far in the past. */
  query_offset: durationMs().optional(),
  /** Alerts (or series of a recording rule) a rule may produce; more is an evaluation error. 0: no limit. */
  limit: z.number().int().min(0, 'limit must not be negative').default(0),
  /** Prometheus 3: labels added to every rule of the group (a rule's own labels win). */
  labels: labelMap,
  /** Checked rule by rule, so one bad rule does not hide the others' errors. */
  rules: z.array(z.unknown()).nullish().transform((r) => r ?? []),
});

export const ruleFileSchema = z.strictObject({
  groups: z.array(ruleGroupSchema).nullish().transform((g) => g ?? []),
  /** Checked entry by entry with remediationRuleSchema (issue 4), so each keeps its own line. */
  remediations: z.array(z.unknown()).default([]),
});

export type AlertingRuleInput = z.output<typeof alertingRuleSchema>;
export type RecordingRuleInput = z.output<typeof recordingRuleSchema>;
export type RuleGroupInput = z.output<typeof ruleGroupSchema>;
