import { mkdir, statfs, unlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseBytes, parseDurationMs } from '../../config/duration';
import { PermanentError } from '../../errors';
import type { ExecutionContext, ExecutionResult, Executor } from '../executor';
import { assertSafeTarget } from '../target-safety';
import { throwIfAborted } from '../attempt-deadline';
import { parseParams } from './parse-params';
import { archiveFile, fsyncPath, type ArchiveHooks } from './archive-logs/archive-file';
import { DEFAULT_TARGET_USED_RATIO, archiveLogsParamsSchema, globToRegExp, type ArchiveLogsParams } from './archive-logs/archive-logs-params';
import { appendManifest, readManifest, type ManifestEntry } from './archive-logs/archive-manifest';
import { crc32cOfFile } from './archive-logs/crc32c-of-file';
import { selectCandidates, streamNamer, type LogFile } from './archive-logs/select-candidates';

export interface LogDirectory {
  /** Where the logs are. Only configured directories are ever touched. */
  path: string;
  /** Where archives and manifest.jsonl go; ideally another volume, so archiving frees space. */
  archiveDir: string;
}

export interface ArchiveLogsOptions {
  logDirs: readonly LogDirectory[];
  clock?: () => number;
  /** Test-only hooks (e.g. corrupt an archive to exercise verification). */
  hooks?: ArchiveHooks;
}

interface DirOutcome {
  dir: string;
  archived: Array<{ file: string; size: number; archive: string; archiveBytes: number }>;
  finishedEarlier: string[];
  skipped: Array<{ name: string; reason: string }>;
  targetReached: boolean;
  usedRatio: number;
  matchingBytesLeft: number;
}

export async function usedRatio(dir: string): Promise<number> {
  const s = await statfs(dir);
  const used = s.blocks - s.bfree;
  // As df computes Use%: blocks reserved for root count as neither used nor available.
  return used + s.bavail === 0 ? 0 : used / (used + s.bavail);
}

/** spec §11.2 "Disk full: archive old logs". */
export class ArchiveLogsExecutor implements Executor {
  readonly action = 'archive_logs' as const;
  readonly #opts: ArchiveLogsOptions;
  readonly #clock: () => number;

  constructor(opts: ArchiveLogsOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? Date.now;
  }

  describe(target: string, params: Record<string, unknown>): string {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, archiveLogsParamsSchema, params);
    const dirs = this.#dirsFor(p).map((d) => d.path);
    return `would archive ${p.pattern} files older than ${p.min_age} in ${dirs.join(', ')} for ${target} until ${targetText(p)}`;
  }

  async execute(target: string, params: Record<string, unknown>, ctx: ExecutionContext): Promise<ExecutionResult> {
    assertSafeTarget(this.action, target);
    const p = parseParams(this.action, archiveLogsParamsSchema, params);
    const dirs = this.#dirsFor(p);
    const outcomes: DirOutcome[] = [];
    for (const d of dirs) {
      throwIfAborted(ctx.signal, `archive_logs ${target}`);
      outcomes.push(await this.#archiveDir(d, p, ctx));
    }
    const archived = outcomes.reduce((n, o) => n + o.archived.length, 0);
    const bytes = outcomes.reduce((n, o) => n + o.archived.reduce((m, a) => m + a.size, 0), 0);
    const reached = outcomes.every((o) => o.targetReached);
    return {
      summary: `archived ${archived} file(s), ${bytes} bytes, for ${target}; target ${targetText(p)} ${reached ? 'reached' : 'NOT reached'}`,
      details: { archivedFiles: archived, archivedBytes: bytes, targetReached: reached, dirs: outcomes },
    };
  }

  #dirsFor(p: ArchiveLogsParams): readonly LogDirectory[] {
    if (this.#opts.logDirs.length === 0) throw new PermanentError('archive_logs: no log directories are configured');
    if (!p.dirs) return this.#opts.logDirs;
    return p.dirs.map((wanted) => {
      const found = this.#opts.logDirs.find((d) => resolve(d.path) === resolve(wanted));
      if (!found) throw new PermanentError(`archive_logs: ${wanted} is not a configured log directory`);
      return found;
    });
  }

  async #archiveDir(d: LogDirectory, p: ArchiveLogsParams, ctx: ExecutionContext): Promise<DirOutcome> {
    await mkdir(d.archiveDir, { recursive: true });
    const manifest = await readManifest(d.archiveDir);
    const sel = await selectCandidates(d.path, { pattern: globToRegExp(p.pattern), streamOf: streamNamer(p.stream_regex), minAgeMs: parseDurationMs(p.min_age) as number, nowMs: this.#clock() });
    let bytesLeft = sel.all.reduce((n, f) => n + f.size, 0);
    const out: DirOutcome = { dir: d.path, archived: [], finishedEarlier: [], skipped: sel.skipped, targetReached: false, usedRatio: 0, matchingBytesLeft: 0 };
    const done = async () => targetMet(p, await usedRatio(d.path), bytesLeft);
    for (const f of sel.candidates) {
      if (await done()) break;
      throwIfAborted(ctx.signal, `archive_logs ${d.path}`);
      if (await this.#finishIfArchived(f, manifest.get(f.path), d.path)) {
        out.finishedEarlier.push(f.name);
      } else {
        const a = await this.#archiveOne(f, d, ctx.signal);
        out.archived.push({ file: f.name, size: f.size, archive: a.archive, archiveBytes: a.archiveBytes });
      }
      bytesLeft -= f.size;
    }
    out.usedRatio = await usedRatio(d.path);
    out.targetReached = targetMet(p, out.usedRatio, bytesLeft);
    out.matchingBytesLeft = bytesLeft;
    if (out.archived.length) ctx.log.info({ dir: d.path, files: out.archived.map((a) => a.file) }, 'archived logs');
    return out;
  }

  /** A crash between "manifest written" and "original deleted" leaves both: finish the delete. */
  async #finishIfArchived(f: LogFile, entry: ManifestEntry | undefined, dir: string): Promise<boolean> {
    if (!entry || entry.size !== f.size || entry.mtimeMs !== f.mtimeMs) return false;
    if ((await crc32cOfFile(f.path)) !== entry.crc32c) return false;
    await unlink(f.path);
    await fsyncPath(dir);
    return true;
  }

  async #archiveOne(f: LogFile, d: LogDirectory, signal: AbortSignal): Promise<{ archive: string; archiveBytes: number }> {
    // The mtime in the name keeps a later file of the same name (name-reusing rotation) from colliding.
    const archivePath = join(d.archiveDir, `${basename(f.name)}.${Math.floor(f.mtimeMs)}.gz`);
    const a = await archiveFile(f.path, archivePath, d.archiveDir, signal, this.#opts.hooks);
    await appendManifest(d.archiveDir, { file: f.path, size: a.size, crc32c: a.crc32c, mtimeMs: f.mtimeMs, archive: archivePath, time: new Date(this.#clock()).toISOString() });
    // Only now, with a verified archive and a durable manifest line, may the original go.
    await unlink(f.path);
    await fsyncPath(d.path);
    return { archive: archivePath, archiveBytes: a.archiveBytes };
  }
}

function targets(p: ArchiveLogsParams): { ratio?: number; maxBytes?: number } {
  const maxBytes = p.max_bytes === undefined ? undefined : parseBytes(p.max_bytes);
  const ratio = p.target_used_ratio ?? (maxBytes === undefined ? DEFAULT_TARGET_USED_RATIO : undefined);
  return { ratio, maxBytes };
}

function targetMet(p: ArchiveLogsParams, ratio: number, bytesLeft: number): boolean {
  const t = targets(p);
  return (t.ratio === undefined || ratio <= t.ratio) && (t.maxBytes === undefined || bytesLeft <= t.maxBytes);
}

function targetText(p: ArchiveLogsParams): string {
  const t = targets(p);
  return [t.ratio !== undefined && `disk used <= ${t.ratio}`, t.maxBytes !== undefined && `matching files <= ${t.maxBytes} B`].filter(Boolean).join(' and ');
}
