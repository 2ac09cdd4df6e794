import type { Sample } from '../signals/sample';

/** Where a pull source hands what it collected (the ingest pipeline: store, then rule evaluation). */
export type SampleSink = (samples: Sample[]) => void;

/**
 * A pull source of samples (scrape targets, probes). Named by role like OpenTelemetry's
 * SpanProcessor; `stop` is safe to call twice and resolves when no collection is in flight.
 */
export interface Source {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}
