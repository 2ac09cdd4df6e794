import type { Labels } from '../signals/sample';
import type { Series } from '../signals/series';
import type { SignalStore } from '../signals/signal-store';
import type { Alert, AlertTransition } from './alert';
import { AlertingRule } from './alerting-rule';
import { ALERTS_FOR_STATE_METRIC, ALERTS_METRIC } from './alert-series';
import type { CompiledGroup, CompiledRule, RuleSet } from './compiled-rule';
import type { EvaluationEnv } from './evaluation-env';
import { longestRangeMs } from './range-window';
import { RecordingRule } from './recording-rule';
import { RestoredAlerts } from './restored-alerts';
import { RuleOutput } from './rule-output';
import { RulePass, type PassMode, type TouchedSeries } from './rule-pass';
import { ruleGroupStatus, type RuleGroupStatus } from './rule-status';
import { scopesFor } from './batch-scopes';
import { historyPlan } from './history-plan';

export type { RuleGroupStatus, RuleStatus } from './rule-status';
export type { TouchedSeries } from './rule-pass';

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
  /** Templates' `$externalLabels` / `$externalURL` (warden.yaml `external_labels`). @defaultValue none */
  externalLabels?: Labels;
  externalURL?: string;
  /** Write ALERTS / ALERTS_FOR_STATE always, not only when a loaded rule reads them (`warden rules test`). */
  alertSeries?: 'always' | 'when-read';
  /** A subquery without a step steps by this. @defaultValue 60 s */
  subqueryStepMs?: number;
}

/** A rule as the engine runs it. */
export type EngineRule = AlertingRule | RecordingRule;

interface LoadedGroup {
  readonly group: CompiledGroup;
  readonly rules: readonly EngineRule[];
  /** Rules the timer must re-evaluate whatever samples arrive (see CompiledRule.timeDriven). */
  readonly timeDriven: readonly EngineRule[];
  lastTickMs: number;
}

/** Everything `replace` swaps in one assignment, so a reader never sees half a rule set. */
interface Loaded {
  readonly groups: readonly LoadedGroup[];
  /** In load order: a rule's position is its `index` (RulePass). */
  readonly all: readonly EngineRule[];
  readonly alerting: readonly AlertingRule[];
  /** metric name -> rules selecting it: built at load so a sample costs one lookup (pino's lesson). */
  readonly byMetric: ReadonlyMap<string, readonly EngineRule[]>;
  readonly anyMetric: readonly EngineRule[];
  /** True when some rule's output (recorded series, ALERTS) is read by a rule: passes run in load order. */
  readonly chained: boolean;
  readonly env: EvaluationEnv;
}

const NO_TRANSITIONS: AlertTransition[] = Object.freeze([]) as unknown as AlertTransition[];

/**
 * Event-driven rule evaluation (issue 3 §4): a sample re-evaluates only the rules selecting its
 * metric; the timer (`tick`) covers what time alone changes. Recording rules write their output
 * to the store (and alerting rules ALERTS, when something reads them), which the rules after them
 * read in the same pass (RulePass). Evaluation errors are recorded on the rule, never thrown.
 */
export class RuleEngine {
  readonly #store: SignalStore;
  readonly #opts: RuleEngineOptions;
  readonly #output: RuleOutput;
  #loaded: Loaded;
  #epoch = 0;
  readonly #coalesceMs: number;
  /** Rules whose batch evaluation was put off by coalescing: flushDeferred (or the tick) runs them. */
  readonly #deferred = new Set<EngineRule>();
  /** Rule output read by rules at or before its writer: handed to them at the next tick. */
  #carried = new Map<string, Set<Series>>();
  #longestRangeMs = 0;
  readonly #restored = new RestoredAlerts((a) => this.#rangeOf(a));
  #ranges: { readonly loaded: Loaded; readonly byRule: ReadonlyMap<string, number> } | undefined;

  constructor(opts: RuleEngineOptions) {
    this.#store = opts.store;
    this.#opts = opts;
    this.#output = new RuleOutput(opts.store);
    this.#coalesceMs = opts.coalesceMs ?? 0;
    this.#loaded = index([], this.#env(false));
  }

  #env(alertSeries: boolean): EvaluationEnv {
    const o = this.#opts;
    return { store: this.#store, output: this.#output, alertSeries: o.alertSeries === 'always' || alertSeries, externalLabels: o.externalLabels ?? {}, externalURL: o.externalURL ?? '', subqueryStepMs: o.subqueryStepMs ?? 60_000 };
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
   * Swaps in a new rule set. A rule identical to one already running (same file, group, kind,
   * name, expression and labels) keeps its state; removed rules resolve their alerts and mark
   * their series stale. Every rule of the new set is evaluated once at `nowMs`, in order.
   */
  replace(set: RuleSet, nowMs: number): AlertTransition[] {
    const previous = new Map<string, EngineRule[]>();
    for (const r of this.#loaded.all) {
      const key = identity(r.rule);
      previous.set(key, [...(previous.get(key) ?? []), r]);
    }
    let position = 0;
    const groups = set.groups.map((group): LoadedGroup => {
      const rules = group.rules.map((compiled) => {
        const rule = compiled.kind === 'recording' ? new RecordingRule(compiled, position++) : new AlertingRule(compiled, position++);
        if (rule instanceof AlertingRule) rule.restoreState = this.#restored.take;
        const old = previous.get(identity(compiled))?.shift();
        if (old) adopt(rule, old);
        return rule;
      });
      return { group, rules, timeDriven: rules.filter((r) => r.rule.timeDriven), lastTickMs: -Infinity };
    });
    const out: AlertTransition[] = [];
    const oldEnv = this.#loaded.env;
    for (const leftovers of previous.values()) for (const r of leftovers) r.resolveAll(oldEnv, nowMs, out);
    this.#output.take();
    this.#loaded = index(groups, this.#env(readsAlertSeries(set)));
    this.#deferred.clear();
    this.#carried.clear();
    const plan = historyPlan(set, this.#opts.history?.marginMs ?? 0, this.#store.options.stalenessMs);
    this.#longestRangeMs = plan.longestRangeMs;
    if (this.#opts.history && plan.byMetric) this.#store.planHistory(plan.byMetric);
    return this.#wholePass(nowMs, out);
  }

  /** Seeds alerts that were active before a restart (see RestoredAlerts): until `untilMs`, their rule may take them back. */
  restore(alerts: readonly Alert[], untilMs: number, restoredAtMs: number = untilMs): void {
    this.#restored.set(alerts, untilMs, restoredAtMs);
  }

  /** The longest range the alert's rule (by group and name) reads; 0 for none or a rule no longer loaded. */
  #rangeOf(a: Alert): number {
    if (this.#ranges?.loaded !== this.#loaded) {
      const byRule = new Map<string, number>();
      for (const { rule } of this.#loaded.alerting) {
        const key = ruleKey(rule.group, rule.name);
        byRule.set(key, Math.max(byRule.get(key) ?? 0, longestRangeMs(rule.expr)));
      }
      this.#ranges = { loaded: this.#loaded, byRule };
    }
    return this.#ranges.byRule.get(ruleKey(a.group, a.name)) ?? 0;
  }

  /**
   * Re-evaluates the rules selecting any of these metrics, each once: with `touched`, a rule of
   * an incremental shape only for the outputs those series can change; a rule of another shape
   * whole, or (coalescing) later by flushDeferred when it was evaluated less than `coalesceMs` ago.
   */
  onSamples(metricNames: Iterable<string>, nowMs: number, touched?: TouchedSeries): AlertTransition[] {
    const { byMetric, anyMetric, chained } = this.#loaded;
    const epoch = ++this.#epoch;
    if (chained) {
      const pass = new RulePass<EngineRule>(epoch);
      for (const name of metricNames) for (const r of byMetric.get(name) ?? []) pass.add(r, 'batch');
      for (const r of anyMetric) pass.add(r, 'batch');
      return this.#run(pass, nowMs, touched);
    }
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

  /** Evaluates a pass's rules in load order, handing what each writes to the rules after it. */
  #run(pass: RulePass<EngineRule>, nowMs: number, touched: TouchedSeries | undefined, carry = true): AlertTransition[] {
    let out: AlertTransition[] | undefined;
    const { byMetric, anyMetric } = this.#loaded;
    this.#output.take();
    pass.run(
      {
        evaluate: (r: EngineRule, mode: PassMode, seen: TouchedSeries | undefined) => {
          out = mode === 'whole' ? this.#evaluate(r, nowMs, out) : this.#onBatch(r, nowMs, seen, out);
          return this.#output.take();
        },
        readers: (metric: string) => [...(byMetric.get(metric) ?? []), ...anyMetric],
        carry: (metric: string, series: readonly Series[]) => {
          if (!carry) return;
          const set = this.#carried.get(metric) ?? new Set<Series>();
          for (const s of series) set.add(s);
          this.#carried.set(metric, set);
        },
      },
      touched,
    );
    return out ?? NO_TRANSITIONS;
  }

  #onBatch(r: EngineRule, nowMs: number, touched: TouchedSeries | undefined, out: AlertTransition[] | undefined): AlertTransition[] | undefined {
    const env = this.#loaded.env;
    if (r.shape.kind === 'scoped' && touched !== undefined && !r.needsWholeEvaluation) {
      const scopes = scopesFor(r.shape.partition, r.rule.metricNames, touched);
      if (scopes.length === 0) return out;
      const target = out ?? [];
      r.evaluateScoped(env, nowMs, scopes, target);
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
    const pass = new RulePass<EngineRule>(++this.#epoch);
    for (const r of this.#deferred) pass.add(r, 'whole');
    this.#deferred.clear();
    return this.#run(pass, nowMs, undefined);
  }

  /**
   * Time-driven evaluation: rules whose result can change without a sample (for, keep_firing_for,
   * range functions, absent, aggregations, or/unless, recording rules), honouring a group's
   * `interval`, plus any rule with pending or firing alerts (their series may have gone stale) or
   * in error, the rules coalescing put off, and the readers of output carried from earlier passes.
   * A whole evaluation each: its cost is ticks/s x series.
   */
  tick(nowMs: number): AlertTransition[] {
    const expired = this.#restored.expire(nowMs);
    const pass = new RulePass<EngineRule>(++this.#epoch);
    for (const r of this.#deferred) pass.add(r, 'whole');
    this.#deferred.clear();
    for (const g of this.#loaded.groups) {
      const due = g.group.intervalMs === undefined || nowMs - g.lastTickMs >= g.group.intervalMs;
      if (due) {
        g.lastTickMs = nowMs;
        for (const r of g.timeDriven) pass.add(r, 'whole');
      }
      // A failing rule too: its error may have been about series that time has since made stale.
      for (const r of g.rules) if (!r.rule.timeDriven && (r.hasActiveAlerts || r.health === 'err')) pass.add(r, 'whole');
    }
    const carried = this.#takeCarried(pass);
    const out = pass.size > 0 ? this.#run(pass, nowMs, carried) : NO_TRANSITIONS;
    if (!expired) return out;
    return out.length > 0 ? expired.concat(out) : expired;
  }

  #takeCarried(pass: RulePass<EngineRule>): TouchedSeries | undefined {
    if (this.#carried.size === 0) return undefined;
    const touched = new Map<string, Series[]>();
    const { byMetric, anyMetric } = this.#loaded;
    for (const [metric, series] of this.#carried) {
      touched.set(metric, [...series]);
      for (const r of byMetric.get(metric) ?? []) pass.add(r, 'batch');
      for (const r of anyMetric) pass.add(r, 'batch');
    }
    this.#carried = new Map();
    return touched;
  }

  /** Evaluates every rule at `nowMs` in load order, as Prometheus does each interval (`warden rules test`). */
  evaluateAll(nowMs: number): AlertTransition[] {
    return this.#wholePass(nowMs, []);
  }

  #wholePass(nowMs: number, out: AlertTransition[]): AlertTransition[] {
    const env = this.#loaded.env;
    for (const r of this.#loaded.all) r.evaluate(env, nowMs, out);
    this.#output.take();
    return out;
  }

  #evaluate(r: EngineRule, nowMs: number, out: AlertTransition[] | undefined): AlertTransition[] | undefined {
    const env = this.#loaded.env;
    if (out) {
      r.evaluate(env, nowMs, out);
      return out;
    }
    const fresh: AlertTransition[] = [];
    r.evaluate(env, nowMs, fresh);
    return fresh.length ? fresh : undefined;
  }

  /** How a batch evaluates each loaded rule, in load order (scoped, absent or coalesced). */
  ruleShapes(): string[] {
    return this.#loaded.all.map((r) => r.shape.kind);
  }

  /**
   * True for an alert restored firing (with this firing start) that no evaluation has seen again
   * since the restart, nor resolved yet: whether it still fires is not known until fresh data comes.
   */
  awaitingRestore(fingerprint: string, firedAtMs: number): boolean {
    const a = this.#restored.get(fingerprint);
    return a !== undefined && a.state === 'firing' && a.firedAtMs === firedAtMs;
  }

  /** Pending and firing alerts of every rule, with restored ones held firing (see restore). */
  activeAlerts(): Alert[] {
    const out: Alert[] = this.#restored.size > 0 ? this.#restored.held() : [];
    for (const r of this.#loaded.alerting) if (r.hasActiveAlerts) out.push(...r.alerts());
    return out;
  }

  /** Like Prometheus' /api/v1/rules. */
  groupsStatus(): RuleGroupStatus[] {
    return this.#loaded.groups.map((g) => ruleGroupStatus(g.group, g.rules));
  }

  /** Evaluations per group so far (like Prometheus' prometheus_rule_evaluations_total{rule_group}). */
  evaluationCounts(): Array<{ group: string; evaluations: number }> {
    return this.#loaded.groups.map((g) => ({ group: g.group.name, evaluations: g.rules.reduce((n, r) => n + r.evaluations, 0) }));
  }

  /** How many rules a sample of this metric re-evaluates (rules without a fixed metric name included). */
  rulesSelecting(metricName: string): number {
    return (this.#loaded.byMetric.get(metricName)?.length ?? 0) + this.#loaded.anyMetric.length;
  }
}

// Not the file: a replica may load the same rules from another path (the longest range wins a clash).
const ruleKey = (group: string, name: string) => `${group}\0${name}`;

function identity(r: CompiledRule): string {
  return JSON.stringify([r.file, r.group, r.kind, r.name, r.exprText, r.labels, r.queryOffsetMs]);
}

function adopt(rule: EngineRule, old: EngineRule): void {
  if (rule instanceof AlertingRule && old instanceof AlertingRule) rule.adoptStateOf(old);
  else if (rule instanceof RecordingRule && old instanceof RecordingRule) rule.adoptStateOf(old);
}

/** Whether a loaded rule can read ALERTS: by name, through a selector of any metric, or a template's `query`. */
function readsAlertSeries(set: RuleSet): boolean {
  for (const g of set.groups) {
    for (const r of g.rules) {
      if (r.selectsAnyMetric || r.metricNames.includes(ALERTS_METRIC) || r.metricNames.includes(ALERTS_FOR_STATE_METRIC)) return true;
      if (r.kind === 'alerting' && r.templatesQuery) return true;
    }
  }
  return false;
}

function index(groups: LoadedGroup[], env: EvaluationEnv): Loaded {
  const all = groups.flatMap((g) => g.rules);
  const byMetric = new Map<string, EngineRule[]>();
  const anyMetric: EngineRule[] = [];
  for (const r of all) {
    for (const name of r.rule.metricNames) {
      const list = byMetric.get(name);
      if (list) list.push(r);
      else byMetric.set(name, [r]);
    }
    if (r.rule.selectsAnyMetric) anyMetric.push(r);
  }
  const written = new Set<string>();
  for (const r of all) if (r.rule.kind === 'recording') written.add(r.rule.name);
  if (env.alertSeries) written.add(ALERTS_METRIC).add(ALERTS_FOR_STATE_METRIC);
  const chained = [...written].some((m) => byMetric.has(m)) || (written.size > 0 && anyMetric.length > 0);
  const alerting = all.filter((r): r is AlertingRule => r instanceof AlertingRule);
  return { groups, all, alerting, byMetric, anyMetric, chained, env };
}
