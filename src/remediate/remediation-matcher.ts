import type { Alert } from '../rules/alert';
import { compileMatcher, parseMatcher, regexError, type CompiledMatcher } from '../signals/label-matchers';
import type { RemediationRule } from '../rules/remediation-rule-schema';
import { parseTargetTemplate, renderTargetTemplate, type TemplatePart } from '../rules/target-template';
import { compileVerifyTemplate, instantiateVerify, type VerifyTemplate } from '../rules/verify-template';

/** A remediation rule that applies to an alert, with its target rendered from the alert's labels. */
export interface RemediationMatch {
  readonly rule: RemediationRule;
  readonly target: string;
  /** `verify.expr` with the alert's labels filled in, for display (the worker evaluates the parsed tree). */
  readonly verifyExpr?: string;
}

interface CompiledRule {
  readonly matchers: readonly CompiledMatcher[];
  readonly target: readonly TemplatePart[];
  readonly verify: VerifyTemplate | undefined;
}

// Compiled once per (validated, immutable) rule object; a transition then costs lookups only.
const compiled = new WeakMap<RemediationRule, CompiledRule>();

function compile(rule: RemediationRule): CompiledRule {
  let c = compiled.get(rule);
  if (c) return c;
  const equal = (name: string, value: string) => compileMatcher({ name, value, isRegex: false, isEqual: true });
  const matchers: CompiledMatcher[] = [];
  if (rule.on.alert !== undefined) matchers.push(equal('alertname', rule.on.alert));
  for (const [name, value] of Object.entries(rule.on.labels ?? {})) matchers.push(equal(name, value));
  for (const text of rule.on.matchers ?? []) {
    const m = parseMatcher(text);
    // The schema already rejected bad matchers; reaching this means an unvalidated rule was passed.
    const bad = typeof m === 'string' ? m : m.isRegex ? regexError(m.value) : undefined;
    if (bad !== undefined || typeof m === 'string') throw new Error(`remediation ${rule.name}: ${bad}`);
    matchers.push(compileMatcher(m));
  }
  const target = parseTargetTemplate(rule.target);
  if (typeof target === 'string') throw new Error(`remediation ${rule.name}: ${target}`);
  const verify = rule.verify ? compileVerifyTemplate(rule.verify.expr) : undefined;
  if (typeof verify === 'string') throw new Error(`remediation ${rule.name}: verify.expr: ${verify}`);
  c = { matchers, target, verify };
  compiled.set(rule, c);
  return c;
}

export function labelsOf(alert: Pick<Alert, 'name' | 'labels'>): Readonly<Record<string, string>> {
  return alert.labels.alertname === undefined ? { ...alert.labels, alertname: alert.name } : alert.labels;
}

export interface MatchOutcome {
  /** Rules that apply and whose target rendered. */
  readonly matched: RemediationMatch[];
  /** Rules that apply but whose target or verify template names a label the alert lacks: never acted on. */
  readonly unrendered: RemediationRule[];
}

/** Pure: which remediation rules an alert triggers, in rule order. */
export function matchRemediations(alert: Pick<Alert, 'name' | 'labels'>, rules: readonly RemediationRule[]): MatchOutcome {
  const labels = labelsOf(alert);
  const matched: RemediationMatch[] = [];
  const unrendered: RemediationRule[] = [];
  for (const rule of rules) {
    const c = compile(rule);
    if (!c.matchers.every((m) => m.test(labels))) continue;
    const target = renderTargetTemplate(c.target, labels);
    const verify = c.verify && instantiateVerify(c.verify, labels);
    if (target === undefined || (c.verify && verify === undefined)) unrendered.push(rule);
    else matched.push({ rule, target, ...(verify !== undefined ? { verifyExpr: verify.text } : {}) });
  }
  return { matched, unrendered };
}

/** The matched rules with rendered targets (what `warden rules test` compares to exp_remediations). */
export function remediationsFor(alert: Pick<Alert, 'name' | 'labels'>, rules: readonly RemediationRule[]): RemediationMatch[] {
  return matchRemediations(alert, rules).matched;
}
