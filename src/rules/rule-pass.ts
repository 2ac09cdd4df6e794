import type { Series } from '../signals/series';
import type { WrittenSeries } from './rule-output';

/** `whole`: evaluate the whole rule; `batch`: as a batch does (scoped when it can, or coalesced). */
export type PassMode = 'whole' | 'batch';

export type TouchedSeries = ReadonlyMap<string, readonly Series[]>;

/** What a pass needs of a rule: its load-order position and the pass it was last queued in. */
export interface PassRule {
  readonly index: number;
  epoch: number;
}

export interface PassSteps<R extends PassRule> {
  /** Evaluates one rule; returns the series it wrote (recorded output, ALERTS), if any. */
  evaluate(r: R, mode: PassMode, touched: TouchedSeries | undefined): WrittenSeries | undefined;
  /** Rules selecting this metric (by name, and those selecting any metric). */
  readers(metric: string): Iterable<R>;
  /** A reader at or before the writer (a rule reading its own output too): seen at the next tick. */
  carry(metric: string, series: readonly Series[]): void;
}

/**
 * Rules in load order (files, groups, rules), each at most once per pass, as Prometheus evaluates
 * a group's rules one after the other: what a rule writes is handed, with the series it wrote, to
 * the rules after it that read them, so a rule reading a recorded series sees it updated by the
 * same batch. Readers of a whole evaluation's output are evaluated whole, the others as a batch.
 */
export class RulePass<R extends PassRule> {
  readonly #epoch: number;
  readonly #heap: R[] = [];
  readonly #mode = new Map<R, PassMode>();

  constructor(epoch: number) {
    this.#epoch = epoch;
  }

  get size(): number {
    return this.#heap.length;
  }

  add(r: R, mode: PassMode): void {
    if (r.epoch === this.#epoch) {
      if (mode === 'whole' && this.#mode.get(r) === 'batch') this.#mode.set(r, 'whole');
      return;
    }
    r.epoch = this.#epoch;
    this.#mode.set(r, mode);
    const h = this.#heap;
    h.push(r);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as R).index <= r.index) break;
      h[i] = h[parent] as R;
      h[parent] = r;
      i = parent;
    }
  }

  #pop(): R | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && (h[l] as R).index < (h[m] as R).index) m = l;
      if (r < h.length && (h[r] as R).index < (h[m] as R).index) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as R, h[i] as R];
      i = m;
    }
    return top;
  }

  run(steps: PassSteps<R>, touched: TouchedSeries | undefined): void {
    let seen = touched;
    for (let r = this.#pop(); r !== undefined; r = this.#pop()) {
      const mode = this.#mode.get(r) as PassMode;
      const written = steps.evaluate(r, mode, seen);
      if (written === undefined) continue;
      const merged = new Map(seen ?? []);
      for (const [metric, series] of written) {
        merged.set(metric, merged.has(metric) ? [...(merged.get(metric) as readonly Series[]), ...series] : series);
        let carried = false;
        for (const reader of steps.readers(metric)) {
          if (reader.index > r.index) this.add(reader, mode);
          else if (!carried) {
            carried = true;
            steps.carry(metric, series);
          }
        }
      }
      seen = merged;
    }
  }
}
