/** The Redis keys of the cluster: one lease, one fencing-token counter, one member hash. */
export interface ClusterKeys {
  /** `<replicaId>|<token>`, PX lease_ttl. */
  readonly lease: string;
  /** The newest fencing token handed out (INCR); a writer whose token differs is stale. */
  readonly token: string;
  /** replicaId -> last heartbeat (ms). */
  readonly members: string;
  /** Agreed firing-episode starts (see EpisodeStarts). */
  episode(kind: string, key: string): string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  return {
    lease: `${prefix}:cluster:leader`,
    token: `${prefix}:cluster:token`,
    members: `${prefix}:cluster:members`,
    episode: (kind, key) => `${prefix}:cluster:episode:${kind}:${key}`,
  };
}
