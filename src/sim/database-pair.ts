/**
 * The simulated exchange's database nodes (issue 14 §3): a primary and a streaming replica managed
 * the way Patroni manages them, so Warden's `patroni` failover driver runs against the simulator
 * without PostgreSQL. Like a Patroni cluster in maintenance mode (pause) it never fails over by
 * itself: a manual `POST /failover {"candidate"}` does (Warden's failover_database). It lives in the
 * supervisor, not in a component process, so a crash of the `database` component (the service in
 * front of the nodes) leaves the nodes alone. Pure apart from the injected clock.
 */
export const DB_MEMBERS = ['db-primary', 'db-replica'] as const;
export type DbMemberName = (typeof DB_MEMBERS)[number];
export const DB_SCOPE = 'exchange-db';

interface Member {
  readonly name: DbMemberName;
  role: 'leader' | 'replica';
  running: boolean;
  timeline: number;
}

/** Bytes of WAL the simulated primary writes per second (for xlog positions that move). */
const WAL_BYTES_PER_S = 64 * 1024;

export interface FailoverReply {
  readonly status: number;
  readonly text: string;
}

export class DatabasePair {
  readonly #clock: () => number;
  readonly #members: Member[];
  readonly #startMs: number;
  /** Set by the primary_down fault: the downed member rejoins as a replica this long after a failover. */
  #down: { member: DbMemberName; rejoinAfterMs: number; failoverAtMs?: number } | undefined;
  readonly history: Array<{ timeline: number; from: string; to: string; at: string }> = [];

  constructor(clock: () => number) {
    this.#clock = clock;
    this.#startMs = clock();
    this.#members = DB_MEMBERS.map((name, i) => ({ name, role: i === 0 ? 'leader' : 'replica', running: true, timeline: 1 }));
  }

  leader(): DbMemberName | undefined {
    this.#settle();
    return this.#members.find((m) => m.role === 'leader')?.name;
  }

  isMember(name: string): name is DbMemberName {
    return (DB_MEMBERS as readonly string[]).includes(name);
  }

  running(name: DbMemberName): boolean {
    this.#settle();
    return this.#member(name).running;
  }

  /** The primary's host is lost: its PostgreSQL and its Patroni stop answering. */
  primaryDown(rejoinAfterMs: number): { member: DbMemberName } {
    this.#settle();
    const leader = this.#members.find((m) => m.role === 'leader' && m.running);
    if (!leader) throw new Error('no running primary to take down');
    leader.running = false;
    this.#down = { member: leader.name, rejoinAfterMs };
    return { member: leader.name };
  }

  /** The host is back: a member that lost the leader lock meanwhile rejoins as a replica (as Patroni with pg_rewind). */
  clear(): DbMemberName[] {
    const back = this.#members.filter((m) => !m.running);
    for (const m of back) this.#rejoin(m);
    this.#down = undefined;
    return back.map((m) => m.name);
  }

  /** Patroni's POST /failover semantics (api.py do_POST_failover / is_failover_possible). */
  failover(body: { leader?: unknown; candidate?: unknown }): FailoverReply {
    this.#settle();
    const candidate = typeof body.candidate === 'string' ? body.candidate : undefined;
    if (!candidate) return { status: 400, text: 'Failover could be performed only to a specific candidate' };
    const leader = this.#members.find((m) => m.role === 'leader');
    if (typeof body.leader === 'string' && body.leader !== leader?.name) return { status: 412, text: 'leader name does not match' };
    const target = this.#members.find((m) => m.name === candidate);
    if (!target) return { status: 412, text: 'candidate does not exists' };
    if (!target.running) return { status: 412, text: 'failover is not possible: no good candidates have been found' };
    if (target.role === 'leader') return { status: 412, text: 'Switchover target and source are the same' };
    const timeline = Math.max(...this.#members.map((m) => m.timeline)) + 1;
    if (leader) leader.role = 'replica';
    target.role = 'leader';
    target.timeline = timeline;
    this.history.push({ timeline, from: leader?.name ?? '', to: target.name, at: new Date(this.#clock()).toISOString() });
    if (this.#down && this.#down.member !== target.name) this.#down.failoverAtMs = this.#clock();
    return { status: 200, text: `Successfully failed over to "${target.name}"` };
  }

  /** GET /patroni of one member. */
  status(name: DbMemberName): Record<string, unknown> {
    this.#settle();
    const m = this.#member(name);
    const wal = this.#walBytes();
    const xlog = m.role === 'leader' ? { location: wal } : { received_location: wal, replayed_location: wal, replayed_timestamp: null, paused: false };
    return { state: m.running ? 'running' : 'stopped', role: m.role === 'leader' ? 'primary' : 'replica', server_version: 150000, timeline: m.timeline, xlog, patroni: { version: '4.0.0', scope: DB_SCOPE, name } };
  }

  /** GET /cluster (utils.cluster_as_json), with `baseUrl` for each member's api_url. */
  cluster(apiUrl: (name: DbMemberName) => string): Record<string, unknown> {
    this.#settle();
    return {
      scope: DB_SCOPE,
      pause: true,
      members: this.#members.map((m) => ({ name: m.name, role: m.role === 'leader' ? 'leader' : 'sync_standby', state: m.running ? (m.role === 'leader' ? 'running' : 'streaming') : 'stopped', api_url: apiUrl(m.name), host: '127.0.0.1', port: 5432, timeline: m.timeline, ...(m.role === 'leader' ? {} : { lag: 0 }) })),
    };
  }

  snapshot(): Record<string, unknown> {
    this.#settle();
    return { leader: this.leader() ?? null, members: this.#members.map((m) => ({ ...m })), down: this.#down ?? null, history: this.history };
  }

  #settle(): void {
    const d = this.#down;
    if (!d || d.failoverAtMs === undefined || this.#clock() < d.failoverAtMs + d.rejoinAfterMs) return;
    this.#rejoin(this.#member(d.member));
    this.#down = undefined;
  }

  #rejoin(m: Member): void {
    m.running = true;
    const leader = this.#members.find((x) => x.role === 'leader' && x !== m);
    if (leader) {
      m.role = 'replica';
      m.timeline = leader.timeline;
    }
  }

  #member(name: DbMemberName): Member {
    return this.#members.find((m) => m.name === name) as Member;
  }

  #walBytes(): number {
    return Math.floor(((this.#clock() - this.#startMs) / 1000) * WAL_BYTES_PER_S);
  }
}
