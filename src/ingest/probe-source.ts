import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import type { ComponentConfig } from '../config/schema';
import type { Sample } from '../signals/sample';
import { HttpGetError, httpGet } from './http-get';
import { pingPostgres, pingTargetFromUrl, type PostgresPingTarget } from './postgres-ping';
import { PeriodicTask } from './periodic-task';
import { ProbeConfirmation, type ProbeState } from './probe-confirmation';
import { probesCounter } from './pull-metrics';
import type { SampleSink, Source } from './source';

export type ProbeOutcome = 'success' | 'http_error' | 'timeout' | 'connection_error';

export interface ProbeSourceOptions {
  /** Wall clock (ms since the epoch) for sample timestamps and durations. @defaultValue Date.now */
  readonly clock?: () => number;
  readonly log: Logger;
  /** Where warden_probes_total{component,outcome} is registered; none when omitted. */
  readonly registry?: Registry;
}


/**
 * HTTP GET of a component's probe URL on its interval; any 2xx is success, anything else (status,
 * refused connection, timeout) a failure. A postgres:// URL is checked as pg_isready does instead
 * (postgres-ping.ts): a database node is probed without a password. Every probe emits probe_success and probe_duration_seconds,
 * and component_up once it is known, so component_up never goes stale while probing works.
 * Between a first failure and the verdict it probes every `confirm_interval` (ProbeConfirmation).
 */
export class ProbeSource implements Source {
  readonly name: string;
  readonly #component: string;
  readonly #probe: NonNullable<ComponentConfig['probe']>;
  readonly #sink: SampleSink;
  readonly #clock: () => number;
  readonly #log: Logger;
  readonly #probes: Counter<string> | undefined;
  readonly #task: PeriodicTask;
  readonly #confirmation: ProbeConfirmation;
  /** Set for a postgres:// probe: pg_isready's check instead of an HTTP GET. */
  readonly #postgres: PostgresPingTarget | undefined;

  constructor(component: ComponentConfig, sink: SampleSink, opts: ProbeSourceOptions) {
    if (!component.probe) throw new TypeError(`component "${component.name}" has no probe configured`);
    this.#component = component.name;
    this.#probe = component.probe;
    this.#postgres = /^postgres(ql)?:\/\//.test(component.probe.url) ? pingTargetFromUrl(component.probe.url) : undefined;
    this.#sink = sink;
    this.#clock = opts.clock ?? Date.now;
    this.#probes = opts.registry ? probesCounter(opts.registry) : undefined;
    this.name = `probe:${component.name}`;
    this.#log = opts.log.child({ source: this.name });
    this.#confirmation = new ProbeConfirmation(
      { intervalMs: this.#probe.interval, confirmIntervalMs: this.#probe.confirm_interval, failureThreshold: this.#probe.failure_threshold },
      this.#clock(),
    );
    this.#task = new PeriodicTask({
      intervalMs: this.#probe.interval,
      clock: this.#clock,
      nextDelayMs: () => this.#confirmation.dueAtMs - this.#clock(),
      run: (signal) => this.#probeAndReport(signal),
      onError: (err) => this.#log.error({ err }, 'probe loop failed unexpectedly'),
    });
  }

  /** What the probes say so far (for tests and diagnostics). */
  get state(): ProbeState {
    return this.#confirmation.state;
  }

  /** The component's name (what scrape jobs and remediation targets are matched against). */
  get component(): string {
    return this.#component;
  }

  /**
   * Another source could not reach this component (a scrape's connection was refused): probe now
   * to confirm. Never a failure by itself (issue 14 §2).
   */
  corroborateFailure(): void {
    if (this.#confirmation.corroborateFailure(this.#clock())) this.#rescheduleToDue('scrape failed: confirming with a probe now');
  }

  /** A remediation is verifying this component until `untilMs`: probe at the confirm pace meanwhile. */
  verifyUntil(untilMs: number): void {
    if (this.#confirmation.verifyUntil(untilMs, this.#clock())) this.#rescheduleToDue('remediation verifying: probing at the confirm pace');
  }

  endVerify(): void {
    this.#confirmation.endVerify();
  }

  #rescheduleToDue(why: string): void {
    this.#log.debug({ dueInMs: this.#confirmation.dueAtMs - this.#clock() }, why);
    this.#task.runIn(this.#confirmation.dueAtMs - this.#clock());
  }

  start(): void {
    this.#task.start();
  }

  stop(): Promise<void> {
    return this.#task.stop();
  }

  async #probeAndReport(stopSignal: AbortSignal): Promise<void> {
    const startedAtMs = this.#clock();
    const { outcome, error } = await this.#probeOnce(stopSignal);
    if (stopSignal.aborted) return; // stopping is not a failed probe
    const durationSeconds = Math.max(0, this.#clock() - startedAtMs) / 1000;
    const previous = this.#confirmation.state;
    this.#confirmation.recordProbe(outcome === 'success', startedAtMs, this.#clock());
    this.#probes?.inc({ component: this.#component, outcome });
    this.#logChange(previous, outcome, error);
    try {
      this.#sink(this.#samples(outcome === 'success', durationSeconds, startedAtMs));
    } catch (err) {
      this.#log.error({ err }, 'sample sink failed for a probe');
    }
  }

  async #probeOnce(stopSignal: AbortSignal): Promise<{ outcome: ProbeOutcome; error?: string }> {
    if (this.#postgres) {
      const r = await pingPostgres(this.#postgres, this.#probe.timeout, stopSignal);
      if (r.ok) return { outcome: 'success' };
      return { outcome: r.failure === 'timeout' ? 'timeout' : 'connection_error', error: r.message };
    }
    try {
      const res = await httpGet(this.#probe.url, { timeoutMs: this.#probe.timeout, stopSignal, readBody: false });
      if (res.status >= 200 && res.status <= 299) return { outcome: 'success' };
      return { outcome: 'http_error', error: `HTTP status ${res.status}` };
    } catch (err) {
      if (!(err instanceof HttpGetError)) throw err;
      return { outcome: err.failure === 'timeout' ? 'timeout' : 'connection_error', error: err.message };
    }
  }

  #samples(success: boolean, durationSeconds: number, timestampMs: number): Sample[] {
    const labels = { component: this.#component };
    const samples: Sample[] = [
      { name: 'probe_success', labels, value: success ? 1 : 0, timestampMs },
      { name: 'probe_duration_seconds', labels, value: durationSeconds, timestampMs },
    ];
    if (this.state.up !== undefined) samples.push({ name: 'component_up', labels, value: this.state.up, timestampMs });
    return samples;
  }

  #logChange(previous: ProbeState, outcome: ProbeOutcome, error: string | undefined): void {
    const fields = { url: this.#probe.url, outcome, error, consecutiveFailures: this.state.consecutiveFailures };
    if (this.state.up === previous.up) {
      if (outcome !== 'success') this.#log.debug(fields, 'probe failed');
    } else if (this.state.up === 0) {
      this.#log.warn(fields, 'component is down (component_up 0)');
    } else {
      this.#log.info(fields, 'component is up (component_up 1)');
    }
  }
}
