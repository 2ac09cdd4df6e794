import { z } from 'zod';
import { PermanentError } from '../../errors';
import type { ExecutionContext, ExecutionResult, Executor } from '../executor';
import type { TradingState } from '../trading-state';
import { assertSafeTarget } from '../target-safety';
import { TIMEOUTS_MS, attemptDeadline, throwIfAborted } from '../attempt-deadline';
import { errorForStatus, postJson } from '../http-outcome';
import { parseParams } from './parse-params';

export const haltTradingParamsSchema = z.strictObject({
  /** Used when the job carries no reason of its own. */
  reason: z.string().min(1).default('invariant violation (spec §8.2)'),
});

export interface HaltTradingOptions {
  /** exchange.admin_url */
  adminUrl?: string;
  trading: TradingState;
  /** spec §10.3 internal RPC: 3 s. */
  timeoutMs?: number;
}

/**
 * spec §8.2 "Violation: PANIC, halt trading, alert on-call". The Idempotency-Key is the job's, the
 * same on every attempt (spec §9.1), so the exchange applies one halt however often we retry; and
 * a key already carried out is not even sent again.
 */
export class HaltTradingExecutor implements Executor {
  readonly action = 'halt_trading' as const;
  readonly #opts: HaltTradingOptions;

  constructor(opts: HaltTradingOptions) {
    this.#opts = opts;
  }

  describe(target: string, params: Record<string, unknown>): string {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, haltTradingParamsSchema, params);
    return `would halt trading on ${target} via POST ${this.#url() ?? '<exchange.admin_url unset>'} (reason: ${p.reason})`;
  }

  async execute(target: string, params: Record<string, unknown>, ctx: ExecutionContext): Promise<ExecutionResult> {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, haltTradingParamsSchema, params);
    const url = this.#url();
    if (!url) throw new PermanentError('halt_trading: exchange.admin_url is not configured');
    throwIfAborted(ctx.signal, 'halt_trading');
    const reason = ctx.reason ?? p.reason;
    if (await this.#opts.trading.haltRecorded(ctx.idempotencyKey)) {
      return { summary: `trading halt for ${target} already carried out (key ${ctx.idempotencyKey}); nothing sent`, details: { url, idempotencyKey: ctx.idempotencyKey, repeated: true } };
    }
    const deadline = attemptDeadline(ctx.signal, this.#opts.timeoutMs ?? TIMEOUTS_MS.internalRpc);
    const what = `halt_trading: POST ${url}`;
    const body = { reason, incident: ctx.incident ?? null, fencingToken: ctx.fencingToken };
    const res = await postJson(url, body, { 'idempotency-key': ctx.idempotencyKey, 'x-fencing-token': String(ctx.fencingToken) }, deadline, what);
    // 409 "already halted" is the state we want.
    if ((res.status < 200 || res.status >= 300) && res.status !== 409) throw errorForStatus(what, res.status, res.body);
    const status = await this.#opts.trading.markHalted({ actor: `warden:job:${ctx.jobId}`, reason, incident: ctx.incident, idempotencyKey: ctx.idempotencyKey, details: { exchangeStatus: res.status, attempt: ctx.attempt } });
    return { summary: `trading halted on ${target} (HTTP ${res.status})`, details: { url, status: res.status, idempotencyKey: ctx.idempotencyKey, trading: status } };
  }

  #url(): string | undefined {
    return this.#opts.adminUrl && `${this.#opts.adminUrl.replace(/\/+$/, '')}/trading/halt`;
  }
}
