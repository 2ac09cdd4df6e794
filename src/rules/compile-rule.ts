import { walk, type Expr } from './promql-ast';
import { compileTemplate, TemplateParseError, type CompiledTemplate } from './annotation-template';
import type { CompiledAlertingRule, CompiledRecordingRule } from './compiled-rule';
import type { AlertingRuleInput, RecordingRuleInput } from './rule-file-schema';

export interface ExprAnalysis {
  readonly metricNames: string[];
  readonly selectsAnyMetric: boolean;
  readonly changesWithTime: boolean;
}

/** What an expression selects and whether its value can change without a new sample. */
export function analyseExpr(expr: Expr): ExprAnalysis {
  const names = new Set<string>();
  let selectsAnyMetric = false;
  let changesWithTime = false;
  walk(expr, (node) => {
    if (node.kind === 'vector') {
      if (node.metricName === undefined) selectsAnyMetric = true;
      else names.add(node.metricName);
      // an offset reads a past that moves with the clock
      if (node.offsetMs !== 0 || node.at !== undefined) changesWithTime = true;
    } else if (node.kind === 'matrix' || node.kind === 'subquery' || node.kind === 'call' || node.kind === 'aggregate') {
      changesWithTime = true;
    } else if (node.kind === 'binary' && (node.op === 'or' || node.op === 'unless')) {
      // a series going stale on one side can make the other side's elements appear
      changesWithTime = true;
    }
  });
  return { metricNames: [...names].sort(), selectsAnyMetric, changesWithTime };
}

/** One template of a rule that does not parse: which map and key, and where in its text. */
export interface TemplateProblem {
  readonly field: 'labels' | 'annotations';
  readonly key: string;
  readonly error: TemplateParseError;
}

/** Every bad template of one rule (like promtool, all of them, not just the first); the loader adds file:line. */
export class RuleTemplateErrors extends Error {
  constructor(readonly problems: readonly TemplateProblem[]) {
    super(problems.map((p) => `${p.field}.${p.key}: ${p.error.message}`).join('; '));
    this.name = 'RuleTemplateErrors';
  }
}

/** Compiles one map of templates; bad ones are added to `problems`. `name` is Prometheus' `__alert_<alertname>`. */
export function compileTemplates(field: 'labels' | 'annotations', map: Readonly<Record<string, string>>, name: string, problems: TemplateProblem[]): Array<readonly [string, CompiledTemplate]> {
  const out: Array<readonly [string, CompiledTemplate]> = [];
  for (const [key, text] of Object.entries(map)) {
    try {
      out.push([key, compileTemplate(text, { name })]);
    } catch (err) {
      if (!(err instanceof TemplateParseError)) throw err;
      problems.push({ field, key, error: err });
    }
  }
  return out;
}

/** Where a rule was written and what its group gives it (Prometheus' group `labels`, `limit`, `query_offset`). */
export interface RuleContext {
  readonly group: string;
  readonly file: string;
  readonly line: number;
  readonly groupLabels?: Readonly<Record<string, string>>;
  readonly limit?: number;
  readonly queryOffsetMs?: number;
}

/** Group labels under the rule's own (the rule's win, as Prometheus merges them). */
function mergedLabels(where: RuleContext, own: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return where.groupLabels && Object.keys(where.groupLabels).length > 0 ? { ...where.groupLabels, ...own } : own;
}

export function compileRule(input: AlertingRuleInput, expr: Expr, where: RuleContext): CompiledAlertingRule {
  const analysis = analyseExpr(expr);
  const forMs = input.for ?? 0;
  const keepFiringForMs = input.keep_firing_for ?? 0;
  const queryOffsetMs = where.queryOffsetMs ?? 0;
  const labels = mergedLabels(where, input.labels);
  const problems: TemplateProblem[] = [];
  const templateName = `__alert_${input.alert}`;
  const labelTemplates = compileTemplates('labels', labels, templateName, problems);
  const annotationTemplates = compileTemplates('annotations', input.annotations, templateName, problems);
  if (problems.length > 0) throw new RuleTemplateErrors(problems);
  return {
    kind: 'alerting',
    name: input.alert,
    group: where.group,
    file: where.file,
    line: where.line,
    exprText: input.expr,
    expr,
    forMs,
    keepFiringForMs,
    labels,
    annotations: input.annotations,
    labelTemplates,
    annotationTemplates,
    templatesQuery: [...labelTemplates, ...annotationTemplates].some(([, t]) => /\bquery\b/.test(t.source)),
    queryOffsetMs,
    limit: where.limit ?? 0,
    metricNames: analysis.metricNames,
    selectsAnyMetric: analysis.selectsAnyMetric,
    timeDriven: analysis.changesWithTime || forMs > 0 || keepFiringForMs > 0 || queryOffsetMs > 0,
  };
}

/** A recording rule: its labels are not templates (Prometheus sets them as written). */
export function compileRecordingRule(input: RecordingRuleInput, expr: Expr, where: RuleContext): CompiledRecordingRule {
  const analysis = analyseExpr(expr);
  return {
    kind: 'recording',
    name: input.record,
    group: where.group,
    file: where.file,
    line: where.line,
    exprText: input.expr,
    expr,
    labels: mergedLabels(where, input.labels),
    queryOffsetMs: where.queryOffsetMs ?? 0,
    limit: where.limit ?? 0,
    metricNames: analysis.metricNames,
    selectsAnyMetric: analysis.selectsAnyMetric,
    // sampled at every evaluation, as Prometheus samples it every interval: see CompiledRule.timeDriven
    timeDriven: true,
  };
}
