import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath } from './archive-file';

/** One JSONL line per archived file, written (and fsynced) before the original is deleted. */
export interface ManifestEntry {
  file: string;
  size: number;
  crc32c: number;
  mtimeMs: number;
  archive: string;
  time: string;
}

export const MANIFEST_NAME = 'manifest.jsonl';

export function manifestPath(archiveDir: string): string {
  return join(archiveDir, MANIFEST_NAME);
}

/** Entries keyed by original path; a torn last line (crash mid-append) is ignored, not fatal. */
export async function readManifest(archiveDir: string): Promise<Map<string, ManifestEntry>> {
  let text: string;
  try {
    text = await readFile(manifestPath(archiveDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  const byFile = new Map<string, ManifestEntry>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: ManifestEntry;
    try {
      e = JSON.parse(line) as ManifestEntry;
    } catch {
      continue; // a torn line from a crash mid-append; that file will simply be archived again
    }
    byFile.set(e.file, e);
  }
  return byFile;
}

export async function appendManifest(archiveDir: string, entry: ManifestEntry): Promise<void> {
  const fh = await open(manifestPath(archiveDir), 'a+', 0o640);
  try {
    // Start on a fresh line if an earlier append was torn by a crash, so this entry stays readable.
    const { size } = await fh.stat();
    const last = Buffer.alloc(1);
    if (size > 0) await fh.read(last, 0, 1, size - 1);
    const lead = size > 0 && last[0] !== 0x0a ? '\n' : '';
    await fh.appendFile(`${lead}${JSON.stringify(entry)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncPath(archiveDir);
}
