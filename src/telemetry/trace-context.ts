import { context, INVALID_SPAN_CONTEXT, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanKind } from '@opentelemetry/api';
import { tracer, tracingActive } from './tracer';

/**
 * W3C trace context as plain strings (`traceparent`, `tracestate`): what a BullMQ job or an
 * AlertTransition carries so a trace continues in another process or after a restart.
 */
export type TraceCarrier = Readonly<Record<string, string>>;

/** What `fn` gets when tracing is off: setAttribute and friends do nothing. */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export interface SpanOptions {
  /** Parent context; default the active one. */
  parent?: Context;
  kind?: SpanKind;
  attributes?: Attributes;
}

/** The active (or given) context as a carrier; undefined when tracing is off or nothing is active. */
export function injectTraceContext(ctx: Context = context.active()): TraceCarrier | undefined {
  if (!tracingActive()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** `{ traceContext }` to spread into job data, or `{}` (no field at all when tracing is off). */
export function traceContextField(): { traceContext?: TraceCarrier } {
  const traceContext = injectTraceContext();
  return traceContext ? { traceContext } : {};
}

/** The context a carrier names; without a carrier, the active one. */
export function contextFrom(carrier: TraceCarrier | undefined): Context {
  return carrier && tracingActive() ? propagation.extract(ROOT_CONTEXT, carrier) : context.active();
}

/** The context an incoming request's `traceparent` header names (a traced pusher), else the active one. */
export function contextFromHeaders(headers: Readonly<Record<string, unknown>>): Context {
  return tracingActive() && typeof headers.traceparent === 'string' ? propagation.extract(context.active(), headers) : context.active();
}

/**
 * Runs `fn` inside a new span (ended when `fn` settles; a rejection is recorded on it and
 * rethrown unchanged). With tracing off, `fn` runs directly with a non-recording span.
 */
export async function inSpan<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!tracingActive()) return fn(NOOP_SPAN);
  const parent = opts.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: opts.kind, attributes: opts.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    recordError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** inSpan for synchronous work (the evaluation hot path). */
export function inSpanSync<T>(name: string, opts: SpanOptions, fn: (span: Span) => T): T {
  if (!tracingActive()) return fn(NOOP_SPAN);
  const parent = opts.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: opts.kind, attributes: opts.attributes }, parent);
  try {
    return context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    recordError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Marks a span failed. BullMQ's DelayedError is flow control (the job waits, e.g. for a lease),
 * not a failure: it is noted as an attribute only.
 */
export function recordError(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  const e = err instanceof Error ? err : new Error(String(err));
  if (e.name === 'DelayedError') {
    span.setAttribute('warden.delayed', true);
    return;
  }
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}
