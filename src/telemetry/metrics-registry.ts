import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per Warden instance (not prom-client's global), so tests and several instances in
 * one process never share counters. Each stage registers its own metrics on it.
 */
export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'warden_' });
    // promtool check metrics: 'non-counter metrics should not have "_total" suffix' for these three
    // prom-client gauges; each is the sum of its by-type sibling (nodejs_active_handles{type}).
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      registry.removeSingleMetric(`warden_${name}`);
    }
  }
  return registry;
}
