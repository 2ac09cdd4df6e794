import type { Labels } from '../signals/sample';
import { errorMessage } from '../errors';
import type { Alert, AlertState, AlertTransition } from './alert';
import { renderTemplate, type TemplateContext } from './annotation-template';
import type { CompiledAlertingRule } from './compiled-rule';
import { fingerprint } from './fingerprint';
import type { Scope } from './promql-selectors';
import { evaluationShape, type EvaluationShape } from './incremental-shape';
import { Postings } from '../signals/postings';
import { EvaluationError, type InstantVector, type VectorElement } from './promql-values';
import { evaluateRuleExpr, templateContext, type EvaluationEnv } from './evaluation-env';
import { writeAlertSeries, type AlertSeriesSource } from './alert-series';
import { itemsInScopes } from './scoped-items';

export type RuleHealth = 'unknown' | 'ok' | 'err';

/** One pending or firing alert of a rule; mutable inside the rule, handed out as frozen snapshots. */
interface ActiveAlert extends AlertSeriesSource {
  readonly fingerprint: string;
  /** The fingerprint again, as itemsInScopes looks items up. */
  readonly key: string;
  labels: Labels;
  /** The output element's labels (before rule labels): what an incremental scope is checked against. */
  readonly outputLabels: Labels;
  annotations: Readonly<Record<string, string>>;
  state: 'pending' | 'firing';
  readonly activeAtMs: number;
  firedAtMs?: number;
  value: number;
  /** keep_firing_for: when the condition stopped holding while firing. */
  keepFiringSinceMs?: number;
  snapshot?: Alert;
}

interface Candidate {
  readonly labels: Labels;
  readonly fingerprint: string;
  readonly el: VectorElement;
}

/**
 * An alerting rule and its alerts: the state machine of Prometheus' rules/alerting.go Eval.
 * inactive -> pending -> firing once the condition held for `for`; `keep_firing_for` holds a firing
 * alert after the condition stops; a resolved alert is reported once (one transition) and dropped.
 */
export class AlertingRule {
  readonly rule: CompiledAlertingRule;
  #active = new Map<string, ActiveAlert>();
  health: RuleHealth = 'unknown';
  lastError: string | undefined;
  lastEvaluationMs: number | undefined;
  evaluationTimeMs = 0;
  /** Evaluations so far, whole or scoped (warden_rule_evaluations_total); kept across a reload. */
  evaluations = 0;
  /** Set by the engine to evaluate a rule once per batch however many of its metrics arrived. */
  epoch = 0;
  /**
   * Set by the engine after a restart: the persisted state of an alert that was active before, so
   * it resumes with its original activeAt/firedAt (Prometheus' `for` state restoration) and
   * downstream idempotency keys built from firedAt stay the same.
   */
  restoreState: ((fingerprint: string) => Alert | undefined) | undefined;
  /** How a batch re-evaluates this rule (incremental-shape.ts). */
  readonly shape: EvaluationShape;
  /**
   * Set when an evaluation failed (e.g. two outputs collide into one alert): until a whole
   * evaluation succeeds, batches evaluate the whole rule, so the rule reports the error as a
   * whole evaluation would (evaluateAll), not only for the part a batch touched.
   */
  needsWholeEvaluation = false;
  /** Active alerts by output label pair, so a scoped evaluation finds its alerts in O(scope). */
  #byOutput: Postings<ActiveAlert> | undefined;

  readonly #staticLabels: boolean;
  #template: TemplateContext | undefined;
  #templateFor: () => TemplateContext = () => ({});
  readonly #identity = new WeakMap<Labels, { labels: Labels; fingerprint: string }>();

  /** Position in load order (RulePass evaluates in it). */
  readonly index: number;

  constructor(rule: CompiledAlertingRule, index = 0) {
    this.rule = rule;
    this.index = index;
    this.#staticLabels = rule.labelTemplates.every(([, t]) => t.isConstant);
    this.shape = evaluationShape(rule.expr, rule.labelTemplates.map(([k]) => k));
    if (this.shape.kind === 'scoped') this.#byOutput = new Postings();
  }

  #track(a: ActiveAlert): void {
    this.#active.set(a.fingerprint, a);
    this.#byOutput?.add(a, a.outputLabels);
  }

  #untrack(a: ActiveAlert): void {
    this.#active.delete(a.fingerprint);
    this.#byOutput?.remove(a, a.outputLabels);
  }

  get hasActiveAlerts(): boolean {
    return this.#active.size > 0;
  }

  /** Takes over the alerts of the rule this one replaces on reload (same rule, state kept). */
  adoptStateOf(previous: AlertingRule): void {
    this.#active = previous.#active;
    if (this.#byOutput) for (const a of this.#active.values()) this.#byOutput.add(a, a.outputLabels);
    this.health = previous.health;
    this.lastError = previous.lastError;
    this.lastEvaluationMs = previous.lastEvaluationMs;
    this.evaluationTimeMs = previous.evaluationTimeMs;
    this.evaluations = previous.evaluations;
  }

  /** Evaluates at `nowMs` and appends the alert transitions to `out`. Never throws. */
  evaluate(env: EvaluationEnv, nowMs: number, out: AlertTransition[]): void {
    const started = performance.now();
    const first = out.length;
    try {
      const atMs = nowMs - this.rule.queryOffsetMs;
      const result = evaluateRuleExpr(env, this.rule.expr, atMs);
      const vector: InstantVector = result.type === 'scalar' ? [{ name: undefined, labels: {}, value: result.value }] : result.vector;
      // the common case on the hot path: nothing holds and nothing was active
      if (vector.length > 0 || this.#active.size > 0) {
        const candidates = this.#candidates(vector, env, nowMs);
        this.#checkLimit(candidates.size);
        this.#apply(candidates, nowMs, out);
      }
      if (env.alertSeries) this.#writeSeries(env, this.#active.values(), out, first, atMs);
      this.health = 'ok';
      this.lastError = undefined;
      this.needsWholeEvaluation = false;
    } catch (err) {
      this.#failed(err);
    }
    this.lastEvaluationMs = nowMs;
    this.evaluationTimeMs = performance.now() - started;
    this.evaluations++;
  }

  /**
   * Evaluates only the outputs inside `scopes` (the ones the touched series can change; see
   * incremental-shape.ts) and settles only their alerts: the same transitions a whole evaluation
   * at `nowMs` makes for them, while every other alert is left as it is.
   */
  evaluateScoped(env: EvaluationEnv, nowMs: number, scopes: readonly Scope[], out: AlertTransition[]): void {
    const started = performance.now();
    const first = out.length;
    try {
      const atMs = nowMs - this.rule.queryOffsetMs;
      const result = evaluateRuleExpr(env, this.rule.expr, atMs, scopes);
      if (result.type !== 'vector') throw new EvaluationError('a scoped rule must yield a vector');
      const inScope = itemsInScopes(this.#active, this.#byOutput as Postings<ActiveAlert>, scopes, (a) => a.outputLabels);
      let candidates: Map<string, Candidate> | undefined;
      if (result.vector.length > 0 || inScope.size > 0) {
        candidates = this.#candidates(result.vector, env, nowMs);
        this.#checkLimit(this.#active.size - inScope.size + candidates.size);
        this.#apply(candidates, nowMs, out, inScope);
      }
      if (env.alertSeries && candidates) this.#writeSeries(env, this.#settled(candidates, inScope), out, first, atMs);
      this.health = 'ok';
      this.lastError = undefined;
    } catch (err) {
      this.#failed(err);
    }
    this.lastEvaluationMs = nowMs;
    this.evaluationTimeMs = performance.now() - started;
    this.evaluations++;
  }

  /** The group's `limit`: more alerts is an evaluation error (the alerts stay as they were; Prometheus drops them). */
  #checkLimit(count: number): void {
    if (this.rule.limit > 0 && count > this.rule.limit) throw new EvaluationError(`exceeded limit of ${this.rule.limit} with ${count} alerts`);
  }

  /** The active alerts a scoped evaluation settled. */
  *#settled(candidates: ReadonlyMap<string, Candidate>, inScope: ReadonlyMap<string, ActiveAlert>): Iterable<ActiveAlert> {
    for (const fp of candidates.keys()) {
      const a = this.#active.get(fp);
      if (a) yield a;
    }
    for (const [fp, a] of inScope) if (!candidates.has(fp) && this.#active.get(fp) === a) yield a;
  }

  /** ALERTS / ALERTS_FOR_STATE for the settled alerts; transitions from `first` on are this evaluation's. */
  #writeSeries(env: EvaluationEnv, alerts: Iterable<ActiveAlert>, out: readonly AlertTransition[], first: number, atMs: number): void {
    const refused = writeAlertSeries(env.output, this.rule.labels, alerts, out.slice(first), atMs);
    // the alerts themselves are settled and announced: only the series are missing, so say so
    if (refused !== undefined) {
      this.health = 'err';
      this.lastError = `ALERTS series not written: ${refused}`;
      throw new AlertSeriesRefused();
    }
  }

  #failed(err: unknown): void {
    if (err instanceof AlertSeriesRefused) return;
    // Like Prometheus: the rule is marked bad and its alerts stay as they were.
    this.health = 'err';
    this.lastError = errorMessage(err);
    this.needsWholeEvaluation = true;
  }

  #candidates(vector: InstantVector, env: EvaluationEnv, nowMs: number): Map<string, Candidate> {
    const byFingerprint = new Map<string, Candidate>();
    // built once per evaluation, and only used by templates beyond text, labels and $value
    this.#template = undefined;
    this.#templateFor = () => (this.#template ??= templateContext(env, nowMs));
    for (const el of vector) {
      const c = this.#candidate(el);
      if (byFingerprint.has(c.fingerprint)) throw new EvaluationError('vector contains metrics with the same labelset after applying alert labels');
      byFingerprint.set(c.fingerprint, c);
    }
    return byFingerprint;
  }

  /**
   * Alert labels = series labels (no __name__) + templated rule labels + alertname. When the rule's
   * labels are constant, they depend only on the series' (frozen, per-series) label object, so the
   * label set and its fingerprint are computed once per series, not once per evaluation.
   */
  #candidate(el: VectorElement): Candidate {
    const cached = this.#staticLabels ? this.#identity.get(el.labels) : undefined;
    if (cached) return { labels: cached.labels, fingerprint: cached.fingerprint, el };
    const labels: Record<string, string> = { ...el.labels };
    for (const [k, t] of this.rule.labelTemplates) {
      const v = renderTemplate(t, el.labels, el.value, t.parts ? undefined : this.#templateFor());
      // an empty value is no label at all (Prometheus' labels.Builder.Set)
      if (v === '') delete labels[k];
      else labels[k] = v;
    }
    labels.alertname = this.rule.name;
    const identity = { labels: Object.freeze(labels), fingerprint: fingerprint(labels) };
    if (this.#staticLabels) this.#identity.set(el.labels, identity);
    return { ...identity, el };
  }

  #annotations(el: VectorElement): Record<string, string> {
    const annotations: Record<string, string> = {};
    for (const [k, t] of this.rule.annotationTemplates) annotations[k] = renderTemplate(t, el.labels, el.value, t.parts ? undefined : this.#templateFor());
    return annotations;
  }

  /** Settles alerts against the candidates: all alerts, or with `scoped` only those (a scoped evaluation). */
  #apply(candidates: Map<string, Candidate>, nowMs: number, out: AlertTransition[], scoped?: ReadonlyMap<string, ActiveAlert>): void {
    let fresh: Set<string> | undefined;
    for (const [fp, c] of candidates) {
      const a = this.#active.get(fp);
      if (a) {
        if (a.value === c.el.value || Object.is(a.value, c.el.value)) continue;
        a.value = c.el.value;
        a.annotations = this.#annotations(c.el);
        a.snapshot = undefined;
        continue;
      }
      const prior = this.restoreState?.(fp);
      const created: ActiveAlert = { fingerprint: fp, key: fp, labels: c.labels, outputLabels: c.el.labels, annotations: this.#annotations(c.el), state: 'pending', activeAtMs: prior?.activeAtMs ?? nowMs, value: c.el.value };
      this.#track(created);
      if (prior?.state === 'firing' && prior.firedAtMs !== undefined) {
        created.state = 'firing';
        created.firedAtMs = prior.firedAtMs;
        out.push({ alert: this.#snapshotOf(created), from: 'inactive', to: 'firing', atMs: nowMs });
        continue;
      }
      (fresh ??= new Set()).add(fp);
    }
    if (scoped === undefined) {
      for (const [fp, a] of this.#active) {
        if (candidates.has(fp)) this.#holds(a, fresh?.has(fp) === true, nowMs, out);
        else this.#stopped(a, nowMs, out);
      }
      return;
    }
    for (const [fp, a] of scoped) if (!candidates.has(fp)) this.#stopped(a, nowMs, out);
    for (const fp of candidates.keys()) {
      const a = this.#active.get(fp);
      if (a) this.#holds(a, fresh?.has(fp) === true, nowMs, out);
    }
  }

  /** The condition no longer holds for an active alert: resolved, unless keep_firing_for holds it. */
  #stopped(a: ActiveAlert, nowMs: number, out: AlertTransition[]): void {
    if (this.#keepsFiring(a, nowMs)) return;
    this.#untrack(a);
    out.push({ alert: this.#snapshot(a, 'inactive', nowMs), from: a.state, to: 'inactive', atMs: nowMs });
  }

  /** The condition holds: pending becomes firing once it held for `for`. */
  #holds(a: ActiveAlert, wasNew: boolean, nowMs: number, out: AlertTransition[]): void {
    if (a.keepFiringSinceMs !== undefined) {
      a.keepFiringSinceMs = undefined;
      a.snapshot = undefined;
    }
    if (a.state === 'pending' && nowMs - a.activeAtMs >= this.rule.forMs) {
      a.state = 'firing';
      a.firedAtMs = nowMs;
      a.snapshot = undefined;
      out.push({ alert: this.#snapshotOf(a), from: wasNew ? 'inactive' : 'pending', to: 'firing', atMs: nowMs });
    } else if (wasNew) {
      out.push({ alert: this.#snapshotOf(a), from: 'inactive', to: 'pending', atMs: nowMs });
    }
  }

  #keepsFiring(a: ActiveAlert, nowMs: number): boolean {
    if (a.state !== 'firing' || this.rule.keepFiringForMs <= 0) return false;
    a.keepFiringSinceMs ??= nowMs;
    return nowMs - a.keepFiringSinceMs < this.rule.keepFiringForMs;
  }

  /** Resolves every alert (the rule was removed by a reload), ending their ALERTS series. */
  resolveAll(env: EvaluationEnv, nowMs: number, out: AlertTransition[]): void {
    const first = out.length;
    for (const a of this.#active.values()) out.push({ alert: this.#snapshot(a, 'inactive', nowMs), from: a.state, to: 'inactive', atMs: nowMs });
    if (env.alertSeries) writeAlertSeries(env.output, this.rule.labels, [], out.slice(first), nowMs - this.rule.queryOffsetMs);
    this.#active.clear();
    if (this.#byOutput) this.#byOutput = new Postings();
  }

  alerts(): Alert[] {
    const out: Alert[] = [];
    for (const a of this.#active.values()) out.push(this.#snapshotOf(a));
    return out;
  }

  /** The rule's state as Prometheus reports it: the most advanced state of its alerts. */
  get state(): AlertState {
    let state: AlertState = 'inactive';
    for (const a of this.#active.values()) {
      if (a.state === 'firing') return 'firing';
      state = 'pending';
    }
    return state;
  }

  #snapshotOf(a: ActiveAlert): Alert {
    return (a.snapshot ??= this.#snapshot(a, a.state));
  }

  #snapshot(a: ActiveAlert, state: AlertState, resolvedAtMs?: number): Alert {
    const r = this.rule;
    return Object.freeze({
      fingerprint: a.fingerprint, name: r.name, group: r.group, file: r.file,
      labels: a.labels, annotations: Object.freeze(a.annotations), state,
      activeAtMs: a.activeAtMs, value: a.value,
      ...(a.firedAtMs !== undefined ? { firedAtMs: a.firedAtMs } : {}),
      ...(resolvedAtMs !== undefined ? { resolvedAtMs } : {}),
    });
  }
}

/** ALERTS could not be written (series limit): the evaluation itself stands, the rule reports it. */
class AlertSeriesRefused extends Error {
  constructor() {
    super('ALERTS series not written');
    this.name = 'AlertSeriesRefused';
  }
}
