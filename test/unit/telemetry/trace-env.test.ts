import { tracingSettingsFromEnv } from '../../../src/telemetry/trace-env';

const on = (env: Record<string, string>) => {
  const d = tracingSettingsFromEnv(env);
  if (!d.enabled) throw new Error(`expected tracing on, got off: ${d.reason}`);
  return d;
};

describe('tracing settings from OTEL_* variables', () => {
  it('is off without an endpoint, and says how to turn it on', () => {
    expect(tracingSettingsFromEnv({})).toMatchObject({ enabled: false, reason: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT') });
  });

  it('appends /v1/traces to the generic endpoint (trailing slash or not) and uses the traces endpoint as is', () => {
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).settings.url).toBe('http://collector:4318/v1/traces');
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo/otlp/traces' }).settings.url).toBe('https://tempo/otlp/traces');
  });

  it('defaults: http/protobuf, service "warden", parentbased_always_on, 2048-span queue, 10 s export timeout', () => {
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).settings).toMatchObject({
      protocol: 'http/protobuf',
      serviceName: 'warden',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMs: 5000 },
      exportTimeoutMs: 10_000,
    });
  });

  it('the traces-specific protocol wins over the generic one', () => {
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }).settings.protocol).toBe('http/json');
  });

  it('service name: OTEL_SERVICE_NAME, else service.name from OTEL_RESOURCE_ATTRIBUTES', () => {
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_RESOURCE_ATTRIBUTES: 'service.name=w2' }).settings.serviceName).toBe('w2');
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_RESOURCE_ATTRIBUTES: 'service.name=w2', OTEL_SERVICE_NAME: 'w3' }).settings.serviceName).toBe('w3');
  });

  it('a ratio sampler takes OTEL_TRACES_SAMPLER_ARG', () => {
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).settings.sampler).toEqual({ name: 'parentbased_traceidratio', ratio: 0.25 });
  });

  it('invalid values are warnings and the default applies (OpenTelemetry convention): tracing still starts', () => {
    const d = on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '2', OTEL_BSP_MAX_QUEUE_SIZE: '-5', OTEL_RESOURCE_ATTRIBUTES: 'novalue,team=a' });
    expect(d.settings.sampler).toEqual({ name: 'parentbased_always_on', ratio: 1 });
    expect(d.settings.batch.maxQueueSize).toBe(2048);
    expect(d.settings.resourceAttributes).toEqual({ team: 'a' });
    expect(d.warnings).toEqual([expect.stringContaining('OTEL_RESOURCE_ATTRIBUTES'), expect.stringContaining('OTEL_BSP_MAX_QUEUE_SIZE'), expect.stringContaining('OTEL_TRACES_SAMPLER "sometimes"')]);
  });

  it('a batch size above the queue size is capped at the queue size', () => {
    const d = on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' });
    expect(d.settings.batch).toMatchObject({ maxQueueSize: 100, maxExportBatchSize: 100 });
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SDK_DISABLED: 'TRUE' }, 'OTEL_SDK_DISABLED'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_EXPORTER: 'zipkin' }, 'not supported'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'grpc'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://c' }, 'http(s) URL'],
  ])('%j turns tracing off with a reason', (env, reason) => {
    expect(tracingSettingsFromEnv(env)).toMatchObject({ enabled: false, reason: expect.stringContaining(reason) });
  });
});
