import type { Redis } from 'ioredis';

/** A BullMQ Queue or Worker: both expose these two. */
export interface BullmqOwner {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export type CloseOutcome = 'closed' | 'abandoned';

/**
 * Closes a BullMQ Queue/Worker and then the ioredis clients it was handed.
 *
 * Why not just close(): BullMQ (5.x) re-emits a failed connection init as an 'error' on a
 * connection whose listeners close() already removed, so closing (or disconnecting its client)
 * while init (ready + INFO) is still in flight throws "Unhandled error. Connection is closed."
 * into the process. Waiting for init first makes the close clean. If Redis cannot be reached
 * within `readyWaitMs`, init never settles and any close would raise that error: we leave the
 * connections to process exit and say so (the caller logs it) rather than crash on the way out.
 */
export async function closeBullmq(owner: BullmqOwner, clients: readonly Redis[], readyWaitMs = 5_000): Promise<CloseOutcome> {
  if (!(await settlesWithin(owner.waitUntilReady(), readyWaitMs))) return 'abandoned';
  await owner.close();
  for (const c of clients) await c.quit().catch(() => c.disconnect());
  return 'closed';
}

/** True when `p` resolved or rejected within `ms`; a rejection means init ended, so close is safe. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
