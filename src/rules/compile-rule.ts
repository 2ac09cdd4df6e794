import { walk, type Expr } from './promql-ast';
import { compileTemplate, type CompiledTemplate } from './annotation-template';
import type { CompiledRule } from './compiled-rule';
import type { AlertingRuleInput } from './rule-file-schema';

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
    } else if (node.kind === 'matrix' || node.kind === 'call' || node.kind === 'aggregate') {
      changesWithTime = true;
    } else if (node.kind === 'binary' && (node.op === 'or' || node.op === 'unless')) {
      // a series going stale on one side can make the other side's elements appear
      changesWithTime = true;
    }
  });
  return { metricNames: [...names].sort(), selectsAnyMetric, changesWithTime };
}

/** Throws Error (message only) for a bad template; the loader adds file:line. */
export function compileTemplates(map: Readonly<Record<string, string>>): Array<readonly [string, CompiledTemplate]> {
  return Object.entries(map).map(([k, v]) => {
    try {
      return [k, compileTemplate(v)] as const;
    } catch (err) {
      throw new Error(`${k}: ${(err as Error).message}`);
    }
  });
}

export function compileRule(input: AlertingRuleInput, expr: Expr, where: { group: string; file: string; line: number }): CompiledRule {
  const analysis = analyseExpr(expr);
  const forMs = input.for ?? 0;
  const keepFiringForMs = input.keep_firing_for ?? 0;
  return {
    name: input.alert,
    group: where.group,
    file: where.file,
    line: where.line,
    exprText: input.expr,
    expr,
    forMs,
    keepFiringForMs,
    labels: input.labels,
    annotations: input.annotations,
    labelTemplates: compileTemplates(input.labels),
    annotationTemplates: compileTemplates(input.annotations),
    metricNames: analysis.metricNames,
    selectsAnyMetric: analysis.selectsAnyMetric,
    timeDriven: analysis.changesWithTime || forMs > 0 || keepFiringForMs > 0,
  };
}
