import { open, readFile, type FileHandle } from 'node:fs/promises';
import { PermanentError } from '../../../errors';
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

/**
 * Entries keyed by original path. Only a torn LAST line (a crash mid-append: no newline after it)
 * is ignored, and that file is simply archived again; appendManifest cuts such a line off first,
 * so it never ends up in the middle. A bad line anywhere else is corruption: a PermanentError
 * naming the line, because the manifest is what proves an archive is complete before a delete.
 */
export async function readManifest(archiveDir: string): Promise<Map<string, ManifestEntry>> {
  const path = manifestPath(archiveDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  const lines = text.split('\n');
  const torn = lines.pop() ?? ''; // after the last newline: '' for a clean file, else a torn append
  const byFile = new Map<string, ManifestEntry>();
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const e = parseEntry(line);
    if (!e) throw new PermanentError(`${path}:${i + 1}: corrupt manifest line (not a manifest entry): ${JSON.stringify(line.slice(0, 120))}`);
    byFile.set(e.file, e);
  });
  const last = torn.trim() ? parseEntry(torn) : undefined;
  if (last) byFile.set(last.file, last); // complete but for its newline: still a record
  return byFile;
}

function parseEntry(line: string): ManifestEntry | undefined {
  let e: unknown;
  try {
    e = JSON.parse(line);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  const m = e as Partial<ManifestEntry> | null;
  if (!m || typeof m !== 'object' || typeof m.file !== 'string' || typeof m.archive !== 'string' || typeof m.crc32c !== 'number' || typeof m.size !== 'number') return undefined;
  return m as ManifestEntry;
}

export async function appendManifest(archiveDir: string, entry: ManifestEntry): Promise<void> {
  const fh = await open(manifestPath(archiveDir), 'a+', 0o640);
  try {
    const lead = await mendTornTail(fh);
    await fh.appendFile(`${lead}${JSON.stringify(entry)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncPath(archiveDir);
}

/**
 * An unterminated last line (an append torn by a crash) is cut off, so every line but the last is
 * whole; one that is a whole entry but for its newline is kept (returns the newline to lead with).
 */
async function mendTornTail(fh: FileHandle): Promise<string> {
  const { size } = await fh.stat();
  let end = size;
  const chunk = Buffer.alloc(4096);
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await fh.read(chunk, 0, end - start, start);
    const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl >= 0) {
      end = start + nl + 1;
      break;
    }
    end = start;
  }
  if (end === size) return '';
  const tail = Buffer.alloc(size - end);
  await fh.read(tail, 0, tail.length, end);
  if (parseEntry(tail.toString('utf8'))) return '\n';
  await fh.truncate(end);
  return '';
}
