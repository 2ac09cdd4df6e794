import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { inSpan, injectTraceContext } from '../../../src/telemetry/trace-context';
import { tracingActive } from '../../../src/telemetry/tracer';
import { startTracing } from '../../../src/telemetry/tracing';
import { OtlpReceiver } from '../../support/otlp-receiver';

const DRIVER = join(__dirname, 'fixtures', 'span-driver.js');

interface DriverRun {
  result: any;
  logs: any[];
  code: number | null;
  stderr: string;
}

/** Runs a scenario of fixtures/span-driver.js in a real process with exactly this OTEL_* environment. */
function runDriver(scenario: string, env: Record<string, string>): Promise<DriverRun> {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return new Promise((resolve) => {
    execFile(process.execPath, [DRIVER, scenario], { env: { ...base, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const lines = stdout.split('\n').filter(Boolean);
      const resultLine = lines.find((l) => l.startsWith('RESULT '));
      const logs = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      resolve({ result: resultLine ? JSON.parse(resultLine.slice(7)) : undefined, logs, code: err ? ((err as any).code ?? 1) : 0, stderr });
    });
  });
}

async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await OtlpReceiver.start();
});
afterEach(async () => {
  await receiver.stop();
});

describe('OTLP export (a real process configured by OTEL_* variables)', () => {
  it.each(['http/json', 'http/protobuf'])('exports parent and child spans over OTLP %s, service name "warden" by default', async (protocol) => {
    const run = await runDriver('nested', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol });
    expect(run.code).toBe(0);
    expect(run.result.tracing).toEqual({ enabled: true, url: `${receiver.endpoint}/v1/traces`, protocol, reason: null });
    expect(receiver.contentTypes[0]).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
    const [outer] = receiver.byName('outer');
    const [inner] = receiver.byName('inner');
    expect(outer!.parentSpanId).toBe('');
    expect(inner).toMatchObject({ traceId: outer!.traceId, parentSpanId: outer!.spanId, attributes: { 'warden.n': 3 }, serviceName: 'warden' });
    expect(inner!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('http/protobuf is the default protocol (the OTLP specification default)', async () => {
    const run = await runDriver('nested', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    expect(run.result.tracing.protocol).toBe('http/protobuf');
    expect(receiver.contentTypes).toEqual(['application/x-protobuf']);
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is; service name, resource attributes and headers come from the environment', async () => {
    await runDriver('nested', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'warden-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging,team=on%20call',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=exchange',
    });
    expect(receiver.spans[0]!.resource).toMatchObject({ 'service.name': 'warden-eu', 'deployment.environment': 'staging', team: 'on call' });
    expect(receiver.headers[0]!['x-tenant']).toBe('exchange');
  });

  it('a failing operation is a span with error status, and the error reaches the caller unchanged', async () => {
    const run = await runDriver('failing', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(run.result.caught).toBe('admin endpoint said 500');
    expect(receiver.spans[0]!.status).toEqual({ code: 2, message: 'admin endpoint said 500' });
  });

  it('a carrier continues the trace where no context is active (as BullMQ job data does)', async () => {
    const run = await runDriver('carrier', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(run.result.carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [producer] = receiver.byName('producer');
    expect(receiver.byName('consumer')[0]).toMatchObject({ traceId: producer!.traceId, parentSpanId: producer!.spanId });
  });

  it('OTEL_TRACES_SAMPLER=always_off exports nothing', async () => {
    const run = await runDriver('carrier', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'always_off' });
    expect(run.code).toBe(0);
    expect(receiver.spans).toEqual([]);
    // Still propagated, unsampled (flags 00), so downstream samplers agree.
    expect(run.result.carrier.traceparent).toMatch(/-00$/);
  });
});

describe('a collector that is down or failing never affects Warden', () => {
  it('collector unreachable: the work completes, at most a couple of rate-limited warnings, no errors, shutdown bounded', async () => {
    const run = await runDriver('burst', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await deadPort()}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '20',
      OTEL_EXPORTER_OTLP_TIMEOUT: '300',
      SPANS: '200',
      LINGER_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '300',
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.result.done).toBe(200);
    // Bounded, not fast: the 300 ms limit plus what a loaded runner adds.
    expect(run.result.shutdownMs).toBeLessThan(5000);
    const otelWarnings = run.logs.filter((l) => l.level === 40 && String(l.msg).startsWith('tracing:'));
    expect(otelWarnings.length).toBeGreaterThanOrEqual(1);
    expect(otelWarnings.length).toBeLessThanOrEqual(3);
    expect(run.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('spans beyond OTEL_BSP_MAX_QUEUE_SIZE are dropped, not buffered: a burst of 5,000 sends only a bounded few', async () => {
    const run = await runDriver('burst', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '50',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      SPANS: '5000',
    });
    expect(run.result.done).toBe(5000);
    expect(receiver.spans.length).toBeGreaterThan(0);
    expect(receiver.spans.length).toBeLessThanOrEqual(200);
  });

  it('a collector answering 503 loses spans, not work', async () => {
    receiver.mode = 'http-503';
    const run = await runDriver('burst', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '20', OTEL_EXPORTER_OTLP_TIMEOUT: '300', SPANS: '100', LINGER_MS: '2000', SHUTDOWN_TIMEOUT_MS: '2000' });
    expect(run.code).toBe(0);
    expect(run.result.done).toBe(100);
    expect(receiver.requests).toBeGreaterThan(0);
    expect(run.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('tracing off', () => {
  it.each([
    [{}, 'no OTLP endpoint configured'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SDK_DISABLED: 'true' }, 'OTEL_SDK_DISABLED'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_EXPORTER: 'none' }, 'none'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'grpc'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, 'not a URL'],
  ])('%j: no SDK, spans are the no-op, nothing is put in job data', async (env, reason) => {
    const tracing = startTracing(env);
    expect(tracing.enabled).toBe(false);
    expect(tracing.reason).toContain(reason);
    expect(tracingActive()).toBe(false);
    const span = await inSpan('nothing', {}, async (s) => s);
    expect(span.isRecording()).toBe(false);
    expect(injectTraceContext()).toBeUndefined();
    expect(trace.getTracerProvider().getTracer('x').startSpan('y').isRecording()).toBe(false);
    await tracing.shutdown();
  });

  it('loads no SDK module when off (start-up stays fast)', () => {
    startTracing({});
    expect(Object.keys(require.cache).some((k) => k.includes('@opentelemetry/sdk-node'))).toBe(false);
  });

  it('an off run exports nothing even with a receiver listening', async () => {
    const run = await runDriver('nested', { OTEL_SERVICE_NAME: 'warden' });
    expect(run.result.tracing).toMatchObject({ enabled: false });
    expect(receiver.requests).toBe(0);
  });
});
