import { Counter, Gauge, type Registry } from 'prom-client';
import type { Alert } from '../rules/alert';
import type { ReloadOutcome } from './rule-reloader';

export interface RuleMetricsSource {
  groups: () => ReadonlyArray<{ rules: readonly unknown[] }>;
  activeAlerts: () => Alert[];
  lastReload: () => ReloadOutcome | undefined;
  evaluationCounts?: () => ReadonlyArray<{ group: string; evaluations: number }>;
}

/**
 * Rule-side gauges, read at scrape time (prom-client `collect`), like Prometheus' own
 * prometheus_rule_group_rules and prometheus_config_last_reload_successful.
 */
export function registerRuleMetrics(registry: Registry, src: RuleMetricsSource): void {
  const registers = [registry];
  new Gauge({ name: 'warden_rules_loaded', help: 'Alerting rules currently loaded.', registers, collect() {
    this.set(src.groups().reduce((n, g) => n + g.rules.length, 0));
  } });
  new Gauge({ name: 'warden_rule_groups_loaded', help: 'Rule groups currently loaded.', registers, collect() {
    this.set(src.groups().length);
  } });
  new Gauge({ name: 'warden_rules_last_reload_successful', help: 'Whether the last rule reload succeeded (1) or was rejected (0).', registers, collect() {
    this.set(src.lastReload()?.ok === false ? 0 : 1);
  } });
  new Gauge({ name: 'warden_rules_last_reload_timestamp_seconds', help: 'When rules were last (re)loaded or rejected.', registers, collect() {
    const last = src.lastReload();
    if (last) this.set(last.atMs / 1000);
  } });
  new Gauge<'state'>({ name: 'warden_alerts', help: 'Active alerts by state.', labelNames: ['state'], registers, collect() {
    let pending = 0;
    let firing = 0;
    for (const a of src.activeAlerts()) a.state === 'firing' ? firing++ : pending++;
    this.set({ state: 'pending' }, pending);
    this.set({ state: 'firing' }, firing);
  } });
  const counts = src.evaluationCounts;
  if (counts) {
    new Counter<'rule_group'>({ name: 'warden_rule_evaluations_total', help: 'Rule evaluations (whole or for the series a batch touched), per group.', labelNames: ['rule_group'], registers, collect() {
      this.reset();
      for (const c of counts()) this.inc({ rule_group: c.group }, c.evaluations);
    } });
  }
}
