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

/** One series' points inside a range selector's window, oldest first, stale markers removed. */
export interface RangeSeries {
  readonly name: string;
  readonly labels: Labels;
  readonly timestampsMs: number[];
  readonly values: number[];
}

export type EvalValue = { readonly type: 'vector'; readonly vector: InstantVector } | { readonly type: 'scalar'; readonly value: number };

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
