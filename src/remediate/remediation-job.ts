import type { RemediationAction } from './executor';
import type { RemediationRule } from '../rules/remediation-rule-schema';
import type { VerifyOutcome } from './verify';

/**
 * What a job carries. The rule is snapshotted at enqueue time, so a rule reload never changes a
 * job in flight and any replica (or a restarted Warden) can run it without the rule files.
 */
export interface RemediationJobData {
  readonly rule: RemediationRule;
  readonly action: RemediationAction;
  readonly target: string;
  readonly params: Record<string, unknown>;
  readonly alert: {
    readonly name: string;
    readonly fingerprint: string;
    readonly labels: Record<string, string>;
    readonly firedAtMs: number;
    readonly value: number;
  };
  /** Equals the job id: the same on every attempt and every replica (spec §9.1). */
  readonly idempotencyKey: string;
  /** Global or per-rule dry run, decided at enqueue time. */
  readonly dryRun: boolean;
  readonly enqueuedAtMs: number;
  /** Why Warden acts, in words (the alert's summary annotation or name). */
  readonly reason: string;
  /** The rule's verify.expr with the alert's labels, for display only: the worker builds the query from rule and labels. */
  readonly verifyExpr?: string;
  /** The incident the executor may cite (e.g. halt_trading's body), when one is known. */
  readonly incident?: string;
  /** W3C trace context of the remediation.enqueue span: the worker continues the trace (issue 6 §3). */
  readonly traceContext?: Readonly<Record<string, string>>;
}

export type RemediationJobResult =
  | { readonly outcome: 'dry_run'; readonly wouldDo: string }
  /** `already_done`: this very job acted, then its worker died before recording it (recovered after a stall). */
  | { readonly outcome: 'skipped'; readonly reason: 'cooldown' | 'budget' | 'already_done' | 'alert_resolved' | 'rejected' | 'approval_expired'; readonly detail: string }
  | {
      readonly outcome: 'succeeded' | 'verified' | 'verify_failed';
      readonly summary: string;
      readonly details: Record<string, unknown>;
      readonly fencingToken: number;
      readonly attempt: number;
      readonly verify?: VerifyOutcome;
    };
