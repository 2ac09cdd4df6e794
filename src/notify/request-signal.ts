/**
 * The signal one delivery attempt runs under: the caller's (the queue cancels on shutdown) combined
 * with the receiver's own timeout, so a hanging endpoint becomes a TransientError instead of a
 * stuck job (spec §3.1: a timeout is a transient failure).
 */
export function attemptSignal(callerSignal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([callerSignal, AbortSignal.timeout(timeoutMs)]);
}

/** Why an attempt was aborted, for the error message. */
export function abortReason(callerSignal: AbortSignal, timeoutMs: number): string {
  return callerSignal.aborted ? 'aborted by caller' : `timed out after ${timeoutMs} ms`;
}

