/**
 * Every Redis key the remediation pipeline owns besides BullMQ's, in one place (as BullMQ's
 * queue-keys.ts does). Under `<prefix>:remediate:` so they never collide with BullMQ's
 * `<prefix>:remediation:<jobId>` keys.
 */
export const REMEDIATION_QUEUE_NAME = 'remediation';

export class RemediationKeys {
  readonly #base: string;
  constructor(prefix: string) {
    this.#base = `${prefix}:remediate`;
  }
  /** Who holds the per-target lease: "<jobId>|<fencingToken>". */
  lease(target: string): string {
    return `${this.#base}:lease:${target}`;
  }
  /** Monotonic fencing token counter per target (spec §5). */
  fence(target: string): string {
    return `${this.#base}:fence:${target}`;
  }
  cooldown(rule: string, target: string): string {
    return `${this.#base}:cooldown:${rule}:${target}`;
  }
  /** Set after a successful action on the target, for the settle period; holds the job id. */
  settle(target: string): string {
    return `${this.#base}:settle:${target}`;
  }
  /** Sorted set of job ids scored by when they consumed budget. */
  budget(rule: string, target: string): string {
    return `${this.#base}:budget:${rule}:${target}`;
  }
  /** Marks a job id as already enqueued (spec §9.1: kept 24 h). */
  enqueued(jobId: string): string {
    return `${this.#base}:enqueued:${jobId}`;
  }
  cancelled(jobId: string): string {
    return `${this.#base}:cancelled:${jobId}`;
  }
  /** Hash: a job's approval request and decision (issue 13 §2), kept job_retention. */
  approval(jobId: string): string {
    return `${this.#base}:approval:${jobId}`;
  }
  /** Sorted set: job ids awaiting a decision, scored by when they expire. */
  approvalsPending(): string {
    return `${this.#base}:approvals:pending`;
  }
  /** Sorted set: decided job ids whose job has not yet taken the decision up (a crash may lose the wake-up). */
  approvalsDecided(): string {
    return `${this.#base}:approvals:decided`;
  }
  /** Sorted set: job ids held by a maintenance window, scored by when they were held. */
  held(): string {
    return `${this.#base}:held`;
  }
  /** Pub/sub channel: job ids to abort, so cancel reaches the replica running the job. */
  cancelChannel(): string {
    return `${this.#base}:cancel`;
  }
}
