import type { LimitsConfig } from '../../config/schema';
import { RequestError } from '../../errors';
import { LABEL_NAME_RE } from '../../signals/sample';

/** One alert of a POST /api/v2/alerts body, validated; times in ms since the epoch. */
export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Absent: "now" (Alertmanager defaults it to the time it was received). */
  readonly startsAtMs?: number;
  /** Absent: resolve_timeout after it was received. */
  readonly endsAtMs?: number;
  readonly generatorURL?: string;
}

const FIELDS = new Set(['labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL']);
/** Go's zero time, which Prometheus' client omits but other senders write out for "unset". */
const GO_ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Validates a whole postableAlerts body (api/v2/openapi.yaml) before anything is applied: one bad
 * alert refuses the batch (Alertmanager stores the valid ones and 400s the rest; Warden's pushes are
 * all-or-nothing). Messages follow Alertmanager's `Alert.Validate`. Unknown fields are refused so a
 * misspelt `endsAt` cannot silently leave an alert firing for resolve_timeout.
 */
export function validatePostableAlerts(body: unknown, limits: Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes'>): PostableAlert[] {
  if (!Array.isArray(body)) throw new RequestError(400, 'invalid_body', 'body must be a JSON array of alerts (postableAlerts)');
  return body.map((raw, index) => validateOne(raw, index, limits));
}

function validateOne(raw: unknown, index: number, limits: Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes'>): PostableAlert {
  const fail = (message: string, field?: string): never => {
    throw new RequestError(400, 'invalid_alert', `alert ${index}: ${message}`, { index, field });
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('must be an object');
  const a = raw as Record<string, unknown>;
  for (const key of Object.keys(a)) if (!FIELDS.has(key)) fail(`unknown field "${key}"`, key);
  const labels = labelSet(a.labels, 'labels', limits, fail);
  if (Object.keys(labels).length === 0) fail('at least one label pair required', 'labels');
  const annotations = a.annotations === undefined || a.annotations === null ? {} : labelSet(a.annotations, 'annotations', limits, fail);
  const startsAtMs = time(a.startsAt, 'startsAt', fail);
  const endsAtMs = time(a.endsAt, 'endsAt', fail);
  if (startsAtMs !== undefined && endsAtMs !== undefined && endsAtMs < startsAtMs) fail('start time must be before end time', 'endsAt');
  if (a.generatorURL !== undefined && typeof a.generatorURL !== 'string') fail('generatorURL must be a string', 'generatorURL');
  return { labels, annotations, startsAtMs, endsAtMs, generatorURL: a.generatorURL as string | undefined };
}

function labelSet(raw: unknown, field: string, limits: Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes'>, fail: (m: string, f?: string) => never): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`${field} must be an object of strings`, field);
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(raw)) {
    if (++count > limits.max_labels) fail(`more than ${limits.max_labels} ${field}`, field);
    if (field === 'labels' && !LABEL_NAME_RE.test(name)) fail(`invalid label set: invalid name "${name}"`, `${field}.${name}`);
    if (typeof value !== 'string') fail(`${field}.${name} must be a string`, `${field}.${name}`);
    // Annotations are prose (descriptions, runbooks): they get 16 times the label budget.
    const maxBytes = field === 'labels' ? limits.max_label_value_bytes : limits.max_label_value_bytes * 16;
    if (Buffer.byteLength(value) > maxBytes) fail(`${field}.${name} is over ${maxBytes} bytes`, `${field}.${name}`);
    out[name] = value;
  }
  return out;
}

function time(raw: unknown, field: string, fail: (m: string, f?: string) => never): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !RFC3339.test(raw)) return fail(`${field} must be an RFC 3339 date-time`, field);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) return fail(`${field} must be an RFC 3339 date-time`, field);
  return ms <= GO_ZERO_TIME_MS ? undefined : ms;
}
