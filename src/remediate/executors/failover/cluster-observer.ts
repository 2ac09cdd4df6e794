import type { Logger } from 'pino';
import type { AuditLog } from '../../../audit/audit-log';
import { errorMessage } from '../../../errors';
import type { DatabaseFailoverState } from '../../database-failover-state';
import type { DatabaseDriver, NodeInspection } from './database-driver';

/** A series Warden publishes about a cluster (warden_* series cannot be pushed or scraped over). */
export type SeriesSink = (name: string, labels: Record<string, string>, value: number, timestampMs: number) => void;

export interface ObservedCluster {
  readonly name: string;
  readonly nodes: readonly string[];
  readonly driver: DatabaseDriver;
  readonly observeIntervalMs: number;
}

export interface ClusterObserverOptions {
  readonly clusters: readonly ObservedCluster[];
  readonly state: DatabaseFailoverState;
  readonly audit: AuditLog;
  readonly publish: SeriesSink;
  /** How often the series are re-published from what is known (the evaluation interval). */
  readonly publishIntervalMs: number;
  readonly log: Logger;
  readonly clock: () => number;
}

interface Known {
  believed: string | undefined;
  promotingTo: string | undefined;
  /** Nodes that answered as a primary at the last look. */
  writable: Set<string>;
}

/**
 * Asks every node of every cluster its role on `observe_interval` and publishes what Warden
 * believes (issue 14 §3): `warden_database_primary{cluster,component}` (1 for the primary Warden
 * believes in, 0 for the other nodes), `warden_database_primary_known{cluster}`, and
 * `warden_database_unexpected_primary{cluster,component}` (1 for a node that accepts writes but is
 * not that primary, nor the replica being promoted: two primaries, spec §5). The rules in
 * rules/database.rules.yaml alert on them. A sole observed primary becomes the believed one only if
 * it is on a newer timeline and no failover is in flight (DatabaseFailoverState.adopt), so an old
 * primary that comes back is never believed again: failback is manual (spec §3.3).
 */
export class ClusterObserver {
  readonly #o: ClusterObserverOptions;
  readonly #known = new Map<string, Known>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #busy = new Set<string>();
  readonly #stop = new AbortController();

  constructor(opts: ClusterObserverOptions) {
    this.#o = opts;
    for (const c of opts.clusters) this.#known.set(c.name, { believed: undefined, promotingTo: undefined, writable: new Set() });
  }

  /** One look at every cluster (awaited, so the series exist before the first evaluation), then timers. */
  async start(): Promise<void> {
    await Promise.all(this.#o.clusters.map((c) => this.#observe(c)));
    for (const c of this.#o.clusters) {
      const t = setInterval(() => void this.#observe(c), c.observeIntervalMs);
      t.unref();
      this.#timers.push(t);
    }
    const p = setInterval(() => this.#publishAll(), this.#o.publishIntervalMs);
    p.unref();
    this.#timers.push(p);
  }

  /** After a failover step changed the record: read it again and publish at once. */
  async refresh(cluster: string): Promise<void> {
    const known = this.#known.get(cluster);
    const c = this.#o.clusters.find((x) => x.name === cluster);
    if (!known || !c) return;
    await this.#readRecord(cluster, known);
    this.#publish(c, known);
  }

  stop(): void {
    this.#stop.abort();
    for (const t of this.#timers) clearInterval(t);
  }

  async #observe(c: ObservedCluster): Promise<void> {
    if (this.#busy.has(c.name) || this.#stop.signal.aborted) return; // a slow look is not stacked
    this.#busy.add(c.name);
    const known = this.#known.get(c.name) as Known;
    try {
      const looks = await Promise.all(c.nodes.map((n) => c.driver.inspect(n, this.#stop.signal)));
      const primaries = looks.filter((l) => l.reachable && l.role === 'primary');
      known.writable = new Set(primaries.map((l) => l.node));
      if (primaries.length === 1) await this.#adopt(c, primaries[0] as NodeInspection);
      await this.#readRecord(c.name, known);
      if (primaries.length > 1) this.#o.log.error({ cluster: c.name, primaries: primaries.map((p) => p.node) }, 'more than one database node accepts writes (spec §5 split brain)');
      this.#publish(c, known);
    } catch (err) {
      this.#o.log.warn({ cluster: c.name, err: errorMessage(err) }, 'observing the database cluster failed');
    } finally {
      this.#busy.delete(c.name);
    }
  }

  async #adopt(c: ObservedCluster, p: NodeInspection): Promise<void> {
    const outcome = await this.#o.state.adopt(c.name, p.node, p.timeline ?? 0, this.#o.clock());
    if (outcome.kind === 'adopted') {
      this.#o.log.warn({ cluster: c.name, primary: p.node, previous: outcome.previous, timeline: p.timeline }, 'database primary observed');
      await this.#o.audit.append({ actor: 'warden:database-observer', action: 'database.primary_observed', target: c.name, details: { primary: p.node, previous: outcome.previous ?? null, timeline: p.timeline ?? null, how: p.detail } });
    } else if (outcome.kind === 'older_timeline') {
      this.#o.log.error({ cluster: c.name, node: p.node, believed: outcome.believed }, 'a node accepts writes on a timeline not newer than the believed primary: not believed (failback is manual)');
    }
  }

  async #readRecord(cluster: string, known: Known): Promise<void> {
    const r = await this.#o.state.read(cluster);
    known.believed = r.primary;
    known.promotingTo = r.claim?.state === 'promoting' ? r.claim.to : undefined;
  }

  #publishAll(): void {
    for (const c of this.#o.clusters) this.#publish(c, this.#known.get(c.name) as Known);
  }

  #publish(c: ObservedCluster, k: Known): void {
    const now = this.#o.clock();
    this.#o.publish('warden_database_primary_known', { cluster: c.name }, k.believed ? 1 : 0, now);
    for (const node of c.nodes) {
      const labels = { cluster: c.name, component: node };
      this.#o.publish('warden_database_primary', labels, node === k.believed ? 1 : 0, now);
      const unexpected = k.writable.has(node) && node !== k.believed && node !== k.promotingTo;
      this.#o.publish('warden_database_unexpected_primary', labels, unexpected ? 1 : 0, now);
    }
  }
}
