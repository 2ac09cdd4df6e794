import { z } from 'zod';
import { duration } from './schema-types';
import { executorsConfigSchema } from './executors-schema';

/**
 * warden.yaml `remediation:` — global switches for the remediation pipeline (issue 4).
 * Per-rule remediation settings live in rule files (see src/remediate/).
 */
export const remediationConfigSchema = z.strictObject({
  /** Global dry run: every job is recorded with what it would have done; nothing runs. */
  dry_run: z.boolean().default(false),
  /** Jobs one Warden runs at once (different targets; one target is leased to one job at a time). */
  concurrency: z.number().int().min(1).max(256).default(8),
  /**
   * How long finished jobs and enqueue markers are kept: a replayed firing within this window is
   * a no-op (spec §9.1: idempotency keys live 24 h).
   */
  job_retention: duration().default(24 * 3_600_000),
  /**
   * After a successful action on a target, other jobs on it wait this long and then act only if
   * their alert still fires: a restart's own downtime must not be taken for a crash. 0 turns it off.
   */
  settle: duration().default(30_000),
  /** What the executors act on: the PostgreSQL server to reap, log directories, restart settings. */
  executors: executorsConfigSchema.default(executorsConfigSchema.parse({})),
});
export type RemediationConfig = z.output<typeof remediationConfigSchema>;
