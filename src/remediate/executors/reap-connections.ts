import { Client } from 'pg';
import { parseDurationMs } from '../../config/duration';
import { PermanentError, TransientError } from '../../errors';
import type { ExecutionContext, ExecutionResult, Executor } from '../executor';
import { assertSafeTarget } from '../target-safety';
import { TIMEOUTS_MS, attemptDeadline, throwIfAborted } from '../attempt-deadline';
import { parseParams } from './parse-params';
import { reapConnectionsParamsSchema, type ReapConnectionsParams } from './reap-connections-params';

export interface ReapConnectionsOptions {
  /** The PostgreSQL server to act on; the user needs pg_signal_backend (or superuser). */
  connectionString: string;
  /** Our own application_name, so other Warden replicas' reapers are never reaped. */
  applicationName?: string;
  /** Other application names that belong to Warden and must never be reaped. */
  protectedApplicationNames?: readonly string[];
  /** spec §10.3: database query 5 s. */
  timeoutMs?: number;
}

export interface ReapedBackend {
  pid: number;
  database: string | null;
  user: string | null;
  applicationName: string | null;
  state: string;
  idleSeconds: number;
}

/**
 * Selection and termination in one statement, so a backend is judged and terminated in the same
 * snapshot row; the window in which an idle backend turns active in between is the few
 * microseconds between the row filter and pg_terminate_backend.
 */
const REAP_SQL = `
  SELECT pid, datname, usename, application_name, state,
         extract(epoch FROM now() - state_change)::float8 AS idle_seconds,
         pg_terminate_backend(pid) AS terminated
  FROM pg_stat_activity
  WHERE backend_type = 'client backend'
    AND pid <> pg_backend_pid()
    AND state = ANY($1::text[])
    AND state_change < now() - make_interval(secs => $2::float8)
    AND ($3::text[] IS NULL OR datname = ANY($3::text[]))
    AND ($4::text[] IS NULL OR usename = ANY($4::text[]))
    AND coalesce(application_name, '') <> ALL($5::text[])
  ORDER BY state_change
  LIMIT $6`;

function classifyPgError(err: unknown, what: string): Error {
  const code = (err as { code?: string }).code ?? '';
  // 28xxx auth, 42xxx syntax/privilege, 3D000 no such database: retrying cannot help.
  if (/^(28|42|3D)/.test(code)) return new PermanentError(`${what}: ${(err as Error).message} (${code})`, { cause: err });
  return new TransientError(`${what}: ${(err as Error).message}${code ? ` (${code})` : ''}`, { cause: err });
}

/** spec §11.2 "DB connection leak: close idle connections > 5 min". */
export class ReapConnectionsExecutor implements Executor {
  readonly action = 'reap_connections' as const;
  readonly #opts: ReapConnectionsOptions;
  readonly #applicationName: string;

  constructor(opts: ReapConnectionsOptions) {
    this.#opts = opts;
    this.#applicationName = opts.applicationName ?? 'warden';
  }

  describe(target: string, params: Record<string, unknown>): string {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, reapConnectionsParamsSchema, params);
    return `would terminate ${p.states.join('/')} backends idle more than ${p.idle_for} on ${target}${scopeText(p)}`;
  }

  async execute(target: string, params: Record<string, unknown>, ctx: ExecutionContext): Promise<ExecutionResult> {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, reapConnectionsParamsSchema, params);
    const what = `reap_connections ${target}`;
    throwIfAborted(ctx.signal, what);
    const timeoutMs = this.#opts.timeoutMs ?? TIMEOUTS_MS.database;
    const deadline = attemptDeadline(ctx.signal, timeoutMs);
    const client = new Client({ connectionString: this.#opts.connectionString, application_name: this.#applicationName, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs });
    client.on('error', (err) => ctx.log.warn({ err }, 'reaper connection error'));
    // pg has no AbortSignal support: ending the connection aborts the query in flight.
    const onAbort = () => void client.end().catch((err: unknown) => ctx.log.warn({ err }, 'closing reaper connection failed'));
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      const reaped = await this.#reap(client, p);
      const terminated = reaped.filter((r) => r.terminated).map((r) => r.backend);
      const pids = terminated.map((b) => b.pid);
      ctx.log.info({ target, pids }, 'reaped idle connections');
      return { summary: `terminated ${pids.length} idle connection(s) on ${target}${scopeText(p)}`, details: { count: pids.length, pids, backends: terminated, idleFor: p.idle_for } };
    } catch (err) {
      throw deadline.signal.aborted ? deadline.classify(err, what) : classifyPgError(err, what);
    } finally {
      deadline.signal.removeEventListener('abort', onAbort);
      if (!deadline.signal.aborted) await client.end().catch((err: unknown) => ctx.log.warn({ err }, 'closing reaper connection failed'));
    }
  }

  async #reap(client: Client, p: ReapConnectionsParams): Promise<Array<{ backend: ReapedBackend; terminated: boolean }>> {
    const protectedNames = [this.#applicationName, ...(this.#opts.protectedApplicationNames ?? [])];
    const idleSeconds = (parseDurationMs(p.idle_for) as number) / 1000;
    const res = await client.query(REAP_SQL, [p.states, idleSeconds, p.databases ?? null, p.users ?? null, protectedNames, p.max_connections]);
    return res.rows.map((r: Record<string, unknown>) => ({
      terminated: r.terminated === true,
      backend: {
        pid: Number(r.pid),
        database: (r.datname as string | null) ?? null,
        user: (r.usename as string | null) ?? null,
        applicationName: (r.application_name as string | null) ?? null,
        state: String(r.state),
        idleSeconds: Math.round(Number(r.idle_seconds) * 10) / 10,
      },
    }));
  }
}

function scopeText(p: ReapConnectionsParams): string {
  const parts = [p.databases && `databases ${p.databases.join(',')}`, p.users && `users ${p.users.join(',')}`].filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}
