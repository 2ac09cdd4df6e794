import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import Redis, { type RedisOptions } from 'ioredis';
import { connectRedis } from '../runtime/redis-connection';
import type { Registry } from 'prom-client';
import type { Alert, AlertTransition } from '../rules/alert';
import { ALWAYS_LEADER, type EpisodeAgreement, type LeaderGate } from '../cluster/leader-gate';
import type { Logger } from '../telemetry/logger';
import type { WardenEvents } from '../warden-events';
import { BACKOFF_TYPE, retryDelayMs } from '../backoff';
import { Budget } from './budget';
import { Cooldown } from './cooldown';
import type { Escalator } from './escalator';
import type { Executor, RemediationAction } from './executor';
import { JobCancellation } from './job-cancellation';
import type { RemediationAuditSink } from './remediation-audit';
import { RemediationEnqueuer, newEnqueueProgress, type EnqueueOutcome, type EnqueueProgress } from './remediation-enqueuer';
import type { RemediationJobData, RemediationJobResult } from './remediation-job';
import { RemediationJobs } from './remediation-jobs';
import { REMEDIATION_QUEUE_NAME, RemediationKeys } from './remediation-keys';
import { RemediationMetrics } from './remediation-metrics';
import { RemediationProcessor, type RemediationProcessorDeps } from './remediation-processor';
import type { RemediationRule } from '../rules/remediation-rule-schema';
import { TargetLease } from './target-lease';
import type { VerifyCheck } from './verify';
import { closeBullmq, closeRedisClient, reportClose } from '../runtime/close-bullmq';
import type { JournalRecord, JournalSink } from '../runtime/outbox-journal';
import { WriteOutbox, type OutboxBatch } from '../runtime/write-outbox';
import { isRedisUnavailable } from '../runtime/redis-unavailable';
import { TargetSettle } from './target-settle';
import { TargetPolicy } from './target-policy';
import { ApprovalStore } from './approval-store';
import { RemediationApprovals } from './remediation-approvals';
import { MaintenanceHold, type MaintenanceHolds } from './maintenance-hold';

export interface RemediationServiceOptions {
  /** A redis:// URL or ioredis options. */
  redis: string | RedisOptions;
  /** warden.yaml `redis.prefix`: BullMQ's prefix and the root of the pipeline's own keys. */
  prefix: string;
  rules: readonly RemediationRule[];
  /**
   * warden.yaml `components[].name`: the targets any rule may act on. Others only when a rule's
   * `targets:` allows them (issue 9). @defaultValue none
   */
  components?: readonly string[];
  executors: ReadonlyMap<RemediationAction, Executor>;
  audit: RemediationAuditSink;
  escalator: Escalator;
  /** Evaluates a rule's `verify.expr` now (wired to the rule engine). */
  verify: VerifyCheck;
  /** Whether a job's alert still fires (wired to the rule engine); see RemediationProcessorDeps. */
  stillFiring?: RemediationProcessorDeps['stillFiring'];
  /** Whether a job's alert was restored after a restart and is not yet re-evaluated; see RemediationProcessorDeps. */
  awaitingRestore?: RemediationProcessorDeps['awaitingRestore'];
  /** See TargetSettle. @defaultValue 0 (off; warden.yaml's remediation.settle defaults to 30 s) */
  settleMs?: number;
  /** warden.yaml `remediation.dry_run`. */
  dryRun: boolean;
  registry: Registry;
  log: Logger;
  /** @defaultValue Date.now */
  clock?: () => number;
  /** Jitter source in [0, 1) for the spec §10.2 backoff jitter. @defaultValue Math.random */
  jitter?: () => number;
  /** warden.yaml `remediation.concurrency`. @defaultValue 8 */
  concurrency?: number;
  /** warden.yaml `remediation.job_retention`. @defaultValue 24 h (spec §9.1) */
  jobRetentionMs?: number;
  /** Run a worker in this process; false enqueues only. @defaultValue true */
  runWorker?: boolean;
  /** BullMQ stall detection (kill -9 recovery). @defaultValue 30 s lock, 30 s check interval */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Keeps enqueues that wait for Redis on disk (see WriteOutbox). */
  journal?: JournalSink;
  /** Maintenance windows (issue 13 §3): matching jobs are held until they end. @defaultValue none */
  maintenance?: MaintenanceHolds;
  /** Issue 12: only the leader enqueues (workers run everywhere). @defaultValue always leader */
  leader?: LeaderGate;
  /** Issue 12 §3: the firing start in job ids is agreed through Redis, not this replica's clock. */
  episodes?: EpisodeAgreement;
}

/** An alert that fired, until its remediations are enqueued (and audited) in Redis. */
interface QueuedEnqueue {
  readonly t: AlertTransition;
  readonly atMs: number;
  readonly token: string;
}

/** Firing transitions kept for Redis during an outage; beyond it the oldest are dropped, counted. */
const MAX_QUEUED_ENQUEUES = 10_000;
/** Fired alerts enqueued concurrently at most (bounds the Redis commands of one burst in flight). */
const ENQUEUE_BATCH = 64;

/**
 * The remediation pipeline the composition root wires (issue 4 §2): alert transitions in,
 * BullMQ jobs through the safety checks to the executors, every step audited.
 * `stop()` waits for running jobs (graceful SIGTERM) and is safe to call twice.
 */
export class RemediationService {
  readonly metrics: RemediationMetrics;
  readonly #o: RemediationServiceOptions;
  readonly #redis: Redis;
  readonly #keys: RemediationKeys;
  readonly #queue: Queue<RemediationJobData, RemediationJobResult>;
  readonly #cancellation: JobCancellation;
  readonly #enqueuer: RemediationEnqueuer;
  readonly #jobs: RemediationJobs;
  readonly #policy: TargetPolicy;
  /**
   * Firing alerts in order until their jobs are enqueued (issue 9): one that fires while Redis is
   * down or frozen is enqueued once it answers, its `matched` entry at the time it fired.
   */
  readonly #pending: WriteOutbox;
  readonly #enqueues: OutboxBatch<QueuedEnqueue> = { kind: 'remediation enqueue', max: ENQUEUE_BATCH, journaled: true, writeMany: (items) => this.#enqueueMany(items) };
  readonly #progress = new WeakMap<QueuedEnqueue, EnqueueProgress>();
  readonly #approvals: RemediationApprovals;
  #worker: Worker<RemediationJobData, RemediationJobResult> | undefined;
  /** BullMQ does not close connections it was handed; we do, after the worker. */
  #workerRedis: Redis | undefined;
  #stopping: Promise<void> | undefined;

  constructor(opts: RemediationServiceOptions) {
    this.#o = opts;
    const clock = opts.clock ?? Date.now;
    this.#redis = connect(opts.redis);
    this.#redis.on('error', (err) => opts.log.warn({ err: err.message }, 'remediation redis connection error'));
    this.#keys = new RemediationKeys(opts.prefix);
    this.metrics = new RemediationMetrics(opts.registry);
    this.metrics.exportAtZero(opts.rules, opts.dryRun);
    this.#queue = new Queue(REMEDIATION_QUEUE_NAME, { connection: this.#redis, prefix: opts.prefix });
    this.#queue.on('error', (err) => opts.log.warn({ err: err.message }, 'remediation queue error'));
    this.#cancellation = new JobCancellation(this.#redis, this.#keys, opts.log);
    this.#policy = new TargetPolicy(opts.components ?? []);
    this.#enqueuer = new RemediationEnqueuer(
      { queue: this.#queue, redis: this.#redis, keys: this.#keys, audit: opts.audit, metrics: this.metrics, policy: this.#policy, escalator: opts.escalator, log: opts.log, clock, globalDryRun: opts.dryRun, retentionMs: opts.jobRetentionMs ?? 24 * 3_600_000 },
      opts.rules,
    );
    const retentionMs = opts.jobRetentionMs ?? 24 * 3_600_000;
    const approvalStore = new ApprovalStore(this.#redis, this.#keys, retentionMs);
    this.#approvals = new RemediationApprovals({ queue: this.#queue, store: approvalStore, audit: opts.audit, registry: opts.registry, log: opts.log, clock });
    this.#pending = new WriteOutbox({ name: 'remediation', log: opts.log, registry: opts.registry, maxDepth: MAX_QUEUED_ENQUEUES, journal: opts.journal });
    this.#jobs = new RemediationJobs(this.#queue, this.#cancellation, opts.audit, this.metrics, { approvals: approvalStore, redis: this.#redis, keys: this.#keys });
  }

  /** Approve / reject (issue 13 §2): the API and Slack decide through it. */
  get approvals(): RemediationApprovals {
    return this.#approvals;
  }

  /**
   * A maintenance window ended (or was deleted): wake every held job now; each looks again and
   * either stays held (another window) or re-checks its alert and acts or skips.
   */
  async releaseHeld(): Promise<number> {
    let woken = 0;
    for (const jobId of await this.#redis.zrange(this.#keys.held(), 0, -1)) {
      const job = await this.#queue.getJob(jobId);
      if (!job) {
        await this.#redis.zrem(this.#keys.held(), jobId);
        continue;
      }
      if ((await job.getState()) !== 'delayed') continue;
      const promoted = await job.promote().then(() => true, (err: unknown) => {
        this.#o.log.debug({ jobId, err: (err as Error).message }, 'held job already woken');
        return false;
      });
      if (promoted) woken++;
    }
    return woken;
  }

  get jobs(): RemediationJobs {
    return this.#jobs;
  }

  get rules(): readonly RemediationRule[] {
    return this.#enqueuer.rules;
  }

  async start(): Promise<void> {
    await this.#redis.ping();
    await this.#cancellation.start();
    if (this.#o.runWorker ?? true) this.#worker = this.#createWorker();
    await this.#worker?.waitUntilReady();
    this.#approvals.start();
  }

  /** Handles one alert transition; only transitions to firing enqueue. */
  onAlert(t: AlertTransition): Promise<EnqueueOutcome[]> {
    return this.#enqueuer.onAlert(t);
  }

  /**
   * Subscribes to the bus: each alert that starts firing is queued for enqueueing, retried while
   * Redis is unavailable. Failures are logged, never thrown into the emitting stage.
   */
  listen(events: WardenEvents): () => void {
    const listener = (t: AlertTransition) => {
      if (t.to === 'firing' && t.from !== 'firing' && (this.#o.leader ?? ALWAYS_LEADER).isLeader()) this.#queueEnqueue({ t, atMs: (this.#o.clock ?? Date.now)(), token: randomUUID() });
    };
    events.on('alert', listener);
    return () => events.off('alert', listener);
  }

  /**
   * This replica just became leader (issue 12 §4): enqueue for every alert firing now; a job the
   * dead leader already made has the same deterministic id and is kept once (a dedup skip).
   */
  async takeOver(firing: readonly Alert[]): Promise<void> {
    const now = (this.#o.clock ?? Date.now)();
    for (const alert of firing) this.#queueEnqueue({ t: { alert, from: 'pending', to: 'firing', atMs: now }, atMs: now, token: randomUUID() });
    await this.idle();
  }

  /**
   * The alert with the firing start agreed through Redis (issue 12 §3), which may be another
   * replica's. Asked when the enqueue is written, not when the alert fires: the decision is queued
   * (and journaled) at once even with Redis away, and a Redis outage here retries the batch.
   */
  async #agreed(t: AlertTransition): Promise<AlertTransition> {
    const local = t.alert.firedAtMs ?? t.atMs;
    if (!this.#o.episodes) return t;
    try {
      const firedAtMs = await this.#o.episodes.agree('alert', t.alert.fingerprint, local);
      return firedAtMs === local ? t : { ...t, alert: { ...t.alert, firedAtMs } };
    } catch (err) {
      if (isRedisUnavailable(err)) throw err;
      this.#o.log.warn({ err: (err as Error).message, alert: t.alert.name }, "firing start not agreed through Redis: using this replica's");
      return t;
    }
  }

  /** Resolves once every alert queued so far has its jobs enqueued (or failed for good). */
  idle(): Promise<void> {
    return this.#pending.idle();
  }

  /** Firing alerts whose jobs wait for Redis. */
  get pendingEnqueues(): number {
    return this.#pending.depth;
  }

  /** Redis answers again: enqueue what waits now. */
  retryNow(): void {
    this.#pending.wake();
  }

  /** Redis stopped answering: keep what waits in the journal too. */
  journalAll(): void {
    this.#pending.journalAll();
  }

  /** Enqueues a previous run journaled and never got into Redis, ahead of this run's. */
  replay(records: readonly JournalRecord[]): void {
    for (const r of records) {
      const q = r.data as Partial<QueuedEnqueue>;
      if (!q.t || typeof q.atMs !== 'number' || typeof q.token !== 'string') {
        this.#o.log.error({ kind: r.kind }, 'journaled remediation enqueue of an unknown shape: dropped');
        continue;
      }
      this.#queueEnqueue({ t: q.t, atMs: q.atMs, token: q.token }, true);
    }
  }

  #queueEnqueue(q: QueuedEnqueue, journal = false): void {
    this.#pending.enqueueItem(this.#enqueues, q, { journal }).catch((err: unknown) => {
      if (!this.#stopping) this.#o.log.error({ err, alert: q.t.alert.name }, 'could not enqueue remediation');
    });
  }

  /**
   * Alerts that fired are enqueued together, concurrently: they are independent (deterministic job
   * ids keep each one once), so a burst costs round trips per batch, not per alert in a row. Only a
   * Redis outage fails the batch, to be retried whole; the steps already made are not made again
   * (the item's EnqueueProgress). Any other failure is one alert's and is logged, not retried.
   */
  async #enqueueMany(items: QueuedEnqueue[]): Promise<void> {
    const results = await Promise.allSettled(items.map(async (q) => this.#enqueuer.onAlert(await this.#agreed(q.t), this.#progressOf(q))));
    const outage = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && isRedisUnavailable(r.reason));
    if (outage) throw outage.reason;
    results.forEach((r, i) => {
      if (r.status === 'rejected' && !this.#stopping) this.#o.log.error({ err: r.reason, alert: items[i]?.t.alert.name }, 'could not enqueue remediation');
    });
  }

  /** Kept across retries of the same queued item: steps already audited are not audited again. */
  #progressOf(q: QueuedEnqueue): EnqueueProgress {
    let p = this.#progress.get(q);
    if (!p) this.#progress.set(q, (p = newEnqueueProgress(q.atMs, q.token)));
    return p;
  }

  /** Stops taking new jobs (running ones finish); for maintenance and tests. */
  async pauseWorker(): Promise<void> {
    await this.#worker?.pause();
  }

  resumeWorker(): void {
    this.#worker?.resume();
  }

  replaceRules(rules: readonly RemediationRule[]): void {
    this.metrics.exportAtZero(rules, this.#o.dryRun);
    this.#enqueuer.replaceRules(rules);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    // Enqueues still waiting for Redis stay in the journal (if they were journaled) for the next start.
    this.#pending.close();
    this.#approvals.stop();
    // Stop taking jobs; close() waits for the running ones to finish (graceful SIGTERM).
    const worker = this.#worker && this.#workerRedis ? await closeBullmq(this.#worker, [this.#workerRedis]) : 'closed';
    reportClose(this.#o.log, 'remediation worker', worker);
    const queue = await closeBullmq(this.#queue, []);
    reportClose(this.#o.log, 'remediation queue', queue);
    await this.#cancellation.stop();
    // An abandoned queue still has init in flight on this client: closing it would raise BullMQ's unhandled error.
    if (queue !== 'abandoned') await closeRedisClient(this.#redis);
  }

  #createWorker(): Worker<RemediationJobData, RemediationJobResult> {
    const o = this.#o;
    const clock = o.clock ?? Date.now;
    const processor = new RemediationProcessor({
      executors: o.executors,
      audit: o.audit,
      escalator: o.escalator,
      verify: o.verify,
      stillFiring: o.stillFiring,
      awaitingRestore: o.awaitingRestore,
      settle: new TargetSettle(this.#redis, this.#keys),
      policy: this.#policy,
      settleMs: o.settleMs ?? 0,
      lease: new TargetLease(this.#redis, this.#keys),
      cooldown: new Cooldown(this.#redis, this.#keys),
      budget: new Budget(this.#redis, this.#keys),
      cancellation: this.#cancellation,
      metrics: this.metrics,
      log: o.log,
      clock,
      hold: o.maintenance && new MaintenanceHold({ redis: this.#redis, keys: this.#keys, holds: o.maintenance, audit: o.audit, clock }),
      approvals: { store: this.#approvals.store, onRequested: (r) => this.#approvals.onRequested(r), onExpired: (r) => this.#approvals.onExpired(r) },
    });
    const jitter = o.jitter ?? Math.random;
    this.#workerRedis = connect(o.redis);
    this.#workerRedis.on('error', (err) => o.log.warn({ err: err.message }, 'remediation worker redis connection error'));
    const worker = new Worker<RemediationJobData, RemediationJobResult>(REMEDIATION_QUEUE_NAME, processor.process, {
      connection: this.#workerRedis,
      prefix: o.prefix,
      concurrency: o.concurrency ?? 8,
      autorun: true,
      ...(o.lockDurationMs !== undefined ? { lockDuration: o.lockDurationMs } : {}),
      ...(o.stalledIntervalMs !== undefined ? { stalledInterval: o.stalledIntervalMs } : {}),
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) => {
          if (type !== BACKOFF_TYPE) throw new Error(`unknown backoff type ${String(type)}`);
          return retryDelayMs(attemptsMade, jitter);
        },
      },
    });
    worker.on('error', (err) => o.log.error({ err }, 'remediation worker error'));
    worker.on('failed', (job, err) => o.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'remediation attempt failed'));
    worker.on('stalled', (jobId) => o.log.warn({ jobId }, 'remediation job stalled (worker died?); it will run again'));
    return worker;
  }
}

function connect(redis: string | RedisOptions): Redis {
  // BullMQ needs maxRetriesPerRequest null: its blocking commands must wait out reconnects.
  return typeof redis === 'string' ? connectRedis(redis, { maxRetriesPerRequest: null }) : new Redis({ ...redis, maxRetriesPerRequest: null });
}
