export type Labels = Readonly<Record<string, string>>;

/** One observation of one series. Timestamps are ms since the epoch, as Prometheus remote-write. */
export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs: number;
}

/** Stable identity of a series: name plus labels sorted by name (order-independent). */
export function seriesKey(name: string, labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return name;
  names.sort();
  let key = name + '{';
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    if (i > 0) key += ',';
    key += n + '=' + JSON.stringify(labels[n]);
  }
  return key + '}';
}

/** Prometheus metric and label name rules. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
