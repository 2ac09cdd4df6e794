import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import type { ScrapeConfig } from '../config/schema';
import type { Labels, Sample } from '../signals/sample';
import { type ExposedSample, ExpositionParseError, parseExposition } from './exposition-parser';
import { HttpGetError, httpGet } from './http-get';
import { PeriodicTask } from './periodic-task';
import { droppedSamplesCounter, scrapesCounter } from './pull-metrics';
import type { DerivedSeries } from './derived-series';
import type { SampleSink, Source } from './source';
import { applyTargetLabels, instanceOf } from './target-labels';

/** Asks for the text format only: that is the one Warden parses. */
export const SCRAPE_ACCEPT_HEADER = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

export type ScrapeOutcome = 'success' | 'timeout' | 'connection_error' | 'http_error' | 'parse_error' | 'series_limit';

export interface ScrapeSourceOptions {
  /** Wall clock (ms since the epoch) for sample timestamps and durations. @defaultValue Date.now */
  readonly clock?: () => number;
  readonly log: Logger;
  /** Where warden_scrapes_total{job,outcome} is registered; none when omitted. */
  readonly registry?: Registry;
  /** Series Warden derives itself: dropped (and counted), never let override a probe (issue 9). */
  readonly derived?: DerivedSeries;
  /**
   * Why the scraped samples would create series past limits.max_series(_per_metric), or
   * undefined. A scrape that would fails whole, like Prometheus' sample_limit: up 0, reason logged.
   */
  readonly seriesLimit?: (samples: readonly Sample[]) => string | undefined;
  /** The target refused or dropped the connection (not a timeout, not an HTTP error): see startSources. */
  readonly onUnreachable?: () => void;
}

interface ScrapeResult {
  readonly outcome: ScrapeOutcome;
  readonly samples: Sample[];
  readonly error?: string;
}

/**
 * Scrapes one Prometheus target on its interval and hands the samples, plus Prometheus' report
 * series (up, scrape_duration_seconds, scrape_samples_scraped), to the sink. A failed scrape of
 * any kind yields up 0 and no target samples: a half-parsed body is dropped whole, as Prometheus does.
 */
export class ScrapeSource implements Source {
  readonly name: string;
  /** job, instance and the configured labels: on every series of this target. */
  readonly targetLabels: Labels;
  readonly #config: ScrapeConfig;
  readonly #sink: SampleSink;
  readonly #clock: () => number;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #scrapes: Counter<string> | undefined;
  readonly #dropped: Counter<string> | undefined;
  readonly #derived: DerivedSeries | undefined;
  readonly #task: PeriodicTask;
  readonly #seriesLimit: ((samples: readonly Sample[]) => string | undefined) | undefined;
  readonly #onUnreachable: (() => void) | undefined;
  #lastUp: boolean | undefined;
  #warnedDerived = false;

  constructor(config: ScrapeConfig, sink: SampleSink, opts: ScrapeSourceOptions) {
    this.#config = config;
    this.#sink = sink;
    this.#clock = opts.clock ?? Date.now;
    this.#seriesLimit = opts.seriesLimit;
    this.#onUnreachable = opts.onUnreachable;
    this.#scrapes = opts.registry ? scrapesCounter(opts.registry) : undefined;
    this.#dropped = opts.registry ? droppedSamplesCounter(opts.registry) : undefined;
    this.#derived = opts.derived;
    const instance = instanceOf(config.url);
    this.targetLabels = Object.freeze({ job: config.job, instance, ...config.labels });
    this.name = `scrape:${config.job}:${instance}`;
    this.#log = opts.log.child({ source: this.name });
    // Prometheus refuses timeout > interval; a scrape may not outlast its slot, so cap it.
    this.#timeoutMs = Math.min(config.timeout, config.interval);
    if (config.timeout > config.interval) {
      this.#log.warn({ timeoutMs: config.timeout, intervalMs: config.interval }, 'scrape timeout exceeds interval; using the interval');
    }
    this.#task = new PeriodicTask({
      intervalMs: config.interval, clock: this.#clock, run: (signal) => this.#scrapeAndReport(signal),
      onError: (err) => this.#log.error({ err }, 'scrape loop failed unexpectedly'),
    });
  }

  start(): void {
    this.#task.start();
  }

  stop(): Promise<void> {
    return this.#task.stop();
  }

  async #scrapeAndReport(stopSignal: AbortSignal): Promise<void> {
    const startedAtMs = this.#clock();
    const result = await this.#scrape(startedAtMs, stopSignal);
    if (stopSignal.aborted) return; // stopping is not a failed scrape: report nothing
    const durationSeconds = Math.max(0, this.#clock() - startedAtMs) / 1000;
    this.#scrapes?.inc({ job: this.#config.job, outcome: result.outcome });
    this.#logOutcome(result);
    if (result.outcome === 'connection_error') this.#onUnreachable?.();
    const report = this.#reportSamples(result, durationSeconds, startedAtMs);
    try {
      const kept = this.#withoutDerived(result.samples);
      this.#sink(kept.length === 0 ? report : kept.concat(report));
    } catch (err) {
      this.#log.error({ err }, 'sample sink failed for a scrape');
    }
  }

  async #scrape(scrapeTimeMs: number, stopSignal: AbortSignal): Promise<ScrapeResult> {
    let exposed: ExposedSample[];
    try {
      const res = await httpGet(this.#config.url, {
        timeoutMs: this.#timeoutMs,
        stopSignal,
        readBody: true,
        headers: { Accept: SCRAPE_ACCEPT_HEADER, 'X-Prometheus-Scrape-Timeout-Seconds': String(this.#timeoutMs / 1000) },
      });
      if (res.status < 200 || res.status > 299) return { outcome: 'http_error', samples: [], error: `HTTP status ${res.status}` };
      exposed = parseExposition(res.body);
    } catch (err) {
      if (err instanceof ExpositionParseError) return { outcome: 'parse_error', samples: [], error: err.message };
      if (err instanceof HttpGetError) return { outcome: err.failure === 'timeout' ? 'timeout' : 'connection_error', samples: [], error: err.message };
      throw err;
    }
    const samples = this.#withTargetLabels(exposed, scrapeTimeMs);
    const overLimit = this.#seriesLimit?.(samples);
    if (overLimit !== undefined) return { outcome: 'series_limit', samples: [], error: overLimit };
    return { outcome: 'success', samples };
  }

  #withTargetLabels(exposed: ExposedSample[], scrapeTimeMs: number): Sample[] {
    const out = new Array<Sample>(exposed.length);
    for (let i = 0; i < exposed.length; i++) {
      const s = exposed[i] as ExposedSample;
      out[i] = { name: s.name, labels: applyTargetLabels(s.labels, this.targetLabels), value: s.value, timestampMs: s.timestampMs ?? scrapeTimeMs };
    }
    return out;
  }

  /** scrape_samples_scraped still counts what the target exposed, as Prometheus counts before metric relabelling. */
  #withoutDerived(samples: Sample[]): Sample[] {
    const derived = this.#derived;
    if (!derived) return samples;
    const kept = samples.filter((s) => derived.match(s.name, s.labels) === undefined);
    const dropped = samples.length - kept.length;
    if (dropped > 0) {
      this.#dropped?.inc({ job: this.#config.job, reason: 'derived_series' }, dropped);
      // Loud once (a misconfigured target repeats every interval); the counter keeps the tally.
      const level = this.#warnedDerived ? 'debug' : 'warn';
      this.#warnedDerived = true;
      this.#log[level]({ dropped }, "scrape target exposes series Warden derives itself (warden_*, or a probed component's component_up); dropped");
    }
    return kept;
  }

  /** Prometheus' per-scrape series, timestamped at the scrape's start like the samples. */
  #reportSamples(result: ScrapeResult, durationSeconds: number, scrapeTimeMs: number): Sample[] {
    const labels = this.targetLabels;
    return [
      { name: 'up', labels, value: result.outcome === 'success' ? 1 : 0, timestampMs: scrapeTimeMs },
      { name: 'scrape_duration_seconds', labels, value: durationSeconds, timestampMs: scrapeTimeMs },
      { name: 'scrape_samples_scraped', labels, value: result.samples.length, timestampMs: scrapeTimeMs },
    ];
  }

  /** Loud on a change of up, quiet while it stays the same (a dead target fails every interval). */
  #logOutcome(result: ScrapeResult): void {
    const up = result.outcome === 'success';
    const changed = up !== this.#lastUp;
    this.#lastUp = up;
    const fields = { url: this.#config.url, outcome: result.outcome, error: result.error };
    if (up) {
      if (changed) this.#log.info(fields, 'scrape target is up');
    } else if (changed) {
      this.#log.warn(fields, 'scrape failed: target is down (up 0)');
    } else {
      this.#log.debug(fields, 'scrape failed');
    }
  }
}
