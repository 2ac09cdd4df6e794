import type { RemediationRule } from '../rules/remediation-rule-schema';
import { parseTargetTemplate } from '../rules/target-template';
import { unsafeTargetReason } from './target-safety';

/** Counted by warden_remediations_refused_total{reason} and named in the audit entry and incident. */
export type RefusalReason = 'unsafe_target' | 'unknown_target';

export interface TargetRefusal {
  readonly reason: RefusalReason;
  /** In words, for the audit entry and the incident. */
  readonly message: string;
}

type PolicyRule = Pick<RemediationRule, 'name' | 'target' | 'targets'>;

interface RuleAllowList {
  /** The target template has no placeholder: the rule author wrote the target, no label can change it. */
  readonly literal: string | undefined;
  readonly patterns: readonly RegExp[];
}

/**
 * Which targets a remediation may act on (issue 9): a configured component (warden.yaml
 * `components[].name`), a target matching the rule's own `targets:` patterns (anchored like
 * Prometheus matchers), or the literal target a rule without placeholders names. Anything else is
 * refused; a target unsafeTargetReason() rejects is refused whatever the allow-list says.
 */
export class TargetPolicy {
  readonly #components: ReadonlySet<string>;
  // Per rule object (rules are immutable once validated); job data carries copies, so also by text.
  readonly #byRule = new WeakMap<PolicyRule, RuleAllowList>();

  constructor(componentNames: Iterable<string>) {
    this.#components = new Set(componentNames);
  }

  /** Undefined when the rule may act on `target`. */
  check(rule: PolicyRule, target: string): TargetRefusal | undefined {
    const unsafe = unsafeTargetReason(target);
    if (unsafe !== undefined) return { reason: 'unsafe_target', message: `remediation refused: unsafe target ${JSON.stringify(target)}: it ${unsafe}` };
    if (this.#components.has(target)) return undefined;
    const allow = this.#allowList(rule);
    if (allow.literal === target || allow.patterns.some((re) => re.test(target))) return undefined;
    const patterns = rule.targets?.length ? ` nor matches the rule's targets ${JSON.stringify(rule.targets)}` : ' and the rule has no targets: allow-list';
    return { reason: 'unknown_target', message: `remediation refused: unknown target ${JSON.stringify(target)}: it is not a configured component${patterns}` };
  }

  #allowList(rule: PolicyRule): RuleAllowList {
    let a = this.#byRule.get(rule);
    if (a) return a;
    const parts = parseTargetTemplate(rule.target);
    const literal = typeof parts !== 'string' && parts.every((p) => 'text' in p) ? rule.target : undefined;
    a = { literal, patterns: (rule.targets ?? []).map(anchoredTargetPattern) };
    this.#byRule.set(rule, a);
    return a;
  }
}

/** Anchored at both ends like a Prometheus label matcher: the whole target must match. */
export function anchoredTargetPattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}
