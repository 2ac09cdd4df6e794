import type { DiagLogger } from '@opentelemetry/api';
import type { Logger } from './logger';

/**
 * Routes the OpenTelemetry SDK's own warnings and errors (an unreachable collector, a rejected
 * export) to Warden's log, at most one line per interval so a collector that is down for an hour
 * costs a few lines, not a flood. Spans keep being dropped meanwhile (bounded queue); Warden's
 * work is never affected.
 */
export class RateLimitedDiagLogger implements DiagLogger {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #clock: () => number;
  #lastMs = -Infinity;
  #suppressed = 0;

  constructor(log: Logger, opts: { intervalMs?: number; clock?: () => number } = {}) {
    this.#log = log;
    this.#intervalMs = opts.intervalMs ?? 60_000;
    this.#clock = opts.clock ?? Date.now;
  }

  error = (message: string, ...args: unknown[]): void => this.#emit(message, args);
  warn = (message: string, ...args: unknown[]): void => this.#emit(message, args);
  info = (): void => undefined;
  debug = (): void => undefined;
  verbose = (): void => undefined;

  #emit(message: string, args: unknown[]): void {
    const now = this.#clock();
    if (now - this.#lastMs < this.#intervalMs) {
      this.#suppressed++;
      return;
    }
    const suppressed = this.#suppressed;
    this.#lastMs = now;
    this.#suppressed = 0;
    const detail = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : safeJson(a))).join(' ');
    this.#log.warn({ otel: detail || undefined, suppressed }, `tracing: ${message} (spans may be dropped; Warden is unaffected)`);
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
