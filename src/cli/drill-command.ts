import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { loadConfig, overridesFromEnv } from '../config/load-config';
import type { WardenConfig } from '../config/schema';
import { runDrillSession } from '../drill/drill-session';
import { progressLine, runLine } from '../drill/drill-progress';
import type { DrillEvent, DrillRun } from '../drill/drill-record';
import { drillTable, type DrillReport } from '../drill/drill-report';
import { drillReportHtml } from '../drill/drill-report-html';
import { DRILL_SCENARIOS, scenarioNamed, type DrillScenario } from '../drill/drill-scenarios';
import { DrillSetupError } from '../drill/drill-setup-error';
import { ConfigError } from '../errors';
import { RedisUnavailableError } from '../runtime/embedded-redis';
import { createLogger } from '../telemetry/logger';

/** Bad flags or config exit 2 (like `warden start`), a missed objective 1, Ctrl-C 130 (128 + SIGINT). */
const EXIT_USAGE = 2;
const EXIT_MISSED = 1;
const EXIT_INTERRUPTED = 130;
const MAX_REPEAT = 100;
const PROGRESS_EVERY_MS = 100;

interface DrillFlags {
  scenario?: string[];
  repeat: number;
  json?: boolean;
  report?: string;
  config: string;
}

/**
 * `warden drill`: spec §12.1's chaos list and the §11.2 cases against the simulator (or an
 * exchange's fault hooks), timed from Warden's own events and held to spec §13 (issue 14 §1).
 */
export function registerDrillCommand(program: Command): void {
  const drill = program
    .command('drill')
    .description('break the exchange on purpose and time detection and recovery against the spec\'s RTOs (§12.1, §11.2, §13)')
    .option('-s, --scenario <name...>', `scenarios to run (default: all): ${DRILL_SCENARIOS.map((s) => s.name).join(', ')}`)
    .option('-n, --repeat <n>', `runs per scenario (1-${MAX_REPEAT}); p50 and max are over these`, parseRepeat, 1)
    .option('--json', 'print one JSON object (the whole report) instead of the table')
    .option('--report <file.html>', 'also write a self-contained HTML report with a timeline per scenario')
    .option('-c, --config <file>', 'the warden.yaml to drill (its simulator: or drill.fault_hooks_url is the target)', 'warden.yaml')
    .action(async (flags: DrillFlags) => {
      process.exitCode = await runDrillCommand(flags);
    });
  // Usage errors exit 2 here, as a bad config does (commander's own default is 1, which means "missed").
  drill.exitOverride((err) => {
    throw err.exitCode === 0 ? err : new CommanderError(EXIT_USAGE, err.code, err.message);
  });
}

async function runDrillCommand(flags: DrillFlags): Promise<number> {
  const usage = (message: string) => {
    process.stderr.write(`warden drill: ${message}\n`);
    return EXIT_USAGE;
  };
  const scenarios = selectScenarios(flags.scenario);
  if (typeof scenarios === 'string') return usage(scenarios);
  if (flags.report !== undefined) {
    const problem = reportFileProblem(flags.report);
    if (problem) return usage(problem);
  }
  let config: WardenConfig;
  try {
    config = loadConfig(flags.config, overridesFromEnv());
  } catch (err) {
    if (err instanceof ConfigError) return usage(`invalid configuration: ${err.message}`);
    throw err;
  }
  const abort = new AbortController();
  const stopOnSignal = interruptHandler(abort);
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  const progress = new ProgressPrinter(flags.repeat);
  let report: DrillReport;
  try {
    report = await runDrillSession({
      config, configFile: flags.config, baseDir: dirname(resolve(flags.config)), scenarios, repeat: flags.repeat,
      // The drill's Warden logs only errors, to stderr: stdout is the table or the JSON object.
      log: createLogger('error', pino.destination(2)),
      signal: abort.signal,
      onProgress: (s, repeat, component, events) => progress.update(s, repeat, component, events),
      onRun: (run) => progress.done(run),
    });
  } catch (err) {
    progress.clear();
    if (err instanceof DrillSetupError || err instanceof RedisUnavailableError) return usage(err.message);
    throw err;
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
  process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : drillTable(report));
  if (flags.report !== undefined) {
    writeAtomically(flags.report, drillReportHtml(report));
    process.stderr.write(`warden drill: HTML report written to ${flags.report}\n`);
  }
  if (report.interrupted) return EXIT_INTERRUPTED;
  return report.passed ? 0 : EXIT_MISSED;
}

function selectScenarios(names: string[] | undefined): DrillScenario[] | string {
  if (!names || names.length === 0) return [...DRILL_SCENARIOS];
  const picked: DrillScenario[] = [];
  for (const name of names.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean)) {
    const s = scenarioNamed(name);
    if (!s) return `unknown scenario "${name}": one of ${DRILL_SCENARIOS.map((x) => x.name).join(', ')}`;
    if (!picked.includes(s)) picked.push(s);
  }
  return picked.length > 0 ? picked : '--scenario needs a scenario name';
}

/** Checked before the drill runs: a report that cannot be written must not cost a 5-minute drill. */
function reportFileProblem(file: string): string | undefined {
  if (!file.toLowerCase().endsWith('.html')) return `--report ${file}: the report is HTML; name it FILE.html`;
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return `--report ${file}: directory ${dir} does not exist`;
  if (existsSync(file) && statSync(file).isDirectory()) return `--report ${file}: is a directory`;
  return undefined;
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function parseRepeat(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 1 || n > MAX_REPEAT) throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_REPEAT}`);
  return n;
}

/** First Ctrl-C: the run in progress clears its faults and the drill stops. Second: exit at once. */
function interruptHandler(abort: AbortController): (signal: NodeJS.Signals) => void {
  return (signal) => {
    if (!abort.signal.aborted) {
      process.stderr.write(`\nwarden drill: ${signal}: clearing the faults of the run in progress, then stopping (again to exit at once)\n`);
      abort.abort();
      return;
    }
    process.stderr.write(`warden drill: ${signal} again: exiting without clean-up; check \`warden sim status\` for faults left behind\n`);
    process.exit(EXIT_INTERRUPTED);
  };
}

/** The live line on a terminal (rewritten in place); elsewhere only each run's verdict line. */
class ProgressPrinter {
  readonly #tty = process.stderr.isTTY === true;
  readonly #repeats: number;
  #lastAtMs = 0;
  #shown = false;

  constructor(repeats: number) {
    this.#repeats = repeats;
  }

  update(s: DrillScenario, repeat: number, component: string, events: readonly DrillEvent[]): void {
    const now = Date.now();
    if (!this.#tty || now - this.#lastAtMs < PROGRESS_EVERY_MS) return;
    this.#lastAtMs = now;
    const width = Math.max(20, (process.stderr.columns ?? 120) - 1);
    process.stderr.write(`\r\x1b[K${progressLine(s, repeat, this.#repeats, component, events, now).slice(0, width)}`);
    this.#shown = true;
  }

  done(run: DrillRun): void {
    this.clear();
    process.stderr.write(`${runLine(run, this.#repeats)}\n`);
  }

  clear(): void {
    if (this.#shown) process.stderr.write('\r\x1b[K');
    this.#shown = false;
  }
}
