import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server';

/** A real Debian `prometheus` of the test's own: temp dir, free port, the config file the test writes. */
export interface PrometheusProcess {
  readonly url: string;
  readonly dir: string;
  /** Rewrites a file in its dir (rules, config) and sends SIGHUP so Prometheus reloads it. */
  rewrite(name: string, text: string): void;
  stderr(): string;
  stop(): Promise<void>;
}

/** `files` go into the temp dir first (rule files the config names relative to it). */
export async function startPrometheusProcess(config: string, files: Record<string, string> = {}, extraArgs: readonly string[] = []): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-prom-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'prometheus.yml'), config.replaceAll('$DIR', dir));
  const port = await freePort();
  const proc: ChildProcess = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=debug',
    ...extraArgs,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const exited = new Promise((r) => proc.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`prometheus not ready: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    rewrite(name, text) {
      writeFileSync(join(dir, name), text);
      proc.kill('SIGHUP');
    },
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
