import { trace, type Tracer } from '@opentelemetry/api';

/**
 * Warden's tracer. Only @opentelemetry/api is imported here and by the stages; the SDK is set up
 * in src/telemetry/tracing.ts alone. Without it every span is the API's no-op.
 */
export function tracer(): Tracer {
  return trace.getTracer('warden');
}

let active = false;

/**
 * True while an SDK exports spans. Stages check it before doing per-batch tracing work, so with
 * tracing off the hot path builds no spans, attributes or carriers at all (pino's "decide once").
 */
export function tracingActive(): boolean {
  return active;
}

/** Called by startTracing() and its shutdown only. */
export function setTracingActive(on: boolean): void {
  active = on;
}
