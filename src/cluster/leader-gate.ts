/**
 * What the effect stages ask before acting (issue 12 §1): only the leader opens incidents,
 * notifies, enqueues remediations, escalates and anchors the audit chain. A single process
 * without a cluster is always leader (ALWAYS_LEADER), so the stages need no second code path.
 */
export interface LeaderGate {
  isLeader(): boolean;
  /** The fencing token while leader. */
  token(): number | undefined;
}

/** A first-start alone, or tests of one stage: leader, with no token to fence by. */
export const ALWAYS_LEADER: LeaderGate = { isLeader: () => true, token: () => undefined };

/** How an incident or remediation agrees a firing episode's start (see EpisodeStarts). */
export interface EpisodeAgreement {
  agree(kind: string, key: string, localStartMs: number): Promise<number>;
  end(kind: string, key: string): Promise<void>;
}
