import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatDurationMs } from '../../config/duration';
import { formatPath, YamlSource } from '../../config/yaml-source';
import { ConfigError, errorMessage } from '../../errors';
import { COMPONENT_CRITICAL_METRIC } from '../component-critical-metric';
import { SignalStore } from '../../signals/signal-store';
import type { RuleSet } from '../compiled-rule';
import { loadRuleFiles } from '../load-rules';
import { ruleErrorsOf } from '../rule-file-errors';
import { RuleEngine } from '../rule-engine';
import { STALE_NAN } from '../stale-marker';
import { checkExprTest, compileExprTest, type CompiledExprTest } from './expr-test';
import { parseInputSeries, type InputSeries } from './input-series';
import { checkAlerts } from './rule-test-checks';
import { ruleTestExtensions } from './rule-test-extensions';
import { ruleTestFileSchema, type RuleTestCase, type RuleTestFile } from './rule-test-schema';

export interface RuleTestFileResult {
  readonly file: string;
  /** Problems loading the test file or its rule files, as `file:line:col: message`. */
  readonly errors: readonly string[];
  /** Failed assertions, readable lines grouped by test. */
  readonly failures: readonly string[];
  readonly ok: boolean;
}

/** Runs one promtool-format unit-test file against the rule files it names (relative to itself). */
export async function runRuleTestFile(file: string): Promise<RuleTestFileResult> {
  let spec: RuleTestFile;
  let source: YamlSource;
  let set: RuleSet;
  try {
    source = YamlSource.parse(file, await readFile(file, 'utf8'));
    spec = source.validate(ruleTestFileSchema());
    set = await loadRuleFiles(spec.rule_files, dirname(file));
  } catch (err) {
    const errors = ruleErrorsOf(err).map((e) => e.message);
    return { file, errors: errors.length ? errors : [`${file}: ${errorMessage(err)}`], failures: [], ok: false };
  }
  const failures: string[] = [];
  const errors: string[] = [];
  spec.tests.forEach((tc, i) => {
    try {
      const lines = runTestCase(set, spec, tc, source, i);
      if (lines.length) failures.push(`    ${tc.name ?? `tests[${i}]`}:`, ...lines.map((l) => `      ${l}`));
    } catch (err) {
      errors.push(err instanceof ConfigError ? err.message : `${file}: tests[${i}]: ${errorMessage(err)}`);
    }
  });
  return { file, errors, failures, ok: errors.length === 0 && failures.length === 0 };
}

/** Parses one part of a test case, naming the file, line and field when it is wrong. */
function parsePart<T>(source: YamlSource, path: Array<string | number>, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new ConfigError(errorMessage(err), { file: source.file, ...source.position(path), field: formatPath(path) });
  }
}

function inputSeries(tc: RuleTestCase, source: YamlSource, testIndex: number): InputSeries[] {
  return tc.input_series.map((s, j) => parsePart(source, ['tests', testIndex, 'input_series', j], () => parseInputSeries(s.series, s.values)));
}

function exprTests(tc: RuleTestCase, source: YamlSource, testIndex: number): CompiledExprTest[] {
  return tc.promql_expr_test.map((t, j) => parsePart(source, ['tests', testIndex, 'promql_expr_test', j], () => compileExprTest(t)));
}

/** Evaluation instants: every evaluation_interval up to the last assertion, plus each assertion's own time. */
function evaluationTimes(spec: RuleTestFile, tc: RuleTestCase): number[] {
  const asserted = [...tc.alert_rule_test.map((a) => a.eval_time), ...tc.promql_expr_test.map((e) => e.eval_time)];
  for (const ext of ruleTestExtensions()) {
    const value = (tc as Record<string, unknown>)[ext.key];
    if (value !== undefined) asserted.push(...ext.evalTimesMs(value));
  }
  const last = Math.max(0, ...asserted);
  const times = new Set<number>(asserted);
  for (let t = 0; t <= last; t += spec.evaluation_interval) times.add(t);
  return [...times].sort((a, b) => a - b);
}

/** promtool's loop: feed samples up to each instant, evaluate every rule, check what is due. */
function runTestCase(set: RuleSet, spec: RuleTestFile, tc: RuleTestCase, source: YamlSource, testIndex: number): string[] {
  const intervalMs = tc.interval ?? spec.evaluation_interval;
  const series = inputSeries(tc, source, testIndex);
  const queries = exprTests(tc, source, testIndex);
  const times = evaluationTimes(spec, tc);
  const lastMs = times[times.length - 1] ?? 0;
  const maxPoints = Math.max(2, ...series.map((s) => s.values.length)) + times.length + 2;
  const store = new SignalStore({ windowMs: lastMs + 24 * 3_600_000, maxPointsPerSeries: maxPoints, stalenessMs: tc.staleness ?? spec.staleness });
  const engine = new RuleEngine({ store });
  const cursor = series.map(() => 0);
  const failures: string[] = [];
  const reportedErrors = new Set<string>();
  times.forEach((t, step) => {
    series.forEach((s, i) => {
      let k = cursor[i] as number;
      for (; k < s.values.length && k * intervalMs <= t; k++) {
        const v = s.values[k];
        // a stale marker is not data: it must not make a component look fresh
        if (v === 'stale') store.appendRaw(s.name, s.labels, STALE_NAN, k * intervalMs, false);
        else if (v !== 'missing' && v !== undefined) store.appendRaw(s.name, s.labels, v, k * intervalMs);
      }
      cursor[i] = k;
    });
    for (const c of tc.components) store.appendRaw(COMPONENT_CRITICAL_METRIC, { component: c.name }, c.critical ? 1 : 0, t, false);
    if (step === 0) engine.replace(set, t);
    else engine.evaluateAll(t);
    failures.push(...ruleErrors(engine, t, reportedErrors));
    const alerts = engine.activeAlerts();
    for (const a of tc.alert_rule_test) if (a.eval_time === t) failures.push(...checkAlerts(a, alerts));
    for (const q of queries) if (q.test.eval_time === t) failures.push(...checkExprTest(q, store, t));
    for (const ext of ruleTestExtensions()) {
      const value = (tc as Record<string, unknown>)[ext.key];
      if (value !== undefined && ext.evalTimesMs(value).includes(t)) failures.push(...ext.check(value, { ruleSet: set, evalTimeMs: t, alerts, components: tc.components, store }));
    }
  });
  return failures;
}

function ruleErrors(engine: RuleEngine, t: number, reported: Set<string>): string[] {
  const out: string[] = [];
  for (const g of engine.groupsStatus()) {
    for (const r of g.rules) {
      const key = `${g.name}/${r.name}: ${r.lastError}`;
      if (r.health === 'err' && !reported.has(key)) {
        reported.add(key);
        out.push(`rule ${r.name} (group ${g.name}) failed to evaluate at ${formatDurationMs(t)}: ${r.lastError}`);
      }
    }
  }
  return out;
}
