import { Postings } from '../signals/postings';
import { seriesKey, type Labels } from '../signals/sample';
import { errorMessage } from '../errors';
import type { AlertTransition } from './alert';
import type { RuleHealth } from './alerting-rule';
import type { CompiledRecordingRule } from './compiled-rule';
import { evaluateRuleExpr, type EvaluationEnv } from './evaluation-env';
import { evaluationShape, type EvaluationShape } from './incremental-shape';
import type { Scope } from './promql-selectors';
import { EvaluationError, type InstantVector } from './promql-values';
import type { OutputPoint } from './rule-output';
import { itemsInScopes } from './scoped-items';

/** One series the rule returned at its last evaluation. */
interface Output {
  readonly key: string;
  readonly labels: Labels;
}

/**
 * A recording rule (Prometheus rules/recording.go): the expression's result, renamed to `record`
 * with the rule's labels set, written to the signal store at each evaluation, where other rules
 * (later in the same pass) read it. A series it stops returning gets a staleness marker, as
 * Prometheus' group evaluation writes one. Like an alerting rule, a batch evaluates only the
 * outputs the touched series can change (incremental-shape.ts).
 */
export class RecordingRule {
  readonly rule: CompiledRecordingRule;
  readonly shape: EvaluationShape;
  health: RuleHealth = 'unknown';
  lastError: string | undefined;
  lastEvaluationMs: number | undefined;
  evaluationTimeMs = 0;
  /** Evaluations so far, whole or scoped (warden_rule_evaluations_total); kept across a reload. */
  evaluations = 0;
  epoch = 0;
  needsWholeEvaluation = false;
  readonly hasActiveAlerts = false;
  #outputs = new Map<string, Output>();
  /** Outputs by label pair: their labels on the partition are the input's (rule labels are left out of it). */
  #byLabel: Postings<Output> | undefined;
  readonly #labels = new WeakMap<Labels, Output>();

  /** Position in load order (RulePass evaluates in it). */
  readonly index: number;

  constructor(rule: CompiledRecordingRule, index = 0) {
    this.rule = rule;
    this.index = index;
    this.shape = evaluationShape(rule.expr, Object.keys(rule.labels));
    if (this.shape.kind === 'scoped') this.#byLabel = new Postings();
  }

  /** Takes over the outputs of the rule this one replaces on reload, so their staleness is still marked. */
  adoptStateOf(previous: RecordingRule): void {
    this.#outputs = previous.#outputs;
    if (this.#byLabel) for (const o of this.#outputs.values()) this.#byLabel.add(o, o.labels);
    this.health = previous.health;
    this.lastError = previous.lastError;
    this.lastEvaluationMs = previous.lastEvaluationMs;
    this.evaluationTimeMs = previous.evaluationTimeMs;
    this.evaluations = previous.evaluations;
  }

  evaluate(env: EvaluationEnv, nowMs: number, _out: AlertTransition[]): void {
    this.#run(nowMs, () => {
      const atMs = nowMs - this.rule.queryOffsetMs;
      const result = evaluateRuleExpr(env, this.rule.expr, atMs);
      const vector: InstantVector = result.type === 'scalar' ? [{ name: undefined, labels: {}, value: result.value }] : result.vector;
      this.#settle(env, atMs, vector, this.#outputs);
      this.needsWholeEvaluation = false;
    });
  }

  /** Evaluates and writes only the outputs inside `scopes`; the others keep their last point. */
  evaluateScoped(env: EvaluationEnv, nowMs: number, scopes: readonly Scope[], _out: AlertTransition[]): void {
    this.#run(nowMs, () => {
      const atMs = nowMs - this.rule.queryOffsetMs;
      const result = evaluateRuleExpr(env, this.rule.expr, atMs, scopes);
      if (result.type !== 'vector') throw new EvaluationError('a scoped rule must yield a vector');
      const inScope = itemsInScopes(this.#outputs, this.#byLabel as Postings<Output>, scopes, (o) => o.labels);
      this.#settle(env, atMs, result.vector, inScope);
    });
  }

  #run(nowMs: number, body: () => void): void {
    const started = performance.now();
    this.evaluations++;
    try {
      body();
      this.health = 'ok';
      this.lastError = undefined;
    } catch (err) {
      // Like Prometheus: the rule is marked bad and nothing of this evaluation is written.
      this.health = 'err';
      this.lastError = errorMessage(err);
      this.needsWholeEvaluation = true;
    }
    this.lastEvaluationMs = nowMs;
    this.evaluationTimeMs = performance.now() - started;
  }

  /** The output for an element: its labels, `__name__` set to `record`, the rule's labels set ('' removes one). */
  #outputFor(labels: Labels): Output {
    const cached = this.#labels.get(labels);
    if (cached) return cached;
    const out: Record<string, string> = { ...labels };
    for (const [k, v] of Object.entries(this.rule.labels)) {
      if (v === '') delete out[k];
      else out[k] = v;
    }
    const frozen = Object.freeze(out);
    const o = { key: seriesKey(this.rule.name, frozen), labels: frozen };
    this.#labels.set(labels, o);
    return o;
  }

  /** Writes `vector` as the new outputs in place of `previous` (all outputs, or those in scope). */
  #settle(env: EvaluationEnv, atMs: number, vector: InstantVector, previous: ReadonlyMap<string, Output>): void {
    const name = this.rule.name;
    const returned = new Map<string, Output>();
    const points: OutputPoint[] = [];
    const fresh: OutputPoint[] = [];
    for (const el of vector) {
      const o = this.#outputFor(el.labels);
      if (returned.has(o.key)) throw new EvaluationError('vector contains metrics with the same labelset after applying rule labels');
      returned.set(o.key, o);
      const p = { name, labels: o.labels, value: el.value };
      points.push(p);
      if (!this.#outputs.has(o.key)) fresh.push(p);
    }
    let gone = 0;
    for (const key of previous.keys()) if (!returned.has(key)) gone++;
    const total = this.#outputs.size - gone + fresh.length;
    if (this.rule.limit > 0 && total > this.rule.limit) throw new EvaluationError(`exceeded limit of ${this.rule.limit} with ${total} series`);
    const refused = env.output.write(points, atMs, fresh);
    if (refused !== undefined) throw new EvaluationError(`recorded series not written: ${refused}`);
    for (const [key, o] of previous) {
      if (returned.has(key)) continue;
      env.output.stale(name, o.labels, atMs);
      this.#outputs.delete(key);
      this.#byLabel?.remove(o, o.labels);
    }
    for (const [key, o] of returned) {
      if (this.#outputs.has(key)) continue;
      this.#outputs.set(key, o);
      this.#byLabel?.add(o, o.labels);
    }
  }

  /** The rule was removed by a reload: its series end now (stale markers), as Prometheus marks a removed group's. */
  resolveAll(env: EvaluationEnv, nowMs: number, _out: AlertTransition[]): void {
    for (const o of this.#outputs.values()) env.output.stale(this.rule.name, o.labels, nowMs - this.rule.queryOffsetMs);
    this.#outputs.clear();
    if (this.#byLabel) this.#byLabel = new Postings();
  }

  /** How many series the rule returned at its last evaluation. */
  get seriesCount(): number {
    return this.#outputs.size;
  }
}
