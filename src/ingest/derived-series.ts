import type { ComponentConfig } from '../config/schema';

/** What a probe writes per component (probe-source.ts); while a probe runs, only it may. */
const PROBE_SERIES: ReadonlySet<string> = new Set(['component_up', 'probe_success', 'probe_duration_seconds']);

export interface DerivedSeriesMatch {
  /** The sample field that makes it Warden's: `name` or `labels.component`. */
  readonly field: string;
  readonly message: string;
}

/**
 * Series Warden derives itself (issue 9): its own `warden_*` series (e.g. warden_component_critical,
 * which tells critical components apart), and what the probe of a probed component reports. A
 * pushed or scraped sample of one would override what Warden measured (a down component made
 * to look up after its restart), so push rejects it and scrape drops it.
 */
export class DerivedSeries {
  readonly #probed: ReadonlySet<string>;

  constructor(probedComponents: Iterable<string>) {
    this.#probed = new Set(probedComponents);
  }

  static fromComponents(components: readonly ComponentConfig[]): DerivedSeries {
    return new DerivedSeries(components.filter((c) => c.probe).map((c) => c.name));
  }

  /** Undefined for a series anyone may write. */
  match(name: string, labels: Readonly<Record<string, string>>): DerivedSeriesMatch | undefined {
    if (name.startsWith('warden_')) return { field: 'name', message: `${name} is Warden's own series (warden_*): it cannot be pushed or scraped` };
    if (this.#probed.size === 0 || !PROBE_SERIES.has(name)) return undefined;
    const component = labels.component;
    if (component === undefined || !this.#probed.has(component)) return undefined;
    return { field: 'labels.component', message: `${name} of component "${component}" comes from Warden's probe of it: it cannot be pushed or scraped` };
  }
}
