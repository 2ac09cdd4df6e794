import type Redis from 'ioredis';
import type { RemediationKeys } from './remediation-keys';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';
export type ApprovalDecision = 'approved' | 'rejected';

/** A job's approval request and its decision, as Redis keeps it (one hash per job). */
export interface ApprovalRecord {
  readonly jobId: string;
  readonly status: ApprovalStatus;
  readonly rule: string;
  readonly action: string;
  readonly target: string;
  /** The dry-run result: what the job will do once approved. */
  readonly wouldDo: string;
  /** Why Warden wants to act (the alert's summary). */
  readonly why: string;
  readonly approvers: readonly string[];
  readonly requestedAtMs: number;
  readonly expiresAtMs: number;
  readonly decidedBy?: string;
  readonly decidedActor?: string;
  readonly decidedAtMs?: number;
  readonly reason?: string;
  /** The Slack message carrying Approve / Reject, once posted. */
  readonly slack?: { readonly channel: string; readonly ts: string };
}

export type RequestFields = Omit<ApprovalRecord, 'status' | 'decidedBy' | 'decidedActor' | 'decidedAtMs' | 'reason' | 'slack'>;

export type DecideOutcome =
  | { readonly changed: true; readonly record: ApprovalRecord }
  /** Already decided (the first decision stands), or not yet due to expire. */
  | { readonly changed: false; readonly record: ApprovalRecord }
  | { readonly changed: false; readonly record: undefined };

// KEYS[1] record, KEYS[2] pending; ARGV retentionMs, expiresAtMs, jobId, then field/value pairs.
// Creates the request once: a job re-run after a crash finds its first request (and any decision).
const REQUEST = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  local fields = {}
  for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], 'status', 'pending', unpack(fields))
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  return {1, redis.call('HGETALL', KEYS[1])}
end
return {0, redis.call('HGETALL', KEYS[1])}
`;

// KEYS[1] record, KEYS[2] pending, KEYS[3] decided; ARGV jobId, status, by, actor, atMs, reason.
// The first decision stands (approve twice runs once; approve after reject changes nothing), and
// expiry is itself a decision, so an approval and the ttl racing each other cannot both win.
const DECIDE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {-1} end
if status ~= 'pending' then return {0, redis.call('HGETALL', KEYS[1])} end
if ARGV[2] == 'expired' and tonumber(ARGV[5]) < tonumber(redis.call('HGET', KEYS[1], 'expiresAtMs')) then
  return {0, redis.call('HGETALL', KEYS[1])}
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decidedBy', ARGV[3], 'decidedActor', ARGV[4], 'decidedAtMs', ARGV[5], 'reason', ARGV[6])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return {1, redis.call('HGETALL', KEYS[1])}
`;

/** Approval records in Redis (issue 13 §2): durable, shared by every replica, decided atomically. */
export class ApprovalStore {
  readonly #redis: Redis;
  readonly #keys: RemediationKeys;
  readonly #retentionMs: number;

  constructor(redis: Redis, keys: RemediationKeys, retentionMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionMs = retentionMs;
  }

  /** The job's request, created now unless it exists; `created` says whether this call made it. */
  async request(f: RequestFields): Promise<{ created: boolean; record: ApprovalRecord }> {
    const pairs = ['rule', f.rule, 'action', f.action, 'target', f.target, 'wouldDo', f.wouldDo, 'why', f.why, 'approvers', JSON.stringify(f.approvers), 'requestedAtMs', String(f.requestedAtMs), 'expiresAtMs', String(f.expiresAtMs)];
    const [created, flat] = (await this.#redis.eval(REQUEST, 2, this.#keys.approval(f.jobId), this.#keys.approvalsPending(), String(this.#retentionMs), String(f.expiresAtMs), f.jobId, ...pairs)) as [number, string[]];
    return { created: created === 1, record: parseRecord(f.jobId, flat) as ApprovalRecord };
  }

  /** Records a decision (or the expiry) unless one stands. Nothing is recorded for a job that never asked. */
  async decide(jobId: string, status: ApprovalDecision | 'expired', who: { by: string; actor: string; reason?: string }, atMs: number): Promise<DecideOutcome> {
    const res = (await this.#redis.eval(DECIDE, 3, this.#keys.approval(jobId), this.#keys.approvalsPending(), this.#keys.approvalsDecided(), jobId, status, who.by, who.actor, String(atMs), who.reason ?? '')) as [number, string[]?];
    if (res[0] === -1) return { changed: false, record: undefined };
    return { changed: res[0] === 1, record: parseRecord(jobId, res[1] ?? []) as ApprovalRecord };
  }

  async get(jobId: string): Promise<ApprovalRecord | undefined> {
    return parseRecord(jobId, await this.#redis.hgetall(this.#keys.approval(jobId)));
  }

  /** One round trip for a page of jobs (GET /v1/remediations). */
  async getMany(jobIds: readonly string[]): Promise<Map<string, ApprovalRecord>> {
    const out = new Map<string, ApprovalRecord>();
    if (jobIds.length === 0) return out;
    const pipe = this.#redis.pipeline();
    for (const id of jobIds) pipe.hgetall(this.#keys.approval(id));
    const results = (await pipe.exec()) ?? [];
    jobIds.forEach((id, i) => {
      const [err, value] = results[i] ?? [];
      if (err) throw err;
      const rec = parseRecord(id, value as Record<string, string>);
      if (rec) out.set(id, rec);
    });
    return out;
  }

  /** The job has taken its decision up: it no longer needs a wake-up (see RemediationApprovals.wakeDecided). */
  async consumed(jobId: string): Promise<void> {
    await this.#redis.zrem(this.#keys.approvalsDecided(), jobId);
  }

  /** The job is gone (cancelled): its request is no longer waiting for anyone. */
  async forget(jobId: string): Promise<void> {
    await this.#redis.multi().zrem(this.#keys.approvalsPending(), jobId).zrem(this.#keys.approvalsDecided(), jobId).del(this.#keys.approval(jobId)).exec();
  }

  /** Decided jobs not yet woken, oldest first, at most `limit`. */
  decidedIds(limit: number): Promise<string[]> {
    return this.#redis.zrange(this.#keys.approvalsDecided(), 0, limit - 1);
  }

  /** Jobs awaiting a decision, soonest to expire first, at most `limit`. */
  pendingIds(limit: number): Promise<string[]> {
    return this.#redis.zrange(this.#keys.approvalsPending(), 0, limit - 1);
  }

  pendingCount(): Promise<number> {
    return this.#redis.zcard(this.#keys.approvalsPending());
  }

  /** Claims the Slack post for this request (one replica posts it); false when claimed within `staleMs`. */
  async claimAnnouncement(jobId: string, nowMs: number, staleMs: number): Promise<boolean> {
    const key = this.#keys.approval(jobId);
    const claimed = await this.#redis.hget(key, 'slackClaimAtMs');
    if (claimed !== null && nowMs - Number(claimed) < staleMs) return false;
    if (claimed === null) return (await this.#redis.hsetnx(key, 'slackClaimAtMs', String(nowMs))) === 1;
    await this.#redis.hset(key, 'slackClaimAtMs', String(nowMs));
    return true;
  }

  async setSlackMessage(jobId: string, channel: string, ts: string): Promise<void> {
    // HSET on a hash that expired would create a record without a request: only while it exists.
    await this.#redis.eval(`if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'slackChannel', ARGV[1], 'slackTs', ARGV[2]) end return 0`, 1, this.#keys.approval(jobId), channel, ts);
  }
}

function toObject(flat: string[] | Record<string, string>): Record<string, string> {
  if (!Array.isArray(flat)) return flat;
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[flat[i] as string] = flat[i + 1] as string;
  return o;
}

function parseRecord(jobId: string, raw: string[] | Record<string, string> | null | undefined): ApprovalRecord | undefined {
  if (!raw) return undefined;
  const h = toObject(raw);
  if (h.status === undefined) return undefined;
  let approvers: string[] = [];
  try {
    const parsed: unknown = JSON.parse(h.approvers ?? '[]');
    if (Array.isArray(parsed)) approvers = parsed.filter((a): a is string => typeof a === 'string');
  } catch {
    approvers = []; // a hand-edited record: nobody named, so the defaults apply
  }
  return {
    jobId,
    status: h.status as ApprovalStatus,
    rule: h.rule ?? '',
    action: h.action ?? '',
    target: h.target ?? '',
    wouldDo: h.wouldDo ?? '',
    why: h.why ?? '',
    approvers,
    requestedAtMs: Number(h.requestedAtMs ?? 0),
    expiresAtMs: Number(h.expiresAtMs ?? 0),
    ...(h.decidedBy ? { decidedBy: h.decidedBy } : {}),
    ...(h.decidedActor ? { decidedActor: h.decidedActor } : {}),
    ...(h.decidedAtMs ? { decidedAtMs: Number(h.decidedAtMs) } : {}),
    ...(h.reason ? { reason: h.reason } : {}),
    ...(h.slackChannel && h.slackTs ? { slack: { channel: h.slackChannel, ts: h.slackTs } } : {}),
  };
}
