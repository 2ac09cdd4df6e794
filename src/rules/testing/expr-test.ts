import { z } from 'zod';
import { formatDurationMs } from '../../config/duration';
import { duration } from '../../config/schema-types';
import type { SignalStore } from '../../signals/signal-store';
import type { Labels } from '../../signals/sample';
import { formatGoFloat } from '../go-float-format';
import type { Expr } from '../promql-ast';
import { evaluate } from '../promql-evaluate';
import { parsePromql } from '../promql-parse';
import { formatLabels } from '../promql-values';

/** promtool's `promql_expr_test`: an instant query at eval_time and the exact samples it must return. */
export const exprTestSchema = z.strictObject({
  expr: z.string().min(1, 'expr must not be empty'),
  eval_time: duration(),
  exp_samples: z
    .array(
      z.strictObject({
        /** `metric{a="b"}`, `{a="b"}`, or '' for a scalar result, as promtool writes them. */
        labels: z.string().default(''),
        value: z.union([z.number(), z.string()]).transform((v, ctx) => {
          const n = parseSampleValue(v);
          if (n === undefined) ctx.addIssue({ code: 'custom', message: `value ${JSON.stringify(v)} is not a number` });
          return n ?? z.NEVER;
        }),
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
});

export type ExprTest = z.output<typeof exprTestSchema>;

interface Sample {
  readonly name: string | undefined;
  readonly labels: Labels;
  readonly value: number;
}

/** An expr test ready to run: its expression and expected samples parsed once, at load. */
export interface CompiledExprTest {
  readonly test: ExprTest;
  readonly expr: Expr;
  readonly expected: readonly Sample[];
}

/** Throws Error with a readable message (the runner adds file:line); the field path says which part. */
export function compileExprTest(test: ExprTest): CompiledExprTest {
  // parsePromql already refuses a top-level range vector, as a rule's expr must not be one either.
  const expr = parsePromql(test.expr);
  const expected = test.exp_samples.map((s) => parseExpectedLabels(s.labels, s.value));
  return { test, expr, expected };
}

/** promtool's check: the query's samples equal exp_samples as a set (values within 1e-6 relative). */
export function checkExprTest(t: CompiledExprTest, store: SignalStore, atMs: number): string[] {
  const head = `expr: ${JSON.stringify(t.test.expr)}, time: ${formatDurationMs(t.test.eval_time)}`;
  let got: Sample[];
  try {
    const result = evaluate(t.expr, store, atMs);
    got = result.type === 'scalar' ? [{ name: undefined, labels: {}, value: result.value }] : result.vector;
  } catch (err) {
    return [`${head}, err: ${err instanceof Error ? err.message : String(err)}`];
  }
  const exp = [...t.expected].sort(bySeries);
  const sorted = [...got].sort(bySeries);
  const same = exp.length === sorted.length && exp.every((e, i) => seriesKey(e) === seriesKey(sorted[i]!) && almostEqual(e.value, sorted[i]!.value));
  if (same) return [];
  return [`${head},\n        exp: ${showSamples(exp)}\n        got: ${showSamples(sorted)}`];
}

function parseExpectedLabels(text: string, value: number): Sample {
  if (text.trim() === '' || text.trim() === '{}') return { name: undefined, labels: {}, value };
  const sel = parsePromql(text);
  if (sel.kind !== 'vector') throw new Error(`exp_samples labels ${JSON.stringify(text)} must be metric{label="value", ...} or {label="value", ...}`);
  const labels: Record<string, string> = {};
  let name = sel.metricName;
  for (const m of sel.matchers) {
    if (m.type !== '=') throw new Error(`exp_samples labels ${JSON.stringify(text)}: only label="value" pairs are allowed, not ${m.type}`);
    if (m.name === '__name__') name = m.value;
    else labels[m.name] = m.value;
  }
  return { name, labels, value };
}

function parseSampleValue(v: number | string): number | undefined {
  if (typeof v === 'number') return v;
  const lower = v.trim().toLowerCase().replace(/^\+/, '');
  if (lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const n = Number(v);
  return v.trim() === '' || Number.isNaN(n) ? undefined : n;
}

const seriesKey = (s: Sample) => formatLabels(s.name, s.labels);
const bySeries = (a: Sample, b: Sample) => seriesKey(a).localeCompare(seriesKey(b));

function showSamples(list: readonly Sample[]): string {
  if (list.length === 0) return '[]';
  return list.map((s, i) => `\n          ${i}: ${s.name === undefined && Object.keys(s.labels).length === 0 ? '{}' : seriesKey(s)} ${formatGoFloat(s.value)}`).join('');
}

/** Go's almost.Equal as promtool uses it (epsilon 1e-6), NaN equal to NaN; 6 lines, no library has it. */
function almostEqual(a: number, b: number): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  const minNormal = 2.2250738585072014e-308;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < minNormal) return diff < 1e-6 * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < 1e-6;
}
