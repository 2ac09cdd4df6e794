import type { NodeInspection } from './database-driver';

export type CandidateChoice =
  | { readonly ok: true; readonly candidate: NodeInspection; readonly others: readonly string[] }
  /** `unreachableOnly`: every replica failed to answer (worth retrying) rather than answered unfit. */
  | { readonly ok: false; readonly reasons: readonly string[]; readonly unreachableOnly: boolean };

/**
 * Which replica to promote (pure): reachable, really a replica (in recovery), with no more than
 * `maxReplayLagBytes` of received WAL still to replay; among those the named `preferred` one, else
 * the one that received the most WAL (with synchronous replication every standby that acknowledged
 * commits has them all, spec §13 RPO 0), ties by configuration order.
 */
export function selectCandidate(looks: readonly NodeInspection[], oldPrimary: string, maxReplayLagBytes: number, preferred?: string): CandidateChoice {
  const reasons: string[] = [];
  let unreachableOnly = true;
  const fit: NodeInspection[] = [];
  for (const l of looks) {
    if (l.node === oldPrimary) continue;
    if (!l.reachable) {
      reasons.push(`${l.detail}`);
      continue;
    }
    unreachableOnly = false;
    if (l.role !== 'replica') reasons.push(`${l.node} is not a replica (${l.detail})`);
    else if ((l.replayLagBytes ?? 0) > maxReplayLagBytes) reasons.push(`${l.node} has ${l.replayLagBytes} bytes of WAL still to replay (max_replay_lag ${maxReplayLagBytes})`);
    else fit.push(l);
  }
  if (fit.length === 0) return { ok: false, reasons: reasons.length ? reasons : ['the cluster has no node besides the primary'], unreachableOnly: unreachableOnly && reasons.length > 0 };
  const named = preferred === undefined ? undefined : fit.find((l) => l.node === preferred);
  const best = named ?? fit.reduce((a, b) => ((b.receivedLsn ?? 0) > (a.receivedLsn ?? 0) ? b : a));
  return { ok: true, candidate: best, others: reasons };
}
