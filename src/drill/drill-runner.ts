import { connectRedis } from '../runtime/redis-connection';
import type { Logger } from 'pino';
import type { WardenConfig } from '../config/schema';
import { errorMessage } from '../errors';
import { startWarden, type Warden } from '../main';
import { SimControlClient } from '../sim/control-client';
import type { AuditEntry } from '../audit/audit-entry';
import type { HealthTransition } from '../health/health-types';
import type { AlertTransition } from '../rules/alert';
import { summarizeRun, unrunnableRun, type DrillEvent, type DrillRun } from './drill-record';
import type { DrillScenario } from './drill-scenarios';

export interface DrillRunnerOptions {
  readonly config: WardenConfig;
  readonly baseDir: string;
  readonly redisUrl: string;
  /** The simulator's (or an exchange's) fault API: POST /faults, /faults/clear, /control/restart. */
  readonly control: SimControlClient;
  /** Components a scenario may pick (configured in warden.yaml and known to the fault hooks). */
  readonly components: readonly string[];
  readonly log: Logger;
  readonly random?: () => number;
  /** Told of every run's progress (the live line on a terminal). */
  readonly onProgress?: (scenario: DrillScenario, repeat: number, component: string, events: readonly DrillEvent[]) => void;
  /** Aborted by Ctrl-C: the current run cleans up and the drill stops. */
  readonly signal?: AbortSignal;
}

/** Before a fault, the exchange must be Green this long (so the run starts from a known state). */
const GREEN_BEFORE_MS = 1000;
const GREEN_WAIT_MS = 45_000;
/** After the verdict, keep listening this long: a second restart or page would show here. */
const LINGER_MS = 1500;
const TICK_MS = 25;
/** The random phase of a fault within the probe/scrape cycle is at most this. */
const MAX_PHASE_MS = 15_000;

/**
 * One drill run = a fresh Warden (its own Redis key prefix, so cooldowns and budgets of earlier runs
 * do not stand in the way, as they would not for a first real failure), the exchange Green, a fault,
 * and what Warden did about it, heard on its own event bus. Each run cleans up after itself.
 */
export class DrillRunner {
  readonly #o: DrillRunnerOptions;
  #runSeq = 0;

  constructor(o: DrillRunnerOptions) {
    this.#o = o;
  }

  /**
   * One run. A run that cannot take place (the exchange not Green first, the fault hooks refusing)
   * is a miss with its reason, and the drill goes on; Ctrl-C stops it (after the clean-up).
   */
  async run(scenario: DrillScenario, repeat: number): Promise<DrillRun> {
    const component = scenario.component(this.#o.random ?? Math.random, this.#o.components);
    const atMs = Date.now();
    try {
      return await this.#runOnce(scenario, repeat, component);
    } catch (err) {
      if (this.#o.signal?.aborted) throw err;
      this.#o.log.error({ err: errorMessage(err), scenario: scenario.name, component }, 'drill run could not take place');
      return unrunnableRun(scenario, repeat, component, atMs, errorMessage(err));
    }
  }

  async #runOnce(scenario: DrillScenario, repeat: number, component: string): Promise<DrillRun> {
    const prefix = `${this.#o.config.redis.prefix}:drill:${Date.now().toString(36)}-${++this.#runSeq}`;
    const config: WardenConfig = { ...this.#o.config, server: { ...this.#o.config.server, port: 0 }, redis: { ...this.#o.config.redis, prefix } };
    const warden = await startWarden({ config, baseDir: this.#o.baseDir, redisUrl: this.#o.redisUrl, log: this.#o.log, defaultMetrics: false });
    const events: DrillEvent[] = [];
    const unlisten = listen(warden, events);
    let injected = false;
    try {
      await this.#untilGreen(warden);
      await this.#atRandomPhase();
      events.push({ kind: 'fault', atMs: Date.now() });
      injected = true;
      await this.#o.control.fault(scenario.fault(component) as Record<string, unknown>);
      await this.#watch(scenario, repeat, component, events);
      events.push({ kind: 'end', atMs: Date.now() });
      const run = summarizeRun(scenario, repeat, component, events);
      return this.#o.signal?.aborted ? { ...run, passed: false, reasons: [...run.reasons, 'interrupted (Ctrl-C) before the verdict'] } : run;
    } finally {
      unlisten();
      if (injected) await this.#cleanUp(warden, component);
      await warden.stop();
      await dropKeys(this.#o.redisUrl, prefix).catch((err: unknown) => this.#o.log.warn({ err: errorMessage(err), prefix }, 'drill keys left in Redis'));
    }
  }

  async #untilGreen(warden: Warden): Promise<void> {
    const deadline = Date.now() + GREEN_WAIT_MS;
    let greenSince: number | undefined;
    for (;;) {
      this.#throwIfAborted();
      const now = Date.now();
      const green = warden.tracker.current?.status === 'green' && warden.engine.activeAlerts().every((a) => a.state !== 'firing');
      greenSince = green ? (greenSince ?? now) : undefined;
      if (greenSince !== undefined && now - greenSince >= GREEN_BEFORE_MS) return;
      if (now > deadline) throw new Error(`the exchange is not Green before the drill (${warden.tracker.current?.status ?? 'unknown'}): clear its faults first (warden sim status)`);
      await sleep(50);
    }
  }

  async #watch(s: DrillScenario, repeat: number, component: string, events: DrillEvent[]): Promise<void> {
    const start = Date.now();
    let doneAt: number | undefined;
    let cleared = false;
    for (;;) {
      if (this.#o.signal?.aborted) return;
      const now = Date.now();
      this.#o.onProgress?.(s, repeat, component, events);
      const run = summarizeRun(s, repeat, component, events);
      if (s.clearOnAlert && !cleared && run.detectMs !== null) {
        cleared = true;
        await this.#o.control.clear(component, s.fault(component).kind);
        events.push({ kind: 'cleared', atMs: Date.now() });
      }
      if (doneAt === undefined && isDone(s, run, now - start)) doneAt = now;
      if (doneAt !== undefined && now - doneAt >= LINGER_MS) return;
      if (now - start > s.timeoutMs) return;
      await sleep(TICK_MS);
    }
  }

  /** Faults off, the component running, trading resumed: the next run starts from the same place. */
  async #cleanUp(warden: Warden, component: string): Promise<void> {
    const { control, log } = this.#o;
    try {
      await control.clear(component);
    } catch (err) {
      log.debug({ err: errorMessage(err), component }, 'drill cleanup: clear failed (component down?)');
    }
    try {
      const status = (await control.status()) as { components?: Array<{ name: string; state: string }> };
      const down = status.components?.find((c) => c.name === component && c.state !== 'running');
      if (down) await control.restart(component);
    } catch (err) {
      log.warn({ err: errorMessage(err), component }, 'drill cleanup: could not restart the component');
    }
    if ((await warden.remediation.trading.get()).state === 'halted') {
      await warden.remediation.trading.resume({ actor: 'warden:drill', reason: 'drill cleanup (the halt was part of the drill)' });
    }
  }

  /**
   * A fresh Warden's probes and scrapes run at a fixed phase from its start, and so would a fault
   * injected a fixed time after Green: every run would sample the same point of the probe cycle.
   * A random wait of up to the longest probe or scrape interval spreads faults over the cycle, so
   * p50 and max describe a failure that comes at any moment, as a real one does.
   */
  async #atRandomPhase(): Promise<void> {
    const { config } = this.#o;
    const intervals = [...config.components.flatMap((c) => (c.probe ? [c.probe.interval] : [])), ...config.scrape.map((s) => s.interval)];
    const cycleMs = Math.min(MAX_PHASE_MS, Math.max(0, ...intervals));
    const until = Date.now() + Math.floor((this.#o.random ?? Math.random)() * cycleMs);
    while (Date.now() < until) {
      this.#throwIfAborted();
      await sleep(Math.min(TICK_MS * 4, until - Date.now()));
    }
    this.#throwIfAborted();
  }

  #throwIfAborted(): void {
    if (this.#o.signal?.aborted) throw new Error('drill interrupted');
  }
}

function isDone(s: DrillScenario, run: DrillRun, elapsedMs: number): boolean {
  if (s.expect === 'tolerate') return elapsedMs >= (s.observeMs ?? 5000);
  return run.measuredMs !== null;
}

function listen(warden: Warden, events: DrillEvent[]): () => void {
  const onAlert = (t: AlertTransition) => events.push({ kind: 'alert', atMs: t.atMs, alert: t.alert.name, fingerprint: t.alert.fingerprint, component: t.alert.labels.component, health: t.alert.labels.health, to: t.to });
  const onHealth = (t: HealthTransition) => events.push({ kind: 'health', atMs: t.atMs, component: t.component, to: t.to });
  const onAudited = (e: AuditEntry) => events.push({ kind: 'audit', atMs: Date.parse(e.time), action: e.action, target: e.target, details: e.details });
  warden.events.on('alert', onAlert);
  warden.events.on('health', onHealth);
  warden.events.on('audited', onAudited);
  return () => {
    warden.events.off('alert', onAlert);
    warden.events.off('health', onHealth);
    warden.events.off('audited', onAudited);
  };
}

/** The run's own key prefix only (SCAN, never KEYS): the drill leaves nothing behind in a shared Redis. */
async function dropKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = connectRedis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
