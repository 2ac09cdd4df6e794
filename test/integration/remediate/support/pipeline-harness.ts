import { Registry } from 'prom-client';
import { AuditLog } from '../../../../src/audit/audit-log';
import type { AuditEntry } from '../../../../src/audit/audit-entry';
import type { AlertTransition } from '../../../../src/rules/alert';
import type { EscalationRequest, Escalator } from '../../../../src/remediate/escalator';
import type { ExecutionContext, ExecutionResult, Executor, RemediationAction } from '../../../../src/remediate/executor';
import { RemediationService, type RemediationServiceOptions } from '../../../../src/remediate/remediation-service';
import { remediationRuleSchema, type RemediationRule, type RemediationRuleInput } from '../../../../src/rules/remediation-rule-schema';
import type { RemediationJobView } from '../../../../src/remediate/remediation-jobs';
import { silentLogger } from '../../../../src/telemetry/logger';
import type { TestRedis } from '../../../support/redis-server';

/** Records escalations, as the incidents pipeline's implementation would receive them. */
export class RecordingEscalator implements Escalator {
  readonly requests: EscalationRequest[] = [];
  async escalate(req: EscalationRequest): Promise<void> {
    this.requests.push(req);
  }
}

export interface ExecutorCall {
  readonly atMs: number;
  readonly target: string;
  readonly ctx: Omit<ExecutionContext, 'log' | 'signal'>;
  readonly signal: AbortSignal;
}

/** A real executor whose behaviour per attempt is scripted; records every call. */
export class ScriptedExecutor implements Executor {
  readonly calls: ExecutorCall[] = [];
  #running = 0;
  maxConcurrent = 0;
  constructor(
    readonly action: RemediationAction,
    readonly behave: (call: ExecutorCall) => Promise<ExecutionResult> | ExecutionResult = () => ({ summary: 'done', details: {} }),
  ) {}
  describe(target: string): string {
    return `would ${this.action} ${target}`;
  }
  async execute(target: string, _params: Record<string, unknown>, ctx: ExecutionContext): Promise<ExecutionResult> {
    const { log: _log, signal, ...rest } = ctx;
    const call = { atMs: Date.now(), target, ctx: rest, signal };
    this.calls.push(call);
    this.#running++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.#running);
    try {
      return await this.behave(call);
    } finally {
      this.#running--;
    }
  }
}

/** These pipelines have no configured components: their rules allow any (safe) target unless a test says otherwise. */
export const rule = (r: Partial<RemediationRuleInput> & { name: string }): RemediationRule =>
  remediationRuleSchema.parse({ on: { alert: 'ServiceDown' }, action: 'restart', target: '{{ $labels.component }}', targets: '.+', cooldown: '0s', ...r });

export function firing(name: string, labels: Record<string, string>, firedAtMs: number): AlertTransition {
  const all = { alertname: name, ...labels };
  return {
    alert: { fingerprint: `fp-${name}-${labels.component ?? ''}`, name, group: 'g', file: 'f.yaml', labels: all, annotations: { summary: `${name} on ${labels.component}` }, state: 'firing', activeAtMs: firedAtMs, firedAtMs, value: 1 },
    from: 'pending',
    to: 'firing',
    atMs: firedAtMs,
  };
}

export interface Pipeline {
  readonly service: RemediationService;
  readonly audit: AuditLog;
  readonly escalator: RecordingEscalator;
  readonly registry: Registry;
  auditEntries(): Promise<AuditEntry[]>;
  /** Audit actions for one job, in order ("remediation.enqueued", ...). */
  stepsOf(jobId: string): Promise<string[]>;
  waitFinished(jobId: string, timeoutMs?: number): Promise<RemediationJobView>;
}

let prefixSeq = 0;
export const uniquePrefix = () => `t${process.pid}x${++prefixSeq}`;

export async function startPipeline(redis: TestRedis, opts: Partial<RemediationServiceOptions> & { executors: RemediationServiceOptions['executors']; prefix?: string }): Promise<Pipeline> {
  const prefix = opts.prefix ?? uniquePrefix();
  const audit = new AuditLog({ redis: redis.client(), prefix });
  const escalator = new RecordingEscalator();
  const registry = new Registry();
  const service = new RemediationService({
    redis: redis.url,
    prefix,
    rules: [],
    audit,
    escalator,
    verify: () => true,
    dryRun: false,
    registry,
    log: silentLogger(),
    ...opts,
  });
  await service.start();
  const auditEntries = async () => audit.list({ limit: 1000 });
  return {
    service,
    audit,
    escalator: (opts.escalator as RecordingEscalator | undefined) ?? escalator,
    registry,
    auditEntries,
    async stepsOf(jobId) {
      return (await auditEntries()).filter((e) => e.details.job_id === jobId).map((e) => e.action);
    },
    async waitFinished(jobId, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await service.jobs.get(jobId);
        if (job && (job.state === 'completed' || job.state === 'failed')) return job;
        if (Date.now() > deadline) throw new Error(`job ${jobId} not finished after ${timeoutMs} ms (state ${job?.state})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
