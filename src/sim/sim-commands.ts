import { existsSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, errorMessage } from '../errors';
import { simulatorConfigDefaults, simulatorConfigSchema, type SimulatorConfig } from '../config/simulator-schema';
import { YamlSource } from '../config/yaml-source';
import { portLayout } from './components';
import { SimControlClient } from './control-client';
import { FAULT_KINDS } from './fault';
import { startSimulator } from './start-simulator';
import { createLogger, logFormatFor } from '../telemetry/logger';

/**
 * `warden sim start|fault|clear|status|restart`: run the exchange simulator and break it on purpose
 * (issue 6 §1, spec §12 chaos list). `sim restart` is also the argv a command restart driver runs.
 */
export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('run the simulated exchange and inject faults (spec §12)');

  withConfig(sim.command('start').description('run the simulator in the foreground until Ctrl-C'))
    .option('--base-port <port>', 'control API port; exchange admin is +1, components +2..', parsePort)
    .option('--host <host>', 'interface to bind (0.0.0.0 in a container)')
    .option('--log-dir <dir>', 'where components write their rotating logs')
    .option('--postgres-url <url>', 'idle_connections opens real idle connections here')
    .action(async (opts: StartOpts) => runStart(opts));

  withControl(sim.command('fault').description(`inject a fault: ${FAULT_KINDS.join(', ')}`))
    .argument('<kind>', 'fault kind')
    .argument('<component>', 'component name')
    .option('--value <n>', 'lag: seconds (1-10 Yellow, >10 Red)', parseNumber)
    .option('--metric <m>', 'lag: replication or processing')
    .option('--rate <n>', 'memory_leak: ratio per second; disk_fill: bytes per second', parseNumber)
    .option('--max-ratio <n>', 'memory_leak: level off at this memory_used_ratio (0.4-0.99)', parseNumber)
    .option('--target-ratio <n>', 'disk_fill / idle_connections: level to reach (0-1)', parseNumber)
    .option('--connections <n>', 'idle_connections: real idle connections to open', parseNumber)
    .option('--count <n>', 'invariant_violation: how many', parseNumber)
    .option('--min-ms <n>', 'latency: lower bound', parseNumber)
    .option('--max-ms <n>', 'latency: upper bound', parseNumber)
    .option('--rejoin-after <s>', 'primary_down: seconds after a failover until the lost host rejoins as a replica', parseNumber)
    .action(async (kind: string, component: string, opts: FaultOpts) => {
      await print(client(opts).fault(faultBody(kind, component, opts)));
    });

  withControl(sim.command('clear').description('clear one fault kind, or all, on a component'))
    .argument('<component>', 'component name')
    .argument('[kind]', 'fault kind (default: all)')
    .action(async (component: string, kind: string | undefined, opts: ControlOpts) => print(client(opts).clear(component, kind)));

  withControl(sim.command('status').description('components, their processes, faults and metrics'))
    .action(async (opts: ControlOpts) => print(client(opts).status()));

  withControl(sim.command('restart').description('restart a component (also after a crash)'))
    .argument('<component>', 'component name')
    .action(async (component: string, opts: ControlOpts) => print(client(opts).restart(component)));
}

const DEFAULT_CONFIG_FILE = 'warden.yaml';

interface ControlOpts { controlUrl?: string; config?: string }
interface StartOpts { config?: string; basePort?: number; host?: string; logDir?: string; postgresUrl?: string }
interface FaultOpts extends ControlOpts {
  value?: number; metric?: string; rate?: number; maxRatio?: number; targetRatio?: number; connections?: number; count?: number; minMs?: number; maxMs?: number; rejoinAfter?: number;
}

function withConfig(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'warden.yaml to read the simulator: section from (default ./warden.yaml if present)');
}

function withControl(cmd: Command): Command {
  return withConfig(cmd).addOption(new Option('--control-url <url>', 'simulator control API (default: from --config, else port 9300)'));
}

function client(opts: ControlOpts): SimControlClient {
  if (opts.controlUrl) return new SimControlClient(opts.controlUrl);
  const cfg = loadSimulatorSection(opts.config);
  const host = cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host;
  return new SimControlClient(`http://${host}:${portLayout(cfg.base_port).controlPort}`);
}

/**
 * Reads only `simulator:` of a warden.yaml, with the same file:line errors as the full load.
 * Without --config, ./warden.yaml is used when present (what `npm start` runs with).
 */
export function loadSimulatorSection(explicitFile: string | undefined): SimulatorConfig {
  const file = explicitFile ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (!file) return simulatorConfigDefaults;
  if (!existsSync(file)) throw new ConfigError('cannot read config: no such file', { file });
  const source = YamlSource.parse(file, readFileSync(file, 'utf8'));
  const section = (source.toJS() as { simulator?: unknown }).simulator ?? {};
  return source.validate(simulatorConfigSchema, section, ['simulator']);
}

/** Maps CLI flags onto the fault's fields; the simulator validates and names a bad field. */
export function faultBody(kind: string, component: string, o: FaultOpts): Record<string, unknown> {
  const body: Record<string, unknown> = { kind, component };
  const set = (key: string, v: unknown) => {
    if (v !== undefined) body[key] = v;
  };
  set('value', o.value);
  set('metric', o.metric);
  set(kind === 'disk_fill' ? 'rate_bytes_per_s' : 'rate_per_s', o.rate);
  set('max_ratio', o.maxRatio);
  set('target_ratio', o.targetRatio);
  set('connections', o.connections);
  set('count', o.count);
  set('min_ms', o.minMs);
  set('max_ms', o.maxMs);
  set('rejoin_after_s', o.rejoinAfter);
  return body;
}

async function runStart(opts: StartOpts): Promise<void> {
  const cfg = loadSimulatorSection(opts.config);
  const log = createLogger('info', undefined, logFormatFor(process.stdout));
  const handle = await startSimulator({
    basePort: opts.basePort ?? cfg.base_port,
    host: opts.host ?? cfg.host,
    logDir: opts.logDir ?? cfg.log_dir,
    ...(opts.postgresUrl ?? cfg.postgres_url ? { postgresUrl: opts.postgresUrl ?? cfg.postgres_url } : {}),
    logger: log,
  });
  process.stdout.write(`${JSON.stringify({ controlUrl: handle.controlUrl, exchangeAdminUrl: handle.exchangeAdminUrl, components: handle.components })}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void handle.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function print(result: Promise<unknown>): Promise<void> {
  try {
    process.stdout.write(`${JSON.stringify(await result, null, 2)}\n`);
  } catch (err) {
    process.stderr.write(`warden sim: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  }
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
}

function parseNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
}
