import type { LimitsConfig } from '../../config/schema';
import { RequestError } from '../../errors';
import { LABEL_NAME_RE, METRIC_NAME_RE, type Sample } from '../../signals/sample';
import { DerivedSeries } from '../derived-series';
import type { Int64, WriteRequestV1, WriteRequestV2 } from './prompb';
import { ValidNames } from '../valid-names';

export type RemoteWriteLimits = Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes' | 'max_future'>;

/** What a request held beyond its samples; v2 answers with the `*-Written` headers from it. */
export interface RemoteWriteStats {
  readonly series: number;
  /** Float samples in the request (applied, or skipped as out of order, unless dropped below). */
  readonly samples: number;
  /** Native histogram samples: Warden has no histogram store, so they are dropped and counted. */
  readonly histograms: number;
  readonly exemplars: number;
  /** Samples of series Warden derives itself (warden_*, a probed component's component_up): dropped, as a scrape drops them. */
  readonly derivedDropped: number;
}

export interface RemoteWriteBatch {
  readonly samples: Sample[];
  readonly stats: RemoteWriteStats;
}

type MutableStats = { -readonly [K in keyof RemoteWriteStats]: RemoteWriteStats[K] };

const toNumber = (t: Int64): number => (typeof t === 'number' ? t : t.toNumber());

/**
 * Turns a decoded remote-write request into Warden samples, validating everything before anything
 * is applied: one bad series rejects the request with 400 (remote-write 1.0 is all-or-nothing, and
 * so is Warden's 2.0 receiver; a 4xx is never retried, so the sender drops the batch and logs our
 * message). The same rules as a JSON push (PushValidator): metric and label names, label count and
 * value size, timestamps not past `max_future`. NaN, ±Inf and the stale marker are values here
 * (Prometheus sends them); labels with an empty value are absent labels, as in PromQL.
 */
export class RemoteWriteValidator {
  readonly #limits: RemoteWriteLimits;
  readonly #derived: DerivedSeries;
  readonly #names = new ValidNames();

  constructor(limits: RemoteWriteLimits, derived: DerivedSeries = new DerivedSeries([])) {
    this.#limits = { max_labels: limits.max_labels, max_label_value_bytes: limits.max_label_value_bytes, max_future: limits.max_future };
    this.#derived = derived;
  }

  v1(req: WriteRequestV1, receivedAtMs: number): RemoteWriteBatch {
    const out: Sample[] = [];
    const stats = emptyStats();
    const series = req.timeseries;
    for (let i = 0; i < series.length; i++) {
      const ts = series[i]!;
      const labels = ts.labels;
      const pairs: string[] = new Array<string>(labels.length * 2);
      for (let k = 0; k < labels.length; k++) {
        pairs[2 * k] = labels[k]!.name;
        pairs[2 * k + 1] = labels[k]!.value;
      }
      this.#series(i, pairs, ts.samples, ts.histograms.length, ts.exemplars.length, receivedAtMs, out, stats);
    }
    return { samples: out, stats };
  }

  v2(req: WriteRequestV2, receivedAtMs: number): RemoteWriteBatch {
    const out: Sample[] = [];
    const stats = emptyStats();
    const { symbols } = req;
    const series = req.timeseries;
    for (let i = 0; i < series.length; i++) {
      const ts = series[i]!;
      const refs = ts.labelsRefs;
      if (refs.length % 2 !== 0) throw new RequestError(400, 'invalid_labels', `timeseries[${i}]: labels_refs has ${refs.length} entries, must be name/value pairs`, { index: i, field: 'labels_refs' });
      const pairs: string[] = new Array<string>(refs.length);
      for (let k = 0; k < refs.length; k++) {
        const s = symbols[refs[k]!];
        if (s === undefined) throw new RequestError(400, 'invalid_symbol_ref', `timeseries[${i}]: labels_refs[${k}] = ${refs[k]} is outside the ${symbols.length} symbols`, { index: i, field: `labels_refs[${k}]` });
        pairs[k] = s;
      }
      this.#series(i, pairs, ts.samples, ts.histograms.length, ts.exemplars.length, receivedAtMs, out, stats);
    }
    return { samples: out, stats };
  }

  /** `pairs`: name, value, name, value, ... */
  #series(index: number, pairs: readonly string[], samples: ReadonlyArray<{ value: number; timestamp: Int64 }>, histograms: number, exemplars: number, receivedAtMs: number, out: Sample[], stats: MutableStats): void {
    stats.series++;
    stats.histograms += histograms;
    stats.exemplars += exemplars;
    let name: string | undefined;
    const labels: Record<string, string> = {};
    let count = 0;
    for (let k = 0; k < pairs.length; k += 2) {
      const n = pairs[k]!;
      const v = pairs[k + 1]!;
      if (n === '__name__') {
        if (name !== undefined) throw new RequestError(400, 'duplicate_label', `timeseries[${index}]: label "__name__" appears twice`, { index, field: 'labels.__name__' });
        name = v;
        continue;
      }
      if (!this.#names.label(n)) throw new RequestError(400, 'invalid_label_name', `timeseries[${index}]: invalid label name ${JSON.stringify(n)}: must match ${LABEL_NAME_RE.source} and not start with "__"`, { index, field: `labels.${n}` });
      if (Object.hasOwn(labels, n)) throw new RequestError(400, 'duplicate_label', `timeseries[${index}]: label ${JSON.stringify(n)} appears twice`, { index, field: `labels.${n}` });
      if (v === '') continue;
      if (v.length > this.#limits.max_label_value_bytes / 4 && Buffer.byteLength(v) > this.#limits.max_label_value_bytes) {
        throw new RequestError(400, 'label_value_too_long', `timeseries[${index}]: label "${n}" is over ${this.#limits.max_label_value_bytes} bytes`, { index, field: `labels.${n}` });
      }
      labels[n] = v;
      count++;
    }
    if (name === undefined || name === '') throw new RequestError(400, 'missing_metric_name', `timeseries[${index}]: no __name__ label`, { index, field: 'labels.__name__' });
    if (!this.#names.metric(name)) throw new RequestError(400, 'invalid_name', `timeseries[${index}]: invalid metric name ${JSON.stringify(name)}: must match ${METRIC_NAME_RE.source}`, { index, field: 'labels.__name__' });
    if (count > this.#limits.max_labels) throw new RequestError(400, 'too_many_labels', `timeseries[${index}]: ${count} labels, at most ${this.#limits.max_labels}`, { index, field: 'labels' });
    for (let j = 0; j < samples.length; j++) {
      const s = samples[j]!;
      const t = toNumber(s.timestamp);
      if (t < 0 || !Number.isFinite(t)) throw new RequestError(400, 'invalid_timestamp', `timeseries[${index}].samples[${j}]: timestamp ${t} is not ms since the epoch`, { index, field: `samples[${j}].timestamp` });
      if (t > receivedAtMs + this.#limits.max_future) throw new RequestError(400, 'timestamp_in_future', `timeseries[${index}].samples[${j}]: timestamp is more than ${this.#limits.max_future / 1000}s in the future`, { index, field: `samples[${j}].timestamp` });
    }
    stats.samples += samples.length;
    if (samples.length === 0) return;
    if (this.#derived.match(name, labels)) {
      stats.derivedDropped += samples.length;
      return;
    }
    for (let j = 0; j < samples.length; j++) {
      const s = samples[j]!;
      out.push({ name, labels, value: s.value, timestampMs: toNumber(s.timestamp) });
    }
  }
}

function emptyStats(): MutableStats {
  return { series: 0, samples: 0, histograms: 0, exemplars: 0, derivedDropped: 0 };
}
