import { ConfigError } from '../errors';

/**
 * Every problem found in one or more rule files, each a ConfigError naming file:line:col. The message
 * lists them one per line, so a rejected reload shows the author everything to fix at once.
 */
export class RuleFileErrors extends ConfigError {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    const first = errors[0] as ConfigError;
    super(first.detail, { file: first.file, line: first.line, column: first.column, field: first.field });
    this.name = 'RuleFileErrors';
    this.errors = errors;
    this.message = errors.map((e) => e.message).join('\n');
  }
}

/** The individual errors of anything a rule loader throws. */
export function ruleErrorsOf(err: unknown): ConfigError[] {
  if (err instanceof RuleFileErrors) return [...err.errors];
  if (err instanceof ConfigError) return [err];
  return [];
}
