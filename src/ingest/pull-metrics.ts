import { Counter, type Registry } from 'prom-client';

/**
 * Warden's own counters for its pull sources. Every source of a kind shares one counter, so the
 * first to register it creates it and the rest reuse it.
 */
function sharedCounter(registry: Registry, name: string, help: string, labelNames: string[]): Counter<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function scrapesCounter(registry: Registry): Counter<string> {
  return sharedCounter(registry, 'warden_scrapes_total', 'Scrapes of Prometheus targets, by job and outcome.', ['job', 'outcome']);
}

export function droppedSamplesCounter(registry: Registry): Counter<string> {
  return sharedCounter(registry, 'warden_scrape_samples_dropped_total', 'Scraped samples dropped because Warden derives that series itself (warden_*, or a probed component_up), by job and reason.', ['job', 'reason']);
}

export function probesCounter(registry: Registry): Counter<string> {
  return sharedCounter(registry, 'warden_probes_total', 'HTTP probes of components, by component and outcome.', ['component', 'outcome']);
}
