import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { within } from './within';

/** A BullMQ Queue or Worker: both expose these (a Queue ignores `force`). */
export interface BullmqOwner {
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
  readonly client: Promise<{ readonly status: string }>;
}

export type CloseOutcome = 'closed' | 'forced' | 'abandoned';

export interface CloseLimits {
  /** How long to wait for a connection still initialising before giving up on it. */
  readonly readyWaitMs?: number;
  /** How long a graceful close (running jobs finishing, QUIT) may take before it is forced. */
  readonly graceMs?: number;
}

/** After dropping the sockets, how long close() gets to notice before we stop waiting for it. */
const AFTER_DROP_MS = 2_000;
/** A Redis that does not answer PING this fast at shutdown is treated as gone (frozen, partitioned). */
const PING_MS = 1_000;

/**
 * Closes a BullMQ Queue/Worker and then the ioredis clients it was handed, in bounded time.
 *
 * Why not just close(): BullMQ (5.x) re-emits a failed connection init as an 'error' on a
 * connection whose listeners close() already removed, so closing while init is still in flight
 * throws "Unhandled error. Connection is closed." into the process: we wait for init first (and
 * leave a connection that never initialises to process exit). And a graceful close waits on Redis
 * without limit (QUIT, the blocking connection, commands queued while reconnecting): if Redis dies
 * or freezes during it, close() never returns. So the graceful close has `graceMs`, cut short the
 * moment a connection drops; then the sockets are destroyed, which fails what waits on them.
 */
export async function closeBullmq(owner: BullmqOwner, clients: readonly Redis[], limits: CloseLimits = {}): Promise<CloseOutcome> {
  const { readyWaitMs = 5_000, graceMs = 15_000 } = limits;
  if (!(await settlesWithin(owner.waitUntilReady(), readyWaitMs))) return 'abandoned';
  // A failed init rejects `client`: that connection is as good as gone.
  const ownerClient = await owner.client.then((c) => c as Redis, () => undefined);
  const watched = [...new Set(ownerClient ? [ownerClient, ...clients] : clients)];
  if (ownerClient && watched.every((c) => c.status === 'ready') && (await answersPing(ownerClient))) {
    const graceful = owner.close();
    if ((await gracefulOrLost(graceful, watched, graceMs)) === 'done') {
      for (const c of clients) await closeRedisClient(c);
      return 'closed';
    }
    dropOwnerConnections(owner, ownerClient);
    for (const c of clients) dropRedisClient(c);
    return (await settlesWithin(graceful, AFTER_DROP_MS)) ? 'forced' : 'abandoned';
  }
  // Redis went away (or froze) after init: force it; running jobs are not waited for.
  const forced = owner.close(true);
  if (ownerClient) dropOwnerConnections(owner, ownerClient);
  for (const c of clients) dropRedisClient(c);
  return (await settlesWithin(forced, AFTER_DROP_MS)) ? 'forced' : 'abandoned';
}

/** QUIT when connected, bounded (a frozen Redis never answers it); otherwise drop the socket. */
export async function closeRedisClient(c: Redis, timeoutMs = 2_000): Promise<void> {
  if (c.status !== 'ready') return dropRedisClient(c);
  const quit = c.quit().then(() => undefined, () => undefined);
  if ((await gracefulOrLost(quit, [c], timeoutMs)) !== 'done') dropRedisClient(c);
}

/**
 * disconnect() only half-closes the socket (end()); against a frozen Redis the socket never
 * closes and queued commands wait forever. Destroying it fails them at once ("Connection is closed").
 */
export function dropRedisClient(c: Redis): void {
  c.disconnect();
  (c.stream as { destroy(): void } | undefined)?.destroy();
}

/** A Worker's blocking connection is BullMQ's own (protected in its typings), so reach it at runtime. */
function dropOwnerConnections(owner: BullmqOwner, ownerClient: Redis): void {
  dropRedisClient(ownerClient);
  const blocking = (owner as unknown as { blockingConnection?: { client: Promise<Redis> } }).blockingConnection;
  blocking?.client.then(dropRedisClient, () => undefined);
}

/** 'done' when `p` settles first; 'lost' as soon as a client's connection closes; else 'timeout'. */
async function gracefulOrLost(p: Promise<unknown>, clients: readonly Redis[], ms: number): Promise<'done' | 'lost' | 'timeout'> {
  let onLost: () => void = () => undefined;
  const lost = new Promise<'lost'>((resolve) => (onLost = () => resolve('lost')));
  for (const c of clients) c.once('close', onLost);
  try {
    return await within(Promise.race([p.then(() => 'done' as const, () => 'done' as const), lost]), ms, 'timeout');
  } finally {
    for (const c of clients) c.off('close', onLost);
  }
}

async function answersPing(c: Redis): Promise<boolean> {
  return within(c.ping().then(() => true, () => false), PING_MS, false);
}

/** True when `p` resolved or rejected within `ms`; a rejection means init ended, so close is safe. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return within(p.then(() => true, () => true), ms, false);
}

/** Says what a shutdown could not do cleanly; a clean close says nothing. */
export function reportClose(log: Logger | undefined, what: string, outcome: CloseOutcome): void {
  if (outcome === 'forced') log?.warn({ what }, 'Redis unreachable at shutdown: closed without waiting for running work');
  if (outcome === 'abandoned') log?.warn({ what }, 'Redis unreachable at shutdown: connections left to process exit');
}
