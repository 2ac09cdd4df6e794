import type { Logger } from 'pino';
import { Queue, type JobsOptions } from 'bullmq';
import type Redis from 'ioredis';
import type { Channel, Notification } from '../notify/notifier';
import { MAX_ATTEMPTS } from '../backoff';
import { traceContextField } from '../telemetry/trace-context';
import { closeBullmq, reportClose } from '../runtime/close-bullmq';

/** A notification bound for one receiver's channel: the data of one durable BullMQ job. */
export interface DeliveryJobData {
  readonly notification: Notification;
  readonly channel: Channel;
  /** Which of the receiver's configs of this channel (Notifier.index); absent for the first. */
  readonly index?: number;
  /** When the dispatcher decided to send it (page latency starts here or earlier). */
  readonly queuedAtMs: number;
  /** W3C trace context of the span that queued it (incident.open, ...): delivery continues the trace. */
  readonly traceContext?: Readonly<Record<string, string>>;
}

export const DELIVERY_QUEUE_NAME = 'notifications';

/** BullMQ's key prefix under Warden's (all Redis key names of a Warden share one prefix). */
export function bullPrefix(prefix: string): string {
  return `${prefix}:bull`;
}

export function bullConnection(redis: Redis): Redis {
  // BullMQ's blocking commands need maxRetriesPerRequest: null on their own connection.
  return redis.duplicate({ maxRetriesPerRequest: null });
}

/**
 * Every notification is a durable job whose id is its notification key (incident + transition
 * (+ seq) + receiver + channel): adding the same key again while the job is kept is a no-op, so a
 * dispatcher that crashed between queueing and saving its state queues nothing twice.
 */
export class DeliveryQueue {
  readonly queue: Queue<DeliveryJobData>;
  readonly #connection: Redis;
  readonly #log: Logger | undefined;

  constructor(redis: Redis, prefix: string, log?: Logger) {
    this.#connection = bullConnection(redis);
    this.#log = log;
    this.queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE_NAME, { connection: this.#connection, prefix: bullPrefix(prefix) });
    // Without a listener, a connection error (e.g. Redis going away at shutdown) is an unhandled 'error' event.
    const onError = (err: Error) => log?.warn({ err: err.message }, 'delivery queue error');
    this.queue.on('error', onError);
    this.#connection.on('error', onError);
  }

  async enqueue(data: DeliveryJobData): Promise<void> {
    await this.queue.add(data.notification.transition, { ...data, ...traceContextField() }, jobOptions(data.notification.key));
  }

  async stateOf(key: string): Promise<string> {
    return this.queue.getJobState(key);
  }

  async close(): Promise<void> {
    reportClose(this.#log, 'delivery queue', await closeBullmq(this.queue, [this.#connection]));
  }
}

export function jobOptions(jobId: string): JobsOptions {
  return {
    jobId,
    // spec §3.1: max 6 attempts, exponential backoff with jitter (remediate/backoff.ts, via the worker).
    attempts: MAX_ATTEMPTS,
    backoff: { type: 'spec' },
    // Kept a day after completion so a re-queued key is still recognised as a duplicate (spec §9.1: 24 h).
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 86_400 },
  };
}
