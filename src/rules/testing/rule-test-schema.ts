import { z } from 'zod';
import { duration } from '../../config/schema-types';
import { exprTestSchema } from './expr-test';
import { ruleTestExtensions } from './rule-test-extensions';

/** promtool's unit-test file format (`promtool test rules`), plus Warden's `components`
 * and the assertions other stages register (rule-test-extensions.ts). */

const labelMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

const inputSeriesSchema = z.strictObject({
  series: z.string().min(1),
  values: z.union([z.string(), z.number()]).transform(String),
});

const expAlertSchema = z.strictObject({
  exp_labels: labelMap.default({}),
  exp_annotations: labelMap.default({}),
});

const alertRuleTestSchema = z.strictObject({
  eval_time: duration(),
  alertname: z.string().min(1),
  exp_alerts: z.array(expAlertSchema).nullish().transform((v) => v ?? []),
});

const componentSchema = z.strictObject({
  name: z.string().min(1),
  critical: z.boolean().default(false),
});

function testCaseSchema() {
  const extensions: Record<string, z.ZodType> = {};
  for (const ext of ruleTestExtensions()) extensions[ext.key] = ext.schema.optional();
  return z.strictObject({
    name: z.string().optional(),
    interval: duration().optional(),
    input_series: z.array(inputSeriesSchema).default([]),
    alert_rule_test: z.array(alertRuleTestSchema).default([]),
    promql_expr_test: z.array(exprTestSchema).default([]),
    external_labels: labelMap.optional(),
    components: z.array(componentSchema).default([]),
    /** Warden's lookback for this test (default: the file's, else Prometheus' 5 m). */
    staleness: duration().optional(),
    ...extensions,
  });
}

export function ruleTestFileSchema() {
  return z.strictObject({
    rule_files: z.array(z.string().min(1)).min(1, 'rule_files must name at least one file'),
    evaluation_interval: duration().default(60_000),
    /** The lookback: Prometheus' 5 m unless a file sets Warden's (spec §6.3: 60 s in warden.yaml). */
    staleness: duration().default(300_000),
    group_eval_order: z.array(z.string()).optional(),
    tests: z.array(testCaseSchema()).min(1, 'tests must contain at least one test'),
  });
}

export type RuleTestFile = z.output<ReturnType<typeof ruleTestFileSchema>>;
export type RuleTestCase = RuleTestFile['tests'][number];
