import { PermanentError, TransientError, errorMessage } from '../../../errors';
import type { DatabaseDriver, DownCheck, NodeEndpoint, NodeInspection } from './database-driver';

export interface PatroniDriverOptions {
  /** Node name -> its Patroni REST API base URL. */
  readonly apis: ReadonlyMap<string, string>;
  /** "user:password" for restapi.authentication (a secret: only ever in the Authorization header). */
  readonly auth?: string;
  readonly connectTimeoutMs: number;
  readonly promoteTimeoutMs: number;
}

/** GET /patroni (Patroni's api.py get_postgresql_status); only the fields Warden reads. */
interface PatroniStatus {
  state?: string;
  role?: string;
  timeline?: number;
  xlog?: { location?: number; received_location?: number; replayed_location?: number };
}

/** GET /cluster (utils.cluster_as_json). */
interface PatroniCluster {
  members?: Array<{ name?: string; role?: string; state?: string; host?: string; port?: number; timeline?: number }>;
}

const PRIMARY_ROLES = new Set(['primary', 'master']);
const LEADER_ROLES = new Set(['leader', 'master', 'primary']);
const VERIFY_POLL_MS = 100;

/**
 * failover_database through Patroni's REST API: `POST /failover {"candidate"}` asks Patroni to
 * promote, and Patroni's leader lock in its DCS is what fences the old primary (spec §5: it
 * demotes itself when it cannot hold the lock; a member without the lock never runs as primary).
 * Promotion is verified by `GET /primary` on the candidate (200 only for a running primary that
 * holds the leader lock) and the leader named by `GET /cluster`.
 */
export class PatroniDriver implements DatabaseDriver {
  readonly kind = 'patroni' as const;
  readonly #o: PatroniDriverOptions;
  /** host/port per member as GET /cluster last reported them, for the exchange. */
  readonly #endpoints = new Map<string, NodeEndpoint>();

  constructor(opts: PatroniDriverOptions) {
    this.#o = opts;
  }

  endpoint(node: string): NodeEndpoint | undefined {
    return this.#endpoints.get(node);
  }

  async inspect(node: string, signal: AbortSignal): Promise<NodeInspection> {
    let res: { status: number; body: string };
    try {
      res = await this.#request('GET', node, '/patroni', undefined, this.#o.connectTimeoutMs, signal);
    } catch (err) {
      return { node, reachable: false, detail: `${node}: ${errorMessage(err)}` };
    }
    const s = parseJson<PatroniStatus>(res.body);
    if (!s || s.state !== 'running') return { node, reachable: false, detail: `${node}: Patroni reports PostgreSQL ${s?.state ?? `unknown (HTTP ${res.status})`}` };
    const role = s.role && PRIMARY_ROLES.has(s.role) ? 'primary' : 'replica';
    const received = s.xlog?.received_location;
    const replayed = s.xlog?.replayed_location;
    const lag = received !== undefined && replayed !== undefined ? Math.max(0, received - replayed) : undefined;
    return {
      node, reachable: true, role,
      ...(s.timeline !== undefined ? { timeline: s.timeline } : {}),
      ...(received !== undefined ? { receivedLsn: received } : {}),
      ...(lag !== undefined ? { replayLagBytes: lag } : {}),
      detail: `${node}: Patroni reports a running ${s.role ?? 'member'} on timeline ${s.timeline ?? '?'}`,
    };
  }

  /** Our own attempt at the old primary's API, and the cluster's view of its leader from the others. */
  async confirmDown(node: string, signal: AbortSignal): Promise<DownCheck> {
    const own = await this.inspect(node, signal);
    if (own.reachable && own.role === 'primary') return { down: false, detail: `${own.detail}: it is still the primary` };
    const cluster = await this.#clusterFromOthers(node, signal);
    if (!cluster) return { down: false, detail: `${own.detail}; no other member's Patroni answered GET /cluster: the leader lock cannot be checked` };
    const leader = cluster.members?.find((m) => m.role !== undefined && LEADER_ROLES.has(m.role));
    if (leader?.name === node && leader.state === 'running') return { down: false, detail: `${own.detail}; but GET /cluster still shows ${node} as the running leader` };
    if (leader && leader.name !== node) return { down: true, detail: `${own.detail}; GET /cluster shows ${leader.name} holding the leader lock: ${node} is fenced by Patroni` };
    return { down: true, detail: `${own.detail}; GET /cluster shows ${leader ? `leader ${node} ${leader.state ?? 'not running'}` : 'no leader'} (Patroni's leader lock fences it)` };
  }

  async promote(candidate: string, oldPrimary: string, signal: AbortSignal): Promise<string> {
    const cluster = await this.#cluster(candidate, signal);
    const leader = cluster?.members?.find((m) => m.role !== undefined && LEADER_ROLES.has(m.role));
    if (leader?.name === candidate) return `${candidate} already holds Patroni's leader lock`;
    // No `leader`: with one Patroni treats the request as a switchover from a live leader.
    const res = await this.#request('POST', candidate, '/failover', { candidate }, this.#o.promoteTimeoutMs, signal);
    const text = res.body.trim().slice(0, 300);
    if (res.status === 200 && /^Successfully failed over/.test(text)) return `POST /failover {"candidate":"${candidate}"} (was ${oldPrimary}): HTTP 200 ${text}`;
    if (res.status === 200) throw new PermanentError(`Patroni did not fail over to ${candidate}: ${text}`);
    if (res.status === 412 || res.status === 400 || res.status === 401 || res.status === 403) throw new PermanentError(`POST /failover to ${candidate}: HTTP ${res.status} ${text}`);
    throw new TransientError(`POST /failover to ${candidate}: HTTP ${res.status} ${text}`);
  }

  async verifyWritable(candidate: string, _proof: unknown, signal: AbortSignal): Promise<{ detail: string; timeline: number }> {
    const deadline = Date.now() + this.#o.promoteTimeoutMs;
    let last = '';
    for (;;) {
      try {
        const primary = await this.#request('GET', candidate, '/primary', undefined, this.#o.connectTimeoutMs, signal);
        const cluster = await this.#cluster(candidate, signal);
        const leader = cluster?.members?.find((m) => m.role !== undefined && LEADER_ROLES.has(m.role));
        if (primary.status === 200 && leader?.name === candidate) {
          const s = parseJson<PatroniStatus>(primary.body);
          return { detail: `GET /primary on ${candidate}: 200 (running primary with the leader lock); GET /cluster leader ${candidate}`, timeline: s?.timeline ?? leader.timeline ?? 0 };
        }
        last = `GET /primary ${primary.status}, GET /cluster leader ${leader?.name ?? 'none'}`;
      } catch (err) {
        last = errorMessage(err);
      }
      if (Date.now() > deadline || signal.aborted) throw new TransientError(`${candidate} is not a primary with the leader lock yet: ${last}`);
      await new Promise((r) => setTimeout(r, VERIFY_POLL_MS));
    }
  }

  async #clusterFromOthers(node: string, signal: AbortSignal): Promise<PatroniCluster | undefined> {
    for (const other of this.#o.apis.keys()) {
      if (other === node) continue;
      const c = await this.#cluster(other, signal).catch(() => undefined);
      if (c) return c;
    }
    return undefined;
  }

  async #cluster(node: string, signal: AbortSignal): Promise<PatroniCluster | undefined> {
    const res = await this.#request('GET', node, '/cluster', undefined, this.#o.connectTimeoutMs, signal);
    const c = res.status === 200 ? parseJson<PatroniCluster>(res.body) : undefined;
    for (const m of c?.members ?? []) if (m.name && m.host) this.#endpoints.set(m.name, { host: m.host, port: m.port ?? 5432 });
    return c;
  }

  async #request(method: 'GET' | 'POST', node: string, path: string, body: unknown, timeoutMs: number, signal: AbortSignal): Promise<{ status: number; body: string }> {
    const base = this.#o.apis.get(node);
    if (!base) throw new PermanentError(`failover_database: no Patroni api_url for node ${node}`);
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#o.auth && method === 'POST') headers.authorization = `Basic ${Buffer.from(this.#o.auth).toString('base64')}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(`${base.replace(/\/+$/, '')}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.any([signal, timeout]) });
      return { status: res.status, body: (await res.text()).slice(0, 64 * 1024) };
    } catch (err) {
      if (signal.aborted) throw new PermanentError(`${method} ${path} on ${node}: aborted`, { cause: err });
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new TransientError(`${method} ${path} on ${node}: ${timeout.aborted ? `no answer within ${timeoutMs} ms` : (cause ?? errorMessage(err))}`, { cause: err });
    }
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as T) : undefined;
  } catch {
    // Patroni answers some errors with text/html: not a status document.
    return undefined;
  }
}
