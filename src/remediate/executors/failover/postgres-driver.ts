import { Client } from 'pg';
import { PermanentError, TransientError, errorMessage } from '../../../errors';
import type { DatabaseDriver, DownCheck, NodeEndpoint, NodeInspection, WriteProof } from './database-driver';

export interface PostgresDriverOptions {
  /** Node name -> connection string (a secret: never logged, never in an error or audit entry). */
  readonly urls: ReadonlyMap<string, string>;
  readonly connectTimeoutMs: number;
  readonly promoteTimeoutMs: number;
  /** spec §10.3: database query 5 s. */
  readonly queryTimeoutMs: number;
  readonly checkTable: string;
  readonly synchronousModeStrict: boolean;
}

/** Network failures that mean nothing is listening or answering there (a dead or fenced server). */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'EHOSTDOWN']);

const INSPECT_SQL = `
  SELECT pg_is_in_recovery() AS in_recovery,
         CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id FROM pg_control_checkpoint())
              ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,
         pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::float8 AS received,
         pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 AS replay_lag`;

/** A PostgreSQL server's own error (it answered), as opposed to a network failure. */
function serverErrorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; severity?: unknown };
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && e.severity !== undefined ? e.code : undefined;
}

/**
 * failover_database over plain PostgreSQL connections: pg_is_in_recovery() tells roles apart,
 * `SELECT pg_promote(true, wait)` promotes, and a write into the check table proves the new primary
 * accepts writes. Connection strings stay inside this class.
 */
export class PostgresDriver implements DatabaseDriver {
  readonly kind = 'postgres' as const;
  readonly #o: PostgresDriverOptions;

  constructor(opts: PostgresDriverOptions) {
    this.#o = opts;
  }

  endpoint(node: string): NodeEndpoint | undefined {
    const url = this.#o.urls.get(node);
    if (!url) return undefined;
    const u = new URL(url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 5432, ...(database ? { database } : {}) };
  }

  async inspect(node: string, signal: AbortSignal): Promise<NodeInspection> {
    try {
      return await this.#withClient(node, signal, this.#o.queryTimeoutMs, async (c) => {
        const r = (await c.query(INSPECT_SQL)).rows[0] as { in_recovery: boolean; timeline: number | null; received: number | null; replay_lag: number | null };
        const role = r.in_recovery ? 'replica' : 'primary';
        const lag = r.replay_lag ?? undefined;
        return {
          node, reachable: true, role,
          ...(r.timeline !== null ? { timeline: Number(r.timeline) } : {}),
          ...(r.received !== null ? { receivedLsn: Number(r.received) } : {}),
          ...(lag !== undefined ? { replayLagBytes: Math.max(0, Number(lag)) } : {}),
          detail: role === 'primary' ? `${node} is a primary (timeline ${r.timeline})` : `${node} is a replica (${lag ?? 'unknown'} bytes received but not replayed)`,
        };
      });
    } catch (err) {
      return { node, reachable: false, detail: `${node}: ${this.#describe(err)}` };
    }
  }

  async confirmDown(node: string, signal: AbortSignal): Promise<DownCheck> {
    const client = this.#client(node, this.#o.connectTimeoutMs);
    try {
      await client.connect();
      return { down: false, detail: `${node} accepts connections` };
    } catch (err) {
      const code = serverErrorCode(err);
      // Any answer from the server (57P03 starting up or shutting down, an auth error, too many
      // connections) means a postmaster is alive there: it may still be, or become, a primary.
      if (code) return { down: false, detail: `${node} answered ${code} (${errorMessage(err)}): a server is running there` };
      const net = (err as { code?: string }).code;
      if (signal.aborted) return { down: false, detail: `${node}: check aborted` };
      if (net && DOWN_CODES.has(net)) return { down: true, detail: `${node}: connection failed (${net})` };
      const msg = errorMessage(err);
      if (/timeout expired|Connection terminated/.test(msg)) return { down: true, detail: `${node}: no answer within ${this.#o.connectTimeoutMs} ms (${msg})` };
      // DNS failures and the like: we could not even try, so nothing is confirmed.
      return { down: false, detail: `${node}: could not check (${net ?? msg})` };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async promote(candidate: string, _oldPrimary: string, signal: AbortSignal): Promise<string> {
    const waitSeconds = Math.max(1, Math.ceil(this.#o.promoteTimeoutMs / 1000));
    const said = await this.#withClient(candidate, signal, this.#o.promoteTimeoutMs + this.#o.queryTimeoutMs, async (c) => {
      try {
        const promoted = (await c.query('SELECT pg_promote(true, $1) AS promoted', [waitSeconds])).rows[0] as { promoted: boolean };
        if (!promoted.promoted) throw new TransientError(`pg_promote on ${candidate} did not finish within ${waitSeconds} s`);
        return `pg_promote(true, ${waitSeconds}) on ${candidate} returned true`;
      } catch (err) {
        // 55000 "recovery is not in progress": an earlier attempt of this failover promoted it.
        if (serverErrorCode(err) === '55000') return `${candidate} was already promoted (recovery is not in progress)`;
        throw err;
      }
    });
    return `${said}; ${await this.#settleSynchronousStandbys(candidate, signal)}`;
  }

  async verifyWritable(candidate: string, proof: WriteProof, signal: AbortSignal): Promise<{ detail: string; timeline: number }> {
    return this.#withClient(candidate, signal, this.#o.queryTimeoutMs, async (c) => {
      const state = (await c.query(INSPECT_SQL)).rows[0] as { in_recovery: boolean; timeline: number };
      if (state.in_recovery) throw new TransientError(`${candidate} is still in recovery (pg_is_in_recovery() true)`);
      if (this.#o.synchronousModeStrict) await this.#requireSyncStandby(c, candidate);
      const table = this.#o.checkTable;
      await c.query(`CREATE TABLE IF NOT EXISTS ${table} (idempotency_key text PRIMARY KEY, node text NOT NULL, epoch bigint NOT NULL, fencing_token bigint NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`);
      const row = (await c.query(
        `INSERT INTO ${table} (idempotency_key, node, epoch, fencing_token) VALUES ($1, $2, $3, $4)
         ON CONFLICT (idempotency_key) DO UPDATE SET node = EXCLUDED.node, epoch = EXCLUDED.epoch, fencing_token = EXCLUDED.fencing_token, written_at = now()
         RETURNING written_at`,
        [proof.idempotencyKey, candidate, proof.epoch, proof.fencingToken],
      )).rows[0] as { written_at: Date };
      return { detail: `${candidate} is out of recovery on timeline ${state.timeline} and committed a row into ${table} at ${row.written_at.toISOString()}`, timeline: Number(state.timeline) };
    });
  }

  /**
   * The new primary inherited synchronous_standby_names from the old one (pg_basebackup copies the
   * config): with no standby left every commit would wait for ever. As Patroni does without
   * synchronous_mode_strict, turn it off; with strict, keep it (writes wait for a standby).
   */
  async #settleSynchronousStandbys(candidate: string, signal: AbortSignal): Promise<string> {
    return this.#withClient(candidate, signal, this.#o.queryTimeoutMs, async (c) => {
      const names = ((await c.query("SELECT current_setting('synchronous_standby_names') AS names")).rows[0] as { names: string }).names;
      if (names === '') return 'synchronous_standby_names is empty';
      if (this.#o.synchronousModeStrict) return `synchronous_standby_names kept (${names}, synchronous_mode_strict): commits wait for a standby`;
      await c.query("ALTER SYSTEM SET synchronous_standby_names = ''");
      await c.query('SELECT pg_reload_conf()');
      await this.#untilSettingReloaded(candidate, signal);
      return `synchronous_standby_names was ${JSON.stringify(names)}; set to '' (ALTER SYSTEM, reloaded) so the new primary commits without a standby`;
    });
  }

  /** pg_reload_conf() only signals the postmaster: wait until a new session sees the new value. */
  async #untilSettingReloaded(node: string, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.#o.queryTimeoutMs;
    for (;;) {
      const names = await this.#withClient(node, signal, this.#o.queryTimeoutMs, async (c) => ((await c.query('SHOW synchronous_standby_names')).rows[0] as { synchronous_standby_names: string }).synchronous_standby_names);
      if (names === '') return;
      if (Date.now() > deadline) throw new TransientError(`${node} still has synchronous_standby_names set after pg_reload_conf()`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async #requireSyncStandby(c: Client, node: string): Promise<void> {
    const r = (await c.query("SELECT current_setting('synchronous_standby_names') AS names, (SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum'))::int AS sync")).rows[0] as { names: string; sync: number };
    if (r.names !== '' && r.sync === 0) throw new TransientError(`${node} waits for a synchronous standby (synchronous_mode_strict) and none is connected: commits do not complete yet`);
  }

  #client(node: string, statementTimeoutMs: number): Client {
    const url = this.#o.urls.get(node);
    if (!url) throw new PermanentError(`failover_database: no connection string for node ${node}`);
    const client = new Client({ connectionString: url, application_name: 'warden-failover', connectionTimeoutMillis: this.#o.connectTimeoutMs, statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 1000 });
    // A connection that breaks after use (the server died) must not be an unhandled 'error' event.
    client.on('error', () => undefined);
    return client;
  }

  async #withClient<T>(node: string, signal: AbortSignal, statementTimeoutMs: number, use: (c: Client) => Promise<T>): Promise<T> {
    if (signal.aborted) throw new PermanentError(`failover_database: aborted before connecting to ${node}`);
    const client = this.#client(node, statementTimeoutMs);
    // pg has no AbortSignal support: ending the connection aborts what is in flight.
    const onAbort = () => void client.end().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      return await use(client);
    } catch (err) {
      throw this.#classify(node, err);
    } finally {
      signal.removeEventListener('abort', onAbort);
      await client.end().catch(() => undefined);
    }
  }

  #classify(node: string, err: unknown): Error {
    if (err instanceof TransientError || err instanceof PermanentError) return err;
    const code = serverErrorCode(err);
    // 28 auth, 42 syntax/privilege (pg_promote needs superuser or an explicit GRANT), 3D000 no such database.
    if (code && /^(28|42|3D)/.test(code)) return new PermanentError(`${node}: ${errorMessage(err)} (${code})`, { cause: err });
    return new TransientError(`${node}: ${this.#describe(err)}`, { cause: err });
  }

  #describe(err: unknown): string {
    const code = serverErrorCode(err) ?? (err as { code?: string }).code;
    return `${errorMessage(err)}${code ? ` (${code})` : ''}`;
  }
}
