import type { Series } from '../signals/series';
import type { SignalStore } from '../signals/signal-store';
import type { Alert, AlertTransition } from './alert';
import { AlertingRule } from './alerting-rule';
import type { CompiledGroup, CompiledRule, RuleSet } from './compiled-rule';
import { longestRangeMs } from './range-window';
import { ruleGroupStatus, type RuleGroupStatus } from './rule-status';
import { scopesFor } from './batch-scopes';
import { historyPlan } from './history-plan';

export type { RuleGroupStatus, RuleStatus } from './rule-status';

export interface RuleEngineOptions {
  store: SignalStore;
  /**
   * A rule that cannot be evaluated incrementally is evaluated at most once per this window under
   * load (the batches in between are caught up by flushDeferred). 0: every batch, exact at every
   * batch (tests, `warden rules test`); Warden runs with limits.rule_coalesce_window. @defaultValue 0
   */
  coalesceMs?: number;
  /**
   * When set, each rule set tells the store which metrics need history (those read with a range)
   * and for how long (the longest range + `marginMs`, one scrape interval); unset keeps every
   * series' history (`warden rules test` evaluates arbitrary expressions at past instants).
   */
  history?: { marginMs: number };
}

/** The series a batch appended, by metric name: what a scoped (incremental) evaluation starts from. */
export type TouchedSeries = ReadonlyMap<string, readonly Series[]>;

interface LoadedGroup {
  readonly group: CompiledGroup;
  readonly rules: readonly AlertingRule[];
  /** Rules the timer must re-evaluate whatever samples arrive (see CompiledRule.timeDriven). */
  readonly timeDriven: readonly AlertingRule[];
  lastTickMs: number;
}

/** Everything `replace` swaps in one assignment, so a reader never sees half a rule set. */
interface Loaded {
  readonly groups: readonly LoadedGroup[];
  readonly all: readonly AlertingRule[];
  /** metric name -> rules selecting it: built at load so a sample costs one lookup (pino's lesson). */
  readonly byMetric: ReadonlyMap<string, readonly AlertingRule[]>;
  readonly anyMetric: readonly AlertingRule[];
}

const NO_TRANSITIONS: AlertTransition[] = Object.freeze([]) as unknown as AlertTransition[];
const EMPTY: Loaded = { groups: [], all: [], byMetric: new Map(), anyMetric: [] };

/**
 * Event-driven rule evaluation (issue 3 §4): a sample re-evaluates only the rules selecting its
 * metric; the timer (`tick`) covers what time alone changes. Pure apart from its own alert state:
 * evaluation errors are recorded on the rule (health "err"), never thrown.
 */
export class RuleEngine {
  readonly #store: SignalStore;
  #loaded: Loaded = EMPTY;
  #epoch = 0;
  readonly #coalesceMs: number;
  readonly #history: { marginMs: number } | undefined;
  /** Rules whose batch evaluation was put off by coalescing: flushDeferred (or the tick) runs them. */
  readonly #deferred = new Set<AlertingRule>();
  #longestRangeMs = 0;
  /** Alerts active before a restart, by fingerprint, until `#restoreUntilMs`. */
  #restorable = new Map<string, Alert>();
  #restoreUntilMs = -Infinity;
  #restoredAtMs = -Infinity;
  #ranges: { readonly loaded: Loaded; readonly byRule: ReadonlyMap<string, number> } | undefined;
  readonly #takeRestorable = (fp: string): Alert | undefined => {
    const a = this.#restorable.get(fp);
    if (a) this.#restorable.delete(fp);
    return a;
  };

  constructor(opts: RuleEngineOptions) {
    this.#store = opts.store;
    this.#coalesceMs = opts.coalesceMs ?? 0;
    this.#history = opts.history;
  }

  /** The longest range any loaded rule or verify expression reads (idle series outlive it plus staleness). */
  get longestRangeMs(): number {
    return this.#longestRangeMs;
  }

  get coalesceMs(): number {
    return this.#coalesceMs;
  }

  /** True when batches left rules for flushDeferred to evaluate. */
  get hasDeferred(): boolean {
    return this.#deferred.size > 0;
  }

  /**
   * Swaps in a new rule set. A rule identical to one already running (same file, group, name,
   * expression and labels) keeps its alerts; removed rules resolve theirs. Every rule of the new
   * set is evaluated once at `nowMs`, so new conditions are detected at once.
   */
  replace(set: RuleSet, nowMs: number): AlertTransition[] {
    const previous = new Map<string, AlertingRule[]>();
    for (const r of this.#loaded.all) {
      const key = identity(r.rule);
      previous.set(key, [...(previous.get(key) ?? []), r]);
    }
    const groups = set.groups.map((group): LoadedGroup => {
      const rules = group.rules.map((compiled) => {
        const rule = new AlertingRule(compiled);
        rule.restoreState = this.#takeRestorable;
        const old = previous.get(identity(compiled))?.shift();
        if (old) rule.adoptStateOf(old);
        return rule;
      });
      return { group, rules, timeDriven: rules.filter((r) => r.rule.timeDriven), lastTickMs: -Infinity };
    });
    const out: AlertTransition[] = [];
    for (const leftovers of previous.values()) for (const r of leftovers) r.resolveAll(nowMs, out);
    this.#loaded = index(groups);
    this.#deferred.clear();
    const plan = historyPlan(set, this.#history?.marginMs ?? 0, this.#store.options.stalenessMs);
    this.#longestRangeMs = plan.longestRangeMs;
    if (this.#history && plan.byMetric) this.#store.planHistory(plan.byMetric);
    for (const r of this.#loaded.all) r.evaluate(this.#store, nowMs, out);
    return out;
  }

  /**
   * Seeds the state of alerts that were active before a restart. One whose condition holds again
   * resumes with its original activeAt/firedAt; one that doesn't is resolved by tick() at `untilMs`,
   * so nothing downstream waits forever for an alert that is gone. Except: an alert whose rule reads
   * a range (`increase(x[5m])`) cannot be judged until post-restart data covers that range (the
   * samples before the restart are gone), so it stays firing, and counts for health, until
   * `restoredAtMs` + the range (fail fast, §11.1: a restart must not clear an integrity violation).
   */
  restore(alerts: readonly Alert[], untilMs: number, restoredAtMs: number = untilMs): void {
    this.#restorable = new Map(alerts.filter((a) => a.state !== 'inactive').map((a) => [a.fingerprint, a]));
    this.#restoreUntilMs = untilMs;
    this.#restoredAtMs = restoredAtMs;
  }

  /**
   * Whether this firing episode was active before a restart and waits for post-restart data to
   * resume or resolve it (until `untilMs`): a remediation job recovered after a restart then waits
   * instead of taking the quiet moment for a cleared condition.
   */
  restoring(fingerprint: string, firedAtMs: number): boolean {
    const a = this.#restorable.get(fingerprint);
    return a !== undefined && a.state === 'firing' && a.firedAtMs === firedAtMs;
  }

  /** Restored alerts held firing because their rule's range is not yet covered (tick() drops them when it is). */
  #heldAlerts(): Alert[] {
    const out: Alert[] = [];
    for (const a of this.#restorable.values()) if (a.state === 'firing' && this.#rangeOf(a) > 0) out.push(a);
    return out;
  }

  /** The longest range the alert's rule (by group and name) reads; 0 for none or a rule no longer loaded. */
  #rangeOf(a: Alert): number {
    if (this.#ranges?.loaded !== this.#loaded) {
      const byRule = new Map<string, number>();
      for (const { rule } of this.#loaded.all) {
        const key = ruleKey(rule.group, rule.name);
        byRule.set(key, Math.max(byRule.get(key) ?? 0, longestRangeMs(rule.expr)));
      }
      this.#ranges = { loaded: this.#loaded, byRule };
    }
    return this.#ranges.byRule.get(ruleKey(a.group, a.name)) ?? 0;
  }

  #expireRestorable(nowMs: number): AlertTransition[] | undefined {
    if (this.#restorable.size === 0 || nowMs < this.#restoreUntilMs) return undefined;
    const out: AlertTransition[] = [];
    let nextMs = Infinity;
    for (const a of this.#restorable.values()) {
      const heldUntilMs = a.state === 'firing' ? this.#restoredAtMs + this.#rangeOf(a) : -Infinity;
      if (nowMs < heldUntilMs) {
        nextMs = Math.min(nextMs, heldUntilMs);
        continue;
      }
      this.#restorable.delete(a.fingerprint);
      out.push({ alert: Object.freeze({ ...a, state: 'inactive', resolvedAtMs: nowMs }), from: a.state, to: 'inactive', atMs: nowMs });
    }
    this.#restoreUntilMs = nextMs;
    return out.length > 0 ? out : undefined;
  }

  /**
   * Re-evaluates the rules selecting any of these metrics, each once: with `touched`, a rule of
   * an incremental shape only for the outputs those series can change; a rule of another shape
   * whole, or (coalescing) later by flushDeferred when it was evaluated less than `coalesceMs` ago.
   */
  onSamples(metricNames: Iterable<string>, nowMs: number, touched?: TouchedSeries): AlertTransition[] {
    const { byMetric, anyMetric } = this.#loaded;
    const epoch = ++this.#epoch;
    let out: AlertTransition[] | undefined;
    for (const name of metricNames) {
      const rules = byMetric.get(name);
      if (rules === undefined) continue;
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i]!;
        if (r.epoch === epoch) continue;
        r.epoch = epoch;
        out = this.#onBatch(r, nowMs, touched, out);
      }
    }
    for (let i = 0; i < anyMetric.length; i++) {
      const r = anyMetric[i]!;
      if (r.epoch !== epoch) {
        r.epoch = epoch;
        out = this.#onBatch(r, nowMs, touched, out);
      }
    }
    return out ?? NO_TRANSITIONS;
  }

  #onBatch(r: AlertingRule, nowMs: number, touched: TouchedSeries | undefined, out: AlertTransition[] | undefined): AlertTransition[] | undefined {
    if (r.shape.kind === 'scoped' && touched !== undefined && !r.needsWholeEvaluation) {
      const scopes = scopesFor(r.shape.partition, r.rule.metricNames, touched);
      if (scopes.length === 0) return out;
      const target = out ?? [];
      r.evaluateScoped(this.#store, nowMs, scopes, target);
      return target.length > 0 ? target : undefined;
    }
    if (r.shape.kind !== 'absent' && this.#coalesceMs > 0 && r.lastEvaluationMs !== undefined && nowMs >= r.lastEvaluationMs && nowMs - r.lastEvaluationMs < this.#coalesceMs) {
      this.#deferred.add(r);
      return out;
    }
    this.#deferred.delete(r);
    return this.#evaluate(r, nowMs, out);
  }

  /** Evaluates the rules coalescing put off (the loop calls it `coalesceMs` after such a batch). */
  flushDeferred(nowMs: number): AlertTransition[] {
    if (this.#deferred.size === 0) return NO_TRANSITIONS;
    let out: AlertTransition[] | undefined;
    for (const r of this.#deferred) out = this.#evaluate(r, nowMs, out);
    this.#deferred.clear();
    return out ?? NO_TRANSITIONS;
  }

  /**
   * Time-driven evaluation: rules whose result can change without a sample (for, keep_firing_for,
   * range functions, absent, aggregations, or/unless), honouring a group's `interval`, plus any rule
   * with pending or firing alerts (their series may have gone stale) or in error. Also evaluates
   * the rules coalescing put off. A whole evaluation each: its cost is ticks/s x series.
   */
  tick(nowMs: number): AlertTransition[] {
    let out: AlertTransition[] | undefined = this.#expireRestorable(nowMs);
    if (this.#deferred.size > 0) {
      const flushed = this.flushDeferred(nowMs);
      if (flushed.length > 0) out = out ? out.concat(flushed) : flushed.slice();
    }
    for (const g of this.#loaded.groups) {
      const due = g.group.intervalMs === undefined || nowMs - g.lastTickMs >= g.group.intervalMs;
      if (due) {
        g.lastTickMs = nowMs;
        for (const r of g.timeDriven) out = this.#evaluate(r, nowMs, out);
      }
      // A failing rule too: its error may have been about series that time has since made stale.
      for (const r of g.rules) if (!r.rule.timeDriven && (r.hasActiveAlerts || r.health === 'err')) out = this.#evaluate(r, nowMs, out);
    }
    return out ?? NO_TRANSITIONS;
  }

  /** Evaluates every rule at `nowMs`, as Prometheus does each interval (used by `warden rules test`). */
  evaluateAll(nowMs: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const r of this.#loaded.all) r.evaluate(this.#store, nowMs, out);
    return out;
  }

  #evaluate(r: AlertingRule, nowMs: number, out: AlertTransition[] | undefined): AlertTransition[] | undefined {
    if (out) {
      r.evaluate(this.#store, nowMs, out);
      return out;
    }
    const fresh: AlertTransition[] = [];
    r.evaluate(this.#store, nowMs, fresh);
    return fresh.length ? fresh : undefined;
  }

  /** How a batch evaluates each loaded rule, in load order (scoped, absent or coalesced). */
  ruleShapes(): string[] {
    return this.#loaded.all.map((r) => r.shape.kind);
  }

  /** Pending and firing alerts of every rule, with restored ones held firing (see restore). */
  activeAlerts(): Alert[] {
    const out: Alert[] = this.#restorable.size > 0 ? this.#heldAlerts() : [];
    for (const r of this.#loaded.all) if (r.hasActiveAlerts) out.push(...r.alerts());
    return out;
  }

  /** Like Prometheus' /api/v1/rules. */
  groupsStatus(): RuleGroupStatus[] {
    return this.#loaded.groups.map((g) => ruleGroupStatus(g.group, g.rules));
  }

  /** How many rules a sample of this metric re-evaluates (rules without a fixed metric name included). */
  rulesSelecting(metricName: string): number {
    return (this.#loaded.byMetric.get(metricName)?.length ?? 0) + this.#loaded.anyMetric.length;
  }
}

// Not the file: a replica may load the same rules from another path (the longest range wins a clash).
const ruleKey = (group: string, name: string) => `${group}\0${name}`;

function identity(r: CompiledRule): string {
  return JSON.stringify([r.file, r.group, r.name, r.exprText, r.labels]);
}

function index(groups: LoadedGroup[]): Loaded {
  const all = groups.flatMap((g) => g.rules);
  const byMetric = new Map<string, AlertingRule[]>();
  const anyMetric: AlertingRule[] = [];
  for (const r of all) {
    for (const name of r.rule.metricNames) {
      const list = byMetric.get(name);
      if (list) list.push(r);
      else byMetric.set(name, [r]);
    }
    if (r.rule.selectsAnyMetric) anyMetric.push(r);
  }
  return { groups, all, byMetric, anyMetric };
}
