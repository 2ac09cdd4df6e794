import type { Labels } from '../signals/sample';
import type { Series } from '../signals/series';
import type { SignalStore } from '../signals/signal-store';
import type { VectorSelector } from './promql-ast';
import { PromqlError } from './promql-error';
import { matchesLabel } from './label-match';
import { parsePromql } from './promql-parse';
import { forEachSelected } from './promql-selectors';
import { QueryError, compareSeries } from './instant-query';

/**
 * What series, label names and label values the store holds, for Prometheus' /api/v1/series,
 * /api/v1/labels and /api/v1/label/{name}/values. With selectors the cost is the series they
 * select (refused past `maxSeries`); without, the labels and values come from the postings index,
 * so the cost is the distinct names or values, not the series. `sinceMs` (the API's `start`) keeps
 * series whose newest sample is at or after it: Warden holds recent series only (each is evicted
 * after staleness plus the longest range a rule reads), so an older window holds nothing more.
 */

/** A `match[]` selector: an instant vector selector with at least one matcher that empty labels do not satisfy. */
export function parseSeriesSelector(text: string): VectorSelector {
  let expr;
  try {
    expr = parsePromql(text);
  } catch (err) {
    if (err instanceof PromqlError) throw new QueryError('bad_data', `invalid parameter "match[]": ${err.message}`);
    throw err;
  }
  if (expr.kind !== 'vector') throw new QueryError('bad_data', `invalid parameter "match[]": ${JSON.stringify(text)} is not a series selector`);
  if (expr.metricName === undefined && expr.matchers.every((m) => matchesLabel(m, ''))) {
    throw new QueryError('bad_data', `invalid parameter "match[]": match[] must contain at least one non-empty matcher`);
  }
  return expr;
}

export function selectSeries(store: SignalStore, selectors: readonly VectorSelector[], sinceMs: number | undefined, maxSeries: number): Series[] {
  const seen = new Set<Series>();
  for (const sel of selectors) {
    forEachSelected(sel, store, undefined, (s) => {
      if (sinceMs !== undefined && s.lastTimestampMs < sinceMs) return false;
      seen.add(s);
      if (seen.size > maxSeries) throw new QueryError('execution', `the selectors match more than ${maxSeries} series: narrow them`);
      return false;
    });
  }
  return [...seen].sort((a, b) => compareSeries(a.name, a.labels, b.name, b.labels));
}

/** Every series as the API lists it: its labels with `__name__`. */
export function seriesLabels(s: Series): Labels {
  return { __name__: s.name, ...s.labels };
}

export function labelNames(store: SignalStore, selectors: readonly VectorSelector[] | undefined, sinceMs: number | undefined, maxSeries: number): string[] {
  const names = new Set<string>();
  if (selectors) {
    for (const s of selectSeries(store, selectors, sinceMs, maxSeries)) {
      names.add('__name__');
      for (const k in s.labels) names.add(k);
    }
  } else {
    for (const metricName of store.names()) {
      const metric = store.metric(metricName);
      if (!metric || metric.all.size === 0) continue;
      names.add('__name__');
      for (const n of metric.postings.names()) names.add(n);
    }
  }
  return [...names].sort();
}

export function labelValues(store: SignalStore, name: string, selectors: readonly VectorSelector[] | undefined, sinceMs: number | undefined, maxSeries: number): string[] {
  const values = new Set<string>();
  const add = (v: string | undefined) => {
    if (v !== undefined && v !== '') values.add(v);
  };
  if (selectors) {
    for (const s of selectSeries(store, selectors, sinceMs, maxSeries)) add(name === '__name__' ? s.name : s.labels[name]);
  } else {
    for (const metricName of store.names()) {
      const metric = store.metric(metricName);
      if (!metric || metric.all.size === 0) continue;
      if (name === '__name__') add(metricName);
      else for (const v of metric.postings.values(name)?.keys() ?? []) add(v);
    }
  }
  return [...values].sort();
}
