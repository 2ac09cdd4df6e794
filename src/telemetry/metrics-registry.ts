import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per Warden instance (not prom-client's global), so tests and several instances in
 * one process never share counters. Each stage registers its own metrics on it.
 */
export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'warden_' });
  return registry;
}
