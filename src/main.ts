import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { WardenConfig } from './config/schema';
import { EvaluationLoop } from './evaluate/evaluation-loop';
import { RuleReloader } from './evaluate/rule-reloader';
import { registerRuleMetrics } from './evaluate/rule-metrics';
import { HealthMetrics } from './health/health-metrics';
import { HealthTracker } from './health/health-tracker';
import { AuditAnchorer } from './audit/audit-anchor';
import { AuditLog } from './audit/audit-log';
import { startPaging } from './compose/paging';
import { startRemediation, type Remediation } from './compose/remediation';
import { startPrometheusEstate } from './compose/prometheus-estate';
import { startIntegrations } from './compose/integrations';
import { openOutboxJournal, watchRedisOutage } from './compose/durability';
import { startMaintenance } from './compose/maintenance';
import { agreeFiringStarts, firingEpisode, startCluster } from './compose/cluster';
import type { Cluster } from './cluster/cluster';
import { clusterRoutes } from './http/routes/cluster';
import type { IncidentService } from './incidents/incident-service';
import { auditRoutes } from './http/routes/audit';
import { createApp } from './http/app';
import { Authenticator } from './http/auth';
import { healthRoutes } from './http/routes/health';
import { ingestRoutes } from './http/routes/ingest';
import { rulesRoutes } from './http/routes/rules';
import { consoleSnapshot } from './http/console/console-snapshot';
import { startConsole } from './compose/console';
import { streamRoutes } from './http/routes/stream';
import { PushValidator } from './ingest/push-validation';
import { OffThreadPushParser } from './ingest/off-thread-parser';
import { DerivedSeries } from './ingest/derived-series';
import { startReplicaFanout, type ReplicaFanout } from './ingest/replica-fanout';
import { startSources } from './compose/sources';
import { loadRuleFiles, type RuleSet } from './rules/load-rules';
import { checkRemediationParams } from './remediate/executors/check-remediation-params';
import { RuleEngine } from './rules/rule-engine';
import { dropRedisClient } from './runtime/close-bullmq';
import { connectRedis } from './runtime/redis-connection';
import { RedisHealth } from './runtime/redis-health';
import { registerOutboxMetrics } from './runtime/write-outbox';
import { within } from './runtime/within';
import { SignalStore } from './signals/signal-store';
import { createMetricsRegistry } from './telemetry/metrics-registry';
import { WardenEvents } from './warden-events';

export interface StartOptions {
  config: WardenConfig;
  /** The config file's path, for error messages that name it. */
  configFile?: string;
  /** Rule globs are relative to this directory (the config file's). */
  baseDir: string;
  redisUrl: string;
  log: Logger;
  clock?: () => number;
  /** Collect prom-client's default process metrics (off in tests that start many instances). */
  defaultMetrics?: boolean;
}

/** A running Warden. `stop()` is safe to call twice. */
export interface Warden {
  readonly url: string;
  /** The address actually bound: server.host, or 127.0.0.1 (always, when no auth tokens are configured). */
  readonly host: string;
  readonly port: number;
  readonly config: WardenConfig;
  readonly events: WardenEvents;
  readonly store: SignalStore;
  readonly engine: RuleEngine;
  readonly loop: EvaluationLoop;
  readonly tracker: HealthTracker;
  readonly registry: Registry;
  readonly redis: Redis;
  readonly audit: AuditLog;
  readonly incidents: IncidentService;
  readonly remediation: Remediation;
  readonly cluster: Cluster;
  reloadRules(): ReturnType<RuleReloader<RuleSet>['reload']>;
  stop(): Promise<void>;
}

/** The composition root: wires every stage, in dependency order, and tears them down in reverse. */
export async function startWarden(opts: StartOptions): Promise<Warden> {
  const { config, log } = opts;
  const clock = opts.clock ?? Date.now;
  const registry = createMetricsRegistry({ defaultMetrics: opts.defaultMetrics ?? true });
  const events = new WardenEvents();
  const redis = connectRedis(opts.redisUrl, { maxRetriesPerRequest: 3, enableOfflineQueue: true });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const cleanup: Array<readonly [string, () => Promise<void> | void]> = [['redis client', () => dropRedisClient(redis)]];
  try {
    await redis.ping();
    const redisHealth = new RedisHealth({ redis, registry });
    redisHealth.on('down', (s) => log.error({ reason: s.reason }, 'Redis not answering: not ready; durable writes are queued'));
    redisHealth.start();
    cleanup.push(['redis health', () => redisHealth.stop()]);
    // Before anything writes: a previous run's writes that never reached Redis are made first.
    const journal = openOutboxJournal(config, opts.baseDir, log, registry);
    cleanup.push(['outbox journal', () => journal.close()]);
    const { limits } = config;
    const store = new SignalStore({
      windowMs: limits.window, maxPointsPerSeries: limits.max_points_per_series, stalenessMs: config.staleness,
      limits: { maxSeries: limits.max_series, maxSeriesPerMetric: limits.max_series_per_metric },
    });
    // History for ranges only, kept one scrape interval past the longest range a rule reads.
    const scrapeMarginMs = Math.max(15_000, ...config.scrape.map((s) => s.interval));
    const engine = new RuleEngine({ store, coalesceMs: limits.rule_coalesce_window, history: { marginMs: scrapeMarginMs } });
    const estate = await startPrometheusEstate({ config, redis, rules: engine, store, registry, log, clock });
    const tracker = new HealthTracker({ redis, prefix: config.redis.prefix, log, registry, journal });
    cleanup.push(['health writes', () => tracker.close()]);
    await tracker.replay(journal.takeOrphans('health'));
    await tracker.restore();
    // Alerts active before a restart resume with their original firedAt if their condition holds
    // again within `staleness`; otherwise they resolve then.
    engine.restore(estate.ruleAlerts(await tracker.restoreAlerts()), clock() + config.staleness, clock());
    const auth = new Authenticator(config.auth.tokens);
    const audit = new AuditLog({ redis, prefix: config.redis.prefix, clock, journal, onWritten: (e) => emitSafely(log, () => events.emit('audited', e)) });
    await audit.replay(journal.takeOrphans('audit'), (err) => log.error({ err }, 'replayed audit entry failed'));
    registerOutboxMetrics(registry, 'audit', audit);
    // Issue 12: joined before any stage acts, so a follower never acts for a moment at start.
    const cluster = await startCluster({ config, redis, registry, log, clock });
    cleanup.push(['cluster lease', () => cluster.stop()]);
    const anchorer = new AuditAnchorer({
      isLeader: () => cluster.isLeader(),
      head: () => audit.head(),
      log,
      intervalMs: config.audit.anchor_interval,
      file: config.audit.anchor_file === undefined ? undefined : resolve(opts.baseDir, config.audit.anchor_file),
    });
    anchorer.start();
    // Pushed before paging and remediation, so it stops after them and anchors their last entries.
    cleanup.push(['audit anchorer', () => anchorer.stop()]);
    const maintenance = await startMaintenance({ config, redis, auth, audit, log, clock });
    cleanup.push(['maintenance windows', () => maintenance.stop()]);
    let listenUrl = '';
    const paging = await startPaging({ config, configFile: opts.configFile ?? 'warden.yaml', redis, auth, audit, events, registry, log, clock, listenUrl: () => listenUrl, journal, maintenance: maintenance.windows, cluster: { leader: cluster, episodes: cluster.episodes } });
    cleanup.push(['paging', () => paging.stop()]);
    // A previous run's decisions, made as leader before it died: replayed once this replica leads
    // again (its dead lease lapses within lease_ttl); if a live replica leads, that one re-drives them.
    const orphans = { incidents: journal.takeOrphans('incidents'), remediation: journal.takeOrphans('remediation') };
    if (orphans.incidents.length + orphans.remediation.length > 0 && !(await cluster.awaitLeadership(config.cluster.lease_ttl + 2 * config.cluster.renew_interval))) {
      log.warn({ incidents: orphans.incidents.length, remediation: orphans.remediation.length }, 'another replica leads: it re-drives what this one had not written before it stopped');
    }
    paging.incidents.replay(orphans.incidents);
    const unagree = agreeFiringStarts(cluster, events, log);
    cleanup.push(['firing-start agreement', unagree]);
    // A job's firing start is the one agreed through Redis (issue 12 §3), which may be another replica's.
    const episode = (a: { fingerprint: string; firedAtMs: number }) => firingEpisode(cluster, estate.alerts.activeAlerts(), a);
    const stillFiring = (a: { fingerprint: string; firedAtMs: number }) => episode(a) !== undefined;
    const remediation = await startRemediation({ config, redisUrl: opts.redisUrl, redis, auth, audit, escalator: paging.incidents, events, store, stillFiring, awaitingRestore: (a) => engine.awaitingRestore(a.fingerprint, episode(a)?.firedAtMs ?? a.firedAtMs), registry, log, clock,
      redisDown: () => (redisHealth.state.up ? undefined : redisHealth.state.reason ?? 'not answering'), journal, maintenance: maintenance.windows, cluster: { leader: cluster, episodes: cluster.episodes } });
    maintenance.wakeOnEnd(() => remediation.service.releaseHeld());
    cleanup.push(['remediation', () => remediation.stop()]);
    // Issue 9: journaled from the moment Redis stops answering, written the moment it answers again.
    watchRedisOutage(redisHealth, { health: tracker, incidents: paging.incidents, remediation: remediation.service, audit }, log);
    const integrations = startIntegrations({ config, configFile: opts.configFile ?? 'warden.yaml', redis, incidents: paging.incidents, approvals: remediation.service.approvals, audit, log, clock });
    // Series Warden derives itself cannot be pushed or scraped over (issue 9).
    const derived = DerivedSeries.fromComponents(config.components);
    const loop = new EvaluationLoop({ store, rules: estate.alerts, tracker, healthMetrics: new HealthMetrics(registry), events, components: config.components, registry, log, clock, tradingHalted: () => remediation.trading.halted });

    let rulesLoaded = false;
    let loadedGroups: RuleSet['groups'] = [];
    const reloader = new RuleReloader<RuleSet>({
      load: async () => {
        const set = await loadRuleFiles(config.rules, opts.baseDir);
        checkRemediationParams(set.remediations);
        return set;
      },
      apply: async (set) => {
        remediation.replaceRules(set.remediations);
        loadedGroups = set.groups;
        const transitions = engine.replace(set, clock());
        await loop.applyTransitions(transitions);
        rulesLoaded = true;
        events.emit('rules-loaded', { files: set.files, groups: set.groups.length, rules: set.groups.reduce((n, g) => n + g.rules.length, 0), atMs: clock() });
        log.info({ files: set.files.length, groups: set.groups.length }, 'rules loaded');
      },
      watchFiles: (set) => set.files,
      log,
      clock,
    });
    cleanup.push(['rule reloader', () => reloader.stop()]);
    registerRuleMetrics(registry, { groups: () => loadedGroups, activeAlerts: () => engine.activeAlerts(), lastReload: () => reloader.last, evaluationCounts: () => engine.evaluationCounts() });
    const first = await reloader.reload();
    if (!first.ok) throw new Error(`rules not loaded: ${first.error}`);
    // Once the remediation rules are loaded: a previous run's enqueues are matched against them.
    remediation.service.replay(orphans.remediation);
    await journal.releaseOrphans();
    await loop.tick();
    // Once restored alerts have resumed or resolved (see RuleEngine.restore), close incidents whose
    // alert is gone for any other reason, so none stays open for good.
    // Then continuously, by the leader (issue 12 §3): none stays open after its alerts resolved.
    const firingNow = () => estate.alerts.activeAlerts().filter((a) => a.state === 'firing');
    let reconcileEvery: NodeJS.Timeout | undefined;
    const reconcileOnce = (why?: string) => paging.incidents.reconcile(firingNow().map((a) => a.fingerprint), why).catch((err: unknown) => log.error({ err }, 'incident reconcile failed'));
    const reconcile = setTimeout(() => {
      void reconcileOnce();
      reconcileEvery = setInterval(() => void reconcileOnce('no longer firing (reconciled)'), Math.max(5 * config.evaluation_interval, 5_000));
      reconcileEvery.unref();
    }, config.staleness + 2 * config.evaluation_interval);
    reconcile.unref();
    cleanup.push(['reconcile timer', () => {
      clearTimeout(reconcile);
      clearInterval(reconcileEvery);
    }]);
    // A follower that becomes leader re-drives what fires now (issue 12 §4): incidents without
    // one are opened, remediations without a job enqueued (deterministic ids keep them once).
    const onElected = () => {
      const firing = firingNow();
      log.info({ firing: firing.length }, 'leader takeover: re-driving firing alerts');
      paging.incidents.takeOver(firing).catch((err: unknown) => log.error({ err }, 'incident takeover failed'));
      remediation.service.takeOver(firing).catch((err: unknown) => log.error({ err }, 'remediation takeover failed'));
    };
    cluster.lease.on('elected', onElected);
    cleanup.push(['leader takeover', () => void cluster.lease.off('elected', onElected)]);
    const pushParser = new OffThreadPushParser(config.limits, config.components.filter((c) => c.probe).map((c) => c.name));
    cleanup.push(['push parse worker', () => pushParser.close()]);
    // Issue 12: replicas share what they are pushed (off unless cluster.fanout).
    let fanout: ReplicaFanout | undefined;
    if (config.cluster.fanout) {
      fanout = await startReplicaFanout({ cluster: { ...config.cluster, replica_id: cluster.replicaId }, redis, prefix: config.redis.prefix, loop, replayMs: config.limits.window, registry, log, clock });
      cleanup.push(['replica fan-out', () => fanout?.stop()]);
    }
    const operatorConsole = startConsole({ config, store, auth, clock });
    cleanup.push(['console trends', () => operatorConsole.stop()]);
    // Redis known down with writes waiting: pushes and remote writes answer 503 at once.
    const unavailable = () => (redisHealth.state.up || tracker.pendingWrites + paging.incidents.pendingTransitions === 0 ? undefined : redisHealth.state.reason ?? 'Redis not answering');
    const app = createApp({
      log,
      registry,
      metricsAuth: config.server.metrics_auth ? auth.require('read') : undefined,
      ready: () => {
        const r = redisHealth.state;
        const behind = fanout?.catchingUp();
        const role = cluster.readiness();
        const checks: Record<string, boolean> = { redis: r.up, rules: rulesLoaded, cluster: role.ok, ...(fanout ? { fanout: behind === undefined } : {}) };
        const reasons: Record<string, string> = {};
        // Followers are ready (they serve reads and take pushes); the reason says this one does not act.
        if (role.reason) reasons.cluster = role.reason;
        if (!r.up) reasons.redis = r.reason ?? 'not answering';
        if (!rulesLoaded) reasons.rules = 'rules not loaded yet';
        if (behind !== undefined) reasons.fanout = behind;
        return { ready: Object.values(checks).every(Boolean), checks, reasons };
      },
      routers: [
        ingestRoutes({ auth, loop, validator: new PushValidator(config.limits, derived), parseInWorker: { parser: pushParser }, fanout: fanout?.publisher, maxBodyBytes: config.limits.max_body, registry, log, clock, unavailable }),
        healthRoutes({ auth, tracker }),
        ...operatorConsole.routers,
        streamRoutes({ auth, events, snapshot: () => consoleSnapshot({ health: tracker.current, alerts: estate.alerts.activeAlerts() }, clock()), log }),
        rulesRoutes({ auth, activeAlerts: () => estate.alerts.activeAlerts(), groupsStatus: () => engine.groupsStatus(), reload: () => reloader.reload(), lastReload: () => reloader.last }),
        ...paging.routers,
        ...remediation.routers,
        ...integrations.routers,
        ...maintenance.routers,
        auditRoutes({ auth, audit }),
        clusterRoutes({ auth, status: () => cluster.status() }),
        ...estate.routers({ auth, loop, incidents: paging.incidents, ingest: { unavailable, parser: pushParser, derived, fanout: fanout?.publisher } }),
      ],
    });
    // Loopback unless server.host says otherwise, and always while no token is asked for.
    const host = auth.open ? '127.0.0.1' : (config.server.host ?? '127.0.0.1');
    // A warning only when a host asked for is ignored; the default (loopback, no tokens) is the safe start.
    if (auth.open && config.server.host !== undefined && config.server.host !== '127.0.0.1') log.warn({ host, ignoredHost: config.server.host }, 'no auth tokens configured: binding 127.0.0.1 only and asking for no token');
    else if (auth.open) log.info({ host }, 'no auth tokens configured: binding 127.0.0.1 only and asking for no token');
    const server = createServer(app);
    await listen(server, config.server.port, host);
    cleanup.push(['http server', () => closeServer(server)]);
    const port = (server.address() as AddressInfo).port;

    const sink = (samples: Parameters<EvaluationLoop['ingest']>[0]) => void loop.ingest(samples, 'pull').persisted.catch(() => undefined);
    const sources = startSources({ config, sink, events, derived, seriesLimit: (samples) => loop.seriesGuard.check(samples, 'pull')?.message, registry, log, clock });
    cleanup.push(['scrape and probe sources', () => sources.stop()]);

    const ticker = setInterval(() => {
      loop.tick().catch((err: unknown) => log.error({ err }, 'evaluation tick failed to persist'));
    }, config.evaluation_interval);
    cleanup.push(['evaluation ticker', () => clearInterval(ticker)]);

    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    listenUrl = url;
    log.info({ url, components: config.components.length, scrape: config.scrape.length }, 'warden started');
    let stopping: Promise<void> | undefined;
    return {
      url, host, port, config, events, store, engine, loop, tracker, registry, redis, audit, incidents: paging.incidents, remediation, cluster,
      reloadRules: () => reloader.reload(),
      stop: () => (stopping ??= runCleanup(cleanup, log)),
    };
  } catch (err) {
    await runCleanup(cleanup, log);
    throw err;
  }
}

/** A bus listener that throws must not fail the audit append that told it (see WardenEvents). */
function emitSafely(log: Logger, emit: () => void): void {
  try {
    emit();
  } catch (err) {
    log.error({ err }, 'an event listener threw');
  }
}

/** One stuck step (a Redis that froze mid-shutdown) must not hold the rest: each gets STEP_LIMIT_MS. */
const STEP_LIMIT_MS = 10_000;

async function runCleanup(steps: ReadonlyArray<readonly [string, () => Promise<void> | void]>, log: Logger): Promise<void> {
  for (const [name, step] of [...steps].reverse()) {
    const run = Promise.resolve().then(step);
    try {
      if ((await within(run.then(() => 'done' as const), STEP_LIMIT_MS, 'overdue' as const)) === 'overdue') {
        log.error({ step: name, limitMs: STEP_LIMIT_MS }, 'shutdown step overdue: moving on');
        run.catch((err: unknown) => log.error({ err, step: name }, 'error during shutdown'));
      }
    } catch (err) {
      log.error({ err, step: name }, 'error during shutdown');
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
