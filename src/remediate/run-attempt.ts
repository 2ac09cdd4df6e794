import { PermanentError, TransientError } from '../errors';
import type { Logger } from '../telemetry/logger';
import { inSpan } from '../telemetry/trace-context';
import type { ExecutionResult, Executor } from './executor';
import type { JobCancellation } from './job-cancellation';
import type { RemediationJobData } from './remediation-job';

export type AttemptOutcome =
  | { readonly kind: 'ok'; readonly result: ExecutionResult }
  | { readonly kind: 'transient' | 'timed_out' | 'permanent' | 'cancelled'; readonly error: Error };

export interface AttemptContext {
  jobId: string;
  attempt: number;
  fencingToken: number;
  timeoutMs: number;
  log: Logger;
  cancellation: JobCancellation;
  /** BullMQ's own signal (worker.cancelJob), honoured like an operator's cancel. */
  bullSignal?: AbortSignal;
}

/**
 * One executor attempt under a deadline and a cancel signal. The executor gets one AbortSignal
 * for both; should it ignore the signal, the attempt still ends at the deadline (the executor's
 * late effect is then fenced by the token it was given, spec §5). The outcome says how to go on:
 * a timeout is transient (spec §3.1 examples: network timeouts), so is an untyped error, since
 * executors must throw PermanentError for what retrying cannot fix.
 */
export async function runAttempt(executor: Executor, data: RemediationJobData, ctx: AttemptContext): Promise<AttemptOutcome> {
  const cancel = ctx.cancellation.register(ctx.jobId);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TransientError(`attempt ${ctx.attempt} timed out after ${ctx.timeoutMs} ms`)), ctx.timeoutMs);
  const signals = [cancel.signal, deadline.signal, ...(ctx.bullSignal ? [ctx.bullSignal] : [])];
  const signal = AbortSignal.any(signals);
  const log = ctx.log.child({ jobId: ctx.jobId, action: data.action, target: data.target, attempt: ctx.attempt });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined); // only ever observed through the race below
  try {
    const execute = () => executor.execute(data.target, data.params, {
      jobId: ctx.jobId,
      idempotencyKey: data.idempotencyKey,
      fencingToken: ctx.fencingToken,
      attempt: ctx.attempt,
      signal,
      log,
      reason: data.reason,
      ...(data.incident !== undefined ? { incident: data.incident } : {}),
    });
    const execution = inSpan(`executor.${data.action}`, { attributes: { 'warden.remediation.target': data.target, 'warden.remediation.attempt': ctx.attempt } }, execute);
    return { kind: 'ok', result: await Promise.race([execution, aborted]) };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    if (cancel.signal.aborted || ctx.bullSignal?.aborted) return { kind: 'cancelled', error };
    // Executors report any abort of their signal as permanent; ours was a deadline: retry.
    if (deadline.signal.aborted) return { kind: 'timed_out', error: deadline.signal.reason as Error };
    if (error instanceof PermanentError || error.name === 'PermanentError') return { kind: 'permanent', error };
    if (!(error instanceof TransientError) && error.name !== 'TransientError') log.warn({ err: error }, 'executor threw an untyped error; treating it as transient');
    return { kind: 'transient', error };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
    cancel.done();
  }
}
