import type { InhibitRuleConfig } from '../config/notify-schema';
import { compileMatcher, formatMatcher, matchesAll, type CompiledMatcher } from '../signals/label-matchers';

export interface FiringAlertRef {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface CompiledRule {
  readonly source: readonly CompiledMatcher[];
  readonly target: readonly CompiledMatcher[];
  readonly equal: readonly string[];
  readonly text: string;
}

/**
 * Alertmanager's inhibitor: a firing alert matching a rule's source matchers mutes alerts matching
 * its target matchers when the `equal` labels agree ("trading halted" mutes lag alerts; a component
 * down mutes its own lag alerts with equal: [component]). An alert matching both sides is never
 * inhibited by itself. Muted sources still inhibit, as in Alertmanager.
 */
export class Inhibitor {
  readonly #rules: readonly CompiledRule[];

  constructor(rules: readonly InhibitRuleConfig[]) {
    this.#rules = rules.map((r) => ({
      source: r.source_matchers.map(compileMatcher),
      target: r.target_matchers.map(compileMatcher),
      equal: r.equal,
      text: `{${r.source_matchers.map(formatMatcher).join(',')}}`,
    }));
  }

  /** Fingerprints of the firing alerts inhibiting `target` (Alertmanager's `inhibitedBy`). */
  inhibitingFingerprints(target: FiringAlertRef, firing: Iterable<FiringAlertRef>): string[] {
    const candidates = this.#rules.filter((r) => matchesAll(r.target, target.labels));
    if (candidates.length === 0) return [];
    const out: string[] = [];
    for (const source of firing) {
      if (source.fingerprint === target.fingerprint) continue;
      if (candidates.some((r) => matchesAll(r.source, source.labels) && r.equal.every((l) => (source.labels[l] ?? '') === (target.labels[l] ?? '')))) out.push(source.fingerprint);
    }
    return out;
  }

  /** Why `target` is inhibited (the rule's source and the inhibiting alert), or undefined. */
  inhibitedBy(target: FiringAlertRef, firing: Iterable<FiringAlertRef>): string | undefined {
    const candidates = this.#rules.filter((r) => matchesAll(r.target, target.labels));
    if (candidates.length === 0) return undefined;
    for (const source of firing) {
      if (source.fingerprint === target.fingerprint) continue;
      for (const r of candidates) {
        if (!matchesAll(r.source, source.labels)) continue;
        if (r.equal.every((l) => (source.labels[l] ?? '') === (target.labels[l] ?? ''))) {
          return `inhibited by ${source.labels.alertname ?? source.fingerprint} (rule ${r.text})`;
        }
      }
    }
    return undefined;
  }
}
