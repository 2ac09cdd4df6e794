import type { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pushSamples, type BenchWarden } from './bench-env';

/** The shipped components; the first three are critical, as in warden.yaml. */
export const COMPONENTS = ['matching-engine', 'settlement', 'database', 'market-data', 'order-gateway', 'reporting'];

export const componentsYaml = (): string => `components:\n${COMPONENTS.map((c, i) => `  - {name: ${c}, critical: ${i < 3}}`).join('\n')}\n`;

/**
 * One detection probe for detect_p99_ms and scale_100k_detect_p99_ms: pushes replication lag for
 * every component (`lag` on `database`, 0 elsewhere) and resolves with the milliseconds from sending
 * to the `database` health transition. Timestamps are current and strictly increasing: older than
 * `staleness` would be no data at all.
 */
export class DetectProbe {
  #ts = 0;

  constructor(
    private readonly env: BenchWarden,
    private readonly agent: Agent,
    private readonly timeoutMs = 5000,
  ) {}

  /** The baseline push (lag 0 everywhere), not timed. */
  async prime(): Promise<void> {
    await this.#push(0);
  }

  async measure(lag: number): Promise<number> {
    const transition = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no health transition within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
      const on = (t: { component: string | null }) => {
        if (t.component !== 'database') return;
        this.env.warden.events.off('health', on);
        clearTimeout(timer);
        resolve(performance.now());
      };
      this.env.warden.events.on('health', on);
    });
    const sent = performance.now();
    await this.#push(lag);
    return (await transition) - sent;
  }

  async #push(lag: number): Promise<void> {
    const samples = COMPONENTS.map((component) => ({ name: 'replication_lag_seconds', labels: { component }, value: component === 'database' ? lag : 0, timestamp: this.#next() }));
    const status = await pushSamples(this.agent, this.env.warden.port, samples);
    if (status !== 200) throw new Error(`push answered ${status}`);
  }

  #next(): number {
    this.#ts = Math.max(this.#ts + 1, Date.now());
    return this.#ts;
  }
}
