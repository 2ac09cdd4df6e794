import type { EscalationConfig } from '../config/notify-schema';
import { compileMatcher, matchesAll, type CompiledMatcher } from '../signals/label-matchers';

interface CompiledChain {
  readonly name: string;
  readonly matchers: readonly CompiledMatcher[];
  readonly levels: ReadonlyArray<readonly string[]>;
}

/**
 * Which receivers hear about a P0 at each escalation level. Level N (N >= 1) is reached after N
 * ack_timeouts without acknowledgement; past the last level the last level is paged again each
 * ack_timeout, until someone acknowledges (PagerDuty's escalation policies loop the same way).
 */
export class EscalationChains {
  readonly ackTimeoutMs: number;
  /** notify.escalation.ack_reminder; 0 is off. */
  readonly ackReminderMs: number;
  readonly #chains: readonly CompiledChain[];

  constructor(cfg: EscalationConfig) {
    this.ackTimeoutMs = cfg.ack_timeout;
    this.ackReminderMs = cfg.ack_reminder;
    this.#chains = cfg.chains.map((c) => ({ name: c.name, matchers: c.matchers.map(compileMatcher), levels: c.levels.map((l) => l.receivers) }));
  }

  /** Receivers for `level` (1-based) of the first chain matching the labels; [] without a chain. */
  receiversAt(level: number, labels: Readonly<Record<string, string>>): { chain?: string; receivers: readonly string[] } {
    const chain = this.#chains.find((c) => matchesAll(c.matchers, labels));
    if (!chain || level < 1) return { receivers: [] };
    return { chain: chain.name, receivers: chain.levels[Math.min(level, chain.levels.length) - 1] ?? [] };
  }
}
