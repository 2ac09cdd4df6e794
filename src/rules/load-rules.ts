import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import fg from 'fast-glob';
import { isScalar } from 'yaml';
import { ConfigError, errorMessage } from '../errors';
import { YamlSource } from '../config/yaml-source';
import { remediationRuleSchema } from './remediation-rule-schema';
import type { CompiledGroup, CompiledRule, LoadedRemediation, RuleFile, RuleSet } from './compiled-rule';
import { compileRecordingRule, compileRule, RuleTemplateErrors } from './compile-rule';
import { parsePromql } from './promql-parse';
import { PromqlError } from './promql-error';
import { RuleFileErrors, ruleErrorsOf } from './rule-file-errors';
import { alertingRuleSchema, recordingRuleSchema, ruleFileSchema, type AlertingRuleInput, type RecordingRuleInput, type RuleGroupInput } from './rule-file-schema';

export type { CompiledGroup, CompiledRule, LoadedRemediation, RuleFile, RuleSet } from './compiled-rule';

/**
 * Parses and compiles one rule file (Prometheus' rule format, alerting and recording rules, plus
 * Warden's `remediations:`).
 * Throws RuleFileErrors listing every problem as file:line:col, or ConfigError for broken YAML.
 */
export function parseRuleFile(file: string, text: string): RuleFile {
  const source = YamlSource.parse(file, text);
  const errors: ConfigError[] = [];
  const raw = source.toJS();
  const parsed = ruleFileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors.push(source.errorFor(issue));
    throw new RuleFileErrors(errors);
  }
  const groups: CompiledGroup[] = [];
  const seenGroups = new Map<string, number>();
  parsed.data.groups.forEach((g, gi) => {
    const previous = seenGroups.get(g.name);
    if (previous !== undefined) {
      const pos = source.position(['groups', gi, 'name']);
      errors.push(new ConfigError(`duplicate group name "${g.name}" (first defined in groups[${previous}])`, { file, ...pos, field: `groups[${gi}].name` }));
      return;
    }
    seenGroups.set(g.name, gi);
    groups.push(compileGroup(source, text, g, gi, errors));
  });
  const remediations = loadRemediations(source, parsed.data.remediations, errors);
  if (errors.length) throw new RuleFileErrors(errors);
  return { file, groups, remediations };
}

type RuleKind = 'alerting' | 'recording';

/** Which schema checks a rule; Prometheus' messages when it has both `alert` and `record`, or neither. */
function ruleKind(source: YamlSource, input: unknown, path: PropertyKey[], field: string, errors: ConfigError[]): RuleKind | undefined {
  const r = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const hasAlert = r.alert !== undefined && r.alert !== null && r.alert !== '';
  const hasRecord = r.record !== undefined && r.record !== null && r.record !== '';
  if (hasAlert && hasRecord) {
    errors.push(new ConfigError("only one of 'record' and 'alert' must be set", { file: source.file, ...source.keyPosition(path, 'record'), field: `${field}.record` }));
    return undefined;
  }
  if (!hasAlert && !hasRecord) {
    errors.push(new ConfigError("one of 'record' or 'alert' must be set", { file: source.file, ...source.position(path), field }));
    return undefined;
  }
  return hasRecord ? 'recording' : 'alerting';
}

function compileGroup(source: YamlSource, text: string, g: RuleGroupInput, gi: number, errors: ConfigError[]): CompiledGroup {
  const rules: CompiledRule[] = [];
  g.rules.forEach((input, ri) => {
    const path = ['groups', gi, 'rules', ri];
    const field = `groups[${gi}].rules[${ri}]`;
    const kind = ruleKind(source, input, path, field, errors);
    if (kind === undefined) return;
    const checked = kind === 'recording' ? recordingRuleSchema.safeParse(input) : alertingRuleSchema.safeParse(input);
    if (!checked.success) {
      for (const issue of checked.error.issues) errors.push(source.errorFor(issue, path));
      return;
    }
    let expr;
    try {
      expr = parsePromql(checked.data.expr);
    } catch (err) {
      if (!(err instanceof PromqlError)) throw err;
      const pos = exprPosition(source, text, [...path, 'expr'], err.offset);
      errors.push(new ConfigError(err.message, { file: source.file, ...pos, field: `${field}.expr` }));
      return;
    }
    const where = { group: g.name, file: source.file, line: source.position(path)?.line ?? 0, groupLabels: g.labels, limit: g.limit, queryOffsetMs: g.query_offset };
    if (kind === 'recording') {
      rules.push(compileRecordingRule(checked.data as RecordingRuleInput, expr, where));
      return;
    }
    try {
      rules.push(compileRule(checked.data as AlertingRuleInput, expr, where));
    } catch (err) {
      if (err instanceof RuleTemplateErrors) {
        for (const p of err.problems) {
          const pos = exprPosition(source, text, [...path, p.field, p.key], p.error.offset);
          errors.push(new ConfigError(p.error.message, { file: source.file, ...pos, field: `${field}.${p.field}.${p.key}` }));
        }
        return;
      }
      const pos = source.position(path);
      errors.push(new ConfigError(errorMessage(err), { file: source.file, ...pos, field }));
    }
  });
  return { name: g.name, file: source.file, intervalMs: g.interval, rules };
}

/** Where character `offset` of an expr value is in the file (exact for one-line and block scalars). */
function exprPosition(source: YamlSource, text: string, path: PropertyKey[], offset: number): { line: number; column: number } | undefined {
  const start = source.position(path);
  const node = source.doc.getIn(path as unknown[], true);
  if (!start || !isScalar(node)) return start;
  const before = String(node.value).slice(0, offset).split('\n');
  const lineInValue = before.length - 1;
  const colInLine = (before[before.length - 1] as string).length;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const lines = text.split('\n');
    // content starts below the `|` line, indented by the block's indentation (its first content line's)
    let first = start.line;
    while (first < lines.length && (lines[first] ?? '').trim() === '') first++;
    const indent = /^ */.exec(lines[first] ?? '')?.[0].length ?? 0;
    const line = first + 1 + lineInValue;
    return { line, column: indent + 1 + colInLine };
  }
  if (lineInValue > 0) return { line: start.line + lineInValue, column: 1 };
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
  return { line: start.line, column: start.column + quoted + colInLine };
}

function loadRemediations(source: YamlSource, entries: readonly unknown[], errors: ConfigError[]): LoadedRemediation[] {
  const out: LoadedRemediation[] = [];
  entries.forEach((entry, i) => {
    const result = remediationRuleSchema.safeParse(entry);
    if (!result.success) {
      for (const issue of result.error.issues) errors.push(source.errorFor(issue, ['remediations', i]));
      return;
    }
    const pos = source.position(['remediations', i]) ?? { line: 0, column: 0 };
    out.push({ rule: result.data, file: source.file, line: pos.line, column: pos.column });
  });
  return out;
}

/**
 * Loads every file the globs name (relative to baseDir). A glob that matches nothing is fine; a
 * plain path (no glob characters) that does not exist is an error. All-or-nothing: any error
 * throws RuleFileErrors and returns no rules, so a reload keeps the previous set.
 */
export async function loadRuleFiles(globs: readonly string[], baseDir: string): Promise<RuleSet> {
  const files: string[] = [];
  const errors: ConfigError[] = [];
  for (const pattern of globs) {
    const absolute = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
    if (!fg.isDynamicPattern(pattern)) {
      if (!existsSync(absolute)) errors.push(new ConfigError('rule file not found', { file: absolute }));
      else if (!files.includes(absolute)) files.push(absolute);
      continue;
    }
    const glob = isAbsolute(pattern) ? pattern : `${fg.convertPathToPattern(baseDir)}/${pattern.replace(/^\.\//, '')}`;
    const found = await fg(glob, { absolute: true, onlyFiles: true });
    for (const f of found.sort()) if (!files.includes(f)) files.push(f);
  }
  const parsed: RuleFile[] = [];
  for (const file of files) {
    try {
      parsed.push(parseRuleFile(file, await readFile(file, 'utf8')));
    } catch (err) {
      const list = ruleErrorsOf(err);
      if (list.length === 0) errors.push(new ConfigError(errorMessage(err), { file }));
      else errors.push(...list);
    }
  }
  if (errors.length) throw new RuleFileErrors(errors);
  return { files, groups: parsed.flatMap((p) => p.groups), remediations: parsed.flatMap((p) => p.remediations) };
}
