import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, overridesFromEnv } from '../config/load-config';
import { ConfigError } from '../errors';
import { startWarden } from '../main';
import { EMBEDDED_URL_FILE, type EmbeddedRedis, RedisUnavailableError, startEmbeddedRedis } from '../runtime/embedded-redis';
import { createLogger, logFormatFor } from '../telemetry/logger';
import { startTracing } from '../telemetry/tracing';
import { startSimulator, type SimulatorHandle } from '../sim/start-simulator';

/** How long a graceful shutdown may take before Warden exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

interface StartFlags {
  config: string;
  port?: string;
  dataDir: string;
}

/** `warden start`: load config (refuse to start on any error), find Redis, run until a signal. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run Warden: ingest, evaluate rules, derive health, remediate and page')
    .option('-c, --config <file>', 'configuration file', 'warden.yaml')
    .option('-p, --port <port>', 'HTTP port (overrides server.port and WARDEN_PORT)')
    .option('--data-dir <dir>', 'where the embedded redis-server keeps its data when REDIS_URL is not set', '.warden/redis')
    .action(async (flags: StartFlags) => {
      process.exitCode = await runStart(flags);
    });
}

async function runStart(flags: StartFlags): Promise<number> {
  let config;
  try {
    const overrides = overridesFromEnv();
    if (flags.port !== undefined) {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, got "${flags.port}"`, { file: 'command line', field: '--port' });
      overrides.port = port;
    }
    config = loadConfig(flags.config, overrides);
    const format = process.env.WARDEN_LOG_FORMAT;
    if (format !== undefined && format !== '' && format !== 'json' && format !== 'pretty') {
      throw new ConfigError(`WARDEN_LOG_FORMAT must be json or pretty, got "${format}"`, { file: 'environment', field: 'WARDEN_LOG_FORMAT' });
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`warden: invalid configuration: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Readable lines on a terminal; JSON lines when stdout is captured (log shippers, audit verify --anchors).
  const log = createLogger(config.log_level, undefined, logFormatFor(process.stdout, process.env.WARDEN_LOG_FORMAT));
  // Off (no SDK loaded) unless OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is set.
  const tracing = startTracing(process.env, { log });
  let embedded: EmbeddedRedis | undefined;
  if (!config.redis.url) {
    try {
      embedded = await startEmbeddedRedis(flags.dataDir, log);
      // Said at any log level: an operator needs it to reach the embedded Redis (audit verify finds the file).
      const file = join(flags.dataDir, EMBEDDED_URL_FILE);
      log.child({}, { level: 'info' }).info({ redisUrl: embedded.url, file }, `embedded Redis listening on ${embedded.url} (address in ${file})`);
    } catch (err) {
      if (err instanceof RedisUnavailableError) {
        process.stderr.write(`warden: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
  }
  const redisUrl = config.redis.url ?? (embedded?.url as string);
  let sim: SimulatorHandle | undefined;
  let warden;
  try {
    if (config.simulator.enabled) {
      const s = config.simulator;
      sim = await startSimulator({ basePort: s.base_port, host: s.host, logDir: s.log_dir, postgresUrl: s.postgres_url, logger: log.child({ stage: 'sim' }) });
      log.info({ control: sim.controlUrl, exchangeAdmin: sim.exchangeAdminUrl }, 'exchange simulator started (simulator.enabled)');
    }
    warden = await startWarden({ config, configFile: flags.config, baseDir: dirname(resolve(flags.config)), redisUrl, log });
  } catch (err) {
    log.fatal({ err }, 'warden failed to start');
    await tracing.shutdown();
    await sim?.stop();
    await embedded?.stop();
    return 1;
  }
  // Through the logger like every other stdout line: a captured stdout is JSON lines throughout, so
  // `warden audit verify --anchors warden.log` (and any log shipper) reads it as it is.
  // Printed whatever log_level says, as before it went through pino: operators and scripts wait for it.
  log.child({}, { level: 'info' }).info({ url: warden.url, host: warden.host, port: warden.port }, `warden listening on ${warden.url}`);
  return new Promise<number>((done) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      // Bounded: with Redis gone, queue clients can wait forever to close; an orchestrator would
      // SIGKILL us anyway, and every acknowledged state change is already in Redis.
      setTimeout(() => {
        log.error({ afterMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time; exiting');
        done(1);
      }, SHUTDOWN_TIMEOUT_MS).unref();
      void warden
        .stop()
        .then(() => tracing.shutdown())
        .then(() => sim?.stop())
        .then(() => embedded?.stop())
        .then(() => done(0), () => done(1));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => {
      log.info('SIGHUP: reloading rules');
      void warden.reloadRules();
    });
  });
}
