import type { Labels } from './sample';

/** One label value and the items carrying it; `value` is the interned copy of the string. */
export interface Posting<T> {
  readonly value: string;
  readonly items: Set<T>;
}

const NAMES = new Map<string, string>();

/** Label names are few and live forever: one global pool (Prometheus' symbol table idea). */
export function internName(name: string): string {
  const known = NAMES.get(name);
  if (known !== undefined) return known;
  NAMES.set(name, name);
  return name;
}

/**
 * label name -> value -> items, as Prometheus' tsdb/index/postings.go (sets instead of sorted
 * lists: JS Sets iterate in insertion order and delete in O(1), which is all eviction needs).
 * Empty values are not indexed: PromQL treats `x=""` as "no label x", so it can only be filtered.
 * The index interns values: a series created with a value already indexed shares its string, and
 * the string goes when its last series does (no global pool to leak under churn).
 */
export class Postings<T> {
  readonly #byName = new Map<string, Map<string, Posting<T>>>();

  /** The string to store for `value` under `name` (an existing copy when one is indexed). */
  intern(name: string, value: string): string {
    return this.#byName.get(name)?.get(value)?.value ?? value;
  }

  add(item: T, labels: Labels): void {
    for (const name in labels) {
      const value = labels[name] as string;
      if (value === '') continue;
      let values = this.#byName.get(name);
      if (!values) {
        values = new Map();
        this.#byName.set(name, values);
      }
      let p = values.get(value);
      if (!p) {
        p = { value, items: new Set() };
        values.set(value, p);
      }
      p.items.add(item);
    }
  }

  remove(item: T, labels: Labels): void {
    for (const name in labels) {
      const value = labels[name] as string;
      const values = this.#byName.get(name);
      const p = values?.get(value);
      if (!values || !p) continue;
      p.items.delete(item);
      if (p.items.size === 0) values.delete(value);
      if (values.size === 0) this.#byName.delete(name);
    }
  }

  /** Items with `name="value"` (value non-empty), or undefined when there are none. */
  get(name: string, value: string): ReadonlySet<T> | undefined {
    return this.#byName.get(name)?.get(value)?.items;
  }

  /** Every label name with at least one non-empty value (the labels API reads these, not the items). */
  names(): Iterable<string> {
    return this.#byName.keys();
  }

  /** Every indexed value of `name` (for regex matchers: test each value once, not each item). */
  values(name: string): ReadonlyMap<string, Posting<T>> | undefined {
    return this.#byName.get(name);
  }
}
