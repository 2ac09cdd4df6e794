import type { RemediationJobData } from './remediation-job';
import { compileVerifyTemplate, instantiateVerify, type VerifyQuery, type VerifyTemplate } from '../rules/verify-template';

// Jobs carry rule copies, so templates are cached by text; a handful of rules, a handful of entries.
const templates = new Map<string, VerifyTemplate | string>();
const MAX_TEMPLATES = 256;

/**
 * The verify query of a job, built by the worker from the rule's template and the alert's labels
 * (issue 9): never from text rendered elsewhere, so a job queued by an older Warden, whose
 * `verifyExpr` had label values pasted in, cannot smuggle PromQL in. A string says why there is
 * none; the job then counts as not verified.
 */
export function verifyQueryForJob(data: RemediationJobData): VerifyQuery | string {
  const text = data.rule.verify?.expr;
  if (text === undefined) return 'the rule has no verify.expr';
  let t = templates.get(text);
  if (t === undefined) {
    t = compileVerifyTemplate(text);
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(text, t);
  }
  if (typeof t === 'string') return `verify.expr: ${t}`;
  const labels = data.alert.labels.alertname === undefined ? { ...data.alert.labels, alertname: data.alert.name } : data.alert.labels;
  return instantiateVerify(t, labels) ?? `verify.expr names a label the alert lacks (${t.labels.join(', ')})`;
}
