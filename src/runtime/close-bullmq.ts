import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A BullMQ Queue or Worker: both expose these (a Queue ignores `force`). */
export interface BullmqOwner {
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
  readonly client: Promise<{ readonly status: string }>;
}

export type CloseOutcome = 'closed' | 'forced' | 'abandoned';

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
  // A failed init rejects `client`: that connection is as good as gone.
  const ownerStatus = await owner.client.then((c) => c.status, () => 'end');
  if (ownerStatus === 'ready' && clients.every((c) => c.status === 'ready')) {
    await owner.close();
    for (const c of clients) await closeRedisClient(c);
    return 'closed';
  }
  // Redis went away after init: a graceful close would wait for it forever (a Worker's blocking
  // connection, the clients' offline queues). Force it: running jobs are not waited for.
  await owner.close(true);
  for (const c of clients) c.disconnect();
  return 'forced';
}

/** QUIT when connected; when not, QUIT would sit in the offline queue, so drop the connection. */
export async function closeRedisClient(c: Redis): Promise<void> {
  if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
  else c.disconnect();
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

/** Says what a shutdown could not do cleanly; a clean close says nothing. */
export function reportClose(log: Logger | undefined, what: string, outcome: CloseOutcome): void {
  if (outcome === 'forced') log?.warn({ what }, 'Redis unreachable at shutdown: closed without waiting for running work');
  if (outcome === 'abandoned') log?.warn({ what }, 'Redis unreachable at shutdown: connections left to process exit');
}
