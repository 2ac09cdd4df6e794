import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { WardenConfig } from '../config/schema';
import type { DrillEvent, DrillRun } from './drill-record';
import { drillReport, type DrillReport, type DrillTarget } from './drill-report';
import { DrillRunner } from './drill-runner';
import type { DrillScenario } from './drill-scenarios';
import { DrillSetupError } from './drill-setup-error';
import { errorMessage } from '../errors';
import { startEmbeddedRedis, type EmbeddedRedis } from '../runtime/embedded-redis';
import { openFaultTarget } from './drill-target';

export interface DrillSessionOptions {
  readonly config: WardenConfig;
  /** The config file (for the report and error messages). */
  readonly configFile: string;
  /** Rule globs are relative to this directory (the config file's). */
  readonly baseDir: string;
  readonly scenarios: readonly DrillScenario[];
  readonly repeat: number;
  readonly log: Logger;
  /** Ctrl-C: the run in progress clears its faults, the drill stops, the report says interrupted. */
  readonly signal: AbortSignal;
  readonly random?: () => number;
  readonly onProgress?: (scenario: DrillScenario, repeat: number, component: string, events: readonly DrillEvent[]) => void;
  readonly onRun?: (run: DrillRun) => void;
}

/**
 * `warden drill` composed: the fault target (simulator, started if not running, or an exchange's
 * fault hooks), a Redis (REDIS_URL / redis.url, else a throw-away embedded redis-server), then every
 * scenario `repeat` times, each run against a fresh in-process Warden with the drilled config.
 * Everything the drill started is stopped again, also when it is interrupted.
 */
export async function runDrillSession(o: DrillSessionOptions): Promise<DrillReport> {
  const startedAtMs = Date.now();
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const target = await openFaultTarget(o.config, o.log, (components, kind) => checkScenarios(o.scenarios, components, kind));
    cleanup.push(() => target.stop());
    const redisUrl = o.config.redis.url ?? (await throwAwayRedis(o.log, cleanup)).url;
    const runner = new DrillRunner({
      config: o.config, baseDir: o.baseDir, redisUrl, control: target.control, components: target.components, log: o.log, signal: o.signal,
      ...(o.random ? { random: o.random } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    const results: Array<{ scenario: DrillScenario; runs: DrillRun[] }> = [];
    for (const scenario of o.scenarios) {
      const entry = { scenario, runs: [] as DrillRun[] };
      results.push(entry);
      for (let i = 1; i <= o.repeat && !o.signal.aborted; i++) {
        const run = await runner.run(scenario, i).catch((err: unknown) => {
          if (o.signal.aborted) return undefined; // interrupted while waiting for Green: nothing injected
          throw err;
        });
        if (!run) break;
        entry.runs.push(run);
        o.onRun?.(run);
      }
      if (o.signal.aborted) break;
    }
    return drillReport({ startedAtMs, finishedAtMs: Date.now(), interrupted: o.signal.aborted, config: o.configFile, target: target.describe, scenarios: results });
  } finally {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => o.log.error({ err: errorMessage(err) }, 'drill clean-up step failed'));
  }
}

/** Every fixed scenario's component must exist, or the drill refuses to start (not a miss at run 7). */
function checkScenarios(scenarios: readonly DrillScenario[], components: readonly string[], kind: DrillTarget['kind']): void {
  for (const s of scenarios) {
    const picked = s.component(() => 0, components);
    if (components.length === 0 || !components.includes(picked)) {
      throw new DrillSetupError(`scenario ${s.name} needs component "${picked ?? 'any'}", which is not among the probed components of the config that ${kind === 'simulator' ? 'the simulator runs' : 'the fault hooks serve'} (${components.join(', ') || 'none'}): leave it out with --scenario`);
    }
  }
}

/** Warden needs Redis; without one configured the drill uses its own, gone with the drill. */
async function throwAwayRedis(log: Logger, cleanup: Array<() => Promise<void>>): Promise<EmbeddedRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-drill-redis-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const redis = await startEmbeddedRedis(dir, log);
  cleanup.push(() => redis.stop());
  return redis;
}
