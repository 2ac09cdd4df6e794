import { ConfigError } from '../../errors';
import { RuleFileErrors } from '../../rules/rule-file-errors';
import type { LoadedRemediation } from '../../rules/load-rules';
import { executorParamsSchemas } from './params-schemas';

/**
 * Checks each remediation's `params` against its executor's schema at load, so a typo in a rule
 * file is a file:line error (and a rejected reload), not a job that fails when it is needed.
 */
export function checkRemediationParams(remediations: readonly LoadedRemediation[]): void {
  const errors: ConfigError[] = [];
  for (const r of remediations) {
    const result = executorParamsSchemas[r.rule.action].safeParse(r.rule.params);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      const field = ['params', ...issue.path.map(String)].join('.');
      errors.push(new ConfigError(`remediation "${r.rule.name}" (${r.rule.action}): ${issue.message}`, { file: r.file, line: r.line, column: r.column, field }));
    }
  }
  if (errors.length > 0) throw new RuleFileErrors(errors);
}
