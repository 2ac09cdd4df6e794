/**
 * What failover_database needs from a database cluster (issue 14 §3), one implementation per way of
 * reaching it: `postgres` (libpq-style connections to each node) and `patroni` (its REST API). The
 * executor owns the order and the fencing; a driver only looks and acts, and says by the error it
 * throws (TransientError / PermanentError) whether trying again can help.
 */

/** One look at a node, as the node itself reports it. */
export interface NodeInspection {
  readonly node: string;
  readonly reachable: boolean;
  readonly role?: 'primary' | 'replica';
  /** PostgreSQL timeline: a promoted replica is on a newer one than the primary it replaced. */
  readonly timeline?: number;
  /** Replica: WAL received but not replayed yet, in bytes. */
  readonly replayLagBytes?: number;
  /** Replica: WAL position received (bytes since 0/0), to prefer the most advanced candidate. */
  readonly receivedLsn?: number;
  /** In words, for audit entries and errors (never a connection string). */
  readonly detail: string;
}

/** The action's own attempt to reach the old primary (spec §5: confirmed down before promotion). */
export interface DownCheck {
  readonly down: boolean;
  readonly detail: string;
}

export interface DatabaseDriver {
  readonly kind: 'postgres' | 'patroni';
  /** Never throws for an unreachable node: that is `reachable: false`. */
  inspect(node: string, signal: AbortSignal): Promise<NodeInspection>;
  /** Down only when the attempt fails the way a dead server fails (refused, reset, no answer). */
  confirmDown(node: string, signal: AbortSignal): Promise<DownCheck>;
  /** Makes `candidate` the primary; resolves once the driver's own wait for it is over. */
  promote(candidate: string, oldPrimary: string, signal: AbortSignal): Promise<string>;
  /** Proves `candidate` accepts writes now; returns what was proven and its timeline. */
  verifyWritable(candidate: string, proof: WriteProof, signal: AbortSignal): Promise<{ detail: string; timeline: number }>;
  /** Where the exchange should connect: host, port and database, never credentials. */
  endpoint(node: string): NodeEndpoint | undefined;
}

export interface WriteProof {
  readonly idempotencyKey: string;
  readonly epoch: number;
  readonly fencingToken: number;
}

export interface NodeEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database?: string;
}
