import type { LimitsConfig } from '../config/schema';
import { RequestError } from '../errors';
import { LABEL_NAME_RE, METRIC_NAME_RE, type Sample } from '../signals/sample';
import { DerivedSeries } from './derived-series';
import { ValidNames } from './valid-names';

/**
 * Validates a push body ({"samples":[{name, labels, value, timestamp?}]}) completely before anything
 * is applied: a batch is all-or-nothing. Hand-written rather than zod because this is the ingest hot
 * path (~1M samples/s budget) and names repeat, so valid names are cached.
 */
export class PushValidator {
  readonly #limits: Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes' | 'max_future'>;
  readonly #names = new ValidNames();
  readonly #derived: DerivedSeries;

  /** `derived`: series Warden writes itself, which a push may not (issue 9). @defaultValue warden_* only */
  constructor(limits: Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes' | 'max_future'>, derived: DerivedSeries = new DerivedSeries([])) {
    this.#limits = limits;
    this.#derived = derived;
  }

  validate(body: unknown, receivedAtMs: number): Sample[] {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new RequestError(400, 'invalid_body', 'body must be a JSON object {"samples":[...]}');
    }
    const samples = (body as { samples?: unknown }).samples;
    if (!Array.isArray(samples)) throw new RequestError(400, 'invalid_body', '"samples" must be an array', { field: 'samples' });
    const out = new Array<Sample>(samples.length);
    for (let i = 0; i < samples.length; i++) out[i] = this.#sample(samples[i], i, receivedAtMs);
    return out;
  }

  #sample(raw: unknown, index: number, receivedAtMs: number): Sample {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new RequestError(400, 'invalid_sample', 'each sample must be an object', { index });
    }
    const s = raw as { name?: unknown; labels?: unknown; value?: unknown; timestamp?: unknown };
    const name = s.name;
    if (typeof name !== 'string' || !this.#names.metric(name)) {
      throw new RequestError(400, 'invalid_name', `invalid metric name ${JSON.stringify(name)}: must match ${METRIC_NAME_RE.source}`, { index, field: 'name' });
    }
    if (typeof s.value !== 'number' || !Number.isFinite(s.value)) {
      throw new RequestError(400, 'invalid_value', 'value must be a finite number', { index, field: 'value' });
    }
    const labels = this.#labels(s.labels, index);
    const derived = this.#derived.match(name, labels);
    if (derived) throw new RequestError(400, 'derived_series', derived.message, { index, field: derived.field });
    return { name, labels, value: s.value, timestampMs: this.#timestamp(s.timestamp, index, receivedAtMs) };
  }

  #labels(raw: unknown, index: number): Record<string, string> {
    if (raw === undefined) return {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new RequestError(400, 'invalid_labels', 'labels must be an object of strings', { index, field: 'labels' });
    }
    const labels = raw as Record<string, unknown>;
    let count = 0;
    for (const key in labels) {
      count++;
      const value = labels[key];
      if (!this.#names.label(key)) {
        throw new RequestError(400, 'invalid_label_name', `invalid label name ${JSON.stringify(key)}`, { index, field: `labels.${key}` });
      }
      if (typeof value !== 'string') {
        throw new RequestError(400, 'invalid_label_value', `label "${key}" must be a string`, { index, field: `labels.${key}` });
      }
      if (value.length > this.#limits.max_label_value_bytes / 4 && Buffer.byteLength(value) > this.#limits.max_label_value_bytes) {
        throw new RequestError(400, 'label_value_too_long', `label "${key}" is over ${this.#limits.max_label_value_bytes} bytes`, { index, field: `labels.${key}` });
      }
    }
    if (count > this.#limits.max_labels) {
      throw new RequestError(400, 'too_many_labels', `${count} labels, at most ${this.#limits.max_labels}`, { index, field: 'labels' });
    }
    return labels as Record<string, string>;
  }

  #timestamp(raw: unknown, index: number, receivedAtMs: number): number {
    if (raw === undefined || raw === null) return receivedAtMs;
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
      throw new RequestError(400, 'invalid_timestamp', 'timestamp must be an integer of ms since the epoch', { index, field: 'timestamp' });
    }
    if (raw > receivedAtMs + this.#limits.max_future) {
      throw new RequestError(400, 'timestamp_in_future', `timestamp is more than ${this.#limits.max_future / 1000}s in the future`, { index, field: 'timestamp' });
    }
    return raw;
  }
}
