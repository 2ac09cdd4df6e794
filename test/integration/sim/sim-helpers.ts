import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { SimulatorHandle } from '../../../src/sim/start-simulator';

export const SIM_CLI = join(__dirname, '..', '..', '..', 'dist', 'sim', 'sim-cli.js');

/** Value of `name{component="..."}` in a scrape of the component's /metrics. */
export async function scrape(sim: SimulatorHandle, component: string, name: string): Promise<number> {
  const c = sim.components.find((x) => x.name === component);
  if (!c) throw new Error(`no component ${component}`);
  const text = await (await fetch(c.metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
  if (!line) throw new Error(`${name} not in ${component}'s /metrics`);
  return Number(line.split(' ').pop());
}

export async function post(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function status(sim: SimulatorHandle, component: string): Promise<any> {
  const s = (await (await fetch(`${sim.controlUrl}/status`)).json()) as { components: Array<{ name: string }> };
  return s.components.find((c) => c.name === component);
}

export async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`);
}

export function runSimCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SIM_CLI, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
