import { z } from 'zod';

/**
 * warden.yaml `remediation:` — global switches for the remediation pipeline (issue 4).
 * Per-rule remediation settings live in rule files (see src/remediate/).
 */
export const remediationConfigSchema = z.strictObject({
  /** Global dry run: every job is recorded with what it would have done; nothing runs. */
  dry_run: z.boolean().default(false),
});
export type RemediationConfig = z.output<typeof remediationConfigSchema>;
