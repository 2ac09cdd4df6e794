import { PermanentError, TransientError } from '../errors';

/**
 * Default attempt timeouts, spec §10.3: database query 5 s, internal RPC 3 s, external RPC 10 s.
 * Each executor applies its own as a deadline combined with the job's abort signal.
 */
export const TIMEOUTS_MS = { database: 5_000, internalRpc: 3_000, externalRpc: 10_000 } as const;

export interface AttemptDeadline {
  readonly signal: AbortSignal;
  /** Turns an abort into the right typed error: our timeout retries, a job abort does not. */
  classify(err: unknown, what: string): Error;
}

export function attemptDeadline(jobSignal: AbortSignal, timeoutMs: number): AttemptDeadline {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([jobSignal, timeout]);
  return {
    signal,
    classify(err, what) {
      if (jobSignal.aborted) return new PermanentError(`${what}: aborted (${String(jobSignal.reason ?? 'job aborted')})`, { cause: err });
      if (timeout.aborted) return new TransientError(`${what}: timed out after ${timeoutMs} ms`, { cause: err });
      return err instanceof Error ? err : new Error(String(err));
    },
  };
}

/** Throws if the job was aborted before we start anything. */
export function throwIfAborted(signal: AbortSignal, what: string): void {
  if (signal.aborted) throw new PermanentError(`${what}: aborted before start (${String(signal.reason ?? 'job aborted')})`);
}
