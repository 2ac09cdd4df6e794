import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per Warden instance (not prom-client's global), so tests and several instances in
 * one process never share counters. Each stage registers its own metrics on it.
 */
/** How often the event-loop delay histogram (warden_nodejs_eventloop_lag_*) samples. */
const EVENT_LOOP_MONITORING_MS = 1000;

export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) {
    // prom-client samples event-loop delay with a timer every 10 ms by default: 100 wakeups a second
    // in a quiet Warden, most of its idle CPU (issue 10 §4). Once a second still catches any stall
    // longer than a second (the ones that matter for a 1 s evaluation interval), at 1% of the cost.
    collectDefaultMetrics({ register: registry, prefix: 'warden_', eventLoopMonitoringPrecision: EVENT_LOOP_MONITORING_MS });
    // promtool check metrics: 'non-counter metrics should not have "_total" suffix' for these three
    // prom-client gauges; each is the sum of its by-type sibling (nodejs_active_handles{type}).
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      registry.removeSingleMetric(`warden_${name}`);
    }
  }
  return registry;
}
