/**
 * The standard OTEL_* environment variables Warden's tracing honours, read in one place
 * (OpenTelemetry's create-from-env pattern, STYLE.md). Pure: takes the environment, returns
 * settings or the reason tracing is off, plus warnings for values it ignored.
 *
 * Following the OpenTelemetry specification's convention, an invalid value is a warning and the
 * default applies; it never stops Warden (tracing is an aid, not part of the safety path).
 */

export type OtlpHttpProtocol = 'http/protobuf' | 'http/json';

export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';
const SAMPLERS: readonly SamplerName[] = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

export interface TracingSettings {
  /** Full traces URL, e.g. http://collector:4318/v1/traces. */
  readonly url: string;
  readonly protocol: OtlpHttpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly exportTimeoutMs: number;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: { readonly name: SamplerName; readonly ratio: number };
  /** BatchSpanProcessor: spans beyond maxQueueSize are dropped, never buffered without bound. */
  readonly batch: { readonly maxQueueSize: number; readonly maxExportBatchSize: number; readonly scheduledDelayMs: number; readonly exportTimeoutMs: number };
}

export type TracingDecision =
  | { readonly enabled: true; readonly settings: TracingSettings; readonly warnings: readonly string[] }
  | { readonly enabled: false; readonly reason: string; readonly warnings: readonly string[] };

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_SERVICE_NAME = 'warden';

export function tracingSettingsFromEnv(env: Env): TracingDecision {
  const warnings: string[] = [];
  const off = (reason: string): TracingDecision => ({ enabled: false, reason, warnings });
  if (str(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return off('OTEL_SDK_DISABLED is true');
  const exporters = (str(env, 'OTEL_TRACES_EXPORTER') ?? 'otlp').split(',').map((s) => s.trim());
  if (exporters.includes('none')) return off('OTEL_TRACES_EXPORTER is none');
  if (!exporters.includes('otlp')) return off(`OTEL_TRACES_EXPORTER "${exporters.join(',')}" is not supported (Warden exports OTLP only)`);
  const url = tracesUrl(env);
  if (!url) return off('no OTLP endpoint configured (set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)');
  if ('invalid' in url) return off(url.invalid);
  const protocol = str(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? str(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') return off(`OTLP protocol "${protocol}" is not supported (use http/protobuf or http/json)`);
  const resourceAttributes = keyValueList(str(env, 'OTEL_RESOURCE_ATTRIBUTES'), 'OTEL_RESOURCE_ATTRIBUTES', warnings);
  const exportTimeoutMs = num(env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'], 10_000, warnings);
  const maxQueueSize = num(env, ['OTEL_BSP_MAX_QUEUE_SIZE'], 2048, warnings);
  let maxExportBatchSize = num(env, ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'], 512, warnings);
  if (maxExportBatchSize > maxQueueSize) {
    warnings.push(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE ${maxExportBatchSize} exceeds OTEL_BSP_MAX_QUEUE_SIZE ${maxQueueSize}; using ${maxQueueSize}`);
    maxExportBatchSize = maxQueueSize;
  }
  return {
    enabled: true,
    warnings,
    settings: {
      url: url.url,
      protocol,
      headers: keyValueList(str(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') ?? str(env, 'OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS', warnings),
      exportTimeoutMs,
      serviceName: str(env, 'OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? DEFAULT_SERVICE_NAME,
      resourceAttributes,
      sampler: sampler(env, warnings),
      batch: { maxQueueSize, maxExportBatchSize, scheduledDelayMs: num(env, ['OTEL_BSP_SCHEDULE_DELAY'], 5000, warnings), exportTimeoutMs: num(env, ['OTEL_BSP_EXPORT_TIMEOUT'], 30_000, warnings) },
    },
  };
}

/** The signal-specific endpoint is used as is; the generic one gets /v1/traces appended (OTLP spec). */
function tracesUrl(env: Env): { url: string } | { invalid: string } | undefined {
  const specific = str(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const generic = str(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const [name, raw] = specific ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific] : generic ? ['OTEL_EXPORTER_OTLP_ENDPOINT', `${generic.replace(/\/+$/, '')}/v1/traces`] : [];
  if (!name || !raw) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { invalid: `${name} must be an http(s) URL, got "${raw}"` };
    return { url: u.href };
  } catch {
    return { invalid: `${name} is not a URL: "${raw}"` };
  }
}

function sampler(env: Env, warnings: string[]): TracingSettings['sampler'] {
  const raw = str(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  let name = raw as SamplerName;
  if (!SAMPLERS.includes(name)) {
    warnings.push(`OTEL_TRACES_SAMPLER "${raw}" is not supported; using parentbased_always_on`);
    name = 'parentbased_always_on';
  }
  const arg = str(env, 'OTEL_TRACES_SAMPLER_ARG');
  let ratio = 1;
  if (name.endsWith('traceidratio') && arg !== undefined) {
    const r = Number(arg);
    if (Number.isFinite(r) && r >= 0 && r <= 1) ratio = r;
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG "${arg}" is not a ratio in [0, 1]; using 1`);
  }
  return { name, ratio };
}

/** `k=v,k2=v2` with percent-encoded values (W3C Baggage format, used by *_HEADERS and OTEL_RESOURCE_ATTRIBUTES). */
function keyValueList(raw: string | undefined, name: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq <= 0 || !key) {
      if (part.trim()) warnings.push(`${name}: ignoring "${part.trim()}" (expected key=value)`);
      continue;
    }
    try {
      out[key] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      warnings.push(`${name}: ignoring "${key}" (bad percent-encoding)`);
    }
  }
  return out;
}

function num(env: Env, names: readonly string[], fallback: number, warnings: string[]): number {
  for (const name of names) {
    const raw = str(env, name);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (Number.isInteger(n) && n > 0) return n;
    warnings.push(`${name} "${raw}" is not a positive integer; using ${fallback}`);
    return fallback;
  }
  return fallback;
}

function str(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}
