import { LABEL_NAME_RE, METRIC_NAME_RE } from '../signals/sample';

/**
 * Metric and label names already seen to be valid, so a push or remote write tests each regex once
 * per name, not once per sample. Bounded: past the caps a name is simply tested every time.
 */
export class ValidNames {
  readonly #metrics = new Set<string>();
  readonly #labels = new Set<string>();

  metric(name: string): boolean {
    if (this.#metrics.has(name)) return true;
    if (!METRIC_NAME_RE.test(name)) return false;
    if (this.#metrics.size < 100_000) this.#metrics.add(name);
    return true;
  }

  /** A label name a sender may set: valid and not reserved (`__` prefix). */
  label(name: string): boolean {
    if (this.#labels.has(name)) return true;
    if (!LABEL_NAME_RE.test(name) || name.startsWith('__')) return false;
    if (this.#labels.size < 10_000) this.#labels.add(name);
    return true;
  }
}
