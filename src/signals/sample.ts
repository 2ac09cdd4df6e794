export type Labels = Readonly<Record<string, string>>;

/** One observation of one series. Timestamps are ms since the epoch, as Prometheus remote-write. */
export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs: number;
}

/**
 * Stable identity of a series: name plus labels sorted by name (order-independent). Values are
 * length-prefixed, so no label value can make two different label sets collide.
 */
export function seriesKey(name: string, labels: Labels): string {
  let key = name;
  let sorted = true;
  let prev = '';
  for (const n in labels) {
    if (n < prev) {
      sorted = false;
      break;
    }
    prev = n;
  }
  const names = sorted ? Object.keys(labels) : Object.keys(labels).sort();
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    const v = labels[n] as string;
    key += '\u0000' + n + '=' + v.length + ':' + v;
  }
  return key;
}

/** Prometheus metric and label name rules. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
