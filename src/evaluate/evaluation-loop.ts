import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ComponentConfig } from '../config/schema';
import { computeHealth } from '../health/compute-health';
import type { HealthTracker } from '../health/health-tracker';
import type { HealthMetrics } from '../health/health-metrics';
import type { HealthSnapshot, TradingHalt } from '../health/health-types';
import type { Alert, AlertTransition } from '../rules/alert';
import type { Sample } from '../signals/sample';
import type { Series } from '../signals/series';
import type { SignalStore } from '../signals/signal-store';
import type { WardenEvents } from '../warden-events';
import { trace } from '@opentelemetry/api';
import { traceTransitions } from '../telemetry/trace-alerts';
import { inSpanSync } from '../telemetry/trace-context';
import { tracingActive } from '../telemetry/tracer';
import { SeriesGuard } from './series-metrics';
import { isStaleMarker } from '../rules/stale-marker';

/** What the loop needs of the rule engine (src/rules/rule-engine.ts). */
export interface RuleEvaluator {
  /** `touched`: the series the batch appended, by metric (lets the engine evaluate incrementally). */
  onSamples(metricNames: Iterable<string>, nowMs: number, touched?: ReadonlyMap<string, readonly Series[]>): AlertTransition[];
  tick(nowMs: number): AlertTransition[];
  activeAlerts(): Alert[];
  /** Coalesced rules put off by batches (RuleEngine.flushDeferred), run `coalesceMs` later. */
  readonly hasDeferred?: boolean;
  readonly coalesceMs?: number;
  flushDeferred?(nowMs: number): AlertTransition[];
  /** Idle series are evicted after staleness plus this. */
  readonly longestRangeMs?: number;
}

/** Series the tick's eviction sweep visits at most: 1M series are swept in 100 ticks, never at once. */
const EVICTION_SLICE = 10_000;
/** One turn of the sweep stops after this long and yields to requests (then goes on in the next turn). */
const EVICTION_TURN_MS = 3;

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
  /**
   * Resolves when every state change this batch caused is durably written. While Redis does not
   * answer it stays pending: the batch is applied in memory and its writes wait, in order, in
   * the health tracker's outbox (and the incident service's), to be made once Redis is back.
   */
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
  /** limits.max_series / max_series_per_metric, checked before a batch is applied. */
  readonly seriesGuard: SeriesGuard;
  #flushTimer: NodeJS.Timeout | undefined;
  /**
   * The latest instant any evaluation ran at. A batch slightly ahead of our clock is evaluated at
   * its own time; evaluating again at an earlier instant would see that sample as "in the future",
   * drop it from the lookback and undo the alerts it fired, so evaluation time never goes back.
   */
  #evaluatedAtMs = -Infinity;
  /** An eviction sweep is spread over event-loop turns (see #sweepIdle). */
  #sweeping = false;

  constructor(opts: EvaluationLoopOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    const registers = [opts.registry];
    this.#accepted = new Counter({ name: 'warden_samples_accepted_total', help: 'Samples applied to the signal store.', labelNames: ['source'], registers });
    this.#outOfOrder = new Counter({ name: 'warden_samples_out_of_order_total', help: 'Samples skipped because their series already had a newer one.', labelNames: ['source'], registers });
    this.#evalSeconds = new Histogram({ name: 'warden_evaluation_duration_seconds', help: 'Time to evaluate rules and health after a batch or a tick.', labelNames: ['trigger'], buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25], registers });
    this.#staleComponents = new Set(opts.components.map((c) => c.name));
    this.seriesGuard = new SeriesGuard(opts.store, opts.registry);
  }

  get health(): HealthSnapshot | undefined {
    return this.#o.tracker.current;
  }

  /** Applies samples whose series limits the caller checked (seriesGuard), for the batch they belong to. */
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
    const touchedSeries = new Map<string, Series[]>();
    let skipped = 0;
    let freshened = false;
    let newestMs = -Infinity;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] as Sample;
      // A stale marker (remote-write sends them) ends the series; it is no fresh data for its component.
      const series = store.appendSeries(s.name, s.labels, s.value, s.timestampMs, s.value === s.value || !isStaleMarker(s.value));
      if (series === undefined) {
        skipped++;
        continue;
      }
      touched.add(s.name);
      const list = touchedSeries.get(s.name);
      if (list) list.push(series);
      else touchedSeries.set(s.name, [series]);
      if (s.timestampMs > newestMs) newestMs = s.timestampMs;
      const component = s.labels.component;
      if (component !== undefined && this.#staleComponents.has(component)) freshened = true;
    }
    const accepted = samples.length - skipped;
    if (accepted) this.#accepted.inc({ source }, accepted);
    if (skipped) this.#outOfOrder.inc({ source }, skipped);
    // A batch that changes nothing is acknowledged only once nothing decided before it still waits
    // for Redis: a client retrying a push that got 503 is not told its state change is durable.
    if (touched.size === 0) return { accepted, skipped, persisted: this.#o.tracker.idle() };
    const endTimer = this.#evalSeconds.startTimer({ trigger: 'samples' });
    const now = this.#evaluationTime(newestMs, touched);
    const transitions = traceTransitions(this.#o.rules.onSamples(touched, now, touchedSeries), source);
    if (this.#o.rules.hasDeferred === true) this.#scheduleFlush();
    const persisted = transitions.length > 0 || freshened ? this.#rollup(transitions, now) : this.#o.tracker.idle();
    // A push may be answered without awaiting it (Redis known down); the tracker logs a failed write.
    persisted.catch(() => undefined);
    endTimer();
    return { accepted, skipped, persisted };
  }

  #evaluationTime(newestMs: number, names: ReadonlySet<string>): number {
    const now = this.#now();
    if (newestMs <= now) return now;
    if (newestMs - now <= CLOCK_SKEW_TOLERANCE_MS) return (this.#evaluatedAtMs = newestMs);
    for (const name of names) this.#future.set(name, Math.max(newestMs, this.#future.get(name) ?? -Infinity));
    return now;
  }

  /** Our clock, or the last evaluation's instant if a slightly-ahead batch moved it further. */
  #now(): number {
    const clock = this.#clock();
    if (clock >= this.#evaluatedAtMs) this.#evaluatedAtMs = clock;
    return this.#evaluatedAtMs;
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

  /** Coalesced rules a batch put off are evaluated one window later (bounded latency under load). */
  #scheduleFlush(): void {
    const { rules, log } = this.#o;
    if (this.#flushTimer !== undefined || !rules.flushDeferred) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      const now = this.#now();
      const transitions = rules.flushDeferred?.(now) ?? [];
      if (transitions.length === 0) return;
      this.#rollup(traceTransitions(transitions, 'coalesced'), now).catch((err: unknown) => log.error({ err }, 'coalesced evaluation failed to persist'));
    }, rules.coalesceMs ?? 0);
    this.#flushTimer.unref();
  }

  /** Time-driven evaluation; run every `evaluation_interval`. */
  tick(): Promise<void> {
    const endTimer = this.#evalSeconds.startTimer({ trigger: 'tick' });
    const now = this.#now();
    const { store } = this.#o;
    this.#sweepIdle(now - store.options.stalenessMs - (this.#o.rules.longestRangeMs ?? 0));
    this.#publishComponentSeries(now);
    let transitions = this.#o.rules.tick(now);
    const due = this.#future.size > 0 ? this.#dueFutureMetrics(now) : [];
    // The engine may hand back a shared frozen empty array: concatenate, never push.
    if (due.length > 0) transitions = transitions.concat(this.#o.rules.onSamples(due, now));
    if (this.#o.rules.hasDeferred === true) this.#scheduleFlush();
    const persisted = this.#rollup(traceTransitions(transitions, 'tick'), now);
    endTimer();
    return persisted;
  }

  /**
   * Evicts idle series, EVICTION_SLICE visited a tick, in turns of EVICTION_TURN_MS with requests
   * served between them; a sweep still going when the next tick comes is left to finish.
   */
  #sweepIdle(cutoffMs: number): void {
    if (this.#sweeping) return;
    this.#sweeping = true;
    let left = EVICTION_SLICE;
    const turn = () => {
      const { visited, passEnded } = this.#o.store.evictIdleUntil(cutoffMs, left, performance.now() + EVICTION_TURN_MS);
      left -= visited;
      if (left > 0 && !passEnded) setImmediate(turn).unref();
      else this.#sweeping = false;
    };
    turn();
  }

  /** Re-derives health after rules were replaced (a reload may resolve or fire alerts). */
  applyTransitions(transitions: readonly AlertTransition[]): Promise<void> {
    return this.#rollup(transitions, this.#now());
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
    const alertsSaved = transitions.length > 0 ? this.#o.tracker.saveAlerts(alerts, transitions) : undefined;
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
