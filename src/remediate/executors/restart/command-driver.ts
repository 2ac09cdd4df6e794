import { spawn, type ChildProcess } from 'node:child_process';
import { PermanentError, TransientError } from '../../../errors';
import { parseDurationMs } from '../../../config/duration';
import type { ExecutionContext, ExecutionResult } from '../../executor';
import { attemptDeadline } from '../../attempt-deadline';
import { BoundedOutput } from './bounded-output';
import { substituteTarget, type CommandRestartParams } from './restart-params';

/** Variables a restart command inherits from Warden; everything else (tokens, keys) stays out. */
export const DEFAULT_ENV_ALLOW_LIST = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'NODE_ENV'];

/** After SIGTERM, how long a command gets before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** After exit, how long to wait for output still in the pipes (a daemonised child may hold them open). */
const DRAIN_AFTER_EXIT_MS = 200;

export interface CommandDriverOptions {
  envAllowList?: readonly string[];
  outputLimitBytes?: number;
}

interface CommandOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: BoundedOutput;
  stderr: BoundedOutput;
}

function childEnv(allow: readonly string[], extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of allow) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  return { ...env, ...extra };
}

/** Runs argv with shell:false; resolves on exit, rejects on spawn failure (e.g. ENOENT). */
function runCommand(argv: string[], opts: { cwd?: string; env: Record<string, string>; signal: AbortSignal; limitBytes?: number }): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv as [string, ...string[]];
    const stdout = new BoundedOutput(opts.limitBytes);
    const stderr = new BoundedOutput(opts.limitBytes);
    const child: ChildProcess = spawn(file, args, { cwd: opts.cwd, env: opts.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => stdout.push(c));
    child.stderr?.on('data', (c: Buffer) => stderr.push(c));
    const onAbort = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      opts.signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.once('exit', (exitCode, signal) => {
      opts.signal.removeEventListener('abort', onAbort);
      const finish = () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({ exitCode, signal, stdout, stderr });
      };
      const timer = setTimeout(finish, DRAIN_AFTER_EXIT_MS);
      child.once('close', () => {
        clearTimeout(timer);
        finish();
      });
    });
  });
}

export async function restartWithCommand(target: string, p: CommandRestartParams, ctx: ExecutionContext, opts: CommandDriverOptions): Promise<ExecutionResult> {
  const argv = p.argv.map((a) => substituteTarget(a, target));
  const timeoutMs = parseDurationMs(p.timeout) as number;
  const deadline = attemptDeadline(ctx.signal, timeoutMs);
  const what = `restart ${target}: command ${argv[0]}`;
  let out: CommandOutcome;
  try {
    out = await runCommand(argv, { cwd: p.cwd, env: childEnv(opts.envAllowList ?? DEFAULT_ENV_ALLOW_LIST, p.env), signal: deadline.signal, limitBytes: opts.outputLimitBytes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') throw new PermanentError(`${what}: cannot run (${code})`, { cause: err });
    throw new TransientError(`${what}: ${(err as Error).message}`, { cause: err });
  }
  const details = { driver: 'command', argv, exitCode: out.exitCode, signal: out.signal, stdout: out.stdout.toJSON(), stderr: out.stderr.toJSON() };
  if (deadline.signal.aborted) throw deadline.classify(new Error(`killed with ${out.signal ?? 'exit'}`), what);
  if (out.exitCode === 0) return { summary: `restarted ${target} with ${argv[0]} (exit 0)`, details };
  const tail = out.stderr.text().slice(-300).trim();
  const msg = `${what}: exit ${out.exitCode ?? out.signal}${tail ? `: ${tail}` : ''}`;
  ctx.log.warn({ ...details }, 'restart command failed');
  if (out.exitCode !== null && p.permanent_exit_codes.includes(out.exitCode)) throw new PermanentError(msg);
  throw new TransientError(msg);
}
