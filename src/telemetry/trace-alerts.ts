import { context, trace } from '@opentelemetry/api';
import type { AlertTransition } from '../rules/alert';
import { injectTraceContext, type TraceCarrier } from './trace-context';
import { tracer, tracingActive } from './tracer';

/** Only changes into or out of firing lead anywhere (incidents, remediation); pending ones are noise. */
function matters(t: AlertTransition): boolean {
  return t.to === 'firing' || t.from === 'firing';
}

/**
 * Gives each firing or resolving transition an `alert.transition` span (child of the active
 * context: the `evaluate.samples` span of a traced push, or a root span for a scrape, probe or
 * timer-driven `for`) and carries that span's context on the transition, so incidents and
 * remediation continue the trace. With tracing off, or nothing worth tracing, the same array is
 * returned untouched: no allocation on the hot path.
 */
export function traceTransitions(transitions: readonly AlertTransition[], trigger: string): readonly AlertTransition[] {
  if (transitions.length === 0 || !tracingActive() || !transitions.some(matters)) return transitions;
  const parent = context.active();
  return transitions.map((t) => {
    if (!matters(t)) return t;
    const span = tracer().startSpan(
      'alert.transition',
      {
        attributes: {
          'warden.alert.name': t.alert.name,
          'warden.alert.fingerprint': t.alert.fingerprint,
          'warden.alert.from': t.from,
          'warden.alert.to': t.to,
          'warden.alert.severity': t.alert.labels.severity ?? '',
          'warden.alert.component': t.alert.labels.component ?? '',
          'warden.trigger': trigger,
        },
      },
      parent,
    );
    const traceContext: TraceCarrier | undefined = injectTraceContext(trace.setSpan(parent, span));
    span.end();
    return traceContext ? { ...t, traceContext } : t;
  });
}

/** The span a consumer of a transition opens: `incident.open` when it fires, `incident.resolve` when it stops; none for pending. */
export function incidentSpanName(t: AlertTransition): string | undefined {
  if (t.to === 'firing' && t.from !== 'firing') return 'incident.open';
  if (t.from === 'firing' && t.to !== 'firing') return 'incident.resolve';
  return undefined;
}
