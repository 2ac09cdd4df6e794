import type { LabelMatcher } from './promql-ast';

/** Whether a label value (empty string for a missing label, as in Prometheus) satisfies a matcher. */
export function matchesLabel(m: LabelMatcher, value: string): boolean {
  switch (m.type) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return (m.regex as RegExp).test(value);
    case '!~':
      return !(m.regex as RegExp).test(value);
  }
}
