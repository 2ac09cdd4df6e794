import { SpanKind } from '@opentelemetry/api';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../errors';
import { isBreakerOpen } from '../notify/circuit-breaker';
import { integrationName, type Channel, type DeliveryResult, type Notification, type Notifier } from '../notify/notifier';
import { bullConnection, bullPrefix, DELIVERY_QUEUE_NAME, type DeliveryJobData, type DeliveryQueue } from './delivery-queue';
import type { IncidentStore } from './incident-store';
import { execOrThrow } from './incident-store';
import { NotificationLog, notificationKey, sanitizeKeyPart } from './notification-log';
import { retryDelayMs } from '../backoff';
import { contextFrom, inSpan } from '../telemetry/trace-context';
import { closeBullmq, reportClose } from '../runtime/close-bullmq';

export interface Delivered {
  readonly notification: Notification;
  readonly channel: Channel;
  readonly result: DeliveryResult;
  /** From the dispatcher's decision to the channel's acceptance. */
  readonly latencyMs: number;
}

export interface DeliveryWorkerOptions {
  redis: Redis;
  prefix: string;
  /** Normally GuardedNotifiers (each behind its channel's breaker). */
  notifiers: readonly Notifier[];
  store: IncidentStore;
  queue: DeliveryQueue;
  log: Logger;
  clock?: () => number;
  random?: () => number;
  /** @defaultValue 8 */
  concurrency?: number;
  /** How long a crashed worker's job stays locked before another takes it over. @defaultValue 30_000 */
  lockDurationMs?: number;
  /** Longest wait before re-checking an open breaker (it may close sooner on another job's trial). @defaultValue 5000 */
  breakerRecheckMaxMs?: number;
  onDelivered?: (d: Delivered) => void;
}

export const PAGERDUTY_UNREACHABLE = 'PagerDuty unreachable';
const PAGING: ReadonlySet<string> = new Set(['trigger', 'escalate', 'repeat']);
// Later transitions wait this long for their trigger to be delivered, so they land in its thread.
const THREAD_WAIT_MS = 250;
const THREAD_WAIT_LIMIT_MS = 60_000;

/**
 * Delivers queued notifications. Exactly-once, as far as a channel allows: the `sent` record is
 * written (with the thread ref) after the channel accepted the message and before BullMQ
 * acknowledges the job, so a job replayed after a crash (stalled-job recovery) finds it and sends
 * nothing. Only a crash in the instant between the channel's answer and that write can repeat a
 * send: PagerDuty folds the repeat into the same incident by dedup_key; email repeats the same
 * Message-ID (clients collapse it); Slack would show it twice.
 */
export class DeliveryWorker {
  readonly #o: DeliveryWorkerOptions;
  readonly #nflog: NotificationLog;
  readonly #clock: () => number;
  readonly #abort = new AbortController();
  #worker: Worker<DeliveryJobData> | undefined;
  #connection: Redis | undefined;

  constructor(opts: DeliveryWorkerOptions) {
    this.#o = opts;
    this.#nflog = new NotificationLog(opts.redis, opts.prefix);
    this.#clock = opts.clock ?? Date.now;
  }

  start(): void {
    if (this.#worker) return;
    const random = this.#o.random ?? Math.random;
    this.#connection = bullConnection(this.#o.redis);
    this.#worker = new Worker<DeliveryJobData>(DELIVERY_QUEUE_NAME, (job, token) => inSpan(`notify.${job.data.channel}`, { parent: contextFrom(job.data.traceContext), kind: SpanKind.CONSUMER, attributes: deliveryAttributes(job.data) }, () => this.#process(job, token)), {
      connection: this.#connection,
      prefix: bullPrefix(this.#o.prefix),
      concurrency: this.#o.concurrency ?? 8,
      lockDuration: this.#o.lockDurationMs ?? 30_000,
      stalledInterval: Math.max(500, Math.floor((this.#o.lockDurationMs ?? 30_000) / 2)),
      // spec §3.1 backoff, the remediation pipeline's pure function (one definition for Warden).
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(Math.max(1, attemptsMade), random) },
    });
    this.#worker.on('error', (err) => this.#o.log.warn({ err: err.message }, 'delivery worker error'));
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    const w = this.#worker;
    this.#worker = undefined;
    if (w && this.#connection) reportClose(this.#o.log, 'delivery worker', await closeBullmq(w, [this.#connection]));
  }

  async #process(job: Job<DeliveryJobData>, token: string | undefined): Promise<{ ref?: string; duplicate?: boolean }> {
    const { notification: n, channel } = job.data;
    const sent = await this.#nflog.sent(n.key);
    if (sent) return { ref: sent.ref, duplicate: true };
    const notifier = this.#o.notifiers.find((x) => x.receiver === n.receiver && x.channel === channel && (x.index ?? 0) === (job.data.index ?? 0));
    if (!notifier) throw new UnrecoverableError(`receiver "${n.receiver}" has no ${channel} notifier (configuration changed?)`);
    if (await this.#superseded(n)) {
      await this.#recordSent(job.data, { channel, detail: { skipped: 'incident no longer triggered' } });
      return { duplicate: true };
    }
    const threadRef = n.transition === 'trigger' ? undefined : await this.#threadRef(job, token);
    if (n.transition === 'acknowledge' || n.transition === 'resolve') await this.#afterPagesInFlight(job, token);
    let result: DeliveryResult;
    try {
      result = await notifier.send({ ...n, threadRef }, this.#abort.signal);
    } catch (err) {
      return this.#failed(job, token, err);
    }
    await this.#recordSent(job.data, result);
    return { ref: result.ref };
  }

  async #recordSent(data: DeliveryJobData, result: DeliveryResult): Promise<void> {
    const { notification: n, channel } = data;
    const atMs = this.#clock();
    const multi = this.#o.redis.multi();
    this.#nflog.recordSentCommand(multi, n.key, { atMs, ref: result.ref });
    if (n.transition === 'trigger' && result.ref) this.#o.store.threadRefCommand(multi, n.incidentId, n.receiver, integrationOf(data), result.ref);
    const what = n.note ? `${n.transition} (${n.note})` : n.transition;
    const skipped = result.detail?.skipped;
    const message = skipped ? `${what} to ${n.receiver} via ${channel} not sent: ${String(skipped)}` : `${what} sent to ${n.receiver} via ${channel}`;
    this.#o.store.timelineCommand(multi, n.incidentId, { atMs, kind: skipped ? 'queued' : 'notified', message, channel, receiver: n.receiver, transition: n.transition });
    await execOrThrow(multi);
    this.#o.onDelivered?.({ notification: n, channel, result, latencyMs: Date.now() - data.queuedAtMs });
  }

  /** A repeat or escalation whose incident was acknowledged or resolved meanwhile must not re-open the page. */
  async #superseded(n: Notification): Promise<boolean> {
    if (n.transition !== 'repeat' && n.transition !== 'escalate' && n.transition !== 'remind') return false;
    const status = await this.#o.store.statusOf(n.incidentId);
    // A reminder is about an acknowledgement: moot once the incident is resolved or handed back.
    return status !== undefined && status !== (n.transition === 'remind' ? 'acknowledged' : 'triggered');
  }

  /** An acknowledgement or resolution waits for a page of the same incident being sent right now (order at PagerDuty). */
  async #afterPagesInFlight(job: Job<DeliveryJobData>, token: string | undefined): Promise<void> {
    const { notification: n, channel } = job.data;
    const active = await this.#o.queue.queue.getActive();
    const racing = active.some((j) => j.id !== job.id && j.data.notification.incidentId === n.incidentId && j.data.channel === channel && (j.data.index ?? 0) === (job.data.index ?? 0) && j.data.notification.receiver === n.receiver && PAGING.has(j.data.notification.transition));
    if (racing && Date.now() - job.timestamp < THREAD_WAIT_LIMIT_MS) {
      await job.moveToDelayed(Date.now() + THREAD_WAIT_MS, token);
      throw new DelayedError();
    }
  }

  /** The trigger's Slack ts / Message-ID; waits briefly while the trigger itself is still queued. */
  async #threadRef(job: Job<DeliveryJobData>, token: string | undefined): Promise<string | undefined> {
    const { notification: n, channel } = job.data;
    const ref = await this.#o.store.threadRef(n.incidentId, n.receiver, integrationOf(job.data));
    if (ref !== undefined || Date.now() - job.timestamp > THREAD_WAIT_LIMIT_MS) return ref;
    const triggerKey = notificationKey({ incidentId: n.incidentId, transition: 'trigger', receiver: n.receiver, channel: integrationOf(job.data) });
    const state = await this.#o.queue.stateOf(triggerKey);
    if (['waiting', 'delayed', 'active', 'prioritized'].includes(state)) {
      await job.moveToDelayed(Date.now() + THREAD_WAIT_MS, token);
      throw new DelayedError();
    }
    return undefined;
  }

  async #failed(job: Job<DeliveryJobData>, token: string | undefined, err: unknown): Promise<never> {
    const { notification: n, channel } = job.data;
    if (isBreakerOpen(err)) {
      // spec §3.2 degraded mode: hold the job until the breaker lets a trial through; a page meanwhile goes to Slack + email.
      if (channel === 'pagerduty' && PAGING.has(n.transition)) await this.#fallBack(job.data);
      const waitMs = Math.min(Math.max(err.retryAfterMs, 100), this.#o.breakerRecheckMaxMs ?? 5000);
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    const permanent = err instanceof Error && err.name === 'PermanentError';
    const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    this.#o.log.warn({ key: n.key, channel, attempt: job.attemptsMade + 1, final, err: errorMessage(err) }, 'notification delivery failed');
    if (final) {
      await this.#o.store.appendTimeline(n.incidentId, { atMs: this.#clock(), kind: 'notification_failed', message: `${n.transition} to ${n.receiver} via ${channel} failed: ${errorMessage(err)}`, channel, receiver: n.receiver, transition: n.transition });
      if (channel === 'pagerduty' && PAGING.has(n.transition)) await this.#fallBack(job.data);
    }
    if (permanent) throw new UnrecoverableError(errorMessage(err));
    throw err;
  }

  /** Queues the page on Slack and email, once per page (the job ids dedup repeats). */
  async #fallBack(data: DeliveryJobData): Promise<void> {
    const n = data.notification;
    for (const fb of fallbackNotifiers(this.#o.notifiers, n.receiver)) {
      const key = `${n.key}.fallback.${sanitizeKeyPart(fb.receiver)}.${integrationName(fb)}`;
      const notification: Notification = { ...n, key, receiver: fb.receiver, note: PAGERDUTY_UNREACHABLE };
      await this.#o.queue.enqueue({ notification, channel: fb.channel, ...(fb.index ? { index: fb.index } : {}), queuedAtMs: data.queuedAtMs });
    }
  }
}

/** The paged receiver's own Slack and email; when it has none, every receiver's. */
export function fallbackNotifiers(notifiers: readonly Notifier[], receiver: string): Notifier[] {
  const isFallback = (x: Notifier) => x.channel === 'slack' || x.channel === 'email';
  const own = notifiers.filter((x) => x.receiver === receiver && isFallback(x));
  return own.length > 0 ? own : notifiers.filter(isFallback);
}

/** The job's channel and config index as notification keys and thread refs name it ("slack", "webhook1"). */
function integrationOf(d: DeliveryJobData): string {
  return integrationName({ channel: d.channel, index: d.index });
}

function deliveryAttributes(d: DeliveryJobData): Record<string, string | number> {
  const n = d.notification;
  return { 'warden.incident.id': n.incidentId, 'warden.notify.transition': n.transition, 'warden.notify.receiver': n.receiver, 'warden.incident.severity': n.severity };
}
