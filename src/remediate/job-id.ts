import { createHash } from 'node:crypto';

/**
 * The deterministic idempotency key of a remediation job (issue 4 §2): one per rule, rendered
 * target and alert firing start, so a replayed transition, a restarted Warden or a second
 * replica computes the same id and BullMQ keeps a single job. BullMQ rejects ':' in custom ids
 * (and ids that are integers), so unsafe characters become '_' and a hash of the exact triple
 * keeps two targets that sanitize alike apart.
 */
export function remediationJobId(ruleName: string, target: string, firedAtMs: number): string {
  const exact = JSON.stringify([ruleName, target, firedAtMs]);
  const hash = createHash('sha256').update(exact).digest('hex').slice(0, 12);
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);
  return `rem.${safe(ruleName)}.${safe(target)}.${firedAtMs}.${hash}`;
}
