import { z } from 'zod';
import type { AuditLog } from '../../../audit/audit-log';
import { PermanentError, TransientError, errorMessage } from '../../../errors';
import type { DatabaseFailoverState, FailoverDone } from '../../database-failover-state';
import type { ExecutionContext, ExecutionResult, Executor } from '../../executor';
import type { ProbeEvidence } from '../../probe-evidence';
import { assertSafeTarget } from '../../target-safety';
import { throwIfAborted } from '../../attempt-deadline';
import { parseParams } from '../parse-params';
import type { DatabaseDriver, NodeInspection } from './database-driver';
import { repointExchange } from './exchange-repoint';
import { selectCandidate } from './select-candidate';

export const failoverDatabaseParamsSchema = z.strictObject({
  /** Promote this replica when it is fit; otherwise the fit replica that received the most WAL. */
  candidate: z.string().min(1).optional(),
});

export interface FailoverCluster {
  readonly name: string;
  readonly nodes: readonly string[];
  readonly driver: DatabaseDriver;
  readonly maxReplayLagBytes: number;
}

export interface FailoverDatabaseOptions {
  readonly clusters: ReadonlyMap<string, FailoverCluster>;
  readonly state: DatabaseFailoverState;
  readonly audit: AuditLog;
  readonly probes: ProbeEvidence;
  /** exchange.admin_url: told the new primary at <admin_url>/database/primary. */
  readonly exchangeAdminUrl?: string;
  /** Publish the cluster's series again once its record changed (ClusterObserver.refresh). */
  readonly onRecordChanged?: (cluster: string) => Promise<void>;
  readonly clock?: () => number;
}

interface Plan {
  readonly from: string;
  readonly to: string;
  /** The candidate already accepts writes (an earlier attempt, or someone else, promoted it). */
  readonly alreadyPrimary: boolean;
  readonly epoch: number;
}

/**
 * Database failover (issue 14 §3, spec §4.2 "promote read replica to primary", §13 RTO 60 s):
 * old primary confirmed down -> candidate chosen -> claim (compare-and-set in Redis) -> promote
 * -> verify writes -> tell the exchange -> record. Fenced (spec §5): nothing is promoted unless
 * the old primary is down by its probes (component_up 0, latest probe failed) AND this action's
 * own connection attempt fails (postgres) or Patroni's leader lock has let it go (patroni), and no
 * other node already accepts writes. One failover per incident: the claim and the done record are
 * keyed by the job's idempotency key, so a retry resumes and a repeat does nothing. Never a
 * failback: the old primary is never a candidate, and a node that comes back as primary on the old
 * timeline is reported, not believed (ClusterObserver). Every step is audited.
 */
export class FailoverDatabaseExecutor implements Executor {
  readonly action = 'failover_database' as const;
  readonly #o: FailoverDatabaseOptions;
  readonly #clock: () => number;

  constructor(opts: FailoverDatabaseOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
  }

  describe(target: string, params: Record<string, unknown>): string {
    assertSafeTarget(this.action, target);
    parseParams(this.action, failoverDatabaseParamsSchema, params);
    const c = this.#o.clusters.get(target);
    if (!c) return `cannot fail over ${target}: no database cluster of that name in remediation.executors.databases`;
    return `would promote a healthy replica of ${target} (${c.driver.kind}; nodes ${c.nodes.join(', ')}) once its primary is confirmed down, then POST ${this.#o.exchangeAdminUrl ?? '<exchange.admin_url unset>'}/database/primary`;
  }

  async execute(target: string, params: Record<string, unknown>, ctx: ExecutionContext): Promise<ExecutionResult> {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, failoverDatabaseParamsSchema, params);
    const cluster = this.#o.clusters.get(target);
    if (!cluster) throw new PermanentError(`failover_database: no database cluster "${target}" in remediation.executors.databases`);
    if (!this.#o.exchangeAdminUrl) throw new PermanentError('failover_database: exchange.admin_url is not configured: the exchange could not be pointed at a new primary');
    throwIfAborted(ctx.signal, this.action);
    const done = await this.#o.state.done(ctx.idempotencyKey);
    if (done) return { summary: `failover of ${target} to ${done.to} already carried out (key ${ctx.idempotencyKey}); nothing done again`, details: { ...done, repeated: true } };
    const plan = await this.#plan(cluster, p.candidate, ctx);
    return this.#carryOut(cluster, plan, ctx);
  }

  /** Everything up to and including the claim: no side effect on any database before it holds. */
  async #plan(cluster: FailoverCluster, preferred: string | undefined, ctx: ExecutionContext): Promise<Plan> {
    const record = await this.#o.state.read(cluster.name);
    const ours = record.claim?.key === ctx.idempotencyKey && record.claim.state === 'promoting' ? record.claim : undefined;
    const from = ours?.from ?? record.primary;
    if (!from) throw new PermanentError(`failover_database ${cluster.name}: Warden does not know the cluster's primary, so it cannot fence it: nothing promoted`);
    const looks = await Promise.all(cluster.nodes.map((n) => cluster.driver.inspect(n, ctx.signal)));
    const writable = looks.filter((l) => l.reachable && l.role === 'primary');
    if (writable.some((l) => l.node === from)) throw new TransientError(`failover_database ${cluster.name}: ${from} answers as a primary: not promoting anything (spec §5)`);
    if (writable.length > 1) throw new PermanentError(`failover_database ${cluster.name}: ${writable.map((l) => l.node).join(' and ')} all accept writes (split brain, spec §5): not acting; a person must decide`);
    const already = writable[0];
    if (already && already.node !== ours?.to && !(record.timeline === undefined || (already.timeline ?? 0) > record.timeline)) {
      throw new PermanentError(`failover_database ${cluster.name}: ${already.node} accepts writes on timeline ${already.timeline ?? '?'}, not newer than ${from}'s ${record.timeline}: not acting (spec §5)`);
    }
    if (!(already && already.node === ours?.to)) await this.#confirmDown(cluster, from, ctx);
    const to = already?.node ?? ours?.to ?? this.#candidate(cluster, looks, from, preferred);
    const claim = await this.#o.state.claim(cluster.name, ctx.idempotencyKey, from, to, this.#clock());
    if (claim.kind === 'busy') throw new TransientError(`failover_database ${cluster.name}: another failover (key ${claim.claim.key}, to ${claim.claim.to}) is in flight`);
    if (claim.kind === 'moved') throw new PermanentError(`failover_database ${cluster.name}: the primary is now ${claim.primary}, not ${from}: nothing to fail over`);
    const planned: Plan = { from, to: claim.claim.to, alreadyPrimary: already?.node === claim.claim.to, epoch: claim.epoch };
    await this.#audit(ctx, cluster.name, 'database.failover_claimed', { from, to: planned.to, epoch: planned.epoch, resumed: claim.kind === 'resumed', already_primary: planned.alreadyPrimary, nodes: looks.map((l) => l.detail) });
    return planned;
  }

  async #confirmDown(cluster: FailoverCluster, from: string, ctx: ExecutionContext): Promise<void> {
    const probes = this.#o.probes(from);
    if (!probes.down) throw new TransientError(`failover_database ${cluster.name}: ${from} is not confirmed down by its probes (${probes.detail}): not promoting (spec §5)`);
    const own = await cluster.driver.confirmDown(from, ctx.signal);
    if (!own.down) throw new TransientError(`failover_database ${cluster.name}: ${from} is not confirmed down by this action's own check (${own.detail}): not promoting (spec §5)`);
    await this.#audit(ctx, cluster.name, 'database.primary_confirmed_down', { primary: from, probes: probes.detail, connection: own.detail, driver: cluster.driver.kind });
  }

  #candidate(cluster: FailoverCluster, looks: readonly NodeInspection[], from: string, preferred: string | undefined): string {
    const choice = selectCandidate(looks, from, cluster.maxReplayLagBytes, preferred);
    if (choice.ok) return choice.candidate.node;
    const msg = `failover_database ${cluster.name}: no healthy replica to promote (${choice.reasons.join('; ')}): nothing promoted`;
    throw choice.unreachableOnly ? new TransientError(msg) : new PermanentError(msg);
  }

  async #carryOut(cluster: FailoverCluster, plan: Plan, ctx: ExecutionContext): Promise<ExecutionResult> {
    const started = this.#clock();
    const promoted = plan.alreadyPrimary ? `${plan.to} already accepts writes` : await this.#promote(cluster, plan, ctx);
    const verified = await cluster.driver.verifyWritable(plan.to, { idempotencyKey: ctx.idempotencyKey, epoch: plan.epoch, fencingToken: ctx.fencingToken }, ctx.signal);
    const promotedMs = this.#clock() - started;
    await this.#audit(ctx, cluster.name, 'database.promoted', { from: plan.from, to: plan.to, epoch: plan.epoch, timeline: verified.timeline, promote: promoted, verify: verified.detail, elapsed_ms: promotedMs });
    let exchangeStatus = 0;
    let exchangeError: string | undefined;
    try {
      const told = await repointExchange(this.#o.exchangeAdminUrl as string, {
        cluster: cluster.name, primary: plan.to, previous: plan.from, endpoint: cluster.driver.endpoint(plan.to), epoch: plan.epoch,
        fencingToken: ctx.fencingToken, idempotencyKey: ctx.idempotencyKey, incident: ctx.incident, reason: ctx.reason,
      }, ctx.signal);
      exchangeStatus = told.status;
      await this.#audit(ctx, cluster.name, 'database.exchange_repointed', { primary: plan.to, epoch: plan.epoch, status: told.status, attempts: told.attempts });
    } catch (err) {
      exchangeError = errorMessage(err);
      await this.#audit(ctx, cluster.name, 'database.exchange_not_repointed', { primary: plan.to, epoch: plan.epoch, error: exchangeError });
    }
    // The promotion is a fact whatever the exchange said: record it, so Warden never promotes again.
    await this.#o.state.complete(cluster.name, ctx.idempotencyKey, plan.to, verified.timeline, this.#clock());
    const done: FailoverDone = { cluster: cluster.name, from: plan.from, to: plan.to, epoch: plan.epoch, exchangeStatus, atMs: this.#clock() };
    await this.#o.state.markDone(ctx.idempotencyKey, done);
    await this.#o.onRecordChanged?.(cluster.name).catch((err: unknown) => ctx.log.warn({ err }, 'publishing the new primary failed'));
    if (exchangeError) throw new PermanentError(`promoted ${plan.to} (was ${plan.from}), but the exchange could not be pointed at it: ${exchangeError}; point it by hand`);
    return {
      summary: `promoted ${plan.to} to primary of ${cluster.name} (was ${plan.from}, epoch ${plan.epoch}) in ${promotedMs} ms; exchange told (HTTP ${exchangeStatus})`,
      details: { ...done, promote: promoted, verify: verified.detail, promotedMs },
    };
  }

  /** A permanent refusal to promote (412, no privilege) changed nothing: release the claim for the next failover. */
  async #promote(cluster: FailoverCluster, plan: Plan, ctx: ExecutionContext): Promise<string> {
    try {
      return await cluster.driver.promote(plan.to, plan.from, ctx.signal);
    } catch (err) {
      if (err instanceof PermanentError && !ctx.signal.aborted && (await this.#o.state.release(cluster.name, ctx.idempotencyKey))) {
        await this.#audit(ctx, cluster.name, 'database.failover_released', { from: plan.from, to: plan.to, epoch: plan.epoch, error: errorMessage(err) });
      }
      throw err;
    }
  }

  async #audit(ctx: ExecutionContext, cluster: string, action: string, details: Record<string, unknown>): Promise<void> {
    await this.#o.audit.append({ actor: `warden:job:${ctx.jobId}`, action, target: cluster, details: { job_id: ctx.jobId, idempotency_key: ctx.idempotencyKey, fencing_token: ctx.fencingToken, ...details } });
  }
}
