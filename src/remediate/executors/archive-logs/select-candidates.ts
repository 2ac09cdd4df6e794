import { lstat, readdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

export interface LogFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  stream: string;
}

export interface Selection {
  /** Oldest first; the newest of each stream and files younger than min_age are left out. */
  candidates: LogFile[];
  /** All regular matching files (bytes count toward max_bytes). */
  all: LogFile[];
  skipped: Array<{ name: string; reason: string }>;
}

export interface SelectOptions {
  pattern: RegExp;
  streamOf: (name: string) => string;
  minAgeMs: number;
  nowMs: number;
}

/** Lists regular files matching the pattern; symlinks are skipped (lstat) and so is anything outside dir. */
export async function selectCandidates(dir: string, opts: SelectOptions): Promise<Selection> {
  const realDir = await realpath(dir);
  const skipped: Selection['skipped'] = [];
  const all: LogFile[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!opts.pattern.test(name)) continue;
    const path = join(dir, name);
    const st = await lstat(path);
    if (st.isSymbolicLink()) {
      skipped.push({ name, reason: 'symlink (never followed)' });
      continue;
    }
    if (!st.isFile()) continue;
    // Belt and braces: a regular file found by name directly in dir cannot be elsewhere, unless dir itself moved.
    const real = await realpath(path);
    if (!real.startsWith(realDir + sep)) {
      skipped.push({ name, reason: 'resolves outside the directory' });
      continue;
    }
    all.push({ name, path, size: st.size, mtimeMs: st.mtimeMs, stream: opts.streamOf(name) });
  }
  const newest = new Map<string, LogFile>();
  for (const f of all) {
    const cur = newest.get(f.stream);
    if (!cur || f.mtimeMs > cur.mtimeMs || (f.mtimeMs === cur.mtimeMs && f.name > cur.name)) newest.set(f.stream, f);
  }
  const candidates: LogFile[] = [];
  for (const f of all) {
    if (newest.get(f.stream) === f) skipped.push({ name: f.name, reason: 'newest file of its stream (may be open for writing)' });
    else if (opts.nowMs - f.mtimeMs < opts.minAgeMs) skipped.push({ name: f.name, reason: 'younger than min_age' });
    else candidates.push(f);
  }
  candidates.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
  return { candidates, all, skipped };
}

export function streamNamer(streamRegex: string | undefined): (name: string) => string {
  if (!streamRegex) return (name) => name.split('.')[0] ?? name;
  const re = new RegExp(streamRegex);
  return (name) => re.exec(name)?.[1] ?? name;
}
