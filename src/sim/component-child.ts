import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PermanentError, RequestError, TransientError } from '../errors';
import type { SimComponentName } from './components';
import type { ComponentMessage, ComponentProcessOptions, SupervisorRequest } from './ipc-messages';

const READY_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 5_000;

export type ChildState = 'starting' | 'running' | 'crashed' | 'stopped';

/** The compiled entry point; under ts-jest this file is .ts, so use the build in dist/ instead. */
export function componentScriptPath(): string {
  const script = __filename.endsWith('.ts')
    ? join(__dirname, '..', '..', 'dist', 'sim', 'component-process.js')
    : join(__dirname, 'component-process.js');
  if (!existsSync(script)) throw new PermanentError(`simulator component script missing: ${script} (run npm run build)`);
  return script;
}

/** SupervisorRequest without its id, per variant (Omit over a union would merge them). */
type RequestBody = SupervisorRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** One running component process and the request/reply channel to it (Node IPC). */
export class ComponentChild {
  readonly name: SimComponentName;
  readonly proc: ChildProcess;
  #port = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(name: SimComponentName, proc: ChildProcess) {
    this.name = name;
    this.proc = proc;
    proc.on('message', (msg: ComponentMessage) => this.#onMessage(msg));
    // A child that is dying can still look connected: a send then fails with EPIPE, which would be
    // an unhandled 'error' event. The send callback below rejects the request; the exit handler cleans up.
    proc.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        for (const p of this.#pending.values()) {
          clearTimeout(p.timer);
          p.reject(new TransientError(`${name} exited (code ${code}, signal ${signal}) before replying`));
        }
        this.#pending.clear();
        resolve({ code, signal });
      });
    });
  }

  static async spawn(opts: ComponentProcessOptions, script: string): Promise<ComponentChild> {
    // No inherited execArgv (jest/ts flags) and a small heap: six of these share a 2-core machine.
    const proc = fork(script, [JSON.stringify(opts)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=96'] });
    const child = new ComponentChild(opts.component, proc);
    child.#port = await child.#waitReady();
    return child;
  }

  get port(): number {
    return this.#port;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  request(req: RequestBody): Promise<unknown> {
    if (!this.alive || !this.proc.connected) return Promise.reject(new RequestError(409, 'component_down', `${this.name} is not running`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new TransientError(`${this.name} did not answer within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      this.proc.send({ ...req, id } as SupervisorRequest, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new TransientError(`${this.name} could not be reached: ${err.message}`));
      });
    });
  }

  /** SIGTERM, then SIGKILL if it does not leave in time. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  #onMessage(msg: ComponentMessage): void {
    if (msg.type !== 'reply') return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new RequestError(msg.error.status, msg.error.code, msg.error.message));
  }

  #waitReady(): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        reject(new TransientError(`${this.name} did not start within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      const onMessage = (msg: ComponentMessage) => {
        if (msg.type !== 'ready') return;
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        resolve(msg.port);
      };
      this.proc.on('message', onMessage);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new TransientError(`${this.name} exited during start-up (code ${code}, signal ${signal})`));
      });
    });
  }
}
