import { Gauge, type Registry } from 'prom-client';
import { HEALTH_RANK, type HealthSnapshot } from './health-types';

/** warden_component_health / warden_overall_health as 0 green, 1 yellow, 2 red (dashboards map colours). */
export class HealthMetrics {
  readonly #component: Gauge<'component' | 'critical'>;
  readonly #overall: Gauge;

  constructor(registry: Registry) {
    this.#component = new Gauge({ name: 'warden_component_health', help: 'Component health: 0 green, 1 yellow, 2 red (spec §11.1).', labelNames: ['component', 'critical'], registers: [registry] });
    this.#overall = new Gauge({ name: 'warden_overall_health', help: 'Overall exchange health: 0 green, 1 yellow, 2 red (spec §11.1).', registers: [registry] });
  }

  set(snapshot: HealthSnapshot): void {
    this.#overall.set(HEALTH_RANK[snapshot.status]);
    for (const c of snapshot.components) {
      this.#component.set({ component: c.name, critical: String(c.critical) }, HEALTH_RANK[c.status]);
    }
  }
}
