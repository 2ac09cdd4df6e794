/**
 * Verification after acting (issue 4 §2): `verify.expr` must hold within `verify.within`. The
 * check is injected (the lead wires it to the rule engine's evaluator), so this is only the
 * polling: true as soon as the check holds, false when the deadline passes first.
 */
import type { VerifyQuery } from '../rules/verify-template';

export type VerifyCheck = (query: VerifyQuery) => Promise<boolean> | boolean;

export interface VerifyOptions {
  readonly withinMs: number;
  readonly clock: () => number;
  /** How often to re-check; defaults to a tenth of `within`, between 100 ms and 1 s. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

export interface VerifyOutcome {
  readonly held: boolean;
  readonly checks: number;
  readonly elapsedMs: number;
  /** Set when the check itself threw on the last try (counted as not holding). */
  readonly lastError?: string;
}

export async function verifyWithin<Q>(check: (query: Q) => Promise<boolean> | boolean, query: Q, opts: VerifyOptions): Promise<VerifyOutcome> {
  const start = opts.clock();
  const pollMs = opts.pollMs ?? Math.min(1000, Math.max(100, Math.floor(opts.withinMs / 10)));
  let checks = 0;
  let lastError: string | undefined;
  for (;;) {
    checks++;
    try {
      if (await check(query)) return { held: true, checks, elapsedMs: opts.clock() - start };
      lastError = undefined;
    } catch (err) {
      // A broken check is not proof the repair worked: treat as not holding, report why.
      lastError = err instanceof Error ? err.message : String(err);
    }
    const left = start + opts.withinMs - opts.clock();
    if (left <= 0 || opts.signal?.aborted) return { held: false, checks, elapsedMs: opts.clock() - start, ...(lastError ? { lastError } : {}) };
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}
