import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ComponentConfig } from '../config/schema';
import { computeHealth } from '../health/compute-health';
import type { HealthTracker } from '../health/health-tracker';
import type { HealthMetrics } from '../health/health-metrics';
import type { HealthSnapshot, TradingHalt } from '../health/health-types';
import type { Alert, AlertTransition } from '../rules/alert';
import type { Sample } from '../signals/sample';
import type { SignalStore } from '../signals/signal-store';
import type { WardenEvents } from '../warden-events';
import { trace } from '@opentelemetry/api';
import { traceTransitions } from '../telemetry/trace-alerts';
import { inSpanSync } from '../telemetry/trace-context';
import { tracingActive } from '../telemetry/tracer';

/** What the loop needs of the rule engine (src/rules/rule-engine.ts). */
export interface RuleEvaluator {
  onSamples(metricNames: Iterable<string>, nowMs: number): AlertTransition[];
  tick(nowMs: number): AlertTransition[];
  activeAlerts(): Alert[];
}

export interface EvaluationLoopOptions {
  store: SignalStore;
  rules: RuleEvaluator;
  tracker: HealthTracker;
  healthMetrics: HealthMetrics;
  events: WardenEvents;
  components: readonly ComponentConfig[];
  registry: Registry;
  log: Logger;
  clock?: () => number;
  /** The trading halt Warden has recorded, if any (spec §8.2: overall Red until resumed). */
  tradingHalted?: () => TradingHalt | undefined;
}

export interface IngestResult {
  readonly accepted: number;
  readonly skipped: number;
  /** Resolves when every state change this batch caused is durably written. */
  readonly persisted: Promise<void>;
}

/**
 * Senders' clocks run a little ahead of ours; a sample up to this far in the future is evaluated at
 * its own timestamp so it is seen at once. Further ahead, it is evaluated when our clock reaches it.
 */
const CLOCK_SKEW_TOLERANCE_MS = 1000;

/** Metric Warden publishes for each configured component so rules can tell critical ones apart. */
export const COMPONENT_CRITICAL_METRIC = 'warden_component_critical';

/**
 * The hot path: samples -> store -> only the rules selecting those metrics -> alert transitions ->
 * health. The timer (tick) covers what time alone changes: `for`, staleness, absent().
 */
export class EvaluationLoop {
  readonly #o: EvaluationLoopOptions;
  readonly #clock: () => number;
  readonly #touched = new Set<string>();
  /** Components whose data was stale at the last rollup: fresh data for them must re-roll health. */
  #staleComponents = new Set<string>();
  /** Metric name -> newest sample time still ahead of our clock (see CLOCK_SKEW_TOLERANCE_MS). */
  readonly #future = new Map<string, number>();
  readonly #accepted: Counter<'source'>;
  readonly #outOfOrder: Counter<'source'>;
  readonly #evalSeconds: Histogram<'trigger'>;

  constructor(opts: EvaluationLoopOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    const registers = [opts.registry];
    this.#accepted = new Counter({ name: 'warden_samples_accepted_total', help: 'Samples applied to the signal store.', labelNames: ['source'], registers });
    this.#outOfOrder = new Counter({ name: 'warden_samples_out_of_order_total', help: 'Samples skipped because their series already had a newer one.', labelNames: ['source'], registers });
    this.#evalSeconds = new Histogram({ name: 'warden_evaluation_duration_seconds', help: 'Time to evaluate rules and health after a batch or a tick.', labelNames: ['trigger'], buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25], registers });
    this.#staleComponents = new Set(opts.components.map((c) => c.name));
  }

  get health(): HealthSnapshot | undefined {
    return this.#o.tracker.current;
  }

  ingest(samples: readonly Sample[], source: string): IngestResult {
    // Traced only inside a traced request (ingest.push); scrapes and probes start a trace only when
    // an alert changes (alert.transition), so a quiet exchange sends no spans.
    if (!tracingActive() || !trace.getActiveSpan()) return this.#ingest(samples, source);
    return inSpanSync('evaluate.samples', {}, (span) => {
      const r = this.#ingest(samples, source);
      span.setAttributes({ 'warden.source': source, 'warden.samples.accepted': r.accepted, 'warden.samples.skipped': r.skipped });
      return r;
    });
  }

  #ingest(samples: readonly Sample[], source: string): IngestResult {
    const { store } = this.#o;
    const touched = this.#touched;
    touched.clear();
    let skipped = 0;
    let freshened = false;
    let newestMs = -Infinity;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] as Sample;
      if (store.append(s) === 'out_of_order') {
        skipped++;
        continue;
      }
      touched.add(s.name);
      if (s.timestampMs > newestMs) newestMs = s.timestampMs;
      const component = s.labels.component;
      if (component !== undefined && this.#staleComponents.has(component)) freshened = true;
    }
    const accepted = samples.length - skipped;
    if (accepted) this.#accepted.inc({ source }, accepted);
    if (skipped) this.#outOfOrder.inc({ source }, skipped);
    if (touched.size === 0) return { accepted, skipped, persisted: Promise.resolve() };
    const endTimer = this.#evalSeconds.startTimer({ trigger: 'samples' });
    const now = this.#evaluationTime(newestMs, touched);
    const transitions = traceTransitions(this.#o.rules.onSamples(touched, now), source);
    const persisted = transitions.length > 0 || freshened ? this.#rollup(transitions, now) : Promise.resolve();
    endTimer();
    return { accepted, skipped, persisted };
  }

  #evaluationTime(newestMs: number, names: ReadonlySet<string>): number {
    const now = this.#clock();
    if (newestMs <= now) return now;
    if (newestMs - now <= CLOCK_SKEW_TOLERANCE_MS) return newestMs;
    for (const name of names) this.#future.set(name, Math.max(newestMs, this.#future.get(name) ?? -Infinity));
    return now;
  }

  /** Metrics whose future samples our clock has now reached: evaluated by the tick. */
  #dueFutureMetrics(now: number): string[] {
    const due: string[] = [];
    for (const [name, atMs] of this.#future) {
      if (atMs <= now) {
        due.push(name);
        this.#future.delete(name);
      }
    }
    return due;
  }

  /** Time-driven evaluation; run every `evaluation_interval`. */
  tick(): Promise<void> {
    const endTimer = this.#evalSeconds.startTimer({ trigger: 'tick' });
    const now = this.#clock();
    this.#publishComponentSeries(now);
    let transitions = this.#o.rules.tick(now);
    const due = this.#future.size > 0 ? this.#dueFutureMetrics(now) : [];
    // The engine may hand back a shared frozen empty array: concatenate, never push.
    if (due.length > 0) transitions = transitions.concat(this.#o.rules.onSamples(due, now));
    const persisted = this.#rollup(traceTransitions(transitions, 'tick'), now);
    endTimer();
    return persisted;
  }

  /** Re-derives health after rules were replaced (a reload may resolve or fire alerts). */
  applyTransitions(transitions: readonly AlertTransition[]): Promise<void> {
    return this.#rollup(transitions, this.#clock());
  }

  #publishComponentSeries(now: number): void {
    for (const c of this.#o.components) {
      this.#o.store.appendRaw(COMPONENT_CRITICAL_METRIC, { component: c.name }, c.critical ? 1 : 0, now, false);
    }
  }

  #rollup(transitions: readonly AlertTransition[], now: number): Promise<void> {
    const { events, store } = this.#o;
    for (const t of transitions) events.emit('alert', t);
    const alerts = this.#o.rules.activeAlerts();
    const alertsSaved = transitions.length > 0 ? this.#o.tracker.saveAlerts(alerts) : undefined;
    const snapshot = computeHealth({
      components: this.#o.components,
      alerts,
      lastSeenMs: (c) => store.lastSeenForComponent(c),
      stalenessMs: store.options.stalenessMs,
      nowMs: now,
      tradingHalted: this.#o.tradingHalted?.(),
    });
    this.#staleComponents = new Set(snapshot.components.filter((c) => c.reasons.some((r) => r.kind === 'stale')).map((c) => c.name));
    this.#o.healthMetrics.set(snapshot);
    const update = this.#o.tracker.update(snapshot);
    for (const t of update.transitions) events.emit('health', t);
    return alertsSaved ? Promise.all([alertsSaved, update.persisted]).then(() => undefined) : update.persisted;
  }
}
