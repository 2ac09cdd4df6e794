import { hostname } from 'node:os';
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { errorMessage } from '../errors';
import type { Logger } from './logger';
import { RateLimitedDiagLogger } from './trace-diag-logger';
import { tracingSettingsFromEnv, type Env, type TracingSettings } from './trace-env';
import { setTracingActive } from './tracer';
import { within } from '../runtime/within';
import { WARDEN_VERSION } from '../build-info';

export interface TracingHandle {
  readonly enabled: boolean;
  /** Where spans go (the OTLP traces URL), when enabled. */
  readonly url?: string;
  readonly protocol?: TracingSettings['protocol'];
  /** Why tracing is off, when it is. */
  readonly reason?: string;
  /** Flushes what is queued, within `shutdownTimeoutMs`, and unregisters. Safe to call twice; never rejects. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** SDK warnings and export failures go here (rate limited); start-up decisions are logged at info. */
  log?: Logger;
  /** Bound on shutdown's final flush, so a dead collector cannot hold up SIGTERM. @defaultValue 2000 */
  shutdownTimeoutMs?: number;
}

let running = false;

/**
 * Sets up OpenTelemetry tracing (issue 6 §3): NodeSDK, OTLP over HTTP (http/protobuf by default,
 * http/json when OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL says so), a bounded BatchSpanProcessor,
 * W3C trace context, no auto-instrumentation (Warden's spans are explicit and off the per-sample
 * path). Off, with no SDK loaded, unless an OTLP endpoint is configured. Never throws.
 */
export function startTracing(env: Env = process.env, opts: TracingOptions = {}): TracingHandle {
  const { log } = opts;
  const decision = tracingSettingsFromEnv(env);
  for (const w of decision.warnings) log?.warn(`tracing: ${w}`);
  if (!decision.enabled) {
    log?.debug({ reason: decision.reason }, 'tracing off');
    return off(decision.reason);
  }
  if (running) {
    log?.warn('tracing: already started in this process; ignoring the second start');
    return off('already started');
  }
  const s = decision.settings;
  let sdk: NodeSDK;
  try {
    sdk = createSdk(s);
    sdk.start();
    if (log) diag.setLogger(new RateLimitedDiagLogger(log), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  } catch (err) {
    log?.error({ err: errorMessage(err) }, 'tracing: could not start the OpenTelemetry SDK; running without traces');
    unregister();
    return off(`SDK failed to start: ${errorMessage(err)}`);
  }
  running = true;
  setTracingActive(true);
  log?.info({ url: s.url, protocol: s.protocol, service: s.serviceName, sampler: s.sampler.name }, 'tracing: exporting spans over OTLP');
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    url: s.url,
    protocol: s.protocol,
    shutdown: () => (stopping ??= stop(sdk, opts)),
  };
}

function createSdk(s: TracingSettings): NodeSDK {
  // Loaded only when tracing is on: the SDK and its exporters cost ~0.4 s of start-up.
  const { NodeSDK, core, resources, tracing } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const exporter = createExporter(s);
  return new NodeSDK({
    resource: resources.resourceFromAttributes({
      'host.name': hostname(),
      'process.pid': process.pid,
      'service.version': WARDEN_VERSION,
      ...s.resourceAttributes,
      'service.name': s.serviceName,
    }),
    autoDetectResources: false,
    spanProcessors: [
      new tracing.BatchSpanProcessor(exporter, {
        maxQueueSize: s.batch.maxQueueSize,
        maxExportBatchSize: s.batch.maxExportBatchSize,
        scheduledDelayMillis: s.batch.scheduledDelayMs,
        exportTimeoutMillis: s.batch.exportTimeoutMs,
      }),
    ],
    sampler: createSampler(s, tracing),
    textMapPropagator: new core.W3CTraceContextPropagator(),
    instrumentations: [],
    // Traces only: an empty logs pipeline stops NodeSDK from building an OTLP log exporter from env.
    logRecordProcessors: [],
  });
}

function createExporter(s: TracingSettings): SpanExporter {
  const config = { url: s.url, headers: { ...s.headers }, timeoutMillis: s.exportTimeoutMs };
  if (s.protocol === 'http/json') {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(config);
  }
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(config);
}

function createSampler(s: TracingSettings, t: typeof import('@opentelemetry/sdk-trace-base')): Sampler {
  const { name, ratio } = s.sampler;
  const root = name.endsWith('always_off') ? new t.AlwaysOffSampler() : name.endsWith('traceidratio') ? new t.TraceIdRatioBasedSampler(ratio) : new t.AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new t.ParentBasedSampler({ root }) : root;
}

async function stop(sdk: NodeSDK, opts: TracingOptions): Promise<void> {
  setTracingActive(false);
  const timeoutMs = opts.shutdownTimeoutMs ?? 2000;
  try {
    const outcome = await within(sdk.shutdown().then(() => 'flushed' as const), timeoutMs, 'timeout' as const);
    if (outcome === 'timeout') opts.log?.warn({ timeoutMs }, 'tracing: collector did not take the last spans in time; dropped them');
  } catch (err) {
    opts.log?.warn({ err: errorMessage(err) }, 'tracing: final flush failed; the last spans are lost');
  } finally {
    unregister();
    running = false;
  }
}

/** Back to the API's no-ops, so a later startTracing() (tests) registers afresh. */
function unregister(): void {
  trace.disable();
  context.disable();
  propagation.disable();
  diag.disable();
}

function off(reason: string): TracingHandle {
  return { enabled: false, reason, shutdown: () => Promise.resolve() };
}
