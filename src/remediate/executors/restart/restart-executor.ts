import type { ExecutionContext, ExecutionResult, Executor } from '../../executor';
import { parseParams } from '../parse-params';
import { throwIfAborted } from '../../attempt-deadline';
import { restartWithCommand, type CommandDriverOptions } from './command-driver';
import { restartUrl, restartWithHttp } from './http-driver';
import { restartWithKubernetes, type KubernetesDriverOptions } from './kubernetes-driver';
import { restartParamsSchema, substituteTarget } from './restart-params';
import { PermanentError } from '../../../errors';
import { assertSafeTarget } from '../../target-safety';

export interface RestartExecutorOptions {
  command?: CommandDriverOptions;
  /** Without it the kubernetes driver fails permanently (nothing to talk to). */
  kubernetes?: KubernetesDriverOptions;
  /** Base URL for http-driver `url`s given as a path (warden.yaml remediation.executors.restart.http_base_url). */
  httpBaseUrl?: string;
}

/** spec §11.2: service crash and memory leak (> 80 % used) are repaired by a restart. */
export class RestartExecutor implements Executor {
  readonly action = 'restart' as const;
  readonly #opts: RestartExecutorOptions;

  constructor(opts: RestartExecutorOptions = {}) {
    this.#opts = opts;
  }

  describe(target: string, params: Record<string, unknown>): string {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, restartParamsSchema, params);
    switch (p.driver) {
      case 'command':
        return `would restart ${target} by running ${JSON.stringify(p.argv.map((a) => substituteTarget(a, target)))}`;
      case 'http':
        return `would restart ${target} with POST ${restartUrl(target, p, this.#opts.httpBaseUrl)}`;
      case 'kubernetes':
        return p.kind === 'pod'
          ? `would delete pod ${p.namespace}/${p.name ?? target}`
          : `would rollout-restart deployment ${p.namespace}/${p.name ?? target}`;
    }
  }

  async execute(target: string, params: Record<string, unknown>, ctx: ExecutionContext): Promise<ExecutionResult> {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, restartParamsSchema, params);
    throwIfAborted(ctx.signal, `restart ${target}`);
    switch (p.driver) {
      case 'command':
        return restartWithCommand(target, p, ctx, this.#opts.command ?? {});
      case 'http':
        return restartWithHttp(target, p, ctx, this.#opts.httpBaseUrl);
      case 'kubernetes':
        if (!this.#opts.kubernetes) throw new PermanentError(`restart ${target}: the kubernetes driver is not configured`);
        return restartWithKubernetes(target, p, ctx, this.#opts.kubernetes);
    }
  }
}
