import { RequestError, errorMessage } from '../errors';
import { within } from '../runtime/within';

/** How long a write waits for its effects to reach Redis before answering 503 (issue 9: <= 2 s). */
export const PERSIST_WAIT_MS = 1_500;

export interface PersistWait {
  /** Why writes cannot be made now (Redis known down and writes waiting), if so: 503 at once. */
  unavailable?: () => string | undefined;
  persistWaitMs?: number;
}

/**
 * Resolves once applied samples' state changes are in Redis (written before acknowledged), or
 * throws the 503 a sender retries. A retry of the same samples is skipped as out of order, so
 * it changes nothing new; the queued writes are made, in order, once Redis answers.
 */
export async function awaitPersisted(persisted: Promise<void>, w: PersistWait): Promise<void> {
  // Redis known down: answer now rather than hold the request (and its promise) for nothing.
  const down = w.unavailable?.();
  if (down !== undefined) throw new RequestError(503, 'unavailable', `samples applied, but their state change is not yet in Redis (${down}); it is queued and written once Redis answers`);
  let outcome: 'persisted' | 'waiting';
  try {
    outcome = await within(persisted.then(() => 'persisted' as const), w.persistWaitMs ?? PERSIST_WAIT_MS, 'waiting');
  } catch (err) {
    // Applied in memory but a write was dropped (outbox full, or a permanent Redis error).
    throw new RequestError(503, 'persist_failed', `state change not persisted: ${errorMessage(err)}`);
  }
  if (outcome === 'waiting') throw new RequestError(503, 'unavailable', 'samples applied, but their state change is not yet in Redis (Redis not answering); it is queued and written once Redis answers');
}
