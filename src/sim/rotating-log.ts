import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A component's log, rotated by size into `<dir>/<component>.<n>.log` (n grows; old files are never
 * deleted here), so archive_logs has real, closed files to act on and the newest file is the one
 * still open for writing (issue 4 §3). Writes are synchronous: volumes are small and it keeps the
 * byte count exact.
 */
export class RotatingLog {
  readonly dir: string;
  readonly component: string;
  readonly maxFileBytes: number;
  #fd: number | undefined;
  #index: number;
  #size = 0;

  constructor(opts: { dir: string; component: string; maxFileBytes: number }) {
    this.dir = opts.dir;
    this.component = opts.component;
    this.maxFileBytes = opts.maxFileBytes;
    mkdirSync(this.dir, { recursive: true });
    // A restarted component starts a fresh file after the highest existing one.
    this.#index = Math.max(0, ...this.#indexes()) + 1;
  }

  /** Appends one JSON line (pino-like). */
  line(level: 'info' | 'warn' | 'error', msg: string, extra: Record<string, unknown> = {}): void {
    this.write(`${JSON.stringify({ time: new Date().toISOString(), level, component: this.component, msg, ...extra })}\n`);
  }

  write(text: string): void {
    this.#ensureOpen();
    const bytes = Buffer.from(text);
    writeSync(this.#fd as number, bytes);
    this.#size += bytes.length;
    if (this.#size >= this.maxFileBytes) this.#rotate();
  }

  /** Current path being written. */
  currentPath(): string {
    return join(this.dir, `${this.component}.${this.#index}.log`);
  }

  /** Bytes in this component's *.log files now on disk (archived files have left the directory). */
  totalBytes(): number {
    let total = 0;
    for (const name of this.#files()) {
      try {
        total += statSync(join(this.dir, name)).size;
      } catch (err) {
        // Archived between readdir and stat: it no longer counts.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return total;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #ensureOpen(): void {
    if (this.#fd !== undefined) return;
    this.#fd = openSync(this.currentPath(), 'a');
    this.#size = fstatSync(this.#fd).size;
  }

  #rotate(): void {
    this.close();
    this.#index += 1;
  }

  #files(): string[] {
    const prefix = `${this.component}.`;
    return readdirSync(this.dir).filter((n) => n.startsWith(prefix) && /^\d+\.log$/.test(n.slice(prefix.length)));
  }

  #indexes(): number[] {
    return this.#files().map((n) => Number(n.slice(this.component.length + 1, -'.log'.length)));
  }
}
