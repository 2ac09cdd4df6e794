import type { Labels } from './sample';

/**
 * How much of a metric's past its series keep. One object per metric, shared by its series and
 * changed in place on rule reload, so a reload costs one write per metric, not one per series.
 * `maxPoints` 1 keeps the latest point only (no buffers at all) plus the one before it: a metric no
 * rule reads with a range function needs nothing more, and a sample a little ahead of Warden's
 * clock must not hide the value that is current until the clock reaches it.
 */
export interface HistoryPolicy {
  windowMs: number;
  maxPoints: number;
}

/**
 * One series: its latest value plus, when its metric's policy asks for it, a bounded window of
 * points for range functions. Points live in two parallel ring buffers (no per-point objects).
 */
export class Series {
  readonly name: string;
  readonly labels: Labels;
  readonly #policy: HistoryPolicy;
  #ts: Float64Array | undefined;
  #vals: Float64Array | undefined;
  #start = 0;
  #count = 0;
  /** Points are only appended and trimming keeps at least one, so the newest is the last pushed. */
  #lastTs = -Infinity;
  #lastValue = NaN;
  /** Without buffers: the point before the latest. */
  #prevTs = -Infinity;
  #prevValue = NaN;

  constructor(name: string, labels: Labels, policy: HistoryPolicy) {
    this.name = name;
    this.labels = labels;
    this.#policy = policy;
  }

  #grow(): void {
    const old = this.#ts;
    const cap = old?.length ?? 0;
    // Buffers start small and double up to the policy's cap: most series keep few points.
    const next = Math.min(this.#policy.maxPoints, Math.max(8, cap * 2));
    const ts = new Float64Array(next);
    const vals = new Float64Array(next);
    for (let i = 0; i < this.#count; i++) {
      const at = (this.#start + i) % cap;
      ts[i] = (old as Float64Array)[at] as number;
      vals[i] = (this.#vals as Float64Array)[at] as number;
    }
    this.#ts = ts;
    this.#vals = vals;
    this.#start = 0;
  }

  get size(): number {
    if (this.#ts !== undefined) return this.#count;
    return this.#lastTs === -Infinity ? 0 : this.#prevTs === -Infinity ? 1 : 2;
  }

  /** Kept in fields: read for every sample (order check) and every staleness check. */
  get lastTimestampMs(): number {
    return this.#lastTs;
  }

  get lastValue(): number {
    return this.#lastValue;
  }

  /** False when the point is older than (or as old as) the newest one: Prometheus drops those too. */
  push(timestampMs: number, value: number): boolean {
    if (timestampMs <= this.#lastTs) return false;
    const { maxPoints, windowMs } = this.#policy;
    if (maxPoints <= 1) {
      this.#ts = this.#vals = undefined; // a reload stopped reading this metric's past
      this.#prevTs = this.#lastTs;
      this.#prevValue = this.#lastValue;
    } else {
      if (this.#ts === undefined) this.#adoptLatest();
      this.#append(timestampMs, value, windowMs, maxPoints);
    }
    this.#lastTs = timestampMs;
    this.#lastValue = value;
    return true;
  }

  /**
   * A rule's output: a second evaluation at the same instant (a batch and the timer in one
   * millisecond) replaces the newest point's value instead of being dropped as out of order.
   */
  upsert(timestampMs: number, value: number): boolean {
    if (timestampMs !== this.#lastTs) return this.push(timestampMs, value);
    this.#lastValue = value;
    const ts = this.#ts;
    if (ts !== undefined) (this.#vals as Float64Array)[(this.#start + this.#count - 1) % ts.length] = value;
    return true;
  }

  /** Turning history on (a reload): the latest point is the first of the window. */
  #adoptLatest(): void {
    this.#count = 0;
    this.#start = 0;
    this.#grow();
    if (this.#lastTs === -Infinity) return;
    (this.#ts as Float64Array)[0] = this.#lastTs;
    (this.#vals as Float64Array)[0] = this.#lastValue;
    this.#count = 1;
  }

  #append(timestampMs: number, value: number, windowMs: number, maxPoints: number): void {
    if (this.#count === (this.#ts as Float64Array).length && this.#count < maxPoints) {
      // Trim first: growing is only worth it when the window really holds that many points.
      this.#trim(timestampMs - windowMs);
      if (this.#count === (this.#ts as Float64Array).length) this.#grow();
    }
    const ts = this.#ts as Float64Array;
    const cap = ts.length;
    if (this.#count === cap) {
      this.#start = (this.#start + 1) % cap;
      this.#count--;
    }
    const at = (this.#start + this.#count) % cap;
    ts[at] = timestampMs;
    (this.#vals as Float64Array)[at] = value;
    this.#count++;
    this.#trim(timestampMs - windowMs);
  }

  #trim(oldestMs: number): void {
    const ts = this.#ts as Float64Array;
    const cap = ts.length;
    while (this.#count > 1 && (ts[this.#start] as number) < oldestMs) {
      this.#start = (this.#start + 1) % cap;
      this.#count--;
    }
  }

  /** Calls `fn` for each point with startMs < t <= endMs (Prometheus range-selector bounds), oldest first. */
  forEachIn(startMs: number, endMs: number, fn: (timestampMs: number, value: number) => void): void {
    const ts = this.#ts;
    if (ts === undefined) {
      if (this.#prevTs > startMs && this.#prevTs <= endMs) fn(this.#prevTs, this.#prevValue);
      if (this.#lastTs > startMs && this.#lastTs <= endMs) fn(this.#lastTs, this.#lastValue);
      return;
    }
    const vals = this.#vals as Float64Array;
    const cap = ts.length;
    for (let i = 0; i < this.#count; i++) {
      const at = (this.#start + i) % cap;
      const t = ts[at] as number;
      if (t > startMs && t <= endMs) fn(t, vals[at] as number);
    }
  }

  /** The newest point at or before `atMs`, or undefined. */
  valueAt(atMs: number): { timestampMs: number; value: number } | undefined {
    const ts = this.#ts;
    if (ts === undefined) {
      if (this.#lastTs <= atMs) return { timestampMs: this.#lastTs, value: this.#lastValue };
      return this.#prevTs <= atMs ? { timestampMs: this.#prevTs, value: this.#prevValue } : undefined;
    }
    const vals = this.#vals as Float64Array;
    const cap = ts.length;
    for (let i = this.#count - 1; i >= 0; i--) {
      const at = (this.#start + i) % cap;
      const t = ts[at] as number;
      if (t <= atMs) return { timestampMs: t, value: vals[at] as number };
    }
    return undefined;
  }
}
