import type { Labels } from './sample';

/**
 * One series: its latest value plus a bounded window of points for range functions.
 * Points live in two parallel ring buffers (no per-point objects on the hot path).
 */
export class Series {
  readonly key: string;
  readonly name: string;
  readonly labels: Labels;
  #ts: Float64Array;
  #vals: Float64Array;
  #start = 0;
  #count = 0;
  /** Points are only appended and trimming keeps at least one, so the newest is the last pushed. */
  #lastTs = -Infinity;
  #lastValue = NaN;
  /** Buffers start small and double up to this: most series keep only a few points in the window. */
  readonly #maxCapacity: number;

  constructor(key: string, name: string, labels: Labels, capacity: number) {
    this.key = key;
    this.name = name;
    this.labels = labels;
    this.#maxCapacity = capacity;
    const initial = Math.min(capacity, 8);
    this.#ts = new Float64Array(initial);
    this.#vals = new Float64Array(initial);
  }

  #grow(): void {
    const cap = this.#ts.length;
    const next = Math.min(this.#maxCapacity, cap * 2);
    const ts = new Float64Array(next);
    const vals = new Float64Array(next);
    for (let i = 0; i < this.#count; i++) {
      const at = (this.#start + i) % cap;
      ts[i] = this.#ts[at] as number;
      vals[i] = this.#vals[at] as number;
    }
    this.#ts = ts;
    this.#vals = vals;
    this.#start = 0;
  }

  get size(): number {
    return this.#count;
  }

  /** Kept in fields: read for every sample (order check) and every staleness check. */
  get lastTimestampMs(): number {
    return this.#lastTs;
  }

  get lastValue(): number {
    return this.#lastValue;
  }

  /** False when the point is older than (or as old as) the newest one: Prometheus drops those too. */
  push(timestampMs: number, value: number, windowMs: number): boolean {
    if (timestampMs <= this.lastTimestampMs) return false;
    if (this.#count === this.#ts.length && this.#ts.length < this.#maxCapacity) {
      // Trim first: growing is only worth it when the window really holds that many points.
      this.#trim(timestampMs - windowMs);
      if (this.#count === this.#ts.length) this.#grow();
    }
    const cap = this.#ts.length;
    if (this.#count === cap) {
      this.#start = (this.#start + 1) % cap;
      this.#count--;
    }
    const at = (this.#start + this.#count) % cap;
    this.#ts[at] = timestampMs;
    this.#vals[at] = value;
    this.#count++;
    this.#lastTs = timestampMs;
    this.#lastValue = value;
    this.#trim(timestampMs - windowMs);
    return true;
  }

  #trim(oldestMs: number): void {
    const cap = this.#ts.length;
    while (this.#count > 1 && (this.#ts[this.#start] as number) < oldestMs) {
      this.#start = (this.#start + 1) % cap;
      this.#count--;
    }
  }

  /** Calls `fn` for each point with startMs < t <= endMs (Prometheus range-selector bounds), oldest first. */
  forEachIn(startMs: number, endMs: number, fn: (timestampMs: number, value: number) => void): void {
    const cap = this.#ts.length;
    for (let i = 0; i < this.#count; i++) {
      const at = (this.#start + i) % cap;
      const t = this.#ts[at] as number;
      if (t > startMs && t <= endMs) fn(t, this.#vals[at] as number);
    }
  }

  /** The newest point at or before `atMs`, or undefined. */
  valueAt(atMs: number): { timestampMs: number; value: number } | undefined {
    const cap = this.#ts.length;
    for (let i = this.#count - 1; i >= 0; i--) {
      const at = (this.#start + i) % cap;
      const t = this.#ts[at] as number;
      if (t <= atMs) return { timestampMs: t, value: this.#vals[at] as number };
    }
    return undefined;
  }
}
