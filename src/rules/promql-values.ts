import type { Labels } from '../signals/sample';

/**
 * One element of an instant vector. `labels` never holds `__name__`: the metric name is kept apart
 * (undefined once an operation dropped it, as Prometheus drops it after arithmetic or rate()).
 */
export interface VectorElement {
  readonly name: string | undefined;
  readonly labels: Labels;
  readonly value: number;
}

export type InstantVector = VectorElement[];

/** One series' points inside a range selector's window (or a subquery's), oldest first, stale markers removed. */
export interface RangeSeries {
  readonly name: string | undefined;
  readonly labels: Labels;
  readonly timestampsMs: number[];
  readonly values: number[];
}

/** What a rule's expression yields (the parser refuses range vectors and strings at the top). */
export type InstantValue = { readonly type: 'vector'; readonly vector: InstantVector } | { readonly type: 'scalar'; readonly value: number };

export type EvalValue =
  | { readonly type: 'vector'; readonly vector: InstantVector }
  | { readonly type: 'scalar'; readonly value: number }
  | { readonly type: 'matrix'; readonly matrix: RangeSeries[] }
  | { readonly type: 'string'; readonly value: string };

/** A rule that cannot be evaluated right now (e.g. many-to-many matching); recorded on the rule. */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
  }
}

/** `{a="1", b="2"}` for messages, sorted like Prometheus prints label sets. */
export function formatLabels(name: string | undefined, labels: Labels): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name ?? ''}{${parts.join(', ')}}`;
}
