import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Cluster } from '../cluster/cluster';
import type { WardenConfig } from '../config/schema';
import type { Alert, AlertTransition } from '../rules/alert';
import type { WardenEvents } from '../warden-events';

export interface ClusterDeps {
  config: WardenConfig;
  redis: Redis;
  registry: Registry;
  log: Logger;
  clock: () => number;
}

/** Joins the cluster: heartbeat, and the leader lease (taken at once if no replica holds it). */
export async function startCluster(d: ClusterDeps): Promise<Cluster> {
  const c = d.config.cluster;
  const cluster = new Cluster({ redis: d.redis, prefix: d.config.redis.prefix, replicaId: c.replica_id, leaseTtlMs: c.lease_ttl, renewIntervalMs: c.renew_interval, registry: d.registry, log: d.log.child({ stage: 'cluster' }), clock: d.clock });
  await cluster.start();
  return cluster;
}

/**
 * Every replica agrees each firing episode's start (so a job made by the leader is recognised as
 * still firing by a worker on any replica); the leader ends it when the alert stops firing.
 */
export function agreeFiringStarts(cluster: Cluster, events: WardenEvents, log: Logger): () => void {
  const listener = (t: AlertTransition) => {
    const fp = t.alert.fingerprint;
    let step: Promise<unknown> | undefined;
    if (t.to === 'firing' && t.from !== 'firing') step = cluster.episodes.agree('alert', fp, t.alert.firedAtMs ?? t.atMs);
    else if (t.from === 'firing' && t.to !== 'firing') {
      // Followers forget it too, so what each replica knows stays bounded by the alerts firing.
      if (cluster.isLeader()) step = cluster.episodes.end('alert', fp);
      else cluster.episodes.forget('alert', fp);
    }
    step?.catch((err: unknown) => log.warn({ err: (err as Error).message, alert: t.alert.name }, 'firing start not agreed through Redis'));
  };
  events.on('alert', listener);
  return () => events.off('alert', listener);
}

/** The local alert of a job's (agreed) firing episode, if it still fires. */
export function firingEpisode(cluster: Cluster | undefined, active: readonly Alert[], a: { fingerprint: string; firedAtMs: number }): Alert | undefined {
  return active.find((x) => x.fingerprint === a.fingerprint && x.state === 'firing' && (x.firedAtMs === a.firedAtMs || cluster?.episodes.known('alert', x.fingerprint) === a.firedAtMs));
}
